"""The leak scanner: every rule finds its secret, names file and place, never prints the value."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from harness.certify.leaks import (
    PUBLISHED_TEST_CARDS,
    LeakScanner,
    certification_cards,
    luhn_valid,
    scan_run_artifacts,
    values_in_use,
)
from tests.recording.conftest import CANARY_CARD, CANARY_KEY, ROOT

UNLISTED_CARD = "4000123456789017"  # Luhn-valid, published nowhere
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
BASIC = base64.b64encode(b"merchant:p4ssw0rd").decode()


def kinds(text: str, scanner: LeakScanner | None = None) -> list[str]:
    return [kind for _, kind in (scanner or LeakScanner()).findings(text)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"card {UNLISTED_CARD} ok", "card number"),
        ("4000 1234 5678 9017", "card number"),
        ("4000-1234-5678-9017", "card number"),
        (f"number%3D{UNLISTED_CARD}", "card number"),
        (f'{{"pan": {UNLISTED_CARD}}}', "card number"),
        ('{"cvc": "314"}', "CVC/CVV value"),
        ('{"CVV2": 3141}', "CVC/CVV value"),
        ("payment_method_data[card][cvc]=314&a=1", "CVC/CVV value"),
        ("card%5Bcvc%5D%3D314", "CVC/CVV value"),
        ("securityCode: '1234'", "CVC/CVV value"),
        ('{\\"cvc\\":\\"314\\"}', "CVC/CVV value"),
        ("<cardCode>123</cardCode>", "CVC/CVV value"),
        ("Authorization: Bearer abc123def456ghi", "bearer token"),
        (f"Authorization: Basic {BASIC}", "basic-auth credentials"),
        (f"token={JWT}", "JSON Web Token"),
        ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc", "provider secret key"),
        ("whsec_abcdefghijklmnop1234", "provider secret key"),
    ],
)
def test_each_rule_finds_its_secret(text, kind):
    found = kinds(text)
    assert found and found[0].startswith(kind), found


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424242",  # Stripe's published test card
        "4111 1111 1111 1111",
        "3782 822463 10005",
        "4000123456789018",  # not Luhn-valid
        "1764201636 1764201636000",  # timestamps
        "2024-06-20 2024-06-20",  # dates side by side
        "0.4000000000000002",  # a float's digits
        "a3f5400012345678901700bb",  # digits inside a hex digest
        f"{UNLISTED_CARD}0",  # 17 digits: not this card
        '{"cvc": "***", "cvc_check": "pass"}',
        "abcvc=123",
        "Authorization: Bearer ***",
        "use Bearer authentication, or Basic authentication",
        "sk_test_authoring_placeholder",
        "9f1c2d3e-4b5a-6789-0abc-def012345678",
        "pi_3uTFXhbYQCgWE8fQQ9IM5oaMy ch_3XrzOXKWcHKv4BhlXmu7RiBDD",
    ],
)
def test_what_is_not_a_leak(text):
    assert kinds(text) == []


def test_the_published_test_cards_are_luhn_valid_and_have_a_source():
    assert all(luhn_valid(number) for number in PUBLISHED_TEST_CARDS)
    assert all(source.startswith("https://") for source in PUBLISHED_TEST_CARDS.values())
    assert CANARY_CARD not in PUBLISHED_TEST_CARDS


def test_the_certification_cards_are_allowed():
    cards = certification_cards(ROOT)
    assert "4000000000009995" in cards
    assert kinds(UNLISTED_CARD, LeakScanner(allowed_cards={UNLISTED_CARD})) == []


def test_exact_values_in_every_encoding_are_found_and_labelled():
    scanner = LeakScanner({CANARY_KEY: "the value of STRIPE_API_KEY", "p&ss w/rd+1": "the password"})
    for text in (
        CANARY_KEY,
        f"x={CANARY_KEY}",
        "p%26ss%20w%2Frd%2B1",
        "p%26ss+w%2Frd%2B1",
        "p&amp;ss w/rd+1",
    ):
        found = kinds(text, scanner)
        assert found and found[0].startswith("exact value in use ("), (text, found)
    assert kinds(CANARY_KEY, scanner)[0] == "exact value in use (the value of STRIPE_API_KEY)"


def test_values_in_use_come_from_the_auth_env_and_the_certification():
    values = values_in_use(["stripe"], ROOT, environ={"STRIPE_API_KEY": CANARY_KEY})
    assert values[CANARY_KEY] == "the value of STRIPE_API_KEY"
    assert values["4242424242424242"] == "stripe cards.success.number"
    assert values["Jenny Rosen"] == "stripe cards.success.holder_name"


def test_a_leak_names_the_json_path_and_never_the_value(tmp_path):
    path = tmp_path / "results.json"
    nested = json.dumps({"cvc": "314"})
    path.write_text(
        json.dumps(
            {"connectors": [{"checks": [{"message": f"sent Bearer {CANARY_KEY}", "body": nested}]}], "n": 1}
        )
    )
    leaks = LeakScanner({CANARY_KEY: "the key"}).scan_file(path, name="reports/results.json")
    described = [leak.describe() for leak in leaks]
    assert described == [
        "reports/results.json: $.connectors[0].checks[0].message: bearer token",
        "reports/results.json: $.connectors[0].checks[0].body → $.cvc: CVC/CVV value",
    ]
    assert not any(CANARY_KEY in d or "314" in d for d in described)


def test_a_leak_in_a_text_file_names_the_line(tmp_path):
    path = tmp_path / "run.log"
    path.write_text(f"started\nok\ncard {UNLISTED_CARD} declined\n")
    (leak,) = LeakScanner().scan_file(path, name="run.log")
    assert leak.describe() == "run.log: line 3: card number (Luhn-valid, not a published test card)"


def test_a_yaml_cassette_leak_names_the_interaction(tmp_path):
    path = tmp_path / "c.yaml"
    body = json.dumps({"description": f"key {CANARY_KEY}"})
    path.write_text(f"interactions:\n- response:\n    body:\n      string: '{body}'\n")
    (leak,) = LeakScanner({CANARY_KEY: "the key"}).scan_file(path, name="c.yaml")
    assert leak.where == "$.interactions[0].response.body.string → $.description"


def test_a_leak_is_named_by_its_path_from_the_working_directory_through_links(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "run.log").write_text(f"card {UNLISTED_CARD}\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "alias.log").symlink_to(tmp_path / "real" / "run.log")
    monkeypatch.chdir(tmp_path)
    scanner = LeakScanner()
    for path in (Path("linked/run.log"), tmp_path / "linked" / "run.log", Path("real/alias.log")):
        (leak,) = scanner.scan_file(path)
        assert leak.file == "real/run.log"  # where the file is, as quarantine resolves it
    outside = tmp_path.parent / f"{tmp_path.name}-outside.log"
    outside.write_text(f"card {UNLISTED_CARD}\n")
    try:
        (leak,) = scanner.scan_file(outside)
        assert leak.file == str(outside)
    finally:
        outside.unlink()


def test_binary_files_are_skipped(tmp_path):
    path = tmp_path / "shot.png"
    path.write_bytes(b"\x89PNG\x00\x00" + UNLISTED_CARD.encode())
    assert LeakScanner().scan_file(path) == []


def test_scan_run_artifacts_covers_every_file_of_the_report_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", CANARY_KEY)
    (tmp_path / "html").mkdir()
    (tmp_path / "results.json").write_text("{}")
    (tmp_path / "html" / "index.html").write_text(f"<td>{CANARY_KEY}</td>")
    (tmp_path / "junit.xml").write_text("<testcase><cvc>123</cvc></testcase>")
    leaks = scan_run_artifacts(tmp_path, ["stripe"], root=ROOT)
    assert sorted((leak.file.rsplit("/", 1)[-1], leak.kind) for leak in leaks) == [
        ("index.html", "exact value in use (the value of STRIPE_API_KEY)"),
        ("junit.xml", "CVC/CVV value"),
    ]


def test_the_scanner_finds_nothing_in_a_large_clean_report():
    """(Its speed is measured in benchmarks/leak_bench.py, not asserted here.)"""
    chunk = json.dumps(
        {
            "id": "scenario:refund_partial",
            "message": "2 step(s) as expected; amount 1000 USD at 2026-11-27T06:51:44Z",
            "request": {"url": "https://api.stripe.com/v1/payment_intents/pi_3uTFXhbYQCgWE8fQQ9IM5oaMy"},
            "body": "amount=1000&currency=usd&payment_method_data[card][number]=%2A%2A%2A",
            "elapsed_ms": 12.345678901234,
            "created": 1764201636,
        }
    )
    text = "\n".join([chunk] * 12_000)  # about 4 MB
    scanner = LeakScanner({CANARY_KEY: "key", "Jenny Rosen": "holder"})
    assert list(scanner.findings(text)) == []


def test_certify_run_fails_with_exit_2_on_a_leak_in_any_artifact(certify_exe, root, tmp_path):
    import os
    import subprocess

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "debug.log").write_text(f"line one\nsent Authorization: Bearer {CANARY_KEY}\n")
    env = {**os.environ, "STRIPE_API_KEY": CANARY_KEY}
    result = subprocess.run(
        [*certify_exe, "run", "stripe", "--report-dir", str(reports)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
        env=env,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    leak_lines = [line for line in result.stderr.splitlines() if "leak:" in line]
    assert leak_lines == [f"certify: leak: {reports / 'debug.log'}: line 2: bearer token"]
    assert CANARY_KEY not in result.stdout + result.stderr
    assert (reports / "results.json").is_file()


def test_a_test_holder_name_is_not_a_leak_in_another_connectors_files(tmp_path):
    """Adyen's trigger holder name DECLINED is also a PayPal capture status."""
    from harness.certify.leaks import scan_run_artifacts

    values = values_in_use(["adyen"], ROOT)
    assert "DECLINED" in values  # within Adyen's own files it is still looked for
    report = tmp_path / "results.json"
    report.write_text('{"connectors": [{"name": "paypal", "status": "DECLINED"}]}')
    assert scan_run_artifacts(tmp_path, ["adyen", "paypal"], root=ROOT) == []


