"""RSync syncs the refund it is given: a connector that sends the payment's id instead is refused."""

from __future__ import annotations

from pathlib import Path

from harness.certify.checks.refund_sync import CHECK_ID, refund_id_check
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.workspace import Workspace
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]


def _session(cls: type, data_name: str) -> ConnectorSession:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name=data_name)
    return ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs))


def test_a_sync_that_sends_the_payment_id_is_refused_naming_the_refund_id():
    [result] = refund_id_check(_session(broken.RSyncByPaymentId, "stripe"))
    assert result.id == CHECK_ID and result.status == "failed", result.message
    assert "certify_other_refund_id" in result.message and "never decides what is synced" in result.message


def test_the_refund_id_in_the_request_or_picked_out_of_the_answer_passes():
    stripe = Workspace.for_registered("stripe", root=ROOT)
    checkout = Workspace.for_registered("checkout", root=ROOT)
    [by_request] = refund_id_check(ConnectorSession(stripe, SuiteOptions(config_dir=stripe.configs)))
    [by_answer] = refund_id_check(ConnectorSession(checkout, SuiteOptions(config_dir=checkout.configs)))
    assert (by_request.status, by_request.message) == ("passed", "the refund id reaches the request")
    # Checkout's request names the payment; the refund is the action whose id is the refund id
    assert by_answer.status == "passed" and "picks the refund out of the answer" in by_answer.message
