"""Adyen: request building for every flow, response handling for success, refusal and error bodies,
the currency table rows, masking, and a chain over HTTP against the documented-behaviour sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.adyen import transformers as t
from connectors.adyen.connector import Adyen
from connectors.adyen.sandbox import AdyenSandbox
from harness.domain import (
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
    NotSupportedError,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseDeserializationError,
    ResponseHandlingError,
    Secret,
)
from harness.execution.executor import build_http_request, execute
from harness.execution.transport import LiveTransport
from harness.integration.idempotency import idempotency_key
from tests.connectors.helpers import ConnectorUnderTest
from tests.sandboxes import serve

BASE = "https://checkout-test.adyen.com/"
LIVE = "https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout/"
API_KEY = "AQEyhmfxCANARYkeyForTestsOnly0123456789"
MERCHANT = "CanaryMerchantECOM"
PSP = "993617895204576J"
CARD = Card(
    card_number=Secret("5555555555554444"),
    card_exp_month=Secret("3"),
    card_exp_year=Secret("30"),
    card_cvc=Secret("737"),
    card_holder_name=Secret("Jane Canary"),
)
AUTH = BodyKey(api_key=Secret(API_KEY), key1=Secret(MERCHANT))


ADYEN = ConnectorUnderTest(
    Adyen,
    BASE,
    dict(
        auth=AUTH,
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_ref_1",
        card=CARD,
        connector_transaction_id=PSP,
        connector_refund_id="993617894906488A",
        request_id="37ca9c97-d1d1-4c62-89e8-706891a563ed",
        metadata={"return_url": "https://shop.example.com/return"},
    ),
)
rd, sent, handle = ADYEN.rd, ADYEN.sent, ADYEN.handle


# ------------------------------------------------------------------ bodies (from the v71 reference)


def payment(result_code: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "pspReference": PSP,
        "merchantReference": "order_ref_1",
        "amount": {"currency": "USD", "value": 1000},
        "additionalData": {"authCode": "044925", "refusalReasonRaw": "AUTHORISED"},
    }
    if result_code is not None:
        body["resultCode"] = result_code
    body.update(extra)
    return body


def refused(reason: str, code: str, result_code: str = "Refused") -> dict[str, Any]:
    return {
        "pspReference": PSP,
        "merchantReference": "order_ref_1",
        "resultCode": result_code,
        "refusalReason": reason,
        "refusalReasonCode": code,
        "additionalData": {"refusalReasonRaw": "05 : Do not honor"},
    }


def modification(status: str = "received", *, value: int | None = 1000, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "merchantAccount": MERCHANT,
        "paymentPspReference": PSP,
        "pspReference": "993617894906488A",
        "reference": "order_ref_1",
        "status": status,
    }
    if value is not None:
        body["amount"] = {"currency": "USD", "value": value}
    body.update(extra)
    return body


def service_error(status: int, code: str, message: str, kind: str = "validation") -> dict[str, Any]:
    return {"status": status, "errorCode": code, "message": message, "errorType": kind, "pspReference": PSP}


# ------------------------------------------------------------------ requests


def test_authorize_posts_raw_card_details_to_v71_payments():
    request, body = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL)
    assert (request.method.value, request.url) == ("POST", "https://checkout-test.adyen.com/v71/payments")
    headers = request.wire_headers()
    assert headers["X-API-Key"] == API_KEY
    assert headers["Content-Type"] == "application/json"
    # derived from the operation in the router data, so a retry sends the same key
    assert headers["Idempotency-Key"] == idempotency_key(
        rd(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL)
    )
    assert body == {
        "amount": {"value": 1000, "currency": "USD"},
        "merchantAccount": MERCHANT,
        "reference": "order_ref_1",
        "paymentMethod": {
            "type": "scheme",
            "number": "5555555555554444",
            "expiryMonth": "03",
            "expiryYear": "2030",
            "cvc": "737",
            "holderName": "Jane Canary",
        },
        "returnUrl": "https://shop.example.com/return",
        "shopperInteraction": "Ecommerce",
        "additionalData": {"manualCapture": "true"},
    }


def test_automatic_capture_sends_no_manual_capture_flag():
    _, body = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.AUTOMATIC)
    assert "additionalData" not in body and "captureDelayHours" not in body


def test_live_base_url_keeps_the_checkout_path_and_version():
    request, _ = sent(Flow.AUTHORIZE, base_url=LIVE)
    assert request.url == f"{LIVE}v71/payments"


def test_return_url_falls_back_when_no_metadata_names_it():
    _, body = sent(Flow.AUTHORIZE, metadata={})
    assert body["returnUrl"] == t.DEFAULT_RETURN_URL


def test_reference_is_sent_unchanged_and_bounded():
    reference = "Order-00042.a_B"
    for flow in (Flow.AUTHORIZE, Flow.CAPTURE, Flow.VOID, Flow.REFUND):
        assert sent(flow, reference=reference)[1]["reference"] == reference
    with pytest.raises(InvalidDataError, match="at most 80"):
        sent(Flow.AUTHORIZE, reference="x" * 81)


def test_masked_rendering_hides_card_key_and_merchant_account():
    request, _ = sent(Flow.AUTHORIZE)
    masked = json.dumps(request.masked())
    for secret in ("5555555555554444", API_KEY, MERCHANT, "Jane Canary", '"737"'):
        assert secret not in masked
    assert request.masked()["headers"]["X-API-Key"] == "***"
    assert request.masked()["body"]["paymentMethod"]["number"] == "***"


def test_the_idempotency_key_names_the_operation_not_the_call():
    capture, _ = sent(Flow.CAPTURE, request_id=None)
    retry, _ = sent(Flow.CAPTURE, request_id="another-call")
    refund, _ = sent(Flow.REFUND)
    key = capture.wire_headers()["Idempotency-Key"]
    assert key == retry.wire_headers()["Idempotency-Key"]
    assert key != refund.wire_headers()["Idempotency-Key"]


def test_capture_void_refund_paths_and_bodies():
    capture, body = sent(Flow.CAPTURE, amount=MinorUnit(400), payment_amount=MinorUnit(1000))
    assert capture.url == f"{BASE}v71/payments/{PSP}/captures"
    assert body == {
        "merchantAccount": MERCHANT,
        "amount": {"value": 400, "currency": "USD"},
        "reference": "order_ref_1",
    }
    void, body = sent(Flow.VOID)
    assert void.url == f"{BASE}v71/payments/{PSP}/cancels"
    assert body == {"merchantAccount": MERCHANT, "reference": "order_ref_1"}
    refund, body = sent(Flow.REFUND, amount=MinorUnit(300), payment_amount=MinorUnit(1000), reference="ref_1")
    assert refund.url == f"{BASE}v71/payments/{PSP}/refunds"
    assert body == {
        "merchantAccount": MERCHANT,
        "amount": {"value": 300, "currency": "USD"},
        "reference": "ref_1",
    }


def test_a_psp_reference_cannot_change_the_path():
    request, _ = sent(Flow.CAPTURE, connector_transaction_id="../refunds?x=1")
    assert request.url == f"{BASE}v71/payments/..%2Frefunds%3Fx%3D1/captures"


def test_refund_reason_uses_adyens_values():
    router_data = rd(Flow.REFUND)
    router_data.request = router_data.request.model_copy(update={"reason": "fraudulent"})
    body = json.loads(build_http_request(Adyen(), router_data, BASE).wire_body() or b"")
    assert body["merchantRefundReason"] == "FRAUD"


@pytest.mark.parametrize(("flow", "limit_name"), [(Flow.CAPTURE, "authorized"), (Flow.REFUND, "captured")])
def test_capture_and_refund_above_their_limit_are_refused_before_sending(flow, limit_name):
    with pytest.raises(InvalidDataError, match=f"above {limit_name} amount"):
        sent(flow, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_credentials_must_be_body_key():
    with pytest.raises(InvalidDataError, match="BodyKey"):
        sent(Flow.AUTHORIZE, auth=HeaderKey(api_key=Secret(API_KEY)))


@pytest.mark.parametrize("flow", [Flow.PSYNC, Flow.RSYNC, Flow.CREATE_ACCESS_TOKEN])
def test_flows_adyen_does_not_offer_are_typed_not_supported_errors(flow):
    with pytest.raises(NotSupportedError) as caught:
        sent(flow)
    assert caught.value.message == Adyen.unsupported[flow]
    assert "webhook" in Adyen.unsupported.get(Flow.PSYNC, "")
    assert "webhook" in Adyen.unsupported.get(Flow.RSYNC, "")


# ------------------------------------------------------------------ money


@pytest.mark.parametrize(
    ("currency", "minor", "wire"),
    [
        (Currency.USD, 1000, 1000),
        (Currency.CLP, 1500, 150000),  # ISO 0 decimals, Adyen 2
        (Currency.ISK, 5, 500),  # ISO 0 decimals, Adyen 2
        (Currency.CVE, 1200, 12),  # ISO 2 decimals, Adyen 0
        (Currency.IDR, 1000000, 10000),  # ISO 2 decimals, Adyen 0
        (Currency.JPY, 1000, 1000),
        (Currency.KWD, 5124, 5124),  # three decimals, no rounding rule
    ],
)
def test_amounts_use_adyens_decimals(currency, minor, wire):
    _, body = sent(Flow.AUTHORIZE, amount=MinorUnit(minor), currency=currency)
    assert body["amount"] == {"value": wire, "currency": currency.value}


@pytest.mark.parametrize("currency", [Currency.CVE, Currency.IDR])
def test_a_fraction_adyen_cannot_carry_is_refused(currency):
    with pytest.raises(AmountNotRepresentableError, match="takes 0 decimals"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(1050), currency=currency)


@pytest.mark.parametrize("currency", [Currency.BIF, Currency.CLF, Currency.UYI, Currency.ANG])
def test_currencies_adyen_does_not_list_are_not_supported(currency):
    with pytest.raises(NotSupportedError, match=f"currency {currency.value} is not supported"):
        sent(Flow.AUTHORIZE, currency=currency)


def test_an_amount_beyond_int64_in_adyens_unit_is_refused():
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        sent(Flow.AUTHORIZE, amount=MinorUnit(2**62), currency=Currency.CLP)


def test_currency_table_rows_name_every_deviation_with_its_source():
    table = t.ADYEN_CURRENCIES
    assert table.source == "https://docs.adyen.com/development-resources/currency-codes"
    rows = {row["currency"]: row for row in table.rows()}
    deviations = {code for code, row in rows.items() if row["iso_exponent"] != row["provider_exponent"]}
    assert deviations == {"CLP", "CVE", "IDR", "ISK"}
    assert (rows["CLP"]["provider_exponent"], rows["ISK"]["provider_exponent"]) == (2, 2)
    assert (rows["CVE"]["provider_exponent"], rows["IDR"]["provider_exponent"]) == (0, 0)
    assert all(rows[c.value]["provider_exponent"] == 0 for c in t.ZERO_DECIMAL)
    assert all(rows[c.value]["provider_exponent"] == 3 for c in t.THREE_DECIMAL)
    assert all(row["maximum"] == 2**63 - 1 and row["note"] for row in rows.values())
    assert Currency.EUR in table.supported_currencies() and not table.is_supported(Currency.BIF)


def test_amounts_come_back_exactly():
    converter = Adyen.amount_converter
    assert converter.convert_back(150000, Currency.CLP) == MinorUnit(1500)
    assert converter.convert_back(12, Currency.CVE) == MinorUnit(1200)
    with pytest.raises(AmountNotRepresentableError):
        converter.convert_back(150001, Currency.CLP)  # a fraction of a peso


# ------------------------------------------------------------------ Authorize responses


@pytest.mark.parametrize(
    ("result_code", "manual", "expected"),
    [
        ("Authorised", True, AttemptStatus.AUTHORIZED),
        ("Authorised", False, AttemptStatus.CHARGED),
        ("Pending", False, AttemptStatus.PENDING),
        ("Received", False, AttemptStatus.PENDING),
        ("RedirectShopper", True, AttemptStatus.AUTHENTICATION_PENDING),
        ("IdentifyShopper", True, AttemptStatus.AUTHENTICATION_PENDING),
        ("ChallengeShopper", True, AttemptStatus.AUTHENTICATION_PENDING),
        ("PresentToShopper", False, AttemptStatus.AUTHENTICATION_PENDING),
        ("AuthenticationFinished", False, AttemptStatus.AUTHENTICATION_SUCCESSFUL),
        ("SomethingNew", True, AttemptStatus.PENDING),
        (None, True, AttemptStatus.PENDING),
    ],
)
def test_every_result_code_is_mapped_and_kept(result_code, manual, expected):
    capture = CaptureMethod.MANUAL if manual else CaptureMethod.AUTOMATIC
    result = handle(Flow.AUTHORIZE, 200, payment(result_code), capture_method=capture)
    assert isinstance(result, PaymentsResponseData)
    assert result.status is expected
    assert result.raw_status == result_code
    assert result.connector_transaction_id == PSP
    assert result.connector_response_reference_id == "order_ref_1"
    assert (result.amount, result.currency) == (MinorUnit(1000), Currency.USD)


def test_a_redirect_keeps_the_action_type():
    body = payment(
        "RedirectShopper", action={"type": "redirect", "url": "https://example.com/3ds", "method": "GET"}
    )
    result = handle(Flow.AUTHORIZE, 200, body)
    assert result.connector_metadata == {"action_type": "redirect"}


@pytest.mark.parametrize(
    ("reason", "code"),
    [("CVC Declined", "24"), ("Expired Card", "6"), ("Not enough balance", "12"), ("Refused", "2")],
)
def test_refusals_become_failed_authorizations_with_adyens_reason(reason, code):
    result = handle(Flow.AUTHORIZE, 200, refused(reason, code))
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.message, result.reason) == (code, reason, reason)
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED
    assert result.status_code == 200
    assert result.connector_transaction_id == PSP
    assert result.network_error_message == "05 : Do not honor"


def test_an_error_result_code_is_a_failure():
    result = handle(Flow.AUTHORIZE, 200, refused("Acquirer Error", "4", result_code="Error"))
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status) == ("4", AttemptStatus.FAILURE)


def test_a_payment_cancelled_before_processing_is_a_failure_not_a_void():
    # https://docs.adyen.com/online-payments/build-your-integration/payment-result-codes: cancelled
    # before processing was completed; nothing was authorised (specs/adyen.facts.toml)
    result = handle(Flow.AUTHORIZE, 200, refused("Cancelled", "", result_code="Cancelled"))
    assert isinstance(result, ErrorResponse)
    assert result.attempt_status is AttemptStatus.FAILURE


def test_a_refusal_without_reason_code_still_has_a_code():
    result = handle(Flow.AUTHORIZE, 200, {"pspReference": PSP, "resultCode": "Refused"})
    assert (result.code, result.message) == ("Refused", "Refused")


def test_a_partial_authorisation_states_the_smaller_amount_without_failing_integrity():
    body = payment("PartiallyAuthorised", amount={"currency": "USD", "value": 600})
    result = handle(Flow.AUTHORIZE, 200, body, capture_method=CaptureMethod.MANUAL)
    assert result.status is AttemptStatus.PARTIALLY_AUTHORIZED
    assert (result.amount, result.amount_capturable) == (None, MinorUnit(600))
    auto = handle(Flow.AUTHORIZE, 200, body, capture_method=CaptureMethod.AUTOMATIC)
    assert auto.status is AttemptStatus.PARTIAL_CHARGED


def test_authorize_amount_and_currency_integrity():
    with pytest.raises(IntegrityCheckError, match="differs from the requested 1000"):
        handle(Flow.AUTHORIZE, 200, payment("Authorised", amount={"currency": "USD", "value": 999}))
    with pytest.raises(IntegrityCheckError, match="currency USD differs from the requested EUR"):
        handle(Flow.AUTHORIZE, 200, payment("Authorised"), currency=Currency.EUR)


def test_an_amount_in_adyens_unit_is_converted_back_before_the_integrity_check():
    body = payment("Authorised", amount={"currency": "CLP", "value": 150000})
    result = handle(Flow.AUTHORIZE, 200, body, amount=MinorUnit(1500), currency=Currency.CLP)
    assert result.amount == MinorUnit(1500)


def test_a_response_of_the_wrong_shape_is_a_typed_error():
    with pytest.raises(ResponseDeserializationError, match=r"amount\.value"):
        handle(Flow.AUTHORIZE, 200, payment("Authorised", amount={"currency": "USD", "value": "1000"}))


# ------------------------------------------------------------------ modification responses


def test_capture_is_acknowledged_as_initiated_never_charged():
    result = handle(Flow.CAPTURE, 201, modification(value=400), amount=MinorUnit(400))
    assert isinstance(result, PaymentsResponseData)
    assert result.status is AttemptStatus.CAPTURE_INITIATED
    assert result.raw_status == "received"
    assert result.connector_transaction_id == PSP  # the payment, for the steps after it
    assert result.connector_metadata == {"capture_psp_reference": "993617894906488A"}
    assert result.amount == MinorUnit(400)
    with pytest.raises(IntegrityCheckError, match="differs from the requested 400"):
        handle(Flow.CAPTURE, 201, modification(value=1000), amount=MinorUnit(400))


def test_cancel_is_acknowledged_as_void_initiated():
    result = handle(Flow.VOID, 201, modification(value=None))
    assert (result.status, result.raw_status, result.amount) == (
        AttemptStatus.VOID_INITIATED,
        "received",
        None,
    )


def test_refund_is_acknowledged_as_pending():
    result = handle(Flow.REFUND, 201, modification(value=300), amount=MinorUnit(300))
    assert isinstance(result, RefundsResponseData)
    assert (result.refund_status, result.raw_status) == (RefundStatus.PENDING, "received")
    assert result.connector_refund_id == "993617894906488A"
    assert result.amount == MinorUnit(300)


@pytest.mark.parametrize("flow", [Flow.CAPTURE, Flow.VOID, Flow.REFUND])
def test_an_unknown_modification_status_is_pending_and_kept(flow):
    result = handle(flow, 201, modification("queued_somewhere"))
    status = getattr(result, "status", None) or result.refund_status
    assert status.value == "Pending"
    assert result.raw_status == "queued_somewhere"


@pytest.mark.parametrize("flow", [Flow.CAPTURE, Flow.VOID, Flow.REFUND])
def test_an_acknowledgement_for_another_payment_is_refused(flow):
    with pytest.raises(ResponseHandlingError, match="another payment"):
        handle(flow, 201, modification(paymentPspReference="8835538461311270"))


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("flow", "attempt", "refund"),
    [
        (Flow.AUTHORIZE, AttemptStatus.FAILURE, None),
        (Flow.CAPTURE, AttemptStatus.CAPTURE_FAILED, None),
        (Flow.VOID, AttemptStatus.VOID_FAILED, None),
        (Flow.REFUND, None, RefundStatus.FAILURE),
    ],
)
def test_validation_errors_fail_the_flow(flow, attempt, refund):
    body = service_error(422, "167", "Original pspReference required for this operation")
    result = handle(flow, 422, body)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.message, result.reason) == (
        "167",
        "Original pspReference required for this operation",
        "validation",
    )
    assert (result.attempt_status, result.refund_status, result.status_code) == (attempt, refund, 422)
    assert result.connector_transaction_id == PSP


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [(401, "000", "security"), (403, "901", "security"), (500, "905", "configuration")],
)
def test_credential_permission_and_server_errors_say_nothing_about_the_payment(status, code, kind):
    result = handle(Flow.CAPTURE, status, service_error(status, code, "no", kind))
    assert (result.code, result.reason, result.attempt_status) == (code, kind, None)


def test_an_error_without_a_service_error_body_is_still_an_error_response():
    result = handle(Flow.AUTHORIZE, 502, b"<html>bad gateway</html>")
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status) == ("HTTP_502", None)


def test_an_invalid_expiry_month_is_a_validation_error():
    body = service_error(422, "129", "The provided Expiry Date is not valid.")
    result = handle(Flow.AUTHORIZE, 422, body)
    assert (result.code, result.attempt_status) == ("129", AttemptStatus.FAILURE)


# ------------------------------------------------------------------ declaration


def test_declaration_is_readable_without_calling_adyen():
    declaration = Adyen.declaration()
    assert declaration["auth_type"] == "BodyKey"
    assert declaration["auth_env"] == {"api_key": "ADYEN_API_KEY", "key1": "ADYEN_MERCHANT_ACCOUNT"}
    assert declaration["api_version"] == "v71"
    assert [f["flow"] for f in declaration["flows"]] == ["Authorize", "Capture", "Void", "Refund"]
    assert set(declaration["unsupported"]) == {"CreateAccessToken", "PSync", "RSync"}
    authorize = declaration["flows"][0]
    assert (authorize["amount_fields"], authorize["currency_field"], authorize["status_field"]) == (
        ["amount.value"],
        "amount.currency",
        "resultCode",
    )


# ------------------------------------------------------------------ over HTTP, on 127.0.0.1


def test_a_chain_against_the_sandbox_over_http():
    sandbox = AdyenSandbox()
    auth = BodyKey(api_key=Secret(sandbox.credentials["api_key"]), key1=Secret(sandbox.credentials["key1"]))
    connector = Adyen()
    with LiveTransport(timeout=5) as transport, serve(sandbox, max_requests=10) as base:
        authorize = execute(
            connector, rd(Flow.AUTHORIZE, auth=auth, capture_method=CaptureMethod.MANUAL), transport, base
        )
        assert authorize.ok and authorize.result.status is AttemptStatus.AUTHORIZED
        psp = authorize.result.connector_transaction_id
        capture = execute(
            connector,
            rd(Flow.CAPTURE, auth=auth, connector_transaction_id=psp, amount=MinorUnit(500)),
            transport,
            base,
        )
        assert capture.result.status is AttemptStatus.CAPTURE_INITIATED
        refund = execute(
            connector,
            rd(Flow.REFUND, auth=auth, connector_transaction_id=psp, amount=MinorUnit(500)),
            transport,
            base,
        )
        assert refund.result.refund_status is RefundStatus.PENDING
        declined = execute(
            connector,
            rd(
                Flow.AUTHORIZE,
                auth=auth,
                card=CARD.model_copy(update={"card_holder_name": Secret("CVC_DECLINED")}),
            ),
            transport,
            base,
        )
        assert isinstance(declined.result, ErrorResponse) and declined.result.code == "24"
        unknown = execute(
            connector,
            rd(Flow.VOID, auth=auth, connector_transaction_id="UNKNOWN000000000"),
            transport,
            base,
        )
        assert isinstance(unknown.result, ErrorResponse) and unknown.result.code == "167"
        wrong_key = execute(connector, rd(Flow.AUTHORIZE), transport, base)
        assert (wrong_key.result.status_code, wrong_key.result.code) == (401, "000")