# ------------------------------------------------------------------ issue 14: the forms leaks take

SANDBOX_KEY = "sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e"  # Checkout.com's sandbox prefix, no env var set


def escaped(value: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("4000.1234.5678.9017", "card number"),
        (f"pan{UNLISTED_CARD}", "card number"),
        (f"{UNLISTED_CARD}USD", "card number"),
        (f'{{"number": "{escaped(UNLISTED_CARD)}"}}', "card number"),
        (f"key {SANDBOX_KEY}", "provider secret key"),
        ("sk_test_0b9b5db6-fabc-49d0-b68f-92645dc4f508", "provider secret key"),
        ("Authorization: rk_live_4eC39HqLyjWDarjtT1zdp7dc", "provider secret key"),
        (f"Authorization=Bearer%20{SANDBOX_KEY}", "bearer token"),
        (base64.b64encode(f"Bearer {SANDBOX_KEY}".encode()).decode(), "base64-encoded bearer token"),
        (base64.urlsafe_b64encode(SANDBOX_KEY.encode()).decode(), "base64-encoded provider secret key"),
        (f"Basic%20{base64.b64encode(b'merchant:p4ssw0rd').decode()}", "basic-auth credentials"),
        ("cvc 9173 rejected", "CVC/CVV value"),
        ("security code: 9173", "CVC/CVV value"),
    ],
)
def test_the_forms_issue_14_found_unflagged_are_found(text, kind):
    found = kinds(text)
    assert found and found[0].startswith(kind), found


