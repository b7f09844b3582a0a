"""The base's HTTP failure policy: refused calls fail the attempt, unknown outcomes stay non-terminal."""

from __future__ import annotations

import pytest

from connectors.adyen.connector import Adyen
from connectors.stripe.connector import Stripe
from harness.domain import AttemptStatus, Flow, HeaderKey, RefundStatus, Secret
from harness.domain.currency import Currency
from harness.domain.money import MinorUnit
from harness.domain.router_data import ErrorResponse
from harness.execution.executor import execute
from harness.execution.factory import make_router_data, refund_data, refund_flow_data
from harness.execution.transport import ConnectionLost, TransportTimeout
from harness.integration import FailureClass, HttpFailurePolicy, HttpResponse, refused, unknown

STRIPE_500 = b'{"error": {"type": "api_error", "message": "An unknown error occurred."}}'


def router_data(flow: Flow):
    return make_router_data(
        flow,
        auth=HeaderKey(api_key=Secret("sk_test_canary")),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="policy",
        connector_transaction_id="pi_1",
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, "refused"),
        (402, "refused"),
        (404, "refused"),
        (401, "refused"),
        (408, "unknown"),
        (409, "unknown"),
        (425, "unknown"),
        (429, "unknown"),
        (500, "unknown"),
        (502, "unknown"),
        (503, "unknown"),
        (504, "unknown"),
    ],
)
def test_the_default_classes(status, expected):
    assert HttpFailurePolicy().classify(status) is FailureClass(expected)


def test_an_override_needs_a_reason_and_wins():
    with pytest.raises(ValueError, match="reason"):
        unknown(" ")
    policy = HttpFailurePolicy({401: unknown("credentials only"), 503: refused("documented as final")})
    assert policy.classify(401) is FailureClass.UNKNOWN
    assert policy.classify(503) is FailureClass.REFUSED
    assert policy.reason(401) == "credentials only"


@pytest.mark.parametrize("status", [500, 502, 503, 429, 409])
def test_stripe_reads_a_5xx_or_a_429_as_unknown(status):
    rd = router_data(Flow.AUTHORIZE)
    result = Stripe().handle_response(
        rd, HttpResponse(status, STRIPE_500, {"Content-Type": "application/json"})
    )
    assert isinstance(result, ErrorResponse)
    assert result.attempt_status is None


def test_a_refused_call_without_a_parser_status_gets_the_flows_failed_status():
    body = (
        b'{"status": 422, "errorCode": "167", "message": "Original pspReference required", '
        b'"errorType": "validation"}'
    )
    response = HttpResponse(422, body, {"Content-Type": "application/json"})
    assert (
        Adyen().handle_response(router_data(Flow.CAPTURE), response).attempt_status
        is AttemptStatus.CAPTURE_FAILED
    )
    refund = refund_data(
        refund_flow_data("r"),
        auth=HeaderKey(api_key=Secret("k")),
        refund_amount=MinorUnit(1000),
        payment_amount=MinorUnit(1000),
        currency=Currency.EUR,
        connector_transaction_id="psp",
    )
    assert Adyen().get_error_response(refund, response).refund_status is RefundStatus.FAILURE


def test_adyens_documented_override_keeps_a_401_unknown():
    body = (
        b'{"status": 401, "errorCode": "000", "message": "HTTP Status Response - Unauthorized", '
        b'"errorType": "security"}'
    )
    response = HttpResponse(401, body, {"Content-Type": "application/json"})
    assert Adyen().handle_response(router_data(Flow.CAPTURE), response).attempt_status is None


class Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def handle_request(self, request):
        raise self.error


@pytest.mark.parametrize("error", [TransportTimeout("no answer within 1s"), ConnectionLost("reset")])
def test_a_call_without_an_answer_leaves_the_attempt_unknown(error):
    rd = router_data(Flow.AUTHORIZE)
    execution = execute(Stripe(), rd, Raising(error), "https://api.stripe.test")
    assert execution.harness_error is error  # recording and replay still stop on it
    assert isinstance(execution.result, ErrorResponse)
    assert execution.result.status_code == 504 and execution.result.attempt_status is None
    assert not rd.resource_common_data.status.is_terminal
