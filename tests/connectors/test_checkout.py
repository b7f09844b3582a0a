"""Checkout.com: requests for every flow, responses (success, decline, error), money table, masking."""

from __future__ import annotations

import json

import pytest

from connectors.checkout import transformers as t
from connectors.checkout.connector import Checkout
from connectors.checkout.sandbox import CheckoutSandbox
from harness.domain import (
    AmountNotRepresentableError,
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
    ResponseHandlingError,
    Secret,
)
from harness.execution.executor import execute, handle_http_response
from harness.execution.transport import LiveTransport
from harness.integration.http import HttpResponse
from harness.integration.idempotency import idempotency_key
from tests.connectors import checkout_bodies as bodies
from tests.connectors.helpers import ConnectorUnderTest
from tests.sandboxes import serve

BASE = "https://api.sandbox.checkout.com/"
SECRET_KEY = "sk_sbox_CANARYm3w7kq2d9x4hz6p8r5t1"
CARD = Card(
    card_number=Secret("4242424242424242"),
    card_exp_month=Secret("06"),
    card_exp_year=Secret("34"),
    card_cvc=Secret("100"),
    card_holder_name=Secret("Jane Canary"),
)
PAYMENT_ID = bodies.PAYMENT_ID


CHECKOUT = ConnectorUnderTest(
    Checkout,
    BASE,
    dict(
        auth=HeaderKey(api_key=Secret(SECRET_KEY)),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_ref_1",
        card=CARD,
        connector_transaction_id=PAYMENT_ID,
        connector_refund_id=bodies.REFUND_ACTION_ID,
        request_id="6f1c2e0a-idem",
    ),
)
rd, sent, handle = CHECKOUT.rd, CHECKOUT.sent, CHECKOUT.handle


# ------------------------------------------------------------------ requests


def test_authorize_manual_sends_a_card_source_with_capture_false():
    request, body = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL)
    assert (request.method.value, request.url) == ("POST", "https://api.sandbox.checkout.com/payments")
    headers = request.wire_headers()
    assert headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert headers["Content-Type"] == "application/json"
    assert headers["Cko-Idempotency-Key"] == idempotency_key(
        rd(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL)
    )
    assert body == {
        "source": {
            "type": "card",
            "number": "4242424242424242",
            "expiry_month": 6,
            "expiry_year": 2034,
            "cvv": "100",
            "name": "Jane Canary",
        },
        "amount": 1000,
        "currency": "USD",
        "reference": "order_ref_1",
        "capture": False,
    }


def test_authorize_automatic_sends_capture_true():
    _, body = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.AUTOMATIC)
    assert body["capture"] is True


def test_authorize_sends_the_processing_channel_from_merchant_metadata():
    _, body = sent(Flow.AUTHORIZE, metadata={"processing_channel_id": "pc_q4dbxom5jbgudnjzjpz7j2z6uq"})
    assert body["processing_channel_id"] == "pc_q4dbxom5jbgudnjzjpz7j2z6uq"


def test_the_card_and_the_key_are_secret_in_every_rendering():
    request, _ = sent(Flow.AUTHORIZE)
    masked = json.dumps(request.masked())
    for secret in ("4242424242424242", SECRET_KEY, "Jane Canary"):
        assert secret not in masked
    source = request.masked()["body"]["source"]
    assert {source[k] for k in ("number", "expiry_month", "expiry_year", "cvv", "name")} == {"***"}
    assert request.masked()["headers"]["Authorization"] == "***"
    model = t.authorize_request(rd(Flow.AUTHORIZE), Checkout().request_context(rd(Flow.AUTHORIZE)))
    assert "4242424242424242" not in repr(model) and "4242424242424242" not in model.model_dump_json()


def test_reference_is_sent_unchanged_and_refused_above_fifty_characters():
    _, body = sent(Flow.AUTHORIZE, reference="Order-ÅB_12.x")
    assert body["reference"] == "Order-ÅB_12.x"
    with pytest.raises(InvalidDataError, match="at most 50"):
        sent(Flow.AUTHORIZE, reference="r" * 51)