@pytest.mark.parametrize(
    "text",
    [
        "cvc 2024-06-20",  # a date after the word
        "cvc 12 digits",  # too short for a CVC
        f"a3f{UNLISTED_CARD}9bb",  # digits glued to an identifier that holds other digits
        f"v1.{UNLISTED_CARD}",  # after a dot: a version or a float's digits
        "4000.1234.5678.9018",  # dotted, not Luhn-valid
        "4242.4242.4242.4242",  # dotted published test card
        escaped("4242424242424242"),  # escaped published test card
        "task_abcdefghijklmnopqrstu",  # sk_ inside a word
        "sk_sbox_short",  # too short for a key
        "sk_sbox_authoring_placeholder",
        base64.b64encode(b"Bearer authentication is required").decode(),  # echoes prose
        "QmVhcmVyIGFi",  # too short to hold a token
        "ch_3XrzOXKWcHKv4BhlXmu7RiBDD QmFzaWMgZGVtbw",
    ],
)
def test_near_misses_of_the_new_forms_are_not_leaks(text):
    assert kinds(text) == []


def test_every_declared_key_prefix_is_found_and_masked_without_its_env_var(monkeypatch):
    from harness.execution.redact import Redactor
    from harness.integration import registry

    for variable in ("STRIPE_API_KEY", "CHECKOUT_SECRET_KEY"):
        monkeypatch.delenv(variable, raising=False)
    declared = {p for name in registry.names() for p in registry.load(name).auth.key_prefixes}
    assert {"sk_sbox_", "sk_", "sk_test_", "sk_live_", "rk_test_", "rk_live_"} <= declared
    scanner, redact = LeakScanner(), Redactor(key_prefixes=registry.key_prefixes())
    for prefix in sorted(declared):
        key = f"{prefix}Q7x2LmP9vR4tY8wZ3nB6"
        assert kinds(f"sent {key} to the provider", scanner) == ["provider secret key"], prefix
        assert redact(f"sent {key} to the provider") == "sent *** to the provider", prefix


