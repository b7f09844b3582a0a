"""`certify verify` through the installed console script, against sandboxes served on 127.0.0.1.

Every test works in a temporary copy of the project root; the cassettes of the copy must be
byte-identical after each run (verify only reads them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from connectors.stripe.sandbox import StripeSandbox
from harness.certify.certification import load_certification
from harness.integration.encoding import decode_form
from tests.recording.conftest import CANARY_CARD, CANARY_KEY, ROOT, canary_hits, use_canary_card
from tests.sandboxes import SandboxRequest, SandboxResponse, serve


def cassette_bytes(project: Path) -> dict[str, bytes | None]:
    """Every file (and folder, as None) under cassettes/: a new temporary file would show too."""
    return {
        str(p.relative_to(project)): p.read_bytes() if p.is_file() else None
        for p in sorted((project / "cassettes").rglob("*"))
    }


def out_of_date(project: Path) -> None:
    """The refund of refund_full recorded as `pending`, where the sandbox now answers `succeeded`."""
    path = project / "cassettes" / "stripe" / "refund_full.yaml"
    text = path.read_text()
    edited = text.replace('"reason": null, "status": "succeeded"', '"reason": null, "status": "pending"')
    assert edited != text
    path.write_text(edited)


def test_up_to_date_cassettes_agree_and_are_left_as_they_were(project, canary_env, certify):
    use_canary_card(project)
    before = cassette_bytes(project)
    sandbox = StripeSandbox(success_cards={CANARY_CARD})
    with serve(sandbox, max_requests=100) as url:
        result = certify("verify", "stripe", "--base-url", url, cwd=project, env=canary_env)
    assert result.returncode == 0, result.stdout + result.stderr
    supported = load_certification(ROOT / "connectors" / "stripe" / "certification.toml").scenarios.supported
    expected = f"stripe: {len(supported)} scenario(s) verified live; every answer agrees with its cassette\n"
    assert result.stdout == expected
    assert result.stderr == ""
    recorded = sum(
        len(yaml.safe_load(p.read_text())["interactions"])
        for p in (project / "cassettes" / "stripe").glob("*.yaml")
    )
    assert sandbox._requests == recorded  # every recorded request was also sent live
    assert cassette_bytes(project) == before


def test_an_out_of_date_cassette_is_reported_field_by_field(project, canary_env, certify, tmp_path):
    out_of_date(project)
    before = cassette_bytes(project)
    report = tmp_path / "verify.json"
    with serve(StripeSandbox(), max_requests=20) as url:
        text = certify(
            "verify", "stripe", "--scenario", "capture_full", "--scenario", "refund_full",
            "--base-url", url, cwd=project, env=canary_env,
        )  # fmt: skip
        as_json = certify(
            "verify", "stripe", "--scenario", "capture_full", "--scenario", "refund_full",
            "--base-url", url, "--format", "json", "--output", str(report), cwd=project, env=canary_env,
        )  # fmt: skip
    assert text.returncode == 1, text.stdout + text.stderr
    assert text.stdout.splitlines() == [
        "stripe  refund_full  refund  body $.status: recorded 'pending', live 'succeeded'",
        "stripe  refund_full  refund  outcome.status: recorded 'Pending', live 'Success'",
        "stripe  refund_full  refund  outcome.raw_status: recorded 'pending', live 'succeeded'",
        "stripe: 2 scenario(s) verified live; 1 disagree with their cassettes (3 difference(s)): "
        "re-record them with `certify record stripe --scenario ...` once the change is understood",
    ]
    assert as_json.returncode == 1, as_json.stdout + as_json.stderr
    document = json.loads(report.read_text())
    assert document["agrees"] is False and document["differences"] == 3
    scenarios = {s["scenario"]: s for s in document["connectors"][0]["scenarios"]}
    assert scenarios["capture_full"]["agrees"] is True
    assert scenarios["refund_full"]["differences"][0] == {
        "connector": "stripe",
        "scenario": "refund_full",
        "step": "refund",
        "field": "body $.status",
        "recorded": "'pending'",
        "live": "'succeeded'",
    }
    assert cassette_bytes(project) == before


class EchoingSandbox(StripeSandbox):
    """Answers with the credential and the card number it received in fields verify shows by value."""

    def route(self, request: SandboxRequest) -> SandboxResponse:
        answer = super().route(request)
        key = (request.header("Authorization") or "").removeprefix("Bearer ")
        card = decode_form(request.body).get("payment_method_data", {}).get("card", {}).get("number")
        if isinstance(answer.body, dict):
            target = answer.body.get("error", answer.body)
            target["status"] = f"seen {key}"
            target["code"] = card or key
            target["message"] = f"key {key} card {card}"
        return answer


def test_credentials_and_cards_in_a_live_answer_are_masked_in_every_output(
    project, canary_env, certify, tmp_path
):
    use_canary_card(project)
    report = tmp_path / "verify.json"
    scenarios = ["--scenario", "authorize_auto_capture", "--scenario", "decline_generic"]
    with serve(EchoingSandbox(success_cards={CANARY_CARD}), max_requests=20) as url:
        text = certify("verify", "stripe", *scenarios, "--base-url", url, cwd=project, env=canary_env)
        as_json = certify(
            "verify", "stripe", *scenarios, "--base-url", url, "--format", "json", "--output", str(report),
            cwd=project, env=canary_env,
        )  # fmt: skip
    assert text.returncode == 1 and as_json.returncode == 1, text.stdout + text.stderr
    shown = text.stdout + text.stderr + as_json.stdout + as_json.stderr + report.read_text()
    assert "body $.status: recorded 'succeeded', live 'seen ***'" in text.stdout  # shown, but masked
    assert "outcome.error.message" in text.stdout
    assert not canary_hits(shown)
    assert CANARY_KEY not in shown and CANARY_CARD not in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify"], "give the connector(s) to verify"),
        (["verify", "nope"], "unknown connector(s): nope"),
        (["verify", "stripe", "--scenario", "nope"], "unknown scenario(s) nope"),
        (["verify", "stripe", "--scenario", "access_token"], "stripe claims none of access_token"),
        (["verify", "stripe", "--base-url", "ftp://x"], "--base-url is not an absolute http(s) URL"),
        (["verify", "stripe", "adyen", "--base-url", "http://127.0.0.1:9/"], "give one NAME with it"),
        (["verify", "stripe", "--timeout", "0"], "--timeout must be a positive number"),
        (["verify", "stripe", "--output", "."], "--output . is a folder"),
        (["verify", "stripe", "--output", "no/such/dir/v.json"], "the folder no/such/dir does not exist"),
        (["verify", "stripe", "--format", "xml"], "'xml' is not one of"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2_before_any_request(project, canary_env, certify, args, message):
    result = certify(*args, cwd=project, env=canary_env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_missing_credentials_name_the_variable_not_a_value(project, certify):
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_API_KEY"}
    result = certify("verify", "stripe", "--base-url", "http://127.0.0.1:9/", cwd=project, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("certify: set STRIPE_API_KEY (the stripe HeaderKey credentials)")
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