def test_capture_posts_the_amount_and_reference_to_the_payment():
    request, body = sent(Flow.CAPTURE, amount=MinorUnit(400), payment_amount=MinorUnit(1000))
    assert request.url == f"{BASE}payments/{PAYMENT_ID}/captures"
    assert body == {"amount": 400, "reference": "order_ref_1"}
    expected = idempotency_key(rd(Flow.CAPTURE, amount=MinorUnit(400), payment_amount=MinorUnit(1000)))
    assert request.wire_headers()["Cko-Idempotency-Key"] == expected


def test_capture_above_the_authorization_is_refused_before_sending():
    with pytest.raises(InvalidDataError, match="above authorized amount"):
        sent(Flow.CAPTURE, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_void_posts_the_reference():
    request, body = sent(Flow.VOID)
    assert request.url == f"{BASE}payments/{PAYMENT_ID}/voids"
    assert body == {"reference": "order_ref_1"}


def test_refund_posts_amount_and_reference():
    request, body = sent(
        Flow.REFUND, amount=MinorUnit(300), payment_amount=MinorUnit(1000), reference="refund_ref_1"
    )
    assert request.url == f"{BASE}payments/{PAYMENT_ID}/refunds"
    assert body == {"amount": 300, "reference": "refund_ref_1"}


def test_refund_above_the_capture_is_refused_before_sending():
    with pytest.raises(InvalidDataError, match="above captured amount"):
        sent(Flow.REFUND, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_syncs_are_gets_without_a_body():
    psync, _ = sent(Flow.PSYNC)
    rsync, _ = sent(Flow.RSYNC)
    assert (psync.method.value, psync.url, psync.body) == ("GET", f"{BASE}payments/{PAYMENT_ID}", None)
    assert (rsync.method.value, rsync.url, rsync.body) == (
        "GET",
        f"{BASE}payments/{PAYMENT_ID}/actions",
        None,
    )
    assert "Cko-Idempotency-Key" not in psync.wire_headers()


def test_access_token_is_not_supported_with_a_reason():
    with pytest.raises(NotSupportedError, match="secret API key as a Bearer token"):
        sent(Flow.CREATE_ACCESS_TOKEN)


def test_other_credentials_are_refused():
    from harness.domain import BodyKey

    with pytest.raises(InvalidDataError, match="HeaderKey"):
        sent(Flow.PSYNC, auth=BodyKey(api_key=Secret("a"), key1=Secret("b")))


# ------------------------------------------------------------------ the money table, row by row


def amount_sent(amount: int, currency: Currency) -> int:
    return sent(Flow.AUTHORIZE, amount=MinorUnit(amount), currency=currency)[1]["amount"]


@pytest.mark.parametrize("currency", t.DIVIDED_BY_1000)
def test_divided_by_1000_currencies_need_a_last_digit_of_zero(currency):
    assert currency.exponent == 3
    assert amount_sent(12340, currency) == 12340
    with pytest.raises(AmountNotRepresentableError, match="multiples of 10"):
        amount_sent(12345, currency)


@pytest.mark.parametrize("currency", t.ISO_ZERO_DIVIDED_BY_100)
def test_iso_zero_decimal_currencies_outside_the_full_amount_list_are_divided_by_100(currency):
    assert currency.exponent == 0
    assert amount_sent(1500, currency) == 150000  # 1500 pesos
    assert t.CHECKOUT_AMOUNTS.convert_back(150000, currency) == MinorUnit(1500)
    with pytest.raises(AmountNotRepresentableError):
        t.CHECKOUT_AMOUNTS.convert_back(150050, currency)  # a fraction of a peso


@pytest.mark.parametrize("currency", t.ISO_FOUR_DIVIDED_BY_100)
def test_four_decimal_currencies_keep_two_decimals_only(currency):
    assert currency.exponent == 4
    assert amount_sent(12300, currency) == 123
    with pytest.raises(AmountNotRepresentableError, match="fraction"):
        amount_sent(12345, currency)


@pytest.mark.parametrize("currency", t.FULL_AMOUNT)
def test_full_amount_currencies_are_sent_as_is(currency):
    assert currency.exponent == 0 and currency not in t.CHECKOUT_CURRENCIES.rules
    assert amount_sent(100, currency) == 100


def test_every_currency_has_the_documented_divisor():
    """Full amount for the listed ones, /1000 for the listed ones, /100 for every other currency."""
    for currency in Currency:
        expected = 0 if currency in t.FULL_AMOUNT else 3 if currency in t.DIVIDED_BY_1000 else 2
        assert t.CHECKOUT_CURRENCIES.provider_exponent(currency) == expected, currency


def test_amounts_are_positive_and_at_most_nine_digits():
    assert amount_sent(999_999_999, Currency.USD) == 999_999_999
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        amount_sent(1_000_000_000, Currency.USD)
    with pytest.raises(AmountNotRepresentableError, match="below the provider minimum"):
        t.CHECKOUT_CURRENCIES.to_provider_units(MinorUnit(0), Currency.USD)
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        amount_sent(10_000_000, Currency.CLP)  # 1 000 000 000 after the factor 100


def test_the_table_is_declared_with_its_source():
    declaration = Checkout.declaration()
    assert declaration["currency_source"] == t.AMOUNT_DOC
    rows = {row["currency"]: row for row in declaration["currency_rules"]}
    assert set(rows) == {*(c.value for c in t.DIVIDED_BY_1000), "CLP", "UYI", "CLF", "UYW"}
    assert (rows["KWD"]["provider_exponent"], rows["KWD"]["multiple_of"]) == (3, 10)
    assert (rows["CLP"]["iso_exponent"], rows["CLP"]["provider_exponent"]) == (0, 2)
    assert (rows["CLF"]["iso_exponent"], rows["CLF"]["provider_exponent"]) == (4, 2)
    assert {row["maximum"] for row in rows.values()} == {999_999_999}  # the default applies to every row
    assert [f["flow"] for f in declaration["flows"]] == [
        "Authorize",
        "Capture",
        "Void",
        "Refund",
        "PSync",
        "RSync",
    ]


# ------------------------------------------------------------------ authorize and psync responses


@pytest.mark.parametrize(
    ("status", "capture", "expected"),
    [
        ("Authorized", CaptureMethod.MANUAL, AttemptStatus.AUTHORIZED),
        ("Authorized", CaptureMethod.AUTOMATIC, AttemptStatus.CAPTURE_INITIATED),
        ("Captured", CaptureMethod.AUTOMATIC, AttemptStatus.CHARGED),
        ("Paid", CaptureMethod.AUTOMATIC, AttemptStatus.CHARGED),
        ("Pending", CaptureMethod.MANUAL, AttemptStatus.PENDING),
        ("Card Verified", CaptureMethod.MANUAL, AttemptStatus.CHARGED),
        ("Some Future Status", CaptureMethod.MANUAL, AttemptStatus.PENDING),
    ],
)
def test_authorize_statuses(status, capture, expected):
    result = handle(Flow.AUTHORIZE, 201, bodies.payment(status), capture_method=capture)
    assert isinstance(result, PaymentsResponseData)
    assert (result.status, result.raw_status) == (expected, status)
    assert result.connector_transaction_id == PAYMENT_ID
    assert (result.amount, result.currency) == (MinorUnit(1000), Currency.USD)
    assert result.connector_metadata == {"capture_method": capture.value}
    assert result.amount_capturable == MinorUnit(1000)


def test_a_3ds_pending_payment_waits_for_authentication():
    body = {
        "id": PAYMENT_ID,
        "status": "Pending",
        "_links": {"self": {"href": "x"}, "redirect": {"href": "y"}},
    }
    result = handle(Flow.AUTHORIZE, 202, body)
    assert result.status is AttemptStatus.AUTHENTICATION_PENDING
    assert result.amount is None


@pytest.mark.parametrize(
    ("code", "summary"),
    [
        ("20051", "Insufficient Funds"),
        ("20005", "Declined - Do not honour"),
        ("200N7", "Decline for CVV2 failure"),
        ("20054", "Expired Card"),
    ],
)
def test_a_declined_payment_is_an_error_carrying_the_response_code(code, summary):
    result = handle(Flow.AUTHORIZE, 201, bodies.declined(code, summary))
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.message, result.status_code) == (code, summary, 201)
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED
    assert result.connector_transaction_id == PAYMENT_ID


def test_approved_false_is_a_decline_whatever_the_status_says():
    body = bodies.payment(
        "Authorized", approved=False, response_code="20059", response_summary="Suspected Fraud"
    )
    result = handle(Flow.AUTHORIZE, 201, body)
    assert isinstance(result, ErrorResponse) and result.code == "20059"


def test_authorize_integrity_amount_and_currency():
    with pytest.raises(IntegrityCheckError, match="differs from the requested 2000"):
        handle(Flow.AUTHORIZE, 201, bodies.payment(), amount=MinorUnit(2000))
    with pytest.raises(IntegrityCheckError, match="currency USD differs from the requested EUR"):
        handle(Flow.AUTHORIZE, 201, bodies.payment(), currency=Currency.EUR)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Pending", AttemptStatus.PENDING),
        ("Authorized", AttemptStatus.AUTHORIZED),
        ("Card Verified", AttemptStatus.CHARGED),
        ("Voided", AttemptStatus.VOIDED),
        ("Partially Captured", AttemptStatus.PARTIAL_CHARGED),
        ("Captured", AttemptStatus.CHARGED),
        ("Partially Refunded", AttemptStatus.CHARGED),
        ("Refunded", AttemptStatus.CHARGED),
        ("Declined", AttemptStatus.AUTHORIZATION_FAILED),
        ("Canceled", AttemptStatus.FAILURE),
        ("Expired", AttemptStatus.EXPIRED),
        ("Paid", AttemptStatus.CHARGED),
        ("Retry Scheduled", AttemptStatus.PENDING),
        ("Brand New", AttemptStatus.PENDING),
    ],
)
def test_every_payment_details_status_is_mapped(status, expected):
    body = bodies.details(status, balances=bodies.balances(1000, captured=1000))
    result = handle(Flow.PSYNC, 200, body, capture_method=CaptureMethod.MANUAL)
    assert (result.status, result.raw_status) == (expected, status)
    assert result.amount_captured == MinorUnit(1000)


