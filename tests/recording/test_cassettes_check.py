"""`certify cassettes check`: expired, orphaned and missing cassettes, leaks; one line each."""

from __future__ import annotations

import re

import yaml


def test_the_shipped_cassettes_pass(certify, root):
    result = certify("cassettes", "check", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problem found" in result.stdout


def set_date(path, value):
    text = path.read_text()
    path.write_text(re.sub(r"(authored_at|recorded_at): .*", rf"\1: '{value}'", text))


def test_each_problem_gets_one_line_and_exit_1(project, certify):
    folder = project / "cassettes" / "stripe"
    set_date(folder / "rsync.yaml", "2024-01-02T00:00:00Z")
    (folder / "capture_full.yaml").unlink()
    (folder / "old_scenario.yaml").write_text("version: 1\ninteractions: []\n")
    (folder / ".refund_full.yaml.abc123.tmp").write_text("version: 1\n")
    (project / "cassettes" / "retired_connector").mkdir()
    leaky = folder / "psync_charged.yaml"
    leaky.write_text(
        leaky.read_text().replace('"livemode":false', '"livemode":false,"note":"4000123456789017"')
    )

    result = certify("cassettes", "check", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 7, lines  # the planted card is in both interactions of psync_charged
    assert any(
        line.startswith("cassettes/stripe/rsync.yaml: expired: authored ")
        and "over the 180-day limit" in line
        for line in lines
    )
    assert any(
        line.startswith("cassettes/stripe/capture_full.yaml: missing: supported scenario") for line in lines
    )
    assert any(line.startswith("cassettes/stripe/old_scenario.yaml: orphan: ") for line in lines)
    assert any(
        line.startswith("cassettes/stripe/.refund_full.yaml.abc123.tmp: orphan: ")
        and "interrupted write" in line
        for line in lines
    )
    assert any(line.startswith("cassettes/retired_connector: orphan: ") for line in lines)
    assert (
        "cassettes/stripe/psync_charged.yaml: leak: $.interactions[1].response.body.string → $.note: "
        "card number (Luhn-valid, not a published test card)"
    ) in lines
    assert "4000123456789017" not in result.stdout


def test_max_age_days(project, certify):
    set_date(project / "cassettes" / "stripe" / "rsync.yaml", "2026-01-01T00:00:00Z")
    assert certify("cassettes", "check", "stripe", "--max-age-days", "3650", cwd=project).returncode == 0
    result = certify("cassettes", "check", "stripe", "--max-age-days", "30", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("cassettes/stripe/rsync.yaml: expired: ")


def test_a_cassette_dated_in_the_future_is_a_problem(project, certify):
    set_date(project / "cassettes" / "stripe" / "rsync.yaml", "2099-01-01T00:00:00Z")
    result = certify("cassettes", "check", "stripe", cwd=project)
    assert result.returncode == 1
    assert "rsync.yaml: future: " in result.stdout


def test_an_unreadable_cassette_exits_2(project, certify):
    (project / "cassettes" / "stripe" / "rsync.yaml").write_text("version: 1\ninteractions: [\n")
    result = certify("cassettes", "check", "stripe", cwd=project)
    assert result.returncode == 2
    assert "cassettes/stripe/rsync.yaml: unreadable: not valid safe YAML" in result.stdout


def test_an_unreadable_certification_exits_2(project, certify):
    (project / "connectors" / "stripe" / "certification.toml").write_text("connector = [")
    result = certify("cassettes", "check", "stripe", cwd=project)
    assert result.returncode == 2
    assert "malformed TOML" in result.stderr


def test_unknown_connector_and_bad_age_exit_2(project, certify):
    for args, message in (
        (["nope"], "unknown connector(s): nope"),
        (["--max-age-days", "-1"], "--max-age-days must be 0 or more"),
    ):
        result = certify("cassettes", "check", *args, cwd=project)
        assert result.returncode == 2 and message in result.stderr


def test_a_leaked_credential_in_a_cassette_is_found_by_its_value(project, certify, canary_env):
    from tests.recording.conftest import CANARY_KEY

    path = project / "cassettes" / "stripe" / "rsync.yaml"
    document = yaml.safe_load(path.read_text())
    document["interactions"][0]["request"]["headers"]["X-Debug"] = [CANARY_KEY]
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = certify("cassettes", "check", "stripe", cwd=project, env=canary_env)
    assert result.returncode == 1
    assert result.stdout.strip() == (
        'cassettes/stripe/rsync.yaml: leak: $.interactions[0].request.headers["X-Debug"][0]: '
        "exact value in use (the value of STRIPE_API_KEY)"
    )
