"""The transport-fault, amount-limit and partial-amount checks refuse the bug each was built for."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.stripe.connector import Stripe
from harness.certify.checks.plan import plan
from harness.certify.checks.run import run_spec
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.workspace import Workspace
from tests.certify import broken_faults as broken

ROOT = Path(__file__).resolve().parents[2]
OURS = ("transport_faults", "amount_limits", "partial_amounts")


def our_checks(cls: type, name: str = "stripe") -> dict[str, object]:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe")
    if cls is Stripe:
        workspace = Workspace.for_registered(name, root=ROOT)
    session = ConnectorSession(workspace, SuiteOptions())
    results = {}
    for spec in plan(session):
        if spec.id.split(":")[1:2] and spec.id.split(":")[1] in OURS:
            for result in run_spec(spec, session):
                results[result.id] = result
    return results


@pytest.mark.parametrize("name", ["stripe", "adyen", "checkout", "paypal", "authorizedotnet"])
def test_every_shipped_connector_passes(name):
    results = our_checks(Stripe, name)
    assert len(results) >= 7
    failing = {k: r.message for k, r in results.items() if r.status != "passed" and r.status != "skipped"}
    assert not failing


@pytest.mark.parametrize(
    ("cls", "check_id", "words"),
    [
        (
            broken.ServerErrorReadAsFailure,
            "property:transport_faults:Authorize",
            ["HTTP 500 read as Failure"],
        ),
        (
            broken.ServerErrorReadAsFailure,
            "property:transport_faults:Capture",
            ["HTTP 500 read as CaptureFailed"],
        ),
        (broken.TimeoutReadAsCharged, "property:transport_faults:Authorize", ["timeout read as Charged"]),
        (
            broken.FreshIdempotencyKeyOnRetry,
            "property:transport_faults:Authorize",
            ["a different Idempotency-Key", "[idempotency]", "specs/stripe.facts.toml"],
        ),
        (broken.ZeroAmountSent, "property:amount_limits:Capture", ["a zero amount was sent to the provider"]),
        (
            broken.RefundSendsPaymentAmount,
            "property:partial_amounts:Refund",
            ["carries the payment amount, not the requested", "specs/stripe.facts.toml"],
        ),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_a_broken_connector_fails_the_check_naming_the_rule(cls, check_id, words):
    result = our_checks(cls)[check_id]
    assert result.status == "failed", result.message
    for word in words:
        assert word in result.message


def test_the_broken_connectors_fail_only_their_own_checks():
    results = our_checks(broken.ZeroAmountSent)
    failing = {k for k, r in results.items() if r.status == "failed"}
    assert failing == {"property:amount_limits:Capture"}
