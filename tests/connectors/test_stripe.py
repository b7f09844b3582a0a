"""Stripe: request building for every flow, response handling for success, decline and error."""

from __future__ import annotations

import json

import pytest

from connectors.stripe.connector import Stripe
from harness.domain import (
    AttemptStatus,
    CaptureMethod,
    Card,
    Currency,
    ErrorResponse,
    Flow,
    HeaderKey,
    IntegrityCheckError,
    InvalidDataError,
    MinorUnit,
    NotSupportedError,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseDeserializationError,
    Secret,
)
from harness.execution.executor import handle_http_response
from harness.integration.http import HttpResponse
from tests.connectors import stripe_bodies as bodies
from tests.connectors.helpers import ConnectorUnderTest

BASE = "https://api.stripe.com/"
API_KEY = "sk_test_CANARY4eC39HqLyjWDarjtT1zdp7dc"
CARD = Card(
    card_number=Secret("4242424242424242"),
    card_exp_month=Secret("12"),
    card_exp_year=Secret("2034"),
    card_cvc=Secret("314"),
    card_holder_name=Secret("Jane Canary"),
)


STRIPE = ConnectorUnderTest(
    Stripe,
    BASE,
    dict(
        auth=HeaderKey(api_key=Secret(API_KEY)),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_ref_1",
        card=CARD,
        connector_transaction_id="pi_3PqCertify0001",
        connector_refund_id="re_3PqCertify0001",
    ),
)
rd, sent, handle = STRIPE.rd, STRIPE.sent, STRIPE.handle


# ------------------------------------------------------------------ requests


def test_authorize_manual_builds_a_confirmed_payment_intent_form():
    request, form = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL)
    assert request.method.value == "POST"
    assert request.url == "https://api.stripe.com/v1/payment_intents"
    assert request.wire_headers()["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.wire_headers()["Authorization"] == f"Bearer {API_KEY}"
    assert form["amount"] == "1000"
    assert form["currency"] == "usd"
    assert form["confirm"] == "true"
    assert form["capture_method"] == "manual"
    assert form["payment_method_types"] == ["card"]
    assert form["payment_method_data"]["card"] == {
        "number": "4242424242424242",
        "exp_month": "12",
        "exp_year": "2034",
        "cvc": "314",
    }
    assert form["metadata"]["order_id"] == "order_ref_1"
    raw = (request.wire_body() or b"").decode()
    assert "payment_method_data[card][number]=4242424242424242" in raw


def test_authorize_masked_rendering_hides_card_and_key():
    request, _ = sent(Flow.AUTHORIZE)
    masked = json.dumps(request.masked())
    for secret in ("4242424242424242", "314", API_KEY, "Jane Canary"):
        assert secret not in masked
    assert request.masked()["body"]["capture_method"] == "automatic"


def test_zero_decimal_currency_is_sent_as_is_and_lowercase():
    _, form = sent(Flow.AUTHORIZE, amount=MinorUnit(1000), currency=Currency.JPY)
    assert (form["amount"], form["currency"]) == ("1000", "jpy")


def test_isk_is_sent_with_two_decimals():
    _, form = sent(Flow.AUTHORIZE, amount=MinorUnit(5), currency=Currency.ISK)
    assert form["amount"] == "500"


def test_ugx_is_sent_with_two_decimals_like_isk():
    # docs.stripe.com/currencies#special-cases: 5 UGX goes on the wire as 500 (was sent as 5: 1/100)
    _, form = sent(Flow.AUTHORIZE, amount=MinorUnit(5000), currency=Currency.UGX)
    assert (form["amount"], form["currency"]) == ("500000", "ugx")
    _, refund = sent(Flow.REFUND, amount=MinorUnit(5), payment_amount=MinorUnit(5000), currency=Currency.UGX)
    assert refund["amount"] == "500"


@pytest.mark.parametrize("currency", [Currency.CLF, Currency.IRR, Currency.KPW, Currency.STN, Currency.GHS])
def test_a_currency_stripe_does_not_list_is_refused_before_any_request(currency):
    with pytest.raises(NotSupportedError, match=f"currency {currency.value} is not supported"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(1000), currency=currency)


def test_amounts_above_eight_digits_are_refused_except_idr():
    with pytest.raises(InvalidDataError, match="above the provider maximum 99999999"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(100_000_000), currency=Currency.USD)
    _, form = sent(Flow.AUTHORIZE, amount=MinorUnit(999_999_999_999), currency=Currency.IDR)
    assert form["amount"] == "999999999999"
    with pytest.raises(InvalidDataError, match="above the provider maximum 999999999999"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(1_000_000_000_000), currency=Currency.IDR)


def test_a_small_partial_refund_is_sent_the_charge_minimum_is_stripes_to_enforce():
    # the documented charge minimum depends on the settlement currency and never applies to refunds
    _, form = sent(Flow.REFUND, amount=MinorUnit(10), payment_amount=MinorUnit(1000))
    assert form["amount"] == "10"


def test_unrepresentable_amount_is_a_typed_error_before_any_request():
    with pytest.raises(InvalidDataError, match="multiples of 10"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(5124), currency=Currency.KWD)


def test_capture_full_and_partial():
    request, form = sent(Flow.CAPTURE, amount=MinorUnit(400), payment_amount=MinorUnit(1000))
    assert request.url.endswith("/v1/payment_intents/pi_3PqCertify0001/capture")
    assert form == {"amount_to_capture": "400"}


def test_capture_above_authorized_is_refused():
    with pytest.raises(InvalidDataError, match="above authorized amount"):
        sent(Flow.CAPTURE, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_void_posts_cancel():
    request, form = sent(Flow.VOID)
    assert request.url.endswith("/v1/payment_intents/pi_3PqCertify0001/cancel")
    assert form == {"cancellation_reason": "requested_by_customer"}


def test_refund_full_and_partial():
    request, form = sent(
        Flow.REFUND, amount=MinorUnit(300), payment_amount=MinorUnit(1000), reference="refund_ref_1"
    )
    assert request.url == "https://api.stripe.com/v1/refunds"
    assert form == {
        "payment_intent": "pi_3PqCertify0001",
        "amount": "300",
        "metadata": {"order_id": "refund_ref_1"},
    }


def test_refund_above_captured_is_refused():
    with pytest.raises(InvalidDataError, match="above captured amount"):
        sent(Flow.REFUND, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_syncs_are_gets_without_body():
    psync, _ = sent(Flow.PSYNC)
    rsync, _ = sent(Flow.RSYNC)
    assert (psync.method.value, psync.url, psync.body) == (
        "GET",
        f"{BASE}v1/payment_intents/pi_3PqCertify0001",
        None,
    )
    assert (rsync.method.value, rsync.url, rsync.body) == ("GET", f"{BASE}v1/refunds/re_3PqCertify0001", None)


def test_access_token_is_not_supported_with_a_reason():
    with pytest.raises(NotSupportedError, match="no token endpoint"):
        sent(Flow.CREATE_ACCESS_TOKEN)


# ------------------------------------------------------------------ responses


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("requires_capture", AttemptStatus.AUTHORIZED),
        ("succeeded", AttemptStatus.CHARGED),
        ("processing", AttemptStatus.AUTHORIZING),
        ("requires_action", AttemptStatus.AUTHENTICATION_PENDING),
        ("requires_confirmation", AttemptStatus.CONFIRMATION_AWAITED),
        # confirmed with a card at creation: waiting for another payment method means this attempt failed
        ("requires_payment_method", AttemptStatus.FAILURE),
        ("canceled", AttemptStatus.VOIDED),
        ("some_future_status", AttemptStatus.PENDING),
    ],
)
def test_every_payment_intent_status_is_mapped(status, expected):
    result = handle(Flow.AUTHORIZE, 200, bodies.payment_intent(status))
    assert isinstance(result, PaymentsResponseData)
    assert result.status is expected
    assert result.raw_status == status
    assert result.connector_transaction_id == "pi_3PqCertify0001"
    assert (result.amount, result.currency) == (MinorUnit(1000), Currency.USD)


def test_a_declined_confirmation_in_a_200_is_a_failure():
    body = bodies.payment_intent(
        "requires_payment_method",
        last_payment_error={
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "generic_decline",
            "message": "Your card was declined.",
        },
    )
    result = handle(Flow.AUTHORIZE, 200, body)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.reason) == ("card_declined", "generic_decline")
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED


