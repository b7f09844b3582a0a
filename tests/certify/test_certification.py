from pathlib import Path

import pytest

from harness.certify.certification import CertificationError, load_certification

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "connectors" / "stripe" / "certification.toml").read_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('"capture_full",', '"capture_fully",'), "unknown scenario 'capture_fully'"),
        (
            lambda t: t.replace('access_token = "', 'capture_full = "'),
            "both supported and exempt: capture_full",
        ),
        (
            lambda t: t.replace("[cards.decline_generic]", "[cards.decline_generik]"),
            "cards.decline_generic is needed",
        ),
        (lambda t: t.replace("amount = 1000", "amount = 10.5"), "defaults.amount"),
        (lambda t: t.replace('access_token = "Stripe', 'access_token = " '), None),
        (lambda t: t + "\n[surprise]\nx = 1\n", "surprise"),
        (lambda t: t.replace("[defaults]", "[defaults"), "malformed TOML"),
    ],
)
def test_bad_certification_files_name_file_and_key(tmp_path, change, message):
    path = tmp_path / "certification.toml"
    path.write_text(change(GOOD))
    if message is None:
        load_certification(path)  # a reason with leading space is still a reason
        return
    with pytest.raises(CertificationError, match=message) as caught:
        load_certification(path)
    assert str(path) in caught.value.one_line()


def test_an_empty_exemption_reason_is_refused(tmp_path):
    path = tmp_path / "certification.toml"
    reason = "Stripe authenticates every request with the secret key; it has no token endpoint."
    path.write_text(GOOD.replace(f'access_token = "{reason}"', 'access_token = "  "'))
    with pytest.raises(CertificationError, match="needs its reason"):
        load_certification(path)


def test_missing_file(tmp_path):
    with pytest.raises(CertificationError, match="not found"):
        load_certification(tmp_path / "certification.toml")
