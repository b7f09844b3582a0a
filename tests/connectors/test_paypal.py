"""PayPal: requests of every flow, responses (success, decline, error), the currency table,
masking, the access-token lifecycle, and the documented sandbox behind the cassettes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from connectors.paypal import transformers as t
from connectors.paypal.connector import Paypal
from connectors.paypal.sandbox import PaypalSandbox
from harness.certify.catalog import SCENARIOS
from harness.certify.certification import load_certification
from harness.certify.runner import ScenarioRunner
from harness.domain import (
    AccessTokenResponseData,
    AmountNotRepresentableError,
    AttemptStatus,
    BodyKey,
    CaptureMethod,
    Card,
    Currency,
    ErrorResponse,
    Flow,
    HeaderKey,
    IntegrityCheckError,
    InvalidDataError,
    MinorUnit,
    MissingRequiredFieldError,
    NotSupportedError,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseDeserializationError,
    ResponseHandlingError,
    Secret,
    StringMajorUnitConverter,
)
from harness.execution.executor import execute, handle_http_response
from harness.execution.tokens import AccessTokenCache
from harness.execution.transport import LiveTransport
from harness.integration.http import HttpRequest, HttpResponse
from harness.integration.idempotency import idempotency_key
from tests.connectors import paypal_bodies as bodies
from tests.connectors.helpers import ConnectorUnderTest
from tests.sandboxes import SandboxTransport, serve

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://api-m.sandbox.paypal.com/"
CLIENT_ID = "AeCANARYclientId0123456789"
CLIENT_SECRET = "ECCANARYclientSecret9876543210"
TOKEN = "A21AACANARYaccessToken0000000000"
AUTH = BodyKey(api_key=Secret(CLIENT_SECRET), key1=Secret(CLIENT_ID))
CARD = Card(
    card_number=Secret("4012888888881881"),
    card_exp_month=Secret("3"),
    card_exp_year=Secret("34"),
    card_cvc=Secret("123"),
    card_holder_name=Secret("Jane Canary"),
)
AUTHORIZED = {"order_id": bodies.ORDER_ID, "authorization_id": bodies.AUTHORIZATION_ID}
CAPTURED_AT_CREATION = {"order_id": bodies.ORDER_ID, "capture_id": bodies.CAPTURE_ID}


PAYPAL = ConnectorUnderTest(
    Paypal,
    BASE,
    dict(
        auth=AUTH,
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_ref_1",
        card=CARD,
        connector_transaction_id=bodies.AUTHORIZATION_ID,
        connector_refund_id=bodies.REFUND_ID,
        request_id="req-0001",
        access_token=AccessTokenResponseData(access_token=Secret(TOKEN), expires_in=32400),
    ),
)
rd, sent, handle = PAYPAL.rd, PAYPAL.sent, PAYPAL.handle


# ------------------------------------------------------------------ requests


def test_token_request_is_client_credentials_with_basic_auth():
    request, body = sent(Flow.CREATE_ACCESS_TOKEN)
    assert (request.method.value, request.url) == ("POST", f"{BASE}v1/oauth2/token")
    assert body == {"grant_type": "client_credentials"}
    headers = request.wire_headers()
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert request.header("Authorization").is_masked
    shown = json.dumps(request.masked())
    assert CLIENT_ID not in shown and CLIENT_SECRET not in shown and expected not in shown


def test_other_credentials_are_refused():
    with pytest.raises(InvalidDataError, match="BodyKey"):
        sent(Flow.CREATE_ACCESS_TOKEN, auth=HeaderKey(api_key=Secret("sk_nope")))


@pytest.mark.parametrize(
    ("method", "intent"), [(CaptureMethod.MANUAL, "AUTHORIZE"), (CaptureMethod.AUTOMATIC, "CAPTURE")]
)
def test_authorize_creates_an_order_with_the_card(method, intent):
    request, body = sent(Flow.AUTHORIZE, capture_method=method)
    assert (request.method.value, request.url) == ("POST", f"{BASE}v2/checkout/orders")
    assert body == {
        "intent": intent,
        "purchase_units": [
            {
                "reference_id": "order_ref_1",
                "invoice_id": "order_ref_1",
                "amount": {"currency_code": "USD", "value": "10.00"},
            }
        ],
        "payment_source": {
            "card": {
                "number": "4012888888881881",
                "expiry": "2034-03",
                "security_code": "123",
                "name": "Jane Canary",
            }
        },
    }
    headers = request.wire_headers()
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.header("Authorization").is_masked
    assert headers["PayPal-Request-Id"] == idempotency_key(rd(Flow.AUTHORIZE, capture_method=method))
    assert headers["Prefer"] == "return=representation"
    assert headers["Content-Type"] == "application/json"


def test_authorize_masked_rendering_hides_card_and_token():
    request, _ = sent(Flow.AUTHORIZE)
    shown = json.dumps(request.masked())
    for secret in ("4012888888881881", "2034-03", '"123"', "Jane Canary", TOKEN):
        assert secret not in shown
    assert request.masked()["body"]["payment_source"]["card"] == {
        "number": "***",
        "expiry": "***",
        "security_code": "***",
        "name": "***",
    }


def test_reference_is_sent_unchanged():
    _, body = sent(Flow.AUTHORIZE, reference="Ref.With-Odd_chars.9")
    unit = body["purchase_units"][0]
    assert unit["reference_id"] == unit["invoice_id"] == "Ref.With-Odd_chars.9"


def test_an_order_always_carries_a_paypal_request_id():
    request, _ = sent(Flow.AUTHORIZE, request_id=None)
    assert request.wire_headers()["PayPal-Request-Id"] == idempotency_key(rd(Flow.AUTHORIZE, request_id=None))


def test_a_flow_without_access_token_is_refused():
    with pytest.raises(MissingRequiredFieldError, match="access_token"):
        sent(Flow.AUTHORIZE, access_token=None)


def test_an_expiry_month_paypal_cannot_write_is_refused_without_showing_it():
    card = CARD.model_copy(update={"card_exp_month": Secret("13")})
    with pytest.raises(InvalidDataError) as caught:
        sent(Flow.AUTHORIZE, card=card)
    assert caught.value.field == "payment_method_data.card_exp_month"
    assert "13" not in caught.value.message


@pytest.mark.parametrize(
    ("amount", "currency", "wire"),
    [
        (1000, Currency.USD, "10.00"),
        (5, Currency.USD, "0.05"),
        (1000, Currency.JPY, "1000"),
        (1000, Currency.HUF, "10"),
        (250000, Currency.TWD, "2500"),
        (123456, Currency.EUR, "1234.56"),
    ],
)
def test_amounts_are_exact_major_unit_strings(amount, currency, wire):
    _, body = sent(Flow.AUTHORIZE, amount=MinorUnit(amount), currency=currency)
    assert body["purchase_units"][0]["amount"] == {"currency_code": currency.value, "value": wire}


@pytest.mark.parametrize("currency", [Currency.HUF, Currency.TWD])
def test_a_fraction_in_a_zero_digit_currency_is_a_typed_error_never_rounded(currency):
    with pytest.raises(AmountNotRepresentableError, match="fraction"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(1005), currency=currency)
    for flow in (Flow.CAPTURE, Flow.REFUND):
        with pytest.raises(AmountNotRepresentableError):
            sent(flow, amount=MinorUnit(1), payment_amount=MinorUnit(100), currency=currency)


def test_unsupported_currency_is_refused():
    with pytest.raises(NotSupportedError, match="KWD"):
        sent(Flow.AUTHORIZE, currency=Currency.KWD)


def test_capture_uses_the_authorization_from_the_metadata():
    request, body = sent(
        Flow.CAPTURE,
        amount=MinorUnit(400),
        payment_amount=MinorUnit(1000),
        connector_transaction_id="SOMETHING_ELSE",
        connector_metadata=AUTHORIZED,
    )
    assert request.url == f"{BASE}v2/payments/authorizations/{bodies.AUTHORIZATION_ID}/capture"
    assert body == {"amount": {"currency_code": "USD", "value": "4.00"}, "final_capture": True}
    assert request.wire_headers()["PayPal-Request-Id"] == idempotency_key(
        rd(
            Flow.CAPTURE,
            amount=MinorUnit(400),
            payment_amount=MinorUnit(1000),
            connector_transaction_id="SOMETHING_ELSE",
            connector_metadata=AUTHORIZED,
        )
    )


def test_capture_falls_back_to_the_transaction_id_and_quotes_it():
    request, _ = sent(Flow.CAPTURE, connector_transaction_id="A/B")
    assert request.url == f"{BASE}v2/payments/authorizations/A%2FB/capture"


def test_capture_and_void_refuse_a_payment_captured_at_creation():
    for flow in (Flow.CAPTURE, Flow.VOID):
        with pytest.raises(InvalidDataError, match="no PayPal authorization"):
            sent(flow, connector_transaction_id=bodies.CAPTURE_ID, connector_metadata=CAPTURED_AT_CREATION)


def test_capture_above_authorized_is_refused():
    with pytest.raises(InvalidDataError, match="above authorized amount"):
        sent(Flow.CAPTURE, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_void_posts_without_body_and_asks_for_the_representation():
    request, body = sent(Flow.VOID, connector_metadata=AUTHORIZED)
    assert request.url == f"{BASE}v2/payments/authorizations/{bodies.AUTHORIZATION_ID}/void"
    assert body is None
    assert request.wire_headers()["Prefer"] == "return=representation"


def test_refund_posts_to_the_capture_with_the_refund_reference():
    request, body = sent(
        Flow.REFUND,
        amount=MinorUnit(300),
        payment_amount=MinorUnit(1000),
        reference="refund_ref_1",
        connector_transaction_id=bodies.CAPTURE_ID,
        connector_metadata=CAPTURED_AT_CREATION,
    )
    assert request.url == f"{BASE}v2/payments/captures/{bodies.CAPTURE_ID}/refund"
    assert body == {"amount": {"currency_code": "USD", "value": "3.00"}, "invoice_id": "refund_ref_1"}


def test_refund_above_captured_is_refused():
    with pytest.raises(InvalidDataError, match="above captured amount"):
        sent(Flow.REFUND, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


@pytest.mark.parametrize(
    ("metadata", "method", "path"),
    [
        (CAPTURED_AT_CREATION, CaptureMethod.AUTOMATIC, f"v2/payments/captures/{bodies.CAPTURE_ID}"),
        (
            {**AUTHORIZED, "capture_id": bodies.CAPTURE_ID},
            CaptureMethod.MANUAL,
            f"v2/payments/captures/{bodies.CAPTURE_ID}",
        ),
        (AUTHORIZED, CaptureMethod.MANUAL, f"v2/payments/authorizations/{bodies.AUTHORIZATION_ID}"),
        ({"order_id": bodies.ORDER_ID}, CaptureMethod.MANUAL, f"v2/checkout/orders/{bodies.ORDER_ID}"),
        ({}, CaptureMethod.MANUAL, "v2/payments/authorizations/TXN1"),
        ({}, CaptureMethod.AUTOMATIC, "v2/payments/captures/TXN1"),
    ],
)
def test_psync_reads_what_the_state_requires(metadata, method, path):
    request, body = sent(
        Flow.PSYNC, connector_metadata=metadata, capture_method=method, connector_transaction_id="TXN1"
    )
    assert (request.method.value, request.url, body) == ("GET", f"{BASE}{path}", None)


def test_rsync_reads_the_refund():
    request, body = sent(Flow.RSYNC)
    assert (request.method.value, request.url, body) == (
        "GET",
        f"{BASE}v2/payments/refunds/{bodies.REFUND_ID}",
        None,
    )


def test_missing_ids_are_named():
    with pytest.raises(MissingRequiredFieldError, match="connector_transaction_id"):
        sent(Flow.CAPTURE, connector_transaction_id="")
    with pytest.raises(MissingRequiredFieldError, match="connector_refund_id"):
        sent(Flow.RSYNC, connector_refund_id="")


# ------------------------------------------------------------------ responses: success


def test_token_response_is_a_secret_with_its_lifetime():
    body = {
        "scope": "s",
        "access_token": TOKEN,
        "token_type": "Bearer",
        "app_id": "APP-1",
        "expires_in": 32400,
    }
    result = handle(Flow.CREATE_ACCESS_TOKEN, 200, body)
    assert isinstance(result, AccessTokenResponseData)
    assert result.access_token.expose() == TOKEN and result.expires_in == 32400
    assert TOKEN not in repr(result) and TOKEN not in result.model_dump_json()


def test_authorize_manual_is_authorized_with_every_id():
    body = bodies.order(payment=bodies.authorization("CREATED"))
    result = handle(Flow.AUTHORIZE, 201, body, capture_method=CaptureMethod.MANUAL)
    assert isinstance(result, PaymentsResponseData)
    assert result.status is AttemptStatus.AUTHORIZED and result.raw_status == "CREATED"
    assert result.connector_transaction_id == bodies.AUTHORIZATION_ID
    assert result.connector_metadata == AUTHORIZED
    assert result.connector_response_reference_id == "order_ref_1"
    assert (result.amount, result.currency) == (MinorUnit(1000), Currency.USD)
    assert result.amount_capturable == MinorUnit(1000)


def test_authorize_auto_is_charged():
    body = bodies.order(intent="CAPTURE", payment=bodies.capture("COMPLETED", after_authorization=False))
    result = handle(Flow.AUTHORIZE, 201, body)
    assert result.status is AttemptStatus.CHARGED
    assert result.connector_transaction_id == bodies.CAPTURE_ID
    assert result.connector_metadata == CAPTURED_AT_CREATION
    assert result.amount_captured == MinorUnit(1000)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CREATED", AttemptStatus.PENDING),
        ("SAVED", AttemptStatus.PENDING),
        ("APPROVED", AttemptStatus.AUTHENTICATION_SUCCESSFUL),
        ("PAYER_ACTION_REQUIRED", AttemptStatus.AUTHENTICATION_PENDING),
        ("VOIDED", AttemptStatus.VOIDED),
        # COMPLETED can be authorized, captured or declined (order_status reference): without its
        # payment the outcome is final but unknown until a sync
        ("COMPLETED", AttemptStatus.UNRESOLVED),
        ("SOME_NEW_STATUS", AttemptStatus.PENDING),
    ],
)
def test_every_order_status_without_payment_is_mapped(status, expected):
    result = handle(Flow.AUTHORIZE, 201, bodies.order(status))
    assert result.status is expected and result.raw_status == status
    assert result.connector_transaction_id == bodies.ORDER_ID
    assert result.connector_metadata == {"order_id": bodies.ORDER_ID}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("PAYER_ACTION_REQUIRED", AttemptStatus.AUTHENTICATION_PENDING),
        ("APPROVED", AttemptStatus.AUTHENTICATION_SUCCESSFUL),
        ("CREATED", AttemptStatus.PENDING),
        ("VOIDED", AttemptStatus.VOIDED),
    ],
)
@pytest.mark.parametrize("flow", [Flow.AUTHORIZE, Flow.PSYNC])
def test_only_a_completed_order_is_judged_by_the_payment_inside(flow, status, expected):
    # an order waiting for the payer is not authorized, whatever payment object it carries
    body = bodies.order(status, payment=bodies.authorization("CREATED"))
    result = handle(flow, 201, body, connector_metadata={"order_id": bodies.ORDER_ID})
    assert (result.status, result.raw_status) == (expected, status)


def test_a_pending_authorization_inside_a_completed_order_is_authorizing():
    body = bodies.order(payment=bodies.authorization("PENDING"))
    result = handle(Flow.AUTHORIZE, 201, body, capture_method=CaptureMethod.MANUAL)
    assert (result.status, result.raw_status) == (AttemptStatus.AUTHORIZING, "PENDING")


def test_a_failed_capture_of_a_card_order_is_a_failure_not_a_refused_card():
    # FAILED is "an error while capturing payment"; only DECLINED is the issuer refusing the card
    body = bodies.order(
        intent="CAPTURE", payment=bodies.capture("FAILED", code="8000", after_authorization=False)
    )
    result = handle(Flow.AUTHORIZE, 201, body)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status) == ("8000", AttemptStatus.FAILURE)


def test_a_pending_capture_of_the_capture_flow_is_capture_initiated():
    result = handle(Flow.CAPTURE, 201, bodies.capture("PENDING"), connector_metadata=AUTHORIZED)
    assert (result.status, result.raw_status) == (AttemptStatus.CAPTURE_INITIATED, "PENDING")
    assert result.amount_captured is None


def test_an_unknown_order_status_is_pending_even_with_a_payment():
    body = bodies.order("BRAND_NEW", payment=bodies.authorization("CREATED"))
    result = handle(Flow.AUTHORIZE, 201, body)
    assert (result.status, result.raw_status) == (AttemptStatus.PENDING, "BRAND_NEW")


@pytest.mark.parametrize(
    ("intent", "payment"),
    [
        ("AUTHORIZE", bodies.authorization("NEW_AUTH_STATUS")),
        ("CAPTURE", bodies.capture("NEW_CAPTURE_STATUS", after_authorization=False)),
    ],
)
def test_an_unknown_payment_status_inside_an_order_is_pending(intent, payment):
    result = handle(Flow.AUTHORIZE, 201, bodies.order(intent=intent, payment=payment))
    assert isinstance(result, PaymentsResponseData)
    assert (result.status, result.raw_status) == (AttemptStatus.PENDING, payment["status"])
    assert result.connector_transaction_id == payment["id"]


def test_an_unknown_capture_status_of_the_capture_flow_is_pending():
    result = handle(Flow.CAPTURE, 201, bodies.capture("NEW_CAPTURE_STATUS"), connector_metadata=AUTHORIZED)
    assert (result.status, result.raw_status) == (AttemptStatus.PENDING, "NEW_CAPTURE_STATUS")
    assert result.amount_captured is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CREATED", AttemptStatus.AUTHORIZED),
        ("CAPTURED", AttemptStatus.CHARGED),
        # the connector captures with final_capture=true: nothing remains to capture
        ("PARTIALLY_CAPTURED", AttemptStatus.PARTIAL_CHARGED),
        ("DENIED", AttemptStatus.AUTHORIZATION_FAILED),
        ("VOIDED", AttemptStatus.VOIDED),
        ("PENDING", AttemptStatus.AUTHORIZING),  # PENDING_REVIEW: the authorization is not final
        ("EXPIRED", AttemptStatus.EXPIRED),
        ("NEW_AUTH_STATUS", AttemptStatus.PENDING),
    ],
)
def test_every_authorization_status_is_mapped(status, expected):
    result = handle(Flow.PSYNC, 200, bodies.authorization(status), connector_metadata=AUTHORIZED)
    assert result.status is expected and result.raw_status == status
    assert result.connector_transaction_id == bodies.AUTHORIZATION_ID
    assert result.amount == MinorUnit(1000)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("COMPLETED", AttemptStatus.CHARGED),
        ("DECLINED", AttemptStatus.FAILURE),
        ("FAILED", AttemptStatus.FAILURE),
        ("PENDING", AttemptStatus.PENDING),
        ("PARTIALLY_REFUNDED", AttemptStatus.CHARGED),
        ("REFUNDED", AttemptStatus.CHARGED),
        ("NEW_CAPTURE_STATUS", AttemptStatus.PENDING),
    ],
)
def test_every_capture_status_is_mapped(status, expected):
    body = bodies.capture(status, after_authorization=False)
    result = handle(Flow.PSYNC, 200, body, connector_metadata=CAPTURED_AT_CREATION)
    assert result.status is expected and result.raw_status == status
    assert result.connector_metadata == CAPTURED_AT_CREATION


def test_psync_of_a_capture_after_an_authorization_states_no_payment_amount():
    body = bodies.capture("COMPLETED", value="4.00")
    metadata = {**AUTHORIZED, "capture_id": bodies.CAPTURE_ID}
    result = handle(Flow.PSYNC, 200, body, connector_metadata=metadata, amount=MinorUnit(1000))
    assert result.status is AttemptStatus.PARTIAL_CHARGED
    assert result.amount is None and result.amount_captured == MinorUnit(400)


def test_psync_of_an_order_reads_the_payment_inside():
    body = bodies.order(payment=bodies.authorization("CREATED"))
    result = handle(Flow.PSYNC, 200, body, connector_metadata={"order_id": bodies.ORDER_ID})
    assert result.status is AttemptStatus.AUTHORIZED
    assert result.connector_metadata == AUTHORIZED


def test_capture_full_and_partial_and_amount_integrity():
    full = handle(Flow.CAPTURE, 201, bodies.capture(), connector_metadata=AUTHORIZED)
    assert full.status is AttemptStatus.CHARGED and full.amount_captured == MinorUnit(1000)
    assert full.connector_transaction_id == bodies.CAPTURE_ID
    assert full.connector_metadata == {"capture_id": bodies.CAPTURE_ID, "order_id": bodies.ORDER_ID}
    partial = handle(
        Flow.CAPTURE,
        201,
        bodies.capture(value="4.00"),
        amount=MinorUnit(400),
        payment_amount=MinorUnit(1000),
        connector_metadata=AUTHORIZED,
    )
    assert partial.status is AttemptStatus.PARTIAL_CHARGED
    with pytest.raises(IntegrityCheckError, match="differs from the requested 400"):
        handle(Flow.CAPTURE, 201, bodies.capture(), amount=MinorUnit(400), payment_amount=MinorUnit(1000))


def test_currency_integrity():
    with pytest.raises(IntegrityCheckError, match="currency EUR differs from the requested USD"):
        handle(Flow.CAPTURE, 201, bodies.capture(currency="EUR"))


def test_a_fraction_paypal_sends_for_a_zero_digit_currency_is_a_typed_error():
    with pytest.raises(AmountNotRepresentableError):
        handle(Flow.CAPTURE, 201, bodies.capture(value="10.50", currency="HUF"), currency=Currency.HUF)


def test_void_with_representation_or_no_content():
    voided = handle(Flow.VOID, 200, bodies.authorization("VOIDED"), connector_metadata=AUTHORIZED)
    assert (voided.status, voided.raw_status) == (AttemptStatus.VOIDED, "VOIDED")
    assert voided.connector_transaction_id == bodies.AUTHORIZATION_ID
    empty = handle(Flow.VOID, 204, None, connector_metadata=AUTHORIZED)
    assert empty.status is AttemptStatus.VOIDED and empty.connector_transaction_id == bodies.AUTHORIZATION_ID
    with pytest.raises(ResponseHandlingError, match="another authorization"):
        handle(Flow.VOID, 200, bodies.authorization("VOIDED", id="OTHER"), connector_metadata=AUTHORIZED)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("COMPLETED", RefundStatus.SUCCESS),
        ("PENDING", RefundStatus.PENDING),
        ("FAILED", RefundStatus.FAILURE),
        ("CANCELLED", RefundStatus.FAILURE),
        ("NEW_REFUND_STATUS", RefundStatus.PENDING),
    ],
)
def test_every_refund_status_is_mapped(status, expected):
    for flow in (Flow.REFUND, Flow.RSYNC):
        result = handle(flow, 201, bodies.refund(status), connector_transaction_id=bodies.CAPTURE_ID)
        assert isinstance(result, RefundsResponseData)
        assert result.refund_status is expected and result.raw_status == status
        assert result.connector_refund_id == bodies.REFUND_ID
        assert (result.amount, result.currency) == (MinorUnit(1000), Currency.USD)


def test_a_refund_of_another_capture_is_refused():
    with pytest.raises(ResponseHandlingError, match="another capture"):
        handle(Flow.REFUND, 201, bodies.refund(up="OTHERCAPTURE"), connector_transaction_id=bodies.CAPTURE_ID)


def test_a_response_of_the_wrong_shape_is_a_typed_error_naming_the_field():
    with pytest.raises(ResponseDeserializationError, match="status: Field required"):
        handle(Flow.CAPTURE, 201, {"id": "X", "amount": bodies.money()})


# ------------------------------------------------------------------ responses: declines and errors


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("0500", "DO_NOT_HONOR"),
        ("9500", "SUSPECTED_FRAUD"),
        ("5400", "EXPIRED_CARD"),
        ("5180", "INVALID_OR_RESTRICTED_CARD"),
        ("5120", "INSUFFICIENT_FUNDS"),
        ("9520", "LOST_OR_STOLEN"),
        ("1330", "INVALID_ACCOUNT"),
        ("5100", "GENERIC_DECLINE"),
        ("00N7", "CVV2_FAILURE_POSSIBLE_RETRY_WITH_CVV"),
        ("ZZ99", None),  # an unlisted code is kept as received
    ],
)
def test_a_declined_card_capture_is_a_failed_authorization_with_the_processor_code(code, name):
    body = bodies.order(
        intent="CAPTURE", payment=bodies.capture("DECLINED", code=code, after_authorization=False)
    )
    result = handle(Flow.AUTHORIZE, 201, body)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.reason, result.status_code) == (code, name, 201)
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED
    assert result.connector_transaction_id == bodies.CAPTURE_ID
    assert "DECLINED" in result.message


def test_a_denied_authorization_is_a_failed_authorization():
    body = bodies.order(payment=bodies.authorization("DENIED", processor_response=bodies.processor("5120")))
    result = handle(Flow.AUTHORIZE, 201, body, capture_method=CaptureMethod.MANUAL)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.reason) == ("5120", "INSUFFICIENT_FUNDS")
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED


def test_a_declined_capture_of_an_authorization_is_a_failed_capture():
    result = handle(Flow.CAPTURE, 201, bodies.capture("DECLINED", code="5100"), connector_metadata=AUTHORIZED)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status) == ("5100", AttemptStatus.CAPTURE_FAILED)


@pytest.mark.parametrize(
    ("flow", "status", "issue", "name", "attempt"),
    [
        (
            Flow.AUTHORIZE,
            422,
            "INSTRUMENT_DECLINED",
            bodies.UNPROCESSABLE,
            AttemptStatus.AUTHORIZATION_FAILED,
        ),
        (Flow.AUTHORIZE, 422, "CARD_EXPIRED", bodies.UNPROCESSABLE, AttemptStatus.AUTHORIZATION_FAILED),
        (Flow.AUTHORIZE, 422, "DUPLICATE_INVOICE_ID", bodies.UNPROCESSABLE, AttemptStatus.FAILURE),
        (Flow.AUTHORIZE, 400, "PAYPAL_REQUEST_ID_REQUIRED", bodies.INVALID_REQUEST, AttemptStatus.FAILURE),
        (
            Flow.CAPTURE,
            422,
            "AUTHORIZATION_ALREADY_CAPTURED",
            bodies.UNPROCESSABLE,
            AttemptStatus.CAPTURE_FAILED,
        ),
        (Flow.CAPTURE, 404, "INVALID_RESOURCE_ID", bodies.NOT_FOUND, AttemptStatus.CAPTURE_FAILED),
        (Flow.VOID, 422, "PREVIOUSLY_CAPTURED", bodies.UNPROCESSABLE, AttemptStatus.VOID_FAILED),
        (Flow.REFUND, 422, "REFUND_AMOUNT_EXCEEDED", bodies.UNPROCESSABLE, None),
        (Flow.PSYNC, 404, "INVALID_RESOURCE_ID", bodies.NOT_FOUND, None),
    ],
)
def test_error_objects_become_error_responses(flow, status, issue, name, attempt):
    body = bodies.error(*name, issue, f"{issue} description")
    result = handle(flow, status, body)
    assert isinstance(result, ErrorResponse)
    # PayPal's error name and message, as its error object states them (specs/paypal.facts.toml:
    # errors); the detail's issue and description say what in the request caused it
    assert (result.code, result.reason, result.status_code) == (
        name[0],
        f"{issue}: {issue} description",
        status,
    )
    assert result.message == f"{name[1]} (debug_id 90957fca61718)"
    assert result.attempt_status is attempt


def test_an_error_never_repeats_the_offending_value():
    body = bodies.error(
        *bodies.INVALID_REQUEST,
        "INVALID_PARAMETER_SYNTAX",
        "The value of a field does not conform to the expected format.",
        field="/payment_source/card/number",
        value="4012888888881881",
    )
    result = handle(Flow.AUTHORIZE, 400, body)
    assert "4012888888881881" not in result.model_dump_json()


def test_authentication_and_server_errors_leave_the_attempt_unknown():
    auth = handle(Flow.CAPTURE, 401, {"name": "AUTHENTICATION_FAILURE", "message": "Authentication failed"})
    assert (auth.code, auth.attempt_status) == ("AUTHENTICATION_FAILURE", None)
    response = HttpResponse(503, b"<html>unavailable</html>", {"Content-Type": "text/html"})
    server = handle_http_response(Paypal(), rd(Flow.PSYNC), response)
    assert (server.code, server.attempt_status) == ("HTTP_503", None)


def test_oauth_errors_of_the_token_endpoint():
    result = handle(
        Flow.CREATE_ACCESS_TOKEN,
        401,
        {"error": "invalid_client", "error_description": "Client Authentication failed"},
    )
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.message, result.status_code) == (
        "invalid_client",
        "Client Authentication failed",
        401,
    )


# ------------------------------------------------------------------ the currency table


# the card brand currency table (https://developer.paypal.com/docs/checkout/advanced/eligibility)
DOCUMENTED = {
    "AUD", "BRL", "CAD", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MXN", "TWD",
    "NZD", "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD",
}  # fmt: skip


def test_the_table_supports_exactly_the_documented_currencies():
    table = t.PAYPAL_CURRENCIES
    assert {c.value for c in table.supported_currencies()} == DOCUMENTED
    assert table.source == "https://developer.paypal.com/docs/checkout/advanced/eligibility"
    assert not table.is_supported(Currency.RUB)  # listed by the old page only


@pytest.mark.parametrize("currency", [Currency.CNY, Currency.MYR])
def test_currencies_for_in_country_paypal_accounts_are_refused_for_cards(currency):
    # the currency-codes page lists CNY and MYR for in-country PayPal accounts; the card table does not
    assert not t.PAYPAL_CURRENCIES.is_supported(currency)
    with pytest.raises(NotSupportedError, match=f"currency {currency.value} is not supported"):
        sent(Flow.AUTHORIZE, currency=currency)


@pytest.mark.parametrize(
    ("currency", "iso", "paypal", "largest"),
    [
        (Currency.HUF, 2, 0, 99_999_999_999_999_900),
        (Currency.TWD, 2, 0, 99_999_999_999_999_900),
        (Currency.JPY, 0, 0, 999_999_999_999_999),
    ],
)
def test_zero_digit_rows(currency, iso, paypal, largest):
    table = t.PAYPAL_CURRENCIES
    assert (currency.exponent, table.provider_exponent(currency)) == (iso, paypal)
    converter = StringMajorUnitConverter(table)
    assert converter.convert(MinorUnit(largest), currency) == "999999999999999"
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        converter.convert(MinorUnit(largest + 10**iso), currency)
    if iso:
        with pytest.raises(AmountNotRepresentableError, match="fraction"):
            converter.convert(MinorUnit(largest + 1), currency)
    assert converter.convert_back("1000", currency) == MinorUnit(1000 * 10**iso)
    with pytest.raises(AmountNotRepresentableError):
        converter.convert_back("10.5", currency)


def test_the_default_row_bounds_two_decimal_currencies():
    converter = t.PAYPAL_AMOUNTS
    assert converter.convert(MinorUnit(t.MAX_TWO_DECIMALS), Currency.USD) == "999999999999999.99"
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        converter.convert(MinorUnit(t.MAX_TWO_DECIMALS + 1), Currency.USD)
    with pytest.raises(AmountNotRepresentableError, match="below the provider minimum"):
        converter.convert(MinorUnit(0), Currency.EUR)
    assert converter.convert(MinorUnit(1), Currency.GBP) == "0.01"
    assert converter.convert_back("0.01", Currency.GBP) == MinorUnit(1)


def test_the_declaration_shows_the_table():
    declaration = Paypal.declaration()
    assert declaration["amount_converter"] == "StringMajorUnit"
    rows = {row["currency"]: row for row in declaration["currency_rules"]}
    assert set(rows) == {"HUF", "JPY", "TWD"}
    assert (rows["HUF"]["iso_exponent"], rows["HUF"]["provider_exponent"]) == (2, 0)
    assert declaration["auth_type"] == "BodyKey"
    assert [f["flow"] for f in declaration["flows"]] == [
        "CreateAccessToken", "Authorize", "Capture", "Void", "Refund", "PSync", "RSync",
    ]  # fmt: skip
    assert all(f["needs_access_token"] for f in declaration["flows"][1:])


# ------------------------------------------------------------------ the access token lifecycle


def sandbox_auth() -> BodyKey:
    return BodyKey.from_values(PaypalSandbox.credentials)


class Counting(SandboxTransport):
    def __init__(self, sandbox: PaypalSandbox) -> None:
        super().__init__(sandbox)
        self.sent: list[HttpRequest] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return super().handle_request(request)


def run_flow(flow: Flow, transport, cache, **kw):
    router_data = rd(flow, auth=sandbox_auth(), access_token=None, card=CARD_SUCCESS, **kw)
    return execute(Paypal(), router_data, transport, BASE, tokens=cache)


CARD_SUCCESS = Card(
    card_number=Secret("4012888888881881"),
    card_exp_month=Secret("12"),
    card_exp_year=Secret("2030"),
    card_cvc=Secret("123"),
    card_holder_name=Secret("Certify Holder"),
)


def test_one_token_serves_every_flow_until_it_expires_then_it_is_refreshed():
    now = [0.0]
    cache = AccessTokenCache(clock=lambda: now[0])
    transport = Counting(PaypalSandbox())
    authorize = run_flow(Flow.AUTHORIZE, transport, cache, capture_method=CaptureMethod.MANUAL)
    assert authorize.ok and authorize.result.status is AttemptStatus.AUTHORIZED
    first_token = authorize.router_data.resource_common_data.access_token.access_token
    capture = run_flow(
        Flow.CAPTURE,
        transport,
        cache,
        connector_transaction_id=authorize.result.connector_transaction_id,
        connector_metadata=authorize.result.connector_metadata,
    )
    assert capture.ok and capture.result.status is AttemptStatus.CHARGED
    assert capture.token_execution is None  # the second flow reused the token
    assert capture.router_data.resource_common_data.access_token.access_token == first_token
    assert cache.fetches == 1
    now[0] += 32400  # PayPal's expires_in: past the deadline (minus the safety margin)
    psync = run_flow(
        Flow.PSYNC,
        transport,
        cache,
        connector_metadata={**authorize.result.connector_metadata, **capture.result.connector_metadata},
    )
    assert psync.ok and psync.result.status is AttemptStatus.CHARGED
    assert psync.token_execution is not None and cache.fetches == 2
    assert psync.router_data.resource_common_data.access_token.access_token != first_token
    paths = [request.url.removeprefix(BASE) for request in transport.sent]
    assert paths == [
        "v1/oauth2/token",
        "v2/checkout/orders",
        f"v2/payments/authorizations/{authorize.result.connector_transaction_id}/capture",
        "v1/oauth2/token",
        f"v2/payments/captures/{capture.result.connector_transaction_id}",
    ]
    bearer = [r.wire_headers()["Authorization"] for r in transport.sent if "oauth2" not in r.url]
    assert bearer[0] == bearer[1] != bearer[2]


def test_a_token_that_cannot_be_obtained_stops_the_flow_with_the_oauth_error():
    transport = Counting(PaypalSandbox())
    router_data = rd(Flow.AUTHORIZE, access_token=None)  # credentials the sandbox does not know
    execution = execute(Paypal(), router_data, transport, BASE, tokens=AccessTokenCache())
    assert isinstance(execution.result, ErrorResponse)
    assert (execution.result.code, execution.result.status_code) == ("invalid_client", 401)
    assert [r.url.removeprefix(BASE) for r in transport.sent] == ["v1/oauth2/token"]


# ------------------------------------------------------------------ the documented sandbox


def certification():
    return load_certification(ROOT / "connectors" / "paypal" / "certification.toml")


def test_every_supported_scenario_passes_against_the_documented_sandbox():
    cert = certification()
    runner = ScenarioRunner(Paypal(), cert, sandbox_auth(), BASE)
    sandbox = PaypalSandbox()
    for scenario_id in cert.scenarios.supported:
        transport = Counting(sandbox)
        run = runner.run(SCENARIOS[scenario_id], transport)
        assert run.passed, (scenario_id, run.problems)
        tokens = [r for r in transport.sent if r.url.endswith("v1/oauth2/token")]
        assert len(tokens) == 1, scenario_id  # one token per scenario run, reused by every step


@pytest.mark.parametrize(
    ("profile", "code"),
    [
        ("decline_generic", "5100"),
        ("decline_insufficient_funds", "5120"),
        ("decline_incorrect_cvc", "00N7"),
        ("decline_expired_card", "5400"),
    ],
)
def test_decline_profiles_trigger_the_documented_processor_codes(profile, code):
    run = ScenarioRunner(Paypal(), certification(), sandbox_auth(), BASE).run(
        SCENARIOS[profile], SandboxTransport(PaypalSandbox())
    )
    result = run.executions[-1].result
    assert isinstance(result, ErrorResponse) and result.code == code


def test_the_sandbox_over_http_on_localhost():
    cert = certification()
    with serve(PaypalSandbox(), max_requests=20) as url:
        runner = ScenarioRunner(Paypal(), cert, sandbox_auth(), url)
        with LiveTransport(timeout=5) as transport:
            run = runner.run(SCENARIOS["rsync"], transport)
    assert run.passed, run.problems


def test_cassettes_hold_no_credential_card_data_or_token():
    cert = certification()
    canaries = [*PaypalSandbox.credentials.values(), *cert.secret_values(), "A21AA", "2030-12"]
    encoded = base64.b64encode(
        f"{PaypalSandbox.credentials['key1']}:{PaypalSandbox.credentials['api_key']}".encode()
    ).decode()
    files = sorted((ROOT / "cassettes" / "paypal").glob("*.yaml"))
    assert {f.stem for f in files} == set(cert.scenarios.supported)
    for file in files:
        text = file.read_text(encoding="utf-8")
        for canary in [*canaries, encoded]:
            assert canary not in text, (file.name, canary)