def test_the_sync_of_a_declined_payment_is_a_failed_authorization_with_the_decline():
    body = bodies.payment_intent(
        "requires_payment_method",
        last_payment_error={
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
        },
    )
    result = handle(Flow.PSYNC, 200, body)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.reason) == ("card_declined", "insufficient_funds")
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED
    assert result.connector_transaction_id == "pi_3PqCertify0001"
    # without the error object (null, as Stripe sends it) the attempt is a plain failure
    plain = handle(Flow.PSYNC, 200, bodies.payment_intent("requires_payment_method"))
    assert isinstance(plain, PaymentsResponseData) and plain.status is AttemptStatus.FAILURE


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        (Flow.AUTHORIZE, AttemptStatus.AUTHORIZING),
        # after a capture request Stripe is capturing; reporting Authorizing would move the payment back
        (Flow.CAPTURE, AttemptStatus.CAPTURE_INITIATED),
        # a sync cannot tell an authorization from a capture in progress: not final, nothing more
        (Flow.PSYNC, AttemptStatus.PENDING),
    ],
)
def test_processing_means_what_the_flow_asked_for(flow, expected):
    result = handle(
        flow, 200, bodies.payment_intent("processing", received=1000), payment_amount=MinorUnit(1000)
    )
    assert isinstance(result, PaymentsResponseData)
    assert (result.status, result.raw_status) == (expected, "processing")


