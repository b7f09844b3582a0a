
from harness.domain import AttemptStatus, Flow, RefundStatus
from harness.integration import failed_attempt, status_from_table


def test_failed_attempt_per_flow():
    assert failed_attempt(Flow.AUTHORIZE, card_refused=True) is AttemptStatus.AUTHORIZATION_FAILED
    assert failed_attempt(Flow.AUTHORIZE) is AttemptStatus.FAILURE
    assert failed_attempt(Flow.CAPTURE) is AttemptStatus.CAPTURE_FAILED
    assert failed_attempt(Flow.VOID) is AttemptStatus.VOID_FAILED
    assert failed_attempt(Flow.REFUND) is None and failed_attempt(Flow.PSYNC) is None


def test_unknown_statuses_take_the_given_pending_status():
    table = {"done": RefundStatus.SUCCESS}
    assert status_from_table("done", table, unknown=RefundStatus.PENDING) is RefundStatus.SUCCESS
    assert status_from_table("new", table, unknown=RefundStatus.PENDING) is RefundStatus.PENDING
    assert status_from_table(None, table, unknown=RefundStatus.PENDING) is RefundStatus.PENDING

