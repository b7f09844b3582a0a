"""Authorize.net: requests of every flow, answers of every flow (success, decline, error), the
currency table row by row, masking of the credentials that travel in the body, the BOM."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.authorizedotnet import transformers as t
from connectors.authorizedotnet.connector import Authorizedotnet
from connectors.authorizedotnet.sandbox import AuthorizedotnetSandbox
from harness.certify.cassettes.provenance import Provenance
from harness.certify.cassettes.recording import RecordingTransport, cassette_document, render_cassette
from harness.certify.catalog import SCENARIOS
from harness.certify.certification import load_certification
from harness.certify.runner import ScenarioRunner
from harness.domain import (
    Address,
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
    ResponseHandlingError,
    Secret,
)
from harness.execution.executor import build_http_request, execute, handle_http_response
from harness.execution.transport import LiveTransport
from harness.integration.http import HttpResponse
from tests.connectors import authorizedotnet_bodies as bodies
from tests.connectors.helpers import ConnectorUnderTest
from tests.sandboxes import SandboxTransport, serve

BASE = "https://apitest.authorize.net/xml/v1/request.api"
LOGIN = "CANARYlogin5Kp3u"
KEY = "CANARYkey8v7W2x9"
CARD_NUMBER = "4111111111111111"
CARD = Card(
    card_number=Secret(CARD_NUMBER),
    card_exp_month=Secret("3"),
    card_exp_year=Secret("34"),
    card_cvc=Secret("900"),
    card_holder_name=Secret("Jane Canary"),
)
AUTH = BodyKey(api_key=Secret(LOGIN), key1=Secret(KEY))
BOM = b"\xef\xbb\xbf"


AUTHORIZEDOTNET = ConnectorUnderTest(
    Authorizedotnet,
    BASE,
    dict(
        auth=AUTH,
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_ref_1",
        card=CARD,
        connector_transaction_id=bodies.TRANS_ID,
        connector_refund_id="40012345699",
        connector_metadata={"card_last4": "1111"},
    ),
    response_headers={"Content-Type": "application/json; charset=utf-8"},
    response_prefix=BOM,  # every Authorize.net JSON answer starts with one
)
rd, sent, handle = AUTHORIZEDOTNET.rd, AUTHORIZEDOTNET.sent, AUTHORIZEDOTNET.handle


# ------------------------------------------------------------------ requests


def test_authorize_manual_is_an_auth_only_transaction_in_schema_order():
    request, body = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL)
    assert (request.method.value, request.url) == ("POST", BASE)
    assert request.wire_headers() == {"Content-Type": "application/json"}
    call = body["createTransactionRequest"]
    assert list(call) == ["merchantAuthentication", "refId", "transactionRequest"]
    assert call["merchantAuthentication"] == {"name": LOGIN, "transactionKey": KEY}
    assert call["refId"] == "order_ref_1"
    transaction = call["transactionRequest"]
    assert list(transaction) == ["transactionType", "amount", "currencyCode", "payment", "order"]
    assert transaction["transactionType"] == "authOnlyTransaction"
    assert (transaction["amount"], transaction["currencyCode"]) == ("10.00", "USD")
    assert transaction["payment"] == {
        "creditCard": {"cardNumber": CARD_NUMBER, "expirationDate": "2034-03", "cardCode": "900"}
    }
    assert transaction["order"] == {"invoiceNumber": "order_ref_1"}


def test_authorize_automatic_is_an_auth_capture_transaction():
    _, body = sent(Flow.AUTHORIZE, capture_method=CaptureMethod.AUTOMATIC)
    assert (
        body["createTransactionRequest"]["transactionRequest"]["transactionType"] == "authCaptureTransaction"
    )


def test_billing_address_email_and_description_go_where_the_schema_puts_them():
    data = rd(Flow.AUTHORIZE, description="Two vases")
    data.request = data.request.model_copy(
        update={
            "email": Secret("jane@example.com"),
            "billing_address": Address(
                first_name=Secret("Jane"), last_name=Secret("Canary"), line1=Secret("1 Main St"),
                city="Bellevue", state="WA", zip=Secret("46282"), country="US",
            ),
        }
    )  # fmt: skip
    request = build_http_request(Authorizedotnet(), data, BASE)
    transaction = json.loads(request.wire_body() or b"")["createTransactionRequest"]["transactionRequest"]
    assert list(transaction)[-3:] == ["order", "customer", "billTo"]
    assert transaction["order"] == {"invoiceNumber": "order_ref_1", "description": "Two vases"}
    assert transaction["customer"] == {"email": "jane@example.com"}
    assert transaction["billTo"]["zip"] == "46282"
    masked = json.dumps(request.masked())
    assert "46282" not in masked and "jane@example.com" not in masked and "1 Main St" not in masked


def test_a_description_above_255_characters_is_refused():
    with pytest.raises(InvalidDataError, match=r"order\.description is 256 characters"):
        sent(Flow.AUTHORIZE, description="d" * 256)


@pytest.mark.parametrize("flow", [Flow.AUTHORIZE, Flow.CAPTURE, Flow.VOID, Flow.REFUND])
def test_the_reference_goes_unchanged_up_to_20_characters_and_is_refused_above(flow):
    _, body = sent(flow, reference="r" * 20)
    assert body["createTransactionRequest"]["refId"] == "r" * 20
    with pytest.raises(InvalidDataError, match=r"refId is 21 characters; Authorize\.net takes at most 20"):
        sent(flow, reference="r" * 21)


def test_capture_is_a_prior_auth_capture_with_amount_and_ref_trans_id():
    _, body = sent(Flow.CAPTURE, amount=MinorUnit(400), payment_amount=MinorUnit(1000))
    assert body["createTransactionRequest"]["transactionRequest"] == {
        "transactionType": "priorAuthCaptureTransaction",
        "amount": "4.00",
        "refTransId": bodies.TRANS_ID,
    }


def test_capture_above_the_authorization_is_refused_before_sending():
    with pytest.raises(InvalidDataError, match="above authorized amount"):
        sent(Flow.CAPTURE, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_void_names_the_transaction_only():
    _, body = sent(Flow.VOID)
    assert body["createTransactionRequest"]["transactionRequest"] == {
        "transactionType": "voidTransaction",
        "refTransId": bodies.TRANS_ID,
    }


def test_refund_names_the_last_four_digits_and_expiry_xxxx():
    request, body = sent(Flow.REFUND, amount=MinorUnit(300), payment_amount=MinorUnit(1000))
    assert body["createTransactionRequest"]["transactionRequest"] == {
        "transactionType": "refundTransaction",
        "amount": "3.00",
        "currencyCode": "USD",
        "payment": {"creditCard": {"cardNumber": "1111", "expirationDate": "XXXX"}},
        "refTransId": bodies.TRANS_ID,
    }
    assert request.masked()["body"]["createTransactionRequest"]["transactionRequest"]["payment"] == {
        "creditCard": {"cardNumber": "***", "expirationDate": "***"}
    }


def test_refund_needs_the_last_four_digits_and_never_exceeds_the_capture():
    with pytest.raises(MissingRequiredFieldError, match="card_last4"):
        sent(Flow.REFUND, connector_metadata={})
    with pytest.raises(InvalidDataError, match="above captured amount"):
        sent(Flow.REFUND, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))


def test_syncs_ask_for_transaction_details():
    _, psync = sent(Flow.PSYNC)
    _, rsync = sent(Flow.RSYNC)
    credentials = {"name": LOGIN, "transactionKey": KEY}
    assert psync == {
        "getTransactionDetailsRequest": {"merchantAuthentication": credentials, "transId": bodies.TRANS_ID}
    }
    assert rsync == {
        "getTransactionDetailsRequest": {"merchantAuthentication": credentials, "transId": "40012345699"}
    }


def test_access_token_is_not_supported_and_other_credentials_are_refused():
    with pytest.raises(NotSupportedError, match="no token endpoint"):
        sent(Flow.CREATE_ACCESS_TOKEN)
    with pytest.raises(InvalidDataError, match="needs BodyKey"):
        sent(Flow.AUTHORIZE, auth=HeaderKey(api_key=Secret("x" * 10)))


def test_every_rendering_masks_the_credentials_and_card():
    for flow in (Flow.AUTHORIZE, Flow.CAPTURE, Flow.VOID, Flow.REFUND, Flow.PSYNC, Flow.RSYNC):
        request, _ = sent(flow)
        masked = json.dumps(request.masked()) + repr(request) + str(request.masked_body())
        for secret in (LOGIN, KEY, CARD_NUMBER, "2034-03"):
            assert secret not in masked, (flow, secret)
        assert '"transactionKey": "***"' in json.dumps(request.masked())


# ------------------------------------------------------------------ money


@pytest.mark.parametrize("currency", t.SUPPORTED_CURRENCIES, ids=lambda c: c.value)
def test_every_currency_row(currency):
    converter = t.AUTHORIZEDOTNET_AMOUNTS
    table = converter.table
    rule = table.rule(currency)
    assert (currency.exponent, table.provider_exponent(currency)) == (2, 2)
    assert rule.maximum == t.MAX_AMOUNT_UNITS == 999_999_999_999_999
    assert converter.convert(MinorUnit(1), currency) == "0.01"
    assert converter.convert(MinorUnit(1005), currency) == "10.05"
    assert converter.convert(MinorUnit(t.MAX_AMOUNT_UNITS), currency) == "9999999999999.99"
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        converter.convert(MinorUnit(t.MAX_AMOUNT_UNITS + 1), currency)
    assert converter.convert_back("10.05", currency) == MinorUnit(1005)
    assert converter.convert_back("10.5", currency) == MinorUnit(1050)
    with pytest.raises(AmountNotRepresentableError):
        converter.convert_back("10.005", currency)
    _, body = sent(Flow.AUTHORIZE, currency=currency, amount=MinorUnit(123456))
    assert body["createTransactionRequest"]["transactionRequest"]["currencyCode"] == currency.value
    assert body["createTransactionRequest"]["transactionRequest"]["amount"] == "1234.56"


def test_the_table_is_the_documented_set_and_names_its_source():
    table = t.AUTHORIZEDOTNET_CURRENCIES
    assert {c.value for c in table.supported_currencies()} == {"USD", "CAD", "GBP", "EUR", "AUD", "NZD"}
    assert table.source == "https://developer.authorize.net/api/reference/index.html"
    assert [row["currency"] for row in table.rows()] == ["AUD", "CAD", "EUR", "GBP", "NZD", "USD"]
    for currency in (Currency.JPY, Currency.KWD, Currency.CHF):
        with pytest.raises(NotSupportedError, match=f"currency {currency.value} is not supported"):
            sent(Flow.AUTHORIZE, currency=currency)


# ------------------------------------------------------------------ answers: createTransaction


@pytest.mark.parametrize(
    ("capture_method", "expected"),
    [(CaptureMethod.MANUAL, AttemptStatus.AUTHORIZED), (CaptureMethod.AUTOMATIC, AttemptStatus.CHARGED)],
)
def test_an_approved_authorization(capture_method, expected):
    result = handle(Flow.AUTHORIZE, 200, bodies.transaction("1"), capture_method=capture_method)
    assert isinstance(result, PaymentsResponseData)
    assert (result.status, result.raw_status) == (expected, "1")
    assert result.connector_transaction_id == bodies.TRANS_ID
    assert result.connector_response_reference_id == "order_ref_1"
    assert result.network_txn_id == "123456789NNNH"
    assert result.connector_metadata == {"card_last4": "1111", "avs_result_code": "Y", "cvv_result_code": "M"}
    assert result.amount is None  # createTransaction answers do not state the amount


def test_a_body_with_a_byte_order_mark_is_read():
    body = BOM + json.dumps(bodies.transaction("1")).encode()
    assert body.startswith(b"\xef\xbb\xbf{")
    response = HttpResponse(200, body, {"Content-Type": "application/json; charset=utf-8"})
    assert response.text().startswith("{")
    result = handle_http_response(Authorizedotnet(), rd(Flow.AUTHORIZE), response)
    assert isinstance(result, PaymentsResponseData) and result.status is AttemptStatus.CHARGED
    plain = handle(Flow.AUTHORIZE, 200, bodies.transaction("1"), prefix=b"")
    assert plain == result


@pytest.mark.parametrize(
    ("error", "avs", "cvv", "reason"),
    [
        (("2", "This transaction has been declined."), "N", "M", "AVS N: neither street address nor postal"),
        (("65", "This transaction has been declined."), "Y", "N", "card code N: card code did not match"),
        (("2", "This transaction has been declined."), "Y", "M", "E00027: The transaction was unsuccessful."),
    ],
)
def test_a_decline_is_a_failed_authorization_with_the_reason_code(error, avs, cvv, reason):
    result = handle(Flow.AUTHORIZE, 200, bodies.transaction("2", error=error, avs=avs, cvv=cvv))
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.message) == error
    assert result.reason.startswith(reason)
    assert result.attempt_status is AttemptStatus.AUTHORIZATION_FAILED
    assert result.connector_transaction_id == bodies.TRANS_ID
    assert result.status_code == 200


@pytest.mark.parametrize(
    ("code", "text"),
    [("8", "The credit card has expired."), ("7", "Credit card expiration date is invalid.")],
)
def test_an_error_response_code_is_a_failure_without_a_transaction(code, text):
    result = handle(Flow.AUTHORIZE, 200, bodies.transaction("3", trans_id="0", error=(code, text), cvv=""))
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.message, result.attempt_status) == (code, text, AttemptStatus.FAILURE)
    assert result.connector_transaction_id is None


def test_held_for_review_and_unknown_response_codes_are_pending_with_the_raw_value():
    held = handle(Flow.AUTHORIZE, 200, bodies.transaction("4"))
    assert (held.status, held.raw_status) == (AttemptStatus.PENDING, "4")
    unknown = handle(Flow.AUTHORIZE, 200, bodies.transaction("9"))
    assert (unknown.status, unknown.raw_status) == (AttemptStatus.PENDING, "9")


@pytest.mark.parametrize(
    ("flow", "attempt"),
    [
        (Flow.AUTHORIZE, AttemptStatus.FAILURE),
        (Flow.CAPTURE, AttemptStatus.CAPTURE_FAILED),
        (Flow.VOID, AttemptStatus.VOID_FAILED),
    ],
)
def test_an_api_error_without_transaction_response(flow, attempt):
    body = bodies.api_error("E00007", "User authentication failed due to invalid authentication values.")
    result = handle(flow, 200, body)
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status, result.status_code) == ("E00007", attempt, 200)
    assert result.message.startswith("User authentication failed")


def test_an_ok_answer_without_a_response_code_is_a_typed_error():
    with pytest.raises(ResponseHandlingError, match=r"without transactionResponse\.responseCode"):
        handle(
            Flow.AUTHORIZE,
            200,
            {"transactionResponse": {"SupplementalDataQualificationIndicator": 0}, "messages": bodies.OK},
        )
    with pytest.raises(Exception, match="messages"):
        handle(Flow.AUTHORIZE, 200, {"transactionResponse": {"responseCode": "1"}})


def test_capture_full_and_partial():
    full = handle(
        Flow.CAPTURE,
        200,
        bodies.transaction("1", ref_trans_id=bodies.TRANS_ID),
        payment_amount=MinorUnit(1000),
    )
    assert (full.status, full.connector_transaction_id) == (AttemptStatus.CHARGED, bodies.TRANS_ID)
    partial = handle(
        Flow.CAPTURE,
        200,
        bodies.transaction("1", ref_trans_id=bodies.TRANS_ID),
        amount=MinorUnit(400),
        payment_amount=MinorUnit(1000),
    )
    assert (partial.status, partial.amount_captured) == (AttemptStatus.PARTIAL_CHARGED, MinorUnit(400))


def test_capture_of_an_unknown_transaction_and_of_another_one():
    unknown = handle(
        Flow.CAPTURE,
        200,
        bodies.transaction(
            "3", trans_id="0", ref_trans_id=bodies.TRANS_ID, error=("16", "The transaction cannot be found.")
        ),
    )
    assert (unknown.code, unknown.attempt_status) == ("16", AttemptStatus.CAPTURE_FAILED)
    with pytest.raises(ResponseHandlingError, match="another transaction"):
        handle(Flow.CAPTURE, 200, bodies.transaction("1", ref_trans_id="40000000001"))


def test_void_answers():
    voided = handle(Flow.VOID, 200, bodies.transaction("1", ref_trans_id=bodies.TRANS_ID))
    assert (voided.status, voided.raw_status) == (AttemptStatus.VOIDED, "1")
    failed = handle(
        Flow.VOID,
        200,
        bodies.transaction("3", trans_id="0", error=("16", "The transaction cannot be found.")),
    )
    assert (failed.code, failed.attempt_status) == ("16", AttemptStatus.VOID_FAILED)


def test_refund_answers():
    body = bodies.transaction("1", trans_id="40012345699", ref_trans_id=bodies.TRANS_ID)
    result = handle(Flow.REFUND, 200, body)
    assert isinstance(result, RefundsResponseData)
    assert (result.connector_refund_id, result.refund_status, result.raw_status) == (
        "40012345699",
        RefundStatus.PENDING,
        "1",
    )
    # held for review by the fraud filters: a manual review, not an ordinary pending refund
    # (responseCode 4, specs/authorizedotnet.facts.toml)
    held = handle(Flow.REFUND, 200, bodies.transaction("4", trans_id="40012345699"))
    assert held.refund_status is RefundStatus.MANUAL_REVIEW
    for code, text in (
        ("54", "The referenced transaction does not meet the criteria for issuing a credit."),
        ("55", "The sum of credits against the referenced transaction would exceed original debit amount."),
    ):
        refused = handle(Flow.REFUND, 200, bodies.transaction("3", trans_id="0", error=(code, text)))
        assert isinstance(refused, ErrorResponse)
        assert (refused.code, refused.message) == (code, text)
        assert (refused.refund_status, refused.attempt_status) == (RefundStatus.FAILURE, None)
    api = handle(Flow.REFUND, 200, bodies.api_error("E00003", "The element 'refId' is invalid."))
    assert (api.code, api.refund_status) == ("E00003", RefundStatus.FAILURE)


# ------------------------------------------------------------------ answers: getTransactionDetails


@pytest.mark.parametrize(("status", "expected"), sorted(t.TRANSACTION_STATUS.items()))
def test_every_transaction_status_is_mapped(status, expected):
    result = handle(Flow.PSYNC, 200, bodies.details(status))
    assert isinstance(result, PaymentsResponseData)
    assert (result.status, result.raw_status) == (expected, status)


def test_psync_amounts_and_an_unknown_status():
    authorized = handle(Flow.PSYNC, 200, bodies.details("authorizedPendingCapture"))
    assert (authorized.amount, authorized.amount_capturable) == (MinorUnit(1000), MinorUnit(1000))
    captured = handle(Flow.PSYNC, 200, bodies.details("capturedPendingSettlement", settle_amount="5.00"))
    assert (captured.status, captured.amount, captured.amount_captured) == (
        AttemptStatus.CHARGED,
        MinorUnit(1000),
        MinorUnit(500),
    )
    unknown = handle(Flow.PSYNC, 200, bodies.details("someFutureStatus"))
    assert (unknown.status, unknown.raw_status) == (AttemptStatus.PENDING, "someFutureStatus")
    with pytest.raises(IntegrityCheckError, match="differs from the requested 2000"):
        handle(Flow.PSYNC, 200, bodies.details("authorizedPendingCapture"), amount=MinorUnit(2000))


def test_psync_refuses_details_of_another_transaction_or_of_a_refund():
    with pytest.raises(ResponseHandlingError, match="another transaction"):
        handle(Flow.PSYNC, 200, bodies.details("voided", trans_id="40000000001"))
    with pytest.raises(ResponseHandlingError, match="is a refund"):
        handle(
            Flow.PSYNC, 200, bodies.details("refundPendingSettlement", transaction_type="refundTransaction")
        )


def test_psync_of_an_unknown_transaction():
    result = handle(Flow.PSYNC, 200, bodies.api_error("E00040", "The record cannot be found."))
    assert isinstance(result, ErrorResponse)
    assert (result.code, result.attempt_status) == ("E00040", None)


def test_a_float_amount_is_never_read():
    with pytest.raises(ValidationError, match="a float is never an amount"):
        t.TransactionDetail.model_validate({"authAmount": 10.0})
    # a JSON number (read as Decimal) keeps its exact digits as text
    assert t.TransactionDetail.model_validate({"authAmount": Decimal("10.00")}).auth_amount == "10.00"


@pytest.mark.parametrize(
    ("status", "expected"),
    [*sorted(t.REFUND_TRANSACTION_STATUS.items()), ("someFutureStatus", RefundStatus.PENDING)],
)
def test_every_refund_transaction_status_is_mapped(status, expected):
    body = bodies.details(
        status,
        trans_id="40012345699",
        transaction_type="refundTransaction",
        auth_amount="10.00",
        settle_amount="10.00",
    )
    result = handle(Flow.RSYNC, 200, body)
    assert isinstance(result, RefundsResponseData)
    assert (result.refund_status, result.raw_status, result.connector_refund_id) == (
        expected,
        status,
        "40012345699",
    )
    assert result.amount == MinorUnit(1000)


def test_rsync_refuses_a_payment_transaction():
    with pytest.raises(ResponseHandlingError, match="not a refund"):
        handle(Flow.RSYNC, 200, bodies.details("settledSuccessfully", trans_id="40012345699"))


def test_a_non_2xx_answer_is_an_error_response():
    response = HttpResponse(503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"})
    result = handle_http_response(Authorizedotnet(), rd(Flow.PSYNC), response)
    assert (result.code, result.status_code) == ("HTTP_503", 503)
    coded = handle(Flow.AUTHORIZE, 500, bodies.api_error("E00001", "An error occurred during processing."))
    assert (coded.code, coded.status_code) == ("E00001", 500)


def test_the_declaration():
    declaration = Authorizedotnet.declaration()
    assert declaration["auth_type"] == "BodyKey"
    assert declaration["amount_converter"] == "StringMajorUnit"
    assert [f["flow"] for f in declaration["flows"]] == [
        "Authorize",
        "Capture",
        "Void",
        "Refund",
        "PSync",
        "RSync",
    ]
    assert {f["flow"]: f["reference_max_length"] for f in declaration["flows"]}["Authorize"] == 20
    assert "CreateAccessToken" in declaration["unsupported"]


# ------------------------------------------------------------------ the simulated sandbox


def run_flow(sandbox, flow: Flow, **kw):
    execution = execute(Authorizedotnet(), rd(flow, **kw), SandboxTransport(sandbox), BASE)
    assert execution.ok, execution.error or execution.crash
    return execution.result


def canary_sandbox() -> AuthorizedotnetSandbox:
    sandbox = AuthorizedotnetSandbox()
    sandbox.credentials = {"api_key": LOGIN, "key1": KEY}
    return sandbox


def test_the_sandbox_refunds_only_settled_transactions_then_syncs_the_refund():
    sandbox = canary_sandbox()
    charged = run_flow(sandbox, Flow.AUTHORIZE, capture_method=CaptureMethod.AUTOMATIC)
    assert charged.status is AttemptStatus.CHARGED
    chain = dict(
        connector_transaction_id=charged.connector_transaction_id,
        connector_metadata=charged.connector_metadata,
    )
    unsettled = run_flow(sandbox, Flow.REFUND, amount=MinorUnit(400), **chain)
    assert isinstance(unsettled, ErrorResponse)
    assert (unsettled.code, unsettled.refund_status) == ("54", RefundStatus.FAILURE)
    sandbox.settle()  # the daily batch
    refund = run_flow(sandbox, Flow.REFUND, amount=MinorUnit(400), payment_amount=MinorUnit(1000), **chain)
    assert isinstance(refund, RefundsResponseData) and refund.refund_status is RefundStatus.PENDING
    second = run_flow(sandbox, Flow.REFUND, amount=MinorUnit(600), payment_amount=MinorUnit(1000), **chain)
    assert second.refund_status is RefundStatus.PENDING
    above = run_flow(sandbox, Flow.REFUND, amount=MinorUnit(1), **chain)
    assert (above.code, above.refund_status) == ("55", RefundStatus.FAILURE)
    synced = run_flow(
        sandbox, Flow.RSYNC, amount=MinorUnit(400), connector_refund_id=refund.connector_refund_id
    )
    assert (synced.refund_status, synced.raw_status) == (RefundStatus.PENDING, "refundPendingSettlement")
    sandbox.settle()
    synced = run_flow(
        sandbox, Flow.RSYNC, amount=MinorUnit(400), connector_refund_id=refund.connector_refund_id
    )
    assert (synced.refund_status, synced.amount) == (RefundStatus.SUCCESS, MinorUnit(400))
    settled = run_flow(sandbox, Flow.PSYNC, connector_transaction_id=charged.connector_transaction_id)
    assert (settled.status, settled.raw_status) == (AttemptStatus.CHARGED, "settledSuccessfully")


def test_the_sandbox_decline_triggers_by_zip_and_card_code():
    sandbox = canary_sandbox()
    data = rd(Flow.AUTHORIZE)
    data.request = data.request.model_copy(update={"billing_address": Address(zip=Secret("46282"))})
    declined = execute(Authorizedotnet(), data, SandboxTransport(sandbox), BASE).result
    assert isinstance(declined, ErrorResponse)
    assert (declined.code, declined.attempt_status) == ("2", AttemptStatus.AUTHORIZATION_FAILED)
    card = CARD.model_copy(update={"card_cvc": Secret("901")})
    cvv = run_flow(sandbox, Flow.AUTHORIZE, card=card)
    assert (cvv.code, cvv.reason) == ("65", "card code N: card code did not match")
    declined_sync = run_flow(sandbox, Flow.PSYNC, connector_transaction_id=cvv.connector_transaction_id)
    assert declined_sync.status is AttemptStatus.AUTHORIZATION_FAILED


def test_the_sandbox_voids_a_captured_unsettled_transaction_but_not_a_settled_one():
    sandbox = canary_sandbox()
    charged = run_flow(sandbox, Flow.AUTHORIZE, capture_method=CaptureMethod.AUTOMATIC)
    voided = run_flow(sandbox, Flow.VOID, connector_transaction_id=charged.connector_transaction_id)
    assert voided.status is AttemptStatus.VOIDED
    charged = run_flow(sandbox, Flow.AUTHORIZE, capture_method=CaptureMethod.AUTOMATIC)
    sandbox.settle()
    refused = run_flow(sandbox, Flow.VOID, connector_transaction_id=charged.connector_transaction_id)
    assert refused.attempt_status is AttemptStatus.VOID_FAILED


def test_the_sandbox_refuses_wrong_credentials_and_a_long_ref_id():
    sandbox = AuthorizedotnetSandbox()
    wrong = run_flow(sandbox, Flow.AUTHORIZE)
    assert wrong.code == "E00007"
    request = build_http_request(Authorizedotnet(), rd(Flow.PSYNC), BASE)
    body = json.loads(request.wire_body() or b"")
    body["getTransactionDetailsRequest"]["merchantAuthentication"] = {
        "name": sandbox.credentials["api_key"],
        "transactionKey": sandbox.credentials["key1"],
    }
    body["getTransactionDetailsRequest"]["refId"] = "r" * 21
    from tests.sandboxes import SandboxRequest

    answer = sandbox.handle(SandboxRequest("POST", "/xml/v1/request.api", "", {}, json.dumps(body).encode()))
    payload, headers = answer.encoded()
    assert payload.startswith(BOM) and headers["Content-Type"].startswith("application/json")
    assert json.loads(payload.decode("utf-8-sig"))["messages"]["message"][0]["code"] == "E00003"


def test_a_chain_over_http_on_loopback():
    sandbox = canary_sandbox()
    with serve(sandbox, max_requests=10) as url:
        base = url.rstrip("/") + "/xml/v1/request.api"
        with LiveTransport(timeout=5) as transport:
            authorized = execute(
                Authorizedotnet(), rd(Flow.AUTHORIZE, capture_method=CaptureMethod.MANUAL), transport, base
            )
            assert authorized.result.status is AttemptStatus.AUTHORIZED
            assert authorized.response.body.startswith(BOM)
            txn = authorized.result.connector_transaction_id
            captured = execute(
                Authorizedotnet(), rd(Flow.CAPTURE, connector_transaction_id=txn), transport, base
            )
            assert captured.result.status is AttemptStatus.CHARGED


# ------------------------------------------------------------------ canaries in cassettes and reports


@pytest.mark.parametrize("scenario_id", ["capture_partial", "psync_charged", "decline_incorrect_cvc"])
def test_canary_credentials_never_reach_a_cassette_or_a_trace(scenario_id):
    sandbox = canary_sandbox()
    certification = load_certification(Path(t.__file__).with_name("certification.toml"))
    runner = ScenarioRunner(Authorizedotnet(), certification, AUTH, BASE)
    transport = RecordingTransport(SandboxTransport(sandbox))
    run = runner.run(SCENARIOS[scenario_id], transport)
    assert run.passed, run.problems
    wire = b"".join(exchange.request.wire_body() or b"" for exchange in transport.exchanges)
    assert LOGIN.encode() in wire and KEY.encode() in wire  # the canaries did travel
    date = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    provenance = Provenance("authored-from-docs", date, "v1", ("https://example.test",), "")
    text = render_cassette(cassette_document(transport.exchanges, provenance))
    traces = json.dumps([step.as_dict() for step in run.steps], default=str)
    card_number = certification.cards["success"].number
    for secret in (LOGIN, KEY, card_number):
        assert text.count(secret) == 0, secret
        assert traces.count(secret) == 0, secret
    for exchange in transport.exchanges:
        assert LOGIN not in json.dumps(exchange.request.masked())
        assert KEY not in json.dumps(exchange.request.masked())
    assert '"merchantAuthentication":"***"' in text


def test_certification_is_clean_and_canary_credentials_never_reach_the_report(monkeypatch, root):
    from harness.certify.checks.plan import certify_workspace
    from harness.certify.workspace import Workspace

    monkeypatch.setenv("AUTHORIZEDOTNET_API_LOGIN_ID", LOGIN)
    monkeypatch.setenv("AUTHORIZEDOTNET_TRANSACTION_KEY", KEY)
    result = certify_workspace(
        "authorizedotnet", lambda: Workspace.for_registered("authorizedotnet", root=root)
    )
    assert result.verdict == "certified", result.failing
    assert set(result.exemptions) == {
        "access_token", "refund_full", "refund_partial", "refund_multiple_partial", "rsync",
        "decline_insufficient_funds", "capture_pending_then_psync", "refund_pending_then_rsync",
        "authorize_pending", "refund_acknowledged",
    }  # fmt: skip  (sandbox limitations; what the facts rule out needs no exemption)
    report = result.model_dump_json()
    assert report.count(LOGIN) == 0 and report.count(KEY) == 0
    assert report.count(CARD_NUMBER) == 0
    exempt = [c for c in result.checks if c.exempt]
    assert all(c.message.startswith("exempt: ") and len(c.message) > 40 for c in exempt)
    assert "no token endpoint" in result.not_supported["CreateAccessToken"]