def test_psync_reads_the_capture_method_from_the_router_data_first():
    body = bodies.details("Authorized")
    # the router data is the source of truth: an automatic capture still pending is CaptureInitiated
    automatic = handle(
        Flow.PSYNC,
        200,
        body,
        capture_method=CaptureMethod.AUTOMATIC,
        connector_metadata={"capture_method": "manual"},
    )
    assert automatic.status is AttemptStatus.CAPTURE_INITIATED
    manual = handle(Flow.PSYNC, 200, body, capture_method=CaptureMethod.MANUAL)
    assert manual.status is AttemptStatus.AUTHORIZED


def test_psync_falls_back_to_the_authorizations_metadata():
    body = bodies.details("Authorized")
    rd_ = rd(Flow.PSYNC, connector_metadata={"capture_method": "manual"})
    rd_.request = rd_.request.model_copy(update={"capture_method": None})
    response = HttpResponse(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
    assert handle_http_response(Checkout(), rd_, response).status is AttemptStatus.AUTHORIZED


def test_an_approved_card_verification_is_final_not_pending():
    """The docs' card-verification answer (approved, 10000, status Card Verified) is a final success.

    It used to map to Pending, so a sync of a verified card would never reach a terminal state.
    https://www.checkout.com/docs/risk-management/card-verification
    """
    body = bodies.details("Card Verified", approved=True, response_code="10000")
    result = handle(Flow.PSYNC, 200, body, capture_method=CaptureMethod.MANUAL)
    assert result.status is AttemptStatus.CHARGED
    assert result.status.is_terminal
    authorized = handle(
        Flow.AUTHORIZE, 201, bodies.payment("Card Verified"), capture_method=CaptureMethod.MANUAL
    )
    assert authorized.status is AttemptStatus.CHARGED


def test_a_partial_capture_with_a_remaining_balance_is_still_chargeable():
    body = bodies.details("Partially Captured", balances=bodies.balances(1000, captured=400))
    result = handle(Flow.PSYNC, 200, body)
    assert result.status is AttemptStatus.PARTIAL_CHARGED_AND_CHARGEABLE
    assert (result.amount_captured, result.amount_capturable) == (MinorUnit(400), MinorUnit(600))


def test_a_final_partial_capture_releases_the_rest_and_is_not_chargeable():
    """capture_type Final (the default) voids the remainder: available_to_capture drops to 0.

    https://www.checkout.com/docs/payments/manage-payments/capture-a-payment
    """
    body = bodies.details("Partially Captured", balances=bodies.balances(1000, captured=400, voided=600))
    result = handle(Flow.PSYNC, 200, body)
    assert result.status is AttemptStatus.PARTIAL_CHARGED
    no_balances = handle(Flow.PSYNC, 200, bodies.details("Partially Captured", balances=None))
    assert no_balances.status is AttemptStatus.PARTIAL_CHARGED


def test_psync_of_another_payment_is_refused():
    body = bodies.details("Captured", id="pay_aaaaaaaaaaaaaaaaaaaaaaaaaa")
    with pytest.raises(ResponseHandlingError, match="another payment"):
        handle(Flow.PSYNC, 200, body)


def test_a_response_of_the_wrong_shape_is_a_typed_error():
    with pytest.raises(ResponseDeserializationError, match="status: Field required"):
        handle(Flow.PSYNC, 200, {"id": PAYMENT_ID, "amount": 1000})
    with pytest.raises(ResponseDeserializationError, match="action_id"):
        handle(Flow.CAPTURE, 202, {"reference": "x"})


# ------------------------------------------------------------------ 202 acknowledgements


def test_capture_void_and_refund_acknowledgements_are_pending_states():
    capture = handle(Flow.CAPTURE, 202, bodies.accepted("act_capture00000000000000000000"))
    assert capture.status is AttemptStatus.CAPTURE_INITIATED
    assert capture.connector_transaction_id == PAYMENT_ID
    assert capture.connector_metadata == {"capture_action_id": "act_capture00000000000000000000"}
    assert capture.amount is None  # the acknowledgement states no amount
    void = handle(Flow.VOID, 202, bodies.accepted("act_void000000000000000000000000"))
    assert (void.status, void.connector_metadata["void_action_id"]) == (
        AttemptStatus.VOID_INITIATED,
        "act_void000000000000000000000000",
    )
    refund = handle(Flow.REFUND, 202, bodies.accepted(bodies.REFUND_ACTION_ID))
    assert isinstance(refund, RefundsResponseData)
    assert (refund.connector_refund_id, refund.refund_status) == (
        bodies.REFUND_ACTION_ID,
        RefundStatus.PENDING,
    )


# ------------------------------------------------------------------ refund sync


@pytest.mark.parametrize(
    ("approved", "code", "expected"),
    [
        (True, "10000", RefundStatus.SUCCESS),
        (False, "20005", RefundStatus.FAILURE),
        (False, "10000", RefundStatus.FAILURE),
        (True, "30046", RefundStatus.FAILURE),
        (None, "10000", RefundStatus.PENDING),
        (True, "certify_unknown", RefundStatus.PENDING),
        (True, "", RefundStatus.PENDING),
    ],
)
def test_the_refund_action_decides_the_refund_status(approved, code, expected):
    refund = bodies.action("Refund", action_id=bodies.REFUND_ACTION_ID, approved=approved, code=code)
    result = handle(Flow.RSYNC, 200, bodies.actions(refund))
    assert isinstance(result, RefundsResponseData)
    assert (result.refund_status, result.raw_status) == (expected, code)
    assert (result.amount, result.currency) == (MinorUnit(1000), Currency.USD)


def test_rsync_finds_the_refund_by_its_action_id():
    other = bodies.action("Refund", action_id="act_otherrefund000000000000000", amount=200)
    mine = bodies.action("Refund", action_id=bodies.REFUND_ACTION_ID, amount=1000)
    result = handle(Flow.RSYNC, 200, [other, *bodies.actions(mine)])
    assert result.amount == MinorUnit(1000)


def test_rsync_refuses_a_missing_or_non_refund_action():
    missing = bodies.actions(bodies.action("Refund", action_id="act_otherrefund000000000000000"))
    with pytest.raises(ResponseHandlingError, match="no action"):
        handle(Flow.RSYNC, 200, missing)
    capture = bodies.actions(bodies.action("Capture", action_id=bodies.REFUND_ACTION_ID))
    with pytest.raises(ResponseHandlingError, match="not a Refund"):
        handle(Flow.RSYNC, 200, capture)


def test_rsync_amount_integrity():
    refund = bodies.action("Refund", action_id=bodies.REFUND_ACTION_ID, amount=500)
    with pytest.raises(IntegrityCheckError, match="differs from the requested 1000"):
        handle(Flow.RSYNC, 200, bodies.actions(refund))


# ------------------------------------------------------------------ error bodies


def test_a_validation_error_names_its_codes_per_flow():
    body = bodies.validation_error("card_expiry_month_invalid")
    authorize = handle(Flow.AUTHORIZE, 422, body)
    assert (authorize.code, authorize.reason, authorize.status_code) == (
        "card_expiry_month_invalid",
        "card_expiry_month_invalid",
        422,
    )
    assert authorize.message == "request_invalid: card_expiry_month_invalid"
    assert authorize.attempt_status is AttemptStatus.FAILURE
    capture = handle(Flow.CAPTURE, 422, bodies.validation_error("capture_value_greater_than_authorized"))
    assert (capture.code, capture.attempt_status) == (
        "capture_value_greater_than_authorized",
        AttemptStatus.CAPTURE_FAILED,
    )
    refund = handle(Flow.REFUND, 422, bodies.validation_error("amount_exceeds_balance", "reference_invalid"))
    assert (refund.code, refund.reason) == (
        "amount_exceeds_balance",
        "amount_exceeds_balance, reference_invalid",
    )
    assert (refund.refund_status, refund.attempt_status) == (RefundStatus.FAILURE, None)


def test_an_error_type_without_codes_is_the_code():
    result = handle(Flow.AUTHORIZE, 422, {"request_id": "0HL8", "error_type": "request_malformed"})
    assert (result.code, result.message) == ("request_malformed", "request_malformed")


def test_body_less_errors_get_the_documented_meaning():
    void = handle(Flow.VOID, 403, b"")
    assert (void.code, void.message, void.attempt_status) == (
        "HTTP_403",
        "Void not allowed",
        AttemptStatus.VOID_FAILED,
    )
    capture = handle(Flow.CAPTURE, 404, b"")
    assert (capture.code, capture.message, capture.attempt_status) == (
        "HTTP_404",
        "Payment not found",
        AttemptStatus.CAPTURE_FAILED,
    )
    refund = handle(Flow.REFUND, 403, b"")
    assert (refund.message, refund.refund_status) == ("Refund not allowed", RefundStatus.FAILURE)
    unauthorized = handle(Flow.AUTHORIZE, 401, b"")
    assert (unauthorized.code, unauthorized.attempt_status) == ("HTTP_401", None)
    gateway = handle(Flow.PSYNC, 502, b"<html>bad gateway</html>")
    assert (gateway.code, gateway.message, gateway.attempt_status) == ("HTTP_502", "Bad gateway", None)


# ------------------------------------------------------------ the documented-behaviour sandbox, over HTTP


def test_the_sandbox_over_http_refuses_a_void_after_capture_and_a_refund_above_the_balance():
    connector = Checkout()
    with LiveTransport(timeout=5) as transport, serve(CheckoutSandbox(), max_requests=10) as base_url:
        auth = HeaderKey(api_key=Secret("sk_sbox_test_placeholder"))
        authorize = execute(connector, rd(Flow.AUTHORIZE, auth=auth), transport, base_url)
        assert authorize.result.status is AttemptStatus.CAPTURE_INITIATED
        payment_id = authorize.result.connector_transaction_id
        chained = {"connector_transaction_id": payment_id, "auth": auth}
        void = execute(connector, rd(Flow.VOID, **chained), transport, base_url)
        assert isinstance(void.result, ErrorResponse)
        assert (void.result.status_code, void.result.attempt_status) == (403, AttemptStatus.VOID_FAILED)
        psync = execute(
            connector,
            rd(Flow.PSYNC, connector_metadata=authorize.result.connector_metadata, **chained),
            transport,
            base_url,
        )
        assert psync.result.status is AttemptStatus.CHARGED
        # two refunds of 600 on a 1000 capture: within the connector's bound, above the balance
        refund = {"amount": MinorUnit(600), "payment_amount": MinorUnit(1000), **chained}
        first = execute(connector, rd(Flow.REFUND, **refund), transport, base_url)
        assert first.result.refund_status is RefundStatus.PENDING
        second = execute(connector, rd(Flow.REFUND, **refund), transport, base_url)
        assert isinstance(second.result, ErrorResponse)
        assert (second.result.code, second.result.refund_status) == (
            "amount_exceeds_balance",
            RefundStatus.FAILURE,
        )
        rsync = execute(
            connector,
            rd(
                Flow.RSYNC,
                amount=MinorUnit(600),
                connector_refund_id=first.result.connector_refund_id,
                **chained,
            ),
            transport,
            base_url,
        )
        assert (rsync.result.refund_status, rsync.result.amount) == (RefundStatus.SUCCESS, MinorUnit(600))