def test_a_key_prefix_declaration_must_look_like_a_prefix():
    from harness.integration.connector import AuthSpec, ConnectorDeclarationError

    with pytest.raises(ConnectorDeclarationError, match="key_prefixes"):
        AuthSpec(key_prefixes=("sk",))


@pytest.mark.parametrize("pad", ["", "x", "xy"])
def test_a_value_inside_base64_is_found_at_every_byte_offset(pad):
    """The Basic header PayPal sends is base64(client_id:secret): the secret sits at any offset."""
    secret = "EFp8sKvT3qWz9LmN0bYcR2dX"
    scanner = LeakScanner({"client-id-123": "the value of PAYPAL_CLIENT_ID", secret: "the secret"})
    for plain in (f"{pad}client-id-123:{secret}", f'{{"echo": "{pad}{secret}"}}'):
        encoded = base64.b64encode(plain.encode()).decode()
        found = kinds(encoded, scanner)
        assert "exact value in use (the secret)" in found, (plain, found)


def test_short_card_values_are_masked_only_as_whole_tokens():
    from harness.execution.redact import Redactor

    redact = Redactor(["9173", "12/34", "12/2034"])
    assert redact("cvc 9173 for 12/34 or 12/2034") == "*** for *** or ***"
    assert redact("ids 19173 91730 9.173 0.9173, 112/345") == "ids 19173 91730 9.173 0.9173, 112/345"
    assert redact(f"sent {base64.b64encode(b'9173').decode()} and {escaped('9173')}") == "sent *** and ***"


def test_a_value_added_to_a_redactor_masks_a_text_it_has_seen_before():
    from harness.execution.redact import Redactor

    redact = Redactor(["canary_value_1"])
    text = "sent canary_value_1 then canary_value_2"
    assert redact(text) == "sent *** then canary_value_2"
    assert redact(text) == "sent *** then canary_value_2"  # the same text again: the same answer
    redact.add(["canary_value_2"])
    assert redact(text) == "sent *** then ***"  # not the answer remembered before the value came
    long = "x" * 5000 + " canary_value_2"
    assert redact(long).endswith(" ***")


