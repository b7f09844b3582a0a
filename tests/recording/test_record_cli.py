"""`certify record` through the installed console script, against a sandbox on 127.0.0.1.

Every test works in a temporary copy of the project root, so the shipped cassettes stay as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from connectors.stripe.sandbox import StripeSandbox
from harness.certify.catalog import SCENARIOS
from harness.certify.certification import load_certification
from harness.integration.encoding import decode_form
from tests.recording.conftest import (
    CANARY_CVC,
    CANARY_KEY,
    ROOT,
    canary_hits,
    files_under,
    use_canary_card,
)
from tests.sandboxes import serve
from tests.sandboxes.faults import FAULTS, FaultySandbox

# every scenario Stripe's certification.toml supports: each is recorded and written as one cassette
SUPPORTED = len(load_certification(ROOT / "connectors" / "stripe" / "certification.toml").scenarios.supported)


def cassette_texts(project: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((project / "cassettes" / "stripe").glob("*.yaml"))}


@pytest.mark.slow
def test_record_the_whole_chain_with_canaries_then_replay_and_certify(project, canary_env, certify):
    use_canary_card(project)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with serve(StripeSandbox(success_cards={"4000123456789017"}), max_requests=100) as url:
        result = certify("record", "stripe", "--base-url", url, cwd=project, env=canary_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == SUPPORTED and all(" written cassettes/stripe/" in line for line in lines), lines
    assert result.stderr == ""
    assert not canary_hits(result.stdout + result.stderr)

    texts = cassette_texts(project)
    assert len(texts) == SUPPORTED
    for name, text in texts.items():
        assert not canary_hits(text), name
        document = yaml.safe_load(text)
        provenance = document["metadata"]["provenance"]
        assert provenance["kind"] == "recorded-sandbox", name
        recorded_at = dt.datetime.fromisoformat(provenance["recorded_at"].replace("Z", "+00:00"))
        assert recorded_at.tzinfo is not None and before <= recorded_at <= dt.datetime.now(dt.UTC)
        assert provenance["api_version"] == "2024-06-20"  # the Stripe-Version response header
        for interaction in document["interactions"]:
            request = interaction["request"]
            # recorded with the configured sandbox URL, so replay matches; sent to 127.0.0.1
            assert request["uri"].startswith("https://api.stripe.com/v1/"), request["uri"]
            assert request["headers"]["Authorization"] == ["Bearer ***"]  # the scheme kept, the key masked
            body = decode_form(request["body"]) if request["body"] else {}
            card = (body.get("payment_method_data") or {}).get("card")
            if card:
                assert set(card.values()) == {"***"}, name  # number, expiry, CVC
                assert CANARY_CVC not in request["body"]
            assert "Server" not in interaction["response"]["headers"]
            response = json.loads(interaction["response"]["body"]["string"])
            if "client_secret" in response:
                assert response["client_secret"] == "***"

    report_dir = project / "reports"
    run = certify("run", "stripe", "--report-dir", str(report_dir), cwd=project, env=canary_env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "certified" in run.stdout
    artifacts = files_under(report_dir)
    assert artifacts, "the run wrote no report"
    for artifact in artifacts:
        assert not canary_hits(artifact.read_text(errors="replace")), artifact
    assert not canary_hits(run.stdout + run.stderr)
    results = json.loads((report_dir / "results.json").read_text())
    cassettes = results["connectors"][0]["cassettes"]
    assert {c["provenance"]["kind"] for c in cassettes} == {"recorded-sandbox"}

    check = certify("cassettes", "check", "stripe", cwd=project, env=canary_env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_only_the_requested_scenarios_are_re_recorded(project, canary_env, certify):
    before = cassette_texts(project)
    with serve(StripeSandbox(), max_requests=20) as url:
        result = certify(
            "record", "stripe", "--scenario", "refund_partial", "--scenario", "rsync",
            "--base-url", url, cwd=project, env=canary_env,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["refund_partial", "rsync"]
    after = cassette_texts(project)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"refund_partial.yaml", "rsync.yaml"}
    assert "recorded-sandbox" in after["rsync.yaml"]


def test_record_with_a_ucs_creds_file(project, certify, tmp_path):
    creds = tmp_path / "creds.json"
    creds.write_text(
        json.dumps(
            {
                "adyen": {"connector_account_details": {"auth_type": "BodyKey", "api_key": "x", "key1": "y"}},
                "stripe": {"connector_account_details": {"auth_type": "HeaderKey", "api_key": CANARY_KEY}},
            }
        )
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "STRIPE_API_KEY"}
    with serve(StripeSandbox(), max_requests=10) as url:
        result = certify(
            "record", "stripe", "--scenario", "authorize_auto_capture", "--creds", str(creds),
            "--base-url", url, cwd=project, env=env,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert not canary_hits(cassette_texts(project)["authorize_auto_capture.yaml"])


FAULT_MESSAGES = {
    "server_error": "provider answered HTTP 500 to POST /v1/payment_intents",
    "timeout": "no answer within 0.5s from POST",
    "reset": "connection failed for POST",
    "malformed": "response_deserialization_failed",
    "echo_key": "leak: cassettes/stripe/capture_full.yaml: $.interactions[0].response.body.string",
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_during_recording_writes_nothing_and_says_why_in_one_line(
    project, canary_env, certify, fault
):
    folder = project / "cassettes" / "stripe"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with serve(FaultySandbox(StripeSandbox(), fault, on_request=1), max_requests=10) as url:
        result = certify(
            "record", "stripe", "--scenario", "capture_full", "--base-url", url, "--timeout", "0.5",
            cwd=project, env=canary_env,
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("capture_full  refused: "), lines
    assert FAULT_MESSAGES[fault] in lines[0]
    assert result.stderr == ""
    assert not canary_hits(result.stdout + result.stderr)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before  # nothing written


def test_the_echoed_key_is_named_not_shown(project, canary_env, certify):
    with serve(FaultySandbox(StripeSandbox(), "echo_key", on_request=2), max_requests=10) as url:
        result = certify(
            "record", "stripe", "--scenario", "capture_full", "--base-url", url, cwd=project, env=canary_env
        )
    assert result.returncode == 1
    assert "$.interactions[1].response.body.string → $.description: exact value in use" in result.stdout
    assert "api_key" in result.stdout and CANARY_KEY not in result.stdout


def test_some_written_some_refused_exits_1(project, canary_env, certify):
    # the third request (capture of capture_full) fails; authorize_auto_capture is recorded first
    with serve(FaultySandbox(StripeSandbox(), "server_error", on_request=3), max_requests=10) as url:
        result = certify(
            "record", "stripe", "--scenario", "authorize_auto_capture", "--scenario", "capture_full",
            "--base-url", url, cwd=project, env=canary_env,
        )  # fmt: skip
    assert result.returncode == 1
    first, second = result.stdout.splitlines()
    assert "written" in first and "refused: provider answered HTTP 500" in second


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "nope"], "unknown connector 'nope'"),
        (["record"], "give the connector to record"),
        (["record", "stripe", "--scenario", "nope"], "unknown scenario(s): nope"),
        (["record", "stripe", "--scenario", "access_token"], "stripe does not claim access_token"),
        (["record", "stripe", "--env", "production"], "--env must be one of sandbox, development"),
        (["record", "stripe", "--base-url", "ftp://x"], "--base-url is not an absolute http(s) URL"),
        (["record", "stripe", "--config-dir", "/nonexistent"], "/nonexistent/sandbox.toml"),
        (["record", "stripe", "--timeout", "0"], "--timeout must be a positive number"),
        (["record", "stripe", "--creds", "/nonexistent.json"], "credentials file not found"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(project, canary_env, certify, args, message):
    result = certify(*args, cwd=project, env=canary_env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not re.search(r"(--[\w-]+): \1\b", result.stderr), result.stderr  # the option named once
    assert result.stdout == ""


def test_missing_credentials_name_the_variable(project, certify):
    env = {k: v for k, v in __import__("os").environ.items() if k != "STRIPE_API_KEY"}
    result = certify("record", "stripe", cwd=project, env=env)
    assert result.returncode == 2
    assert "set STRIPE_API_KEY" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON (line 1)"),
        ("[]", "expected an object keyed by connector name"),
        ('{"adyen": {}}', "no entry for 'stripe'"),
        (
            json.dumps(
                {"stripe": {"connector_account_details": {"auth_type": "BodyKey", "api_key": CANARY_KEY}}}
            ),
            "auth_type is 'BodyKey'; stripe needs HeaderKey (api_key)",
        ),
        (
            json.dumps({"stripe": {"connector_account_details": {"auth_type": "HeaderKey"}}}),
            "api_key",
        ),
    ],
)
def test_a_bad_creds_file_is_named_without_its_values(project, certify, tmp_path, content, message):
    creds = tmp_path / "creds.json"
    creds.write_text(content)
    result = certify("record", "stripe", "--creds", str(creds), cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and str(creds) in result.stderr
    assert CANARY_KEY not in result.stderr


def test_list_credentials_prints_the_registry_table(certify, root):
    result = certify("record", "--list-credentials", cwd=root)
    assert result.returncode == 0
    assert "| stripe | HeaderKey | `STRIPE_API_KEY` (api_key) |" in result.stdout


def test_every_scenario_the_record_command_runs_is_in_the_catalog():
    supported = load_certification(ROOT / "connectors" / "stripe" / "certification.toml").scenarios.supported
    assert supported and set(supported) <= set(SCENARIOS)


def test_the_readme_credentials_rows_are_the_registry_rows(root):
    from harness.cli.record import credentials_table

    section = (root / "README.md").read_text().split("## Recording cassettes", 1)[1].split("\n## ", 1)[0]
    generated = {row.split(" | ")[0]: row for row in credentials_table().splitlines()[2:]}
    documented = {
        line.split(" | ")[0]: line for line in section.splitlines() if line.split(" | ")[0] in generated
    }
    assert "| stripe" in documented
    for key, line in documented.items():
        assert line == generated[key]