@pytest.mark.parametrize(
    ("code", "decline_code"),
    [
        ("card_declined", "insufficient_funds"),
        ("card_declined", "generic_decline"),
        ("incorrect_cvc", None),
        ("expired_card", None),
        ("invalid_expiry_month", None),
    ],
)
def test_card_errors_become_failed_authorizations_with_the_decline_code(code, decline_code):
    result = handle(Flow.AUTHORIZE, 402, bodies.card_error(code, "declined", decline_code=decline_code))
    assert isinstance(result, ErrorResponse)
    assert result.status_code == 402
    assert result.code == code
    # the category and the issuer's decline code (specs/stripe.facts.toml: errors.reason, decline_code)
    assert result.reason == ("card_error: " + decline_code if decline_code else "card_error")
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED
    assert result.connector_transaction_id == "pi_3PqCertify0001"


def test_invalid_request_errors_per_flow():
    missing = bodies.invalid_request(
        "resource_missing", "No such payment_intent: 'pi_unknown'", param="intent"
    )
    capture = handle(Flow.CAPTURE, 404, missing)
    assert (capture.code, capture.attempt_status) == ("resource_missing", AttemptStatus.CAPTURE_FAILED)
    state = bodies.invalid_request(
        "payment_intent_unexpected_state", "cannot cancel a succeeded PaymentIntent"
    )
    void = handle(Flow.VOID, 400, state)
    assert (void.code, void.attempt_status) == ("payment_intent_unexpected_state", AttemptStatus.VOID_FAILED)
    refund = handle(Flow.REFUND, 400, bodies.invalid_request("charge_already_refunded", "already refunded"))
    assert refund.code == "charge_already_refunded" and refund.attempt_status is None
    authorize = handle(Flow.AUTHORIZE, 400, bodies.invalid_request("parameter_invalid_integer", "bad amount"))
    assert authorize.attempt_status is AttemptStatus.FAILURE


def test_a_server_error_without_error_object_is_still_an_error_response():
    response = HttpResponse(503, b"<html>unavailable</html>", {"Content-Type": "text/html"})
    result = handle_http_response(Stripe(), rd(Flow.PSYNC), response)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status) == ("HTTP_503", None)


def test_capture_full_partial_and_amount_integrity():
    full = handle(
        Flow.CAPTURE, 200, bodies.payment_intent("succeeded", received=1000), payment_amount=MinorUnit(1000)
    )
    assert full.status is AttemptStatus.CHARGED
    partial = handle(
        Flow.CAPTURE,
        200,
        bodies.payment_intent("succeeded", received=400),
        amount=MinorUnit(400),
        payment_amount=MinorUnit(1000),
    )
    assert partial.status is AttemptStatus.PARTIAL_CHARGED
    assert partial.amount_captured == MinorUnit(400)
    with pytest.raises(IntegrityCheckError, match="differs from the requested 400"):
        handle(
            Flow.CAPTURE,
            200,
            bodies.payment_intent("succeeded", received=1000),
            amount=MinorUnit(400),
            payment_amount=MinorUnit(1000),
        )


def test_currency_integrity():
    with pytest.raises(IntegrityCheckError, match="currency USD differs from the requested EUR"):
        handle(Flow.AUTHORIZE, 200, bodies.payment_intent("requires_capture"), currency=Currency.EUR)


def test_void_and_psync_responses():
    void = handle(Flow.VOID, 200, bodies.payment_intent("canceled"))
    assert void.status is AttemptStatus.VOIDED
    psync = handle(Flow.PSYNC, 200, bodies.payment_intent("requires_capture", capturable=1000))
    assert psync.status is AttemptStatus.AUTHORIZED


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("succeeded", RefundStatus.SUCCESS),
        ("pending", RefundStatus.PENDING),
        ("requires_action", RefundStatus.PENDING),
        ("failed", RefundStatus.FAILURE),
        ("canceled", RefundStatus.FAILURE),
        ("new_status", RefundStatus.PENDING),
    ],
)
def test_every_refund_status_is_mapped(status, expected):
    for flow in (Flow.REFUND, Flow.RSYNC):
        result = handle(flow, 200, bodies.refund(status))
        assert isinstance(result, RefundsResponseData)
        assert result.refund_status is expected
        assert result.connector_refund_id == "re_3PqCertify0001"


def test_a_response_of_the_wrong_shape_is_a_typed_error_naming_the_field():
    with pytest.raises(ResponseDeserializationError, match="status: Field required"):
        handle(Flow.PSYNC, 200, {"id": "pi_1", "amount": 1000, "currency": "usd"})


def test_a_refund_for_another_payment_is_refused():
    body = bodies.refund("succeeded") | {"payment_intent": "pi_other"}
    with pytest.raises(Exception, match="another payment intent"):
        handle(Flow.REFUND, 200, body)


def test_declaration_is_readable_without_calling_stripe():
    declaration = Stripe.declaration()
    assert declaration["amount_converter"] == "MinorUnit"
    assert [f["flow"] for f in declaration["flows"]] == [
        "Authorize",
        "Capture",
        "Void",
        "Refund",
        "PSync",
        "RSync",
    ]
    for code in ("ISK", "UGX"):
        row = next(row for row in declaration["currency_rules"] if row["currency"] == code)
        assert (row["iso_exponent"], row["provider_exponent"], row["multiple_of"]) == (0, 2, 100)