def test_the_certification_card_fields_are_secret_values():
    from harness.certify.certification import CardProfile

    profile = CardProfile(
        number=UNLISTED_CARD, exp_month="3", exp_year="2034", cvc="9173", holder_name="Jo Ro"
    )
    values = profile.secret_values()
    assert {UNLISTED_CARD, "Jo Ro", "9173", "03/34", "03/2034", "2034-03"} <= set(values)
    assert "3" not in values and "2034" not in values  # alone they would mask ordinary numbers


def test_a_secret_in_a_json_key_is_not_repeated_in_the_leak_path(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"by_card": {UNLISTED_CARD: "declined"}}))
    described = [leak.describe() for leak in LeakScanner().scan_file(path, name="results.json")]
    assert described and not any(UNLISTED_CARD in d for d in described), described


def test_quarantine_replaces_each_leaky_report_file_by_a_stub(tmp_path):
    from harness.certify.leaks import quarantine

    reports = tmp_path / "reports"
    (reports / "allure-results").mkdir(parents=True)
    (reports / "results.json").write_text(json.dumps({"message": f"key {SANDBOX_KEY}"}))
    (reports / "allure-results" / "a.txt").write_text(f"ok\ncard {UNLISTED_CARD}\n")
    (reports / "index.html").write_text("<p>clean</p>")
    cassette = tmp_path / "cassettes" / "c.yaml"
    cassette.parent.mkdir()
    cassette.write_text(f"key: {SANDBOX_KEY}\n")
    scanner = LeakScanner()
    leaks = scanner.scan_paths([*sorted(reports.rglob("*.*")), cassette])
    assert len(leaks) == 3
    replaced = quarantine(leaks, reports)
    assert sorted(p.name for p in replaced) == ["a.txt", "results.json"]
    stub = json.loads((reports / "results.json").read_text())
    assert stub["leaks"] == [{"where": "$.message", "kind": "provider secret key"}]
    assert "line 2: card number" in (reports / "allure-results" / "a.txt").read_text()
    assert (reports / "index.html").read_text() == "<p>clean</p>"
    assert SANDBOX_KEY in cassette.read_text()  # a cassette is its author's to scrub
    assert scanner.scan_paths(sorted(reports.rglob("*.*"))) == []  # the stubs themselves are clean


def test_a_published_test_cards_cvc_is_not_masked_as_a_bare_number():
    from harness.certify.certification import CardProfile

    published = CardProfile(number="4242424242424242", exp_month="12", exp_year="2034", cvc="100")
    assert "100" not in published.secret_values()  # "held for 100 examples" stays readable
    assert LeakScanner(published.secret_values()).redact("cvc 100") == "***"  # by structure still


def test_a_scan_over_forked_processes_finds_the_same_leaks_in_the_same_order(tmp_path, monkeypatch):
    import os
    import time

    from harness.certify import leaks as leaks_module

    secret = "sk_test_canary_7f3a9c0b1d2e"
    files = []
    for index in range(12):
        path = tmp_path / f"part{index:02d}.json"
        body = {"n": index, "note": "x" * (index * 500)}
        if index % 3 == 0:
            body["card"] = UNLISTED_CARD
        if index % 4 == 1:
            body["header"] = f"Authorization: Bearer {secret}"
        path.write_text(json.dumps(body), encoding="utf-8")
        files.append(path)
    jobs = [(LeakScanner([secret]), files[:8]), (LeakScanner(), files[8:])]
    pids = tmp_path / "pids"
    plain_scan = LeakScanner.scan_file

    def noting(self, path, **kwargs):
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(0.05)  # a process busy with its first file: the other chunk goes to the other one
        return plain_scan(self, path, **kwargs)

    serial = leaks_module.scan_jobs(jobs, processes=1)
    monkeypatch.setattr(LeakScanner, "scan_file", noting)
    forked = leaks_module.scan_jobs(jobs, processes=2)
    assert forked == serial and len(serial) >= 6
    assert {leak.file.rsplit("/", 1)[-1] for leak in serial} == {
        f"part{i:02d}.json" for i in range(12) if i % 3 == 0 or i % 4 == 1
    }
    workers = set(pids.read_text(encoding="utf-8").split())
    assert len(workers) == 2 and str(os.getpid()) not in workers  # two processes, never this one


