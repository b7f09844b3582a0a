"""Scenario runs: chaining, expectations, missing and unused recordings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from connectors.stripe.connector import Stripe
from harness.certify.catalog import SCENARIOS, Expect, Step
from harness.certify.checks.plan import certify_workspace
from harness.certify.runner import check_step
from harness.certify.workspace import Workspace
from harness.domain import ErrorResponse, Flow
from harness.execution.executor import Execution

ROOT = Path(__file__).resolve().parents[2]


def copy(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for part in ("config", "specs"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / "stripe")
    (root / "connectors" / "stripe").mkdir(parents=True)
    shutil.copy(ROOT / "connectors" / "stripe" / "certification.toml", root / "connectors" / "stripe")
    return root


def certify(root: Path):
    return certify_workspace("stripe", lambda: Workspace(name="stripe", connector_cls=Stripe, root=root))


def check(result, check_id):
    return next(c for c in result.checks if c.id == check_id)


def test_a_missing_cassette_fails_naming_the_expected_path(tmp_path):
    root = copy(tmp_path)
    (root / "cassettes" / "stripe" / "rsync.yaml").unlink()
    result = certify(root)
    assert result.verdict == "not_certified"
    failed = check(result, "scenario:rsync")
    assert failed.status == "failed"
    assert "no cassette at cassettes/stripe/rsync.yaml" in failed.message
    assert "certify record stripe --scenario rsync" in failed.message


def test_an_unused_recorded_interaction_fails_the_scenario(tmp_path):
    root = copy(tmp_path)
    full = (root / "cassettes" / "stripe" / "capture_full.yaml").read_text()
    interactions = full.split("- request:")
    # the authorize-only scenario gets a stray capture interaction appended
    target = root / "cassettes" / "stripe" / "authorize_manual_capture.yaml"
    text = target.read_text()
    head, _, tail = text.partition("metadata:")
    target.write_text(head + "- request:" + interactions[2].split("metadata:")[0] + "metadata:" + tail)
    failed = check(certify(root), "scenario:authorize_manual_capture")
    assert failed.status == "failed"
    assert "recorded interaction(s) never requested: #2 POST" in failed.message


def test_a_scenario_neither_supported_nor_exempt_must_be_declared(tmp_path):
    root = copy(tmp_path)
    toml = root / "connectors" / "stripe" / "certification.toml"
    toml.write_text(toml.read_text().replace('    "rsync",\n', ""))
    failed = check(certify(root), "scenario:rsync")
    assert failed.status == "failed"
    assert "neither supported nor exempt" in failed.message


def test_steps_carry_masked_requests_and_chain_ids(tmp_path):
    result = certify(copy(tmp_path))
    passed = check(result, "scenario:rsync")
    steps = passed.details["steps"]
    assert [s["flow"] for s in steps] == ["Authorize", "Refund", "RSync"]
    refund_id = steps[1]["outcome"]["connector_refund_id"]
    assert steps[2]["request"]["url"].endswith(f"/v1/refunds/{refund_id}")
    assert "4242424242424242" not in json.dumps(steps)
    assert passed.details["provenance"]["kind"] == "authored-from-docs"


def test_an_authentication_error_is_not_a_decline():
    step = Step("authorize", Flow.AUTHORIZE, Expect(error=True, ids=False))
    execution = Execution(flow=Flow.AUTHORIZE, router_data=None)  # type: ignore[arg-type]  # only the result is read
    execution.router_data = type(
        "RD", (), {"response": ErrorResponse(code="api_key_invalid", message="bad key", status_code=401)}
    )()
    problems = check_step(step, execution)
    assert problems and "authentication or server error" in problems[0]


def test_catalog_has_the_twenty_base_and_seventeen_pending_flag_and_currency_scenarios():
    from harness.certify.catalog import ASYNC_CATALOG

    assert len(SCENARIOS) == 37 and len(ASYNC_CATALOG) == 17
    assert SCENARIOS["capture_partial"].steps[1].amount.value == "half"


def test_a_bare_403_counts_only_when_the_connector_reads_it_as_a_failed_operation():
    from harness.certify.runner import not_a_business_failure
    from harness.domain import AttemptStatus

    assert not_a_business_failure(ErrorResponse(code="403", message="Forbidden", status_code=403))
    void_refused = ErrorResponse(
        code="403", message="Void not allowed", status_code=403, attempt_status=AttemptStatus.VOID_FAILED
    )
    assert not not_a_business_failure(void_refused)
    assert not_a_business_failure(
        ErrorResponse(code="500", message="boom", status_code=500, attempt_status=AttemptStatus.FAILURE)
    )
