"""A sync syncs what it is given: a connector that sends another id instead is refused."""

from __future__ import annotations

from pathlib import Path

from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.checks.sync_ids import ID_ALONE, OTHER_ID, check_id, id_alone_check, sync_subject_check
from harness.certify.workspace import Workspace
from harness.domain import Flow
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]


def _session(cls: type | None, name: str) -> ConnectorSession:
    if cls is None:
        workspace = Workspace.for_registered(name, root=ROOT)
    else:
        workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name=name)
    return ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs))


def test_a_refund_sync_that_sends_the_payment_id_is_refused_naming_the_refund_id():
    [result] = sync_subject_check(Flow.RSYNC)(_session(broken.RSyncByPaymentId, "stripe"))
    assert result.id == check_id(Flow.RSYNC) and result.status == "failed", result.message
    assert OTHER_ID in result.message and "the refund's id never decides what is synced" in result.message


def test_a_payment_sync_that_sends_the_merchant_reference_is_refused():
    [result] = sync_subject_check(Flow.PSYNC)(_session(broken.PSyncByReference, "stripe"))
    assert result.status == "failed", result.message
    assert "connector_transaction_id" in result.message and "payment's id never decides" in result.message


def test_the_id_in_the_request_or_picked_out_of_the_answer_passes():
    stripe, checkout, paypal = _session(None, "stripe"), _session(None, "checkout"), _session(None, "paypal")
    [by_request] = sync_subject_check(Flow.RSYNC)(stripe)
    assert (by_request.status, by_request.message) == ("passed", "the refund's id reaches the request")
    # Checkout's request names the payment; the refund is the action whose id is the refund id
    [by_answer] = sync_subject_check(Flow.RSYNC)(checkout)
    assert by_answer.status == "passed" and "picks the refund out of the answer" in by_answer.message
    # PayPal syncs by the ids in its metadata; without them, by the payment's id
    [payment] = sync_subject_check(Flow.PSYNC)(paypal)
    assert payment.status == "passed", payment.message


def test_a_payment_sync_by_id_alone_that_asks_another_resource_is_refused_naming_both():
    # the recorded psync_authorized asked /authorizations/<id>; without metadata the broken one asks /captures
    [result] = sync_subject_check(Flow.PSYNC)(_session(broken.PSyncGuessesTheResource, "paypal"))
    assert result.status == "failed", result.message
    assert "without metadata asks another resource" in result.message
    assert "alone is sent as GET /v2/payments/captures/" in result.message
    assert "the recorded PSync of that payment is GET /v2/payments/authorizations/" in result.message


def test_a_refund_by_the_payment_id_alone_that_refunds_another_capture_is_refused_naming_both_paths():
    [result] = id_alone_check(_session(broken.RefundByReferenceAlone, "paypal"))
    assert result.id == ID_ALONE and result.status == "failed", result.message
    assert "without metadata, another payment or resource is asked: Refund of '" in result.message
    assert "alone is sent as POST /v2/payments/captures/refund_" in result.message
    assert "the recorded Refund of that payment is POST /v2/payments/captures/" in result.message


def test_the_shipped_connectors_capture_void_and_refund_by_the_payment_id_alone_as_recorded():
    for name in ("stripe", "checkout", "paypal"):
        [result] = id_alone_check(_session(None, name))
        assert result.status == "passed" and "each as recorded" in result.message, (name, result.message)