def test_a_cassette_found_clean_is_not_scanned_again_and_a_leaky_one_always_is(tmp_path, monkeypatch):
    import shutil

    from harness.certify import leaks as leaks_module

    root = tmp_path / "project"
    (root / "connectors" / "stripe").mkdir(parents=True)
    shutil.copy(ROOT / "connectors" / "stripe" / "certification.toml", root / "connectors" / "stripe")
    (root / "cassettes" / "stripe").mkdir(parents=True)
    for name in ("capture_full.yaml", "void_authorized.yaml"):
        shutil.copy(ROOT / "cassettes" / "stripe" / name, root / "cassettes" / "stripe" / name)
    clean, leaky = (root / "cassettes" / "stripe" / n for n in ("capture_full.yaml", "void_authorized.yaml"))
    leaky.write_text(leaky.read_text() + f"\n# {UNLISTED_CARD}\n")
    quiet = "Zq81x7PlainValue"  # no rule finds it: a leak only once it is a value in use
    clean.write_text(clean.read_text() + f"\n# {quiet}\n")
    reports, cache = tmp_path / "reports", tmp_path / "cache"
    reports.mkdir()
    scanned: list[str] = []
    plain_scan = LeakScanner.scan_file

    def noting(self, path, **kwargs):
        scanned.append(path.name)
        return plain_scan(self, path, **kwargs)

    def scan() -> set[str]:
        scanned.clear()
        found = scan_run_artifacts(reports, ["stripe"], root=root, cache_dir=cache)
        return {leak.file.rsplit("/", 1)[-1] for leak in found}

    monkeypatch.setattr(LeakScanner, "scan_file", noting)
    try:
        assert scan() == {"void_authorized.yaml"}
        assert sorted(scanned) == ["capture_full.yaml", "void_authorized.yaml"]
        leaks_module._CLEAN.keep(None)  # the process ends: its set is written
        (kept,) = (cache / leaks_module.CLEAN_FILES).glob("*.digests")
        assert len(kept.read_bytes()) == 16  # the clean cassette's digest, and nothing else
        # the next run: the leaky cassette is scanned (and found) again, the clean one is known
        assert scan() == {"void_authorized.yaml"} and scanned == ["void_authorized.yaml"]
        # the same content, but its text is now a value in use: another scanner, the value found
        monkeypatch.setenv("STRIPE_API_KEY", quiet)
        assert scan() == {"capture_full.yaml", "void_authorized.yaml"}
        assert sorted(scanned) == ["capture_full.yaml", "void_authorized.yaml"]
        # the same scanner as the first run, but the clean cassette's content changed: scanned again
        monkeypatch.delenv("STRIPE_API_KEY")
        clean.write_text(clean.read_text() + f"\n# {UNLISTED_CARD}\n")
        assert scan() == {"capture_full.yaml", "void_authorized.yaml"}
        assert sorted(scanned) == ["capture_full.yaml", "void_authorized.yaml"]
    finally:
        leaks_module._CLEAN.keep(None)


def _report_with_allure_results(folder: Path) -> None:
    """A report folder whose allure results and other files hold leaks here and there."""
    allure = folder / "allure-results"
    allure.mkdir(parents=True)
    for index in range(6):
        body = {"name": f"check{index}", "statusDetails": {"message": "ok"}}
        if index % 2:
            body["statusDetails"]["message"] = f"sent Bearer {CANARY_KEY}"
        (allure / f"{index:02d}-result.json").write_text(json.dumps(body), encoding="utf-8")
    (folder / "results.json").write_text(json.dumps({"card": UNLISTED_CARD}), encoding="utf-8")
    (folder / "zz.log").write_text(f"key {CANARY_KEY}\n", encoding="utf-8")


def test_an_early_scan_of_the_allure_results_gives_the_leaks_of_one_scan_in_the_same_order(
    tmp_path, monkeypatch
):
    """`certify run` scans its allure results in a forked process while it renders the other reports:
    the leaks are those of one scan of the folder, in the same order, each file scanned once."""
    import os

    from harness.certify.leaks import EarlyScan, artifact_files, report_scanner

    monkeypatch.setenv("STRIPE_API_KEY", CANARY_KEY)
    _report_with_allure_results(tmp_path)
    whole = scan_run_artifacts(tmp_path, ["stripe"], root=ROOT)
    assert len(whole) == 5 and {leak.file.rsplit("/", 1)[-1] for leak in whole} >= {"zz.log", "results.json"}
    pids = tmp_path.parent / f"{tmp_path.name}-pids"
    plain_scan = LeakScanner.scan_file

    def noting(self, path, **kwargs):
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {Path(path).name}\n")
        return plain_scan(self, path, **kwargs)

    monkeypatch.setattr(LeakScanner, "scan_file", noting)
    early = EarlyScan(report_scanner(["stripe"], ROOT), artifact_files(tmp_path / "allure-results"))
    assert len(early.paths) == 6
    assert scan_run_artifacts(tmp_path, ["stripe"], root=ROOT, early=early) == whole
    scans = [line.split() for line in pids.read_text(encoding="utf-8").splitlines()]
    reports = sorted(name for _, name in scans if not name.endswith(".yaml"))  # stripe's cassettes apart
    assert reports == sorted(path.name for path in artifact_files(tmp_path))  # each once
    assert {pid for pid, name in scans if name.endswith("-result.json")} != {str(os.getpid())}


def test_an_early_scan_whose_process_fails_is_made_again_in_the_run(tmp_path, monkeypatch):
    import os

    from harness.certify import leaks as leaks_module
    from harness.certify.leaks import EarlyScan, artifact_files, report_scanner

    monkeypatch.setenv("STRIPE_API_KEY", CANARY_KEY)
    _report_with_allure_results(tmp_path)
    whole = scan_run_artifacts(tmp_path, ["stripe"], root=ROOT)

    def broken(*args, **kwargs):
        raise RuntimeError("the child cannot send its leaks")

    monkeypatch.setattr(leaks_module.pickle, "dumps", broken)  # in the forked child too
    early = EarlyScan(report_scanner(["stripe"], ROOT), artifact_files(tmp_path / "allure-results"))
    assert scan_run_artifacts(tmp_path, ["stripe"], root=ROOT, early=early) == whole
    abandoned = EarlyScan(report_scanner(["stripe"], ROOT), artifact_files(tmp_path / "allure-results"))
    assert abandoned._child is not None
    child = abandoned._child[0]
    abandoned.abandon()  # a run that failed before reading it: the child is ended and reaped
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_a_file_rewritten_after_its_early_scan_is_scanned_again_as_it_is_now(tmp_path, monkeypatch):
    """results.json is scanned early as the suite wrote it, and rendering writes it again: the early
    scan stands only for the same bytes. A leak the new content brings is found."""
    from harness.certify.leaks import EarlyScan, artifact_files, report_scanner

    monkeypatch.setenv("STRIPE_API_KEY", CANARY_KEY)
    _report_with_allure_results(tmp_path)
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"message": "clean"}), encoding="utf-8")

    def early_scan() -> EarlyScan:
        allure = artifact_files(tmp_path / "allure-results")
        return EarlyScan(report_scanner(["stripe"], ROOT), allure, changing=[results])

    unchanged = early_scan()
    assert results in unchanged.paths and results in unchanged.standing()
    assert scan_run_artifacts(tmp_path, ["stripe"], root=ROOT, early=unchanged) == scan_run_artifacts(
        tmp_path, ["stripe"], root=ROOT
    )
    rewritten = early_scan()
    results.write_text(json.dumps({"message": f"sent Bearer {CANARY_KEY}"}), encoding="utf-8")
    assert results not in rewritten.standing()
    leaks = scan_run_artifacts(tmp_path, ["stripe"], root=ROOT, early=rewritten)
    assert leaks == scan_run_artifacts(tmp_path, ["stripe"], root=ROOT)
    assert any(leak.file.endswith("results.json") for leak in leaks)
