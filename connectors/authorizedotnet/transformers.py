"""Authorize.net wire models and the pure transforms between them and the router data.

Facts from Authorize.net's public API reference (https://developer.authorize.net/api/reference/
index.html: createTransactionRequest, getTransactionDetailsRequest, their responses), its
response code list (https://developer.authorize.net/api/reference/responseCodes.html), its
XML schema (https://api.authorize.net/xml/v1/schema/AnetApiSchema.xsd, whose element order the
JSON must follow) and its sandbox testing guide
(https://developer.authorize.net/hello_world/testing_guide.html).

Every call is a POST of one JSON document to one endpoint; the credentials travel inside the
body (`merchantAuthentication`). Every answer is HTTP 200: success and failure are told apart
by `messages.resultCode` and `transactionResponse.responseCode`, so the response transforms
turn failures into `ErrorResponse`s.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from harness.domain import (
    AttemptStatus,
    BodyKey,
    CaptureMethod,
    ConnectorAuthType,
    Currency,
    CurrencyRule,
    ErrorResponse,
    Flow,
    InvalidDataError,
    MissingRequiredFieldError,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseHandlingError,
    Secret,
    StringMajorUnitConverter,
    table_for,
)
from harness.domain.router_data import (
    AuthorizeRouterData,
    CaptureRouterData,
    PSyncRouterData,
    RefundRouterData,
    RSyncRouterData,
    VoidRouterData,
)
from harness.integration import (
    RequestContext,
    ResponseContext,
    credentials,
    failed_attempt,
    status_from_table,
)
from harness.integration.http import HttpResponse
from harness.integration.wire import CamelWireRequest, CamelWireResponse

API_REFERENCE = "https://developer.authorize.net/api/reference/index.html"
RESPONSE_CODES = "https://developer.authorize.net/api/reference/responseCodes.html"

# ------------------------------------------------------------------ money

SUPPORTED_CURRENCIES = (Currency.USD, Currency.CAD, Currency.GBP, Currency.EUR, Currency.AUD, Currency.NZD)
MAX_AMOUNT_UNITS = 999_999_999_999_999  # "up to 15 digits with a decimal point": 9999999999999.99

AUTHORIZEDOTNET_CURRENCIES = table_for(
    # The currencies a gateway account can be set up in (one per account, fixed by its processor).
    # All are two-decimal, as in ISO 4217: the amount is a decimal string in major units.
    (SUPPORTED_CURRENCIES, CurrencyRule(exponent=2, note="two decimals; one currency per gateway account")),
    supported=SUPPORTED_CURRENCIES,
    default=CurrencyRule(maximum=MAX_AMOUNT_UNITS, note="amount: up to 15 digits with a decimal point"),
    source=API_REFERENCE,
)

AUTHORIZEDOTNET_AMOUNTS = StringMajorUnitConverter(AUTHORIZEDOTNET_CURRENCIES)

# ------------------------------------------------------------------ documented lengths

REF_ID_MAX = 20  # refId: "string, up to 20 characters"
INVOICE_NUMBER_MAX = 20  # order.invoiceNumber: "string, up to 20 characters"
DESCRIPTION_MAX = 255  # order.description: "string, up to 255 characters"
EMAIL_MAX = 255  # customer.email


def fitting(value: str, limit: int, *, field: str) -> str:
    """The value unchanged, or a typed error when it is longer than the documented limit."""
    if len(value) > limit:
        raise InvalidDataError(
            f"{field} is {len(value)} characters; Authorize.net takes at most {limit}",
            field=field,
            hint="the router must choose a shorter reference: it is never truncated",
        )
    return value


# ------------------------------------------------------------------ wire models: requests


class MerchantAuthentication(CamelWireRequest):
    name: Secret[str]  # API login ID
    transaction_key: Secret[str]


class CreditCard(CamelWireRequest):
    card_number: Secret[str]  # the full number; on a refund, the last four digits
    expiration_date: Secret[str]  # YYYY-MM; "XXXX" on a refund
    card_code: Secret[str] | None = None


class Payment(CamelWireRequest):
    credit_card: CreditCard


class Order(CamelWireRequest):
    invoice_number: str | None = None
    description: str | None = None


class Customer(CamelWireRequest):
    email: Secret[str] | None = None


class BillTo(CamelWireRequest):
    first_name: Secret[str] | None = None
    last_name: Secret[str] | None = None
    address: Secret[str] | None = None
    city: str | None = None
    state: str | None = None
    zip: Secret[str] | None = None
    country: str | None = None


class TransactionRequest(CamelWireRequest):
    """`transactionRequestType`; the field order is the schema's (the JSON is translated to XML)."""

    transaction_type: str
    amount: str | None = None
    currency_code: str | None = None
    payment: Payment | None = None
    ref_trans_id: str | None = None
    order: Order | None = None
    customer: Customer | None = None
    bill_to: BillTo | None = None


class CreateTransaction(CamelWireRequest):
    merchant_authentication: MerchantAuthentication
    ref_id: str | None = None
    transaction_request: TransactionRequest


class CreateTransactionRequest(CamelWireRequest):
    create_transaction_request: CreateTransaction


class TransactionDetails(CamelWireRequest):
    merchant_authentication: MerchantAuthentication
    trans_id: str


class GetTransactionDetailsRequest(CamelWireRequest):
    get_transaction_details_request: TransactionDetails


# ------------------------------------------------------------------ wire models: responses


class Message(CamelWireResponse):
    code: str | None = None
    text: str | None = None


class Messages(CamelWireResponse):
    result_code: str  # Ok | Error
    message: list[Message] = Field(default_factory=list)


class TransactionMessage(CamelWireResponse):
    code: str | None = None
    description: str | None = None


class TransactionError(CamelWireResponse):
    error_code: str | None = None
    error_text: str | None = None


class TransactionResponse(CamelWireResponse):
    response_code: str | None = None  # 1 approved, 2 declined, 3 error, 4 held for review
    auth_code: str | None = None
    avs_result_code: str | None = None
    cvv_result_code: str | None = None
    cavv_result_code: str | None = None
    trans_id: str | None = None
    ref_trans_id: str | None = Field(default=None, validation_alias=AliasChoices("refTransID", "refTransId"))
    test_request: str | None = None
    account_number: Secret[str] | None = None  # XXXX1111: masked by the provider, kept masked here
    account_type: str | None = None
    messages: list[TransactionMessage] = Field(default_factory=list)
    errors: list[TransactionError] = Field(default_factory=list)
    network_trans_id: str | None = None


class CreateTransactionResponse(CamelWireResponse):
    transaction_response: TransactionResponse | None = None
    ref_id: str | None = None
    messages: Messages


class DetailOrder(CamelWireResponse):
    invoice_number: str | None = None
    description: str | None = None


class TransactionDetail(CamelWireResponse):
    trans_id: str | None = None
    ref_trans_id: str | None = None
    transaction_type: str | None = None
    transaction_status: str | None = None
    response_code: int | str | None = None
    response_reason_code: int | str | None = None
    response_reason_description: str | None = None
    auth_amount: str | None = None  # the JSON number's exact digits, read by the amount converter
    settle_amount: str | None = None
    order: DetailOrder | None = None
    network_trans_id: str | None = None

    @field_validator("auth_amount", "settle_amount", mode="before")
    @classmethod
    def _exact_digits(cls, value: Any) -> Any:
        # the harness reads JSON numbers as Decimal; keep their digits as text, never a float
        if isinstance(value, float):
            raise ValueError("a float is never an amount")
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format(value, "f")
        return value


class GetTransactionDetailsResponse(CamelWireResponse):
    transaction: TransactionDetail | None = None
    ref_id: str | None = None
    messages: Messages


# ------------------------------------------------------------------ status tables

# transactionResponse.responseCode
APPROVED, DECLINED, ERROR, HELD_FOR_REVIEW = "1", "2", "3", "4"
RESPONSE_CODES_KNOWN = frozenset({APPROVED, DECLINED, ERROR, HELD_FOR_REVIEW})

# transaction.transactionStatus (getTransactionDetails) for a payment
TRANSACTION_STATUS: dict[str, AttemptStatus] = {
    "authorizedPendingCapture": AttemptStatus.AUTHORIZED,
    "capturedPendingSettlement": AttemptStatus.CHARGED,
    "settledSuccessfully": AttemptStatus.CHARGED,
    "voided": AttemptStatus.VOIDED,
    "declined": AttemptStatus.AUTHORIZATION_FAILED,
    "expired": AttemptStatus.EXPIRED,  # authorized, never captured within 30 days
    "couldNotVoid": AttemptStatus.VOID_FAILED,
    "generalError": AttemptStatus.FAILURE,
    "communicationError": AttemptStatus.FAILURE,  # rejected by the processor; final
    "failedReview": AttemptStatus.FAILURE,  # final status of a transaction that failed review
    # not final: review, settlement trouble, split-tender orders, refunds, legacy states
    "settlementError": AttemptStatus.PENDING,  # the day's batch was rejected; may be recovered
    "FDSPendingReview": AttemptStatus.PENDING,  # held by fraud filters before authorization
    "FDSAuthorizedPendingReview": AttemptStatus.PENDING,  # authorized, held by fraud filters
    "underReview": AttemptStatus.PENDING,
    "approvedReview": AttemptStatus.PENDING,
    "authorizedPendingRelease": AttemptStatus.PENDING,  # part of a split-tender order
    "refundPendingSettlement": AttemptStatus.PENDING,  # the transaction is a refund, not a payment
    "refundSettledSuccessfully": AttemptStatus.PENDING,
    "pendingFinalSettlement": AttemptStatus.PENDING,
    "pendingSettlement": AttemptStatus.PENDING,
    "updatingSettlement": AttemptStatus.PENDING,
    "returnedItem": AttemptStatus.PENDING,  # eCheck returns only: a card payment never shows it
    "chargeback": AttemptStatus.PENDING,
    "chargebackReversal": AttemptStatus.PENDING,
}

# transaction.transactionStatus for a refund transaction
REFUND_TRANSACTION_STATUS: dict[str, RefundStatus] = {
    "refundPendingSettlement": RefundStatus.PENDING,
    "refundSettledSuccessfully": RefundStatus.SUCCESS,
    "declined": RefundStatus.FAILURE,
    "voided": RefundStatus.FAILURE,  # a voided refund is never sent for settlement
    "generalError": RefundStatus.FAILURE,
    "communicationError": RefundStatus.FAILURE,
    "failedReview": RefundStatus.FAILURE,
    "FDSPendingReview": RefundStatus.MANUAL_REVIEW,
    "FDSAuthorizedPendingReview": RefundStatus.MANUAL_REVIEW,
    "underReview": RefundStatus.MANUAL_REVIEW,
    "approvedReview": RefundStatus.PENDING,
    "couldNotVoid": RefundStatus.PENDING,
    "settlementError": RefundStatus.PENDING,
    "expired": RefundStatus.PENDING,  # expiry is of authorizations: on a refund it proves nothing final
}

# AVS and card code (CVV) result codes, as the API reference describes them
AVS_RESULTS: dict[str, str] = {
    "A": "street address matched, postal code did not",
    "B": "address information not provided",
    "E": "AVS error",
    "G": "non-U.S. card issuing bank",
    "N": "neither street address nor postal code matched",
    "P": "AVS not applicable for this transaction",
    "R": "retry, AVS unavailable or timed out",
    "S": "AVS not supported by the card issuer",
    "U": "address information unavailable",
    "W": "nine-digit ZIP matched, street address did not",
    "X": "street address and nine-digit ZIP matched",
    "Y": "street address and five-digit ZIP matched",
    "Z": "five-digit ZIP matched, street address did not",
}
CVV_RESULTS: dict[str, str] = {
    "M": "card code matched",
    "N": "card code did not match",
    "P": "card code not processed",
    "S": "card code should be on the card but was not indicated",
    "U": "card code issuer unable to process",
}
AVS_OK = frozenset({"Y", "X", "P", ""})
CVV_OK = frozenset({"M", "P", ""})


# ------------------------------------------------------------------ request transforms


def merchant_authentication(auth: ConnectorAuthType) -> MerchantAuthentication:
    body_key = credentials(auth, BodyKey)  # api_key is the API login ID, key1 the transaction key
    return MerchantAuthentication(name=body_key.api_key, transaction_key=body_key.key1)


def expiration_date(rd: AuthorizeRouterData) -> Secret[str]:
    card = rd.request.payment_method_data
    year, month = card.exp_year_four_digits().expose(), card.exp_month_two_digits().expose()
    return Secret(f"{year}-{month}")


def bill_to(rd: AuthorizeRouterData) -> BillTo | None:
    address = rd.request.billing_address
    if address is None:
        return None
    return BillTo(
        first_name=address.first_name,
        last_name=address.last_name,
        address=address.line1,
        city=address.city,
        state=address.state,
        zip=address.zip,
        country=address.country,
    )


def authorize_request(rd: AuthorizeRouterData, ctx: RequestContext) -> CreateTransactionRequest:
    request = rd.request
    card = request.payment_method_data
    reference = rd.resource_common_data.connector_request_reference_id
    description = request.description
    manual = request.capture_method is CaptureMethod.MANUAL
    return CreateTransactionRequest(
        create_transaction_request=CreateTransaction(
            merchant_authentication=merchant_authentication(ctx.auth),
            ref_id=reference,
            transaction_request=TransactionRequest(
                transaction_type="authOnlyTransaction" if manual else "authCaptureTransaction",
                amount=ctx.amount(request.amount, request.currency),
                currency_code=request.currency.value,
                payment=Payment(
                    credit_card=CreditCard(
                        card_number=card.card_number,
                        expiration_date=expiration_date(rd),
                        card_code=card.card_cvc,
                    )
                ),
                order=Order(
                    invoice_number=fitting(reference, INVOICE_NUMBER_MAX, field="order.invoiceNumber"),
                    description=fitting(description, DESCRIPTION_MAX, field="order.description")
                    if description
                    else None,
                ),
                customer=Customer(email=request.email) if request.email is not None else None,
                bill_to=bill_to(rd),
            ),
        )
    )


def capture_request(rd: CaptureRouterData, ctx: RequestContext) -> CreateTransactionRequest:
    request = rd.request
    return CreateTransactionRequest(
        create_transaction_request=CreateTransaction(
            merchant_authentication=merchant_authentication(ctx.auth),
            ref_id=rd.resource_common_data.connector_request_reference_id,
            transaction_request=TransactionRequest(
                transaction_type="priorAuthCaptureTransaction",
                amount=ctx.amount(request.amount_to_capture, request.currency, field="amount_to_capture"),
                ref_trans_id=transaction_id(request.connector_transaction_id),
            ),
        )
    )


def void_request(rd: VoidRouterData, ctx: RequestContext) -> CreateTransactionRequest:
    return CreateTransactionRequest(
        create_transaction_request=CreateTransaction(
            merchant_authentication=merchant_authentication(ctx.auth),
            ref_id=rd.resource_common_data.connector_request_reference_id,
            transaction_request=TransactionRequest(
                transaction_type="voidTransaction",
                ref_trans_id=transaction_id(rd.request.connector_transaction_id),
            ),
        )
    )


def refund_request(rd: RefundRouterData, ctx: RequestContext) -> CreateTransactionRequest:
    """A linked refund: the original transaction id, the card's last four digits, expiry "XXXX"."""
    request = rd.request
    last4 = request.connector_metadata.get("card_last4")
    if not isinstance(last4, str) or len(last4) != 4 or not last4.isdigit():
        raise MissingRequiredFieldError(
            "connector_metadata.card_last4",
            hint="a refund names the card's last four digits, which the authorization answer carries",
        )
    return CreateTransactionRequest(
        create_transaction_request=CreateTransaction(
            merchant_authentication=merchant_authentication(ctx.auth),
            ref_id=rd.resource_common_data.connector_request_reference_id,
            transaction_request=TransactionRequest(
                transaction_type="refundTransaction",
                amount=ctx.amount(request.refund_amount, request.currency, field="refund_amount"),
                currency_code=request.currency.value,
                payment=Payment(
                    credit_card=CreditCard(card_number=Secret(last4), expiration_date=Secret("XXXX"))
                ),
                ref_trans_id=transaction_id(request.connector_transaction_id),
            ),
        )
    )


def psync_request(rd: PSyncRouterData, ctx: RequestContext) -> GetTransactionDetailsRequest:
    return GetTransactionDetailsRequest(
        get_transaction_details_request=TransactionDetails(
            merchant_authentication=merchant_authentication(ctx.auth),
            trans_id=transaction_id(rd.request.connector_transaction_id),
        )
    )


def rsync_request(rd: RSyncRouterData, ctx: RequestContext) -> GetTransactionDetailsRequest:
    return GetTransactionDetailsRequest(
        get_transaction_details_request=TransactionDetails(
            merchant_authentication=merchant_authentication(ctx.auth),
            trans_id=transaction_id(rd.request.connector_refund_id, field="connector_refund_id"),
        )
    )


def transaction_id(value: str, *, field: str = "connector_transaction_id") -> str:
    if not value:
        raise MissingRequiredFieldError(field)
    return value


# ------------------------------------------------------------------ response helpers


def first_message(messages: Messages) -> tuple[str, str]:
    for message in messages.message:
        if message.code or message.text:
            return message.code or f"resultCode_{messages.result_code}", message.text or ""
    return f"resultCode_{messages.result_code}", "Authorize.net answered without a message"


def card_checks(tr: TransactionResponse) -> str | None:
    """The AVS and card code results that explain a decline, in words."""
    parts = []
    avs, cvv = tr.avs_result_code or "", tr.cvv_result_code or ""
    if avs not in AVS_OK:
        parts.append(f"AVS {avs}: {AVS_RESULTS.get(avs, 'unknown AVS result')}")
    if cvv not in CVV_OK:
        parts.append(f"card code {cvv}: {CVV_RESULTS.get(cvv, 'unknown card code result')}")
    return "; ".join(parts) or None


def real_id(value: str | None) -> str | None:
    """A transaction id, or None for the empty and "0" ids of test-mode and failed requests."""
    return value if value and value != "0" else None


def transaction_error(tr: TransactionResponse | None, messages: Messages) -> tuple[str, str, str | None]:
    """(code, message, reason) of a failed answer: the transaction's own error first."""
    top_code, top_text = first_message(messages)
    if tr is not None:
        for error in tr.errors:
            if error.error_code or error.error_text:
                reason = card_checks(tr) or (f"{top_code}: {top_text}" if top_text else top_code)
                return error.error_code or top_code, error.error_text or top_text, reason
    return top_code, top_text, None


def error_from_body(
    body: CreateTransactionResponse | GetTransactionDetailsResponse,
    ctx: ResponseContext,
    *,
    attempt: AttemptStatus | None = None,
    refund: RefundStatus | None = None,
) -> ErrorResponse:
    tr = body.transaction_response if isinstance(body, CreateTransactionResponse) else None
    code, message, reason = transaction_error(tr, body.messages)
    return ErrorResponse(
        code=code,
        message=message,
        reason=reason,
        status_code=ctx.status_code,
        attempt_status=attempt,
        refund_status=refund,
        connector_transaction_id=real_id(tr.trans_id) if tr is not None else None,
    )


def transaction_of(body: CreateTransactionResponse) -> TransactionResponse | None:
    tr = body.transaction_response
    return tr if tr is not None and tr.response_code is not None else None


def ensure_about(tr: TransactionResponse, transaction: str) -> None:
    """A capture, void or refund answer names the transaction it acted on in refTransID."""
    if transaction and tr.ref_trans_id and tr.ref_trans_id != transaction:
        raise ResponseHandlingError("the answer is about another transaction", field="refTransID")


def attempt_failure(flow: Flow, response_code: str) -> AttemptStatus:
    return failed_attempt(flow, card_refused=response_code != ERROR) or AttemptStatus.FAILURE


def payment_result(
    body: CreateTransactionResponse, ctx: ResponseContext, approved: AttemptStatus, fallback_id: str | None
) -> PaymentsResponseData | ErrorResponse:
    """The result of a createTransaction answer for a payment flow (not a refund)."""
    tr = transaction_of(body)
    if tr is None or tr.response_code is None:
        if body.messages.result_code != "Ok":
            return error_from_body(body, ctx, attempt=attempt_failure(ctx.flow, ERROR))
        raise ResponseHandlingError(
            "an Ok answer without transactionResponse.responseCode", field="transactionResponse"
        )
    code = tr.response_code
    if code in (DECLINED, ERROR):
        return error_from_body(body, ctx, attempt=attempt_failure(ctx.flow, code))
    status = approved if code == APPROVED else AttemptStatus.PENDING  # held for review, or unknown
    metadata: dict[str, Any] = {}
    last4 = tr.account_number.expose()[-4:] if tr.account_number is not None else ""
    if last4.isdigit() and len(last4) == 4:
        metadata["card_last4"] = last4
    if tr.avs_result_code:
        metadata["avs_result_code"] = tr.avs_result_code
    if tr.cvv_result_code:
        metadata["cvv_result_code"] = tr.cvv_result_code
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=real_id(tr.trans_id) or fallback_id,
        connector_response_reference_id=body.ref_id,
        network_txn_id=tr.network_trans_id or None,
        raw_status=code,
        connector_metadata=metadata,
        status_code=ctx.status_code,
    )


# ------------------------------------------------------------------ response transforms


def authorize_response(
    body: CreateTransactionResponse, rd: AuthorizeRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    manual = rd.request.capture_method is CaptureMethod.MANUAL
    approved = AttemptStatus.AUTHORIZED if manual else AttemptStatus.CHARGED
    return payment_result(body, ctx, approved, None)


def capture_response(
    body: CreateTransactionResponse, rd: CaptureRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    transaction = rd.request.connector_transaction_id
    tr = transaction_of(body)
    if tr is not None:
        ensure_about(tr, transaction)
    # A prior-auth capture for less than the authorization settles that amount and releases the rest.
    approved = AttemptStatus.PARTIAL_CHARGED if rd.request.is_partial else AttemptStatus.CHARGED
    result = payment_result(body, ctx, approved, transaction)
    if isinstance(result, PaymentsResponseData) and result.status is AttemptStatus.PARTIAL_CHARGED:
        return result.model_copy(update={"amount_captured": rd.request.amount_to_capture})
    return result


def void_response(
    body: CreateTransactionResponse, rd: VoidRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    transaction = rd.request.connector_transaction_id
    tr = transaction_of(body)
    if tr is not None:
        ensure_about(tr, transaction)
    return payment_result(body, ctx, AttemptStatus.VOIDED, transaction)


def refund_response(
    body: CreateTransactionResponse, rd: RefundRouterData, ctx: ResponseContext
) -> RefundsResponseData | ErrorResponse:
    tr = transaction_of(body)
    if tr is None or tr.response_code is None:
        if body.messages.result_code != "Ok":
            return error_from_body(body, ctx, refund=RefundStatus.FAILURE)
        raise ResponseHandlingError(
            "an Ok answer without transactionResponse.responseCode", field="transactionResponse"
        )
    ensure_about(tr, rd.request.connector_transaction_id)
    code = tr.response_code
    if code in (DECLINED, ERROR):
        return error_from_body(body, ctx, refund=RefundStatus.FAILURE)
    refund_id = real_id(tr.trans_id)
    if refund_id is None:
        raise ResponseHandlingError("an accepted refund without a transaction id", field="transId")
    # An approved refund is a new transaction in refundPendingSettlement until the daily batch; one
    # held for review waits for the merchant's decision in the fraud filters.
    return RefundsResponseData(
        connector_refund_id=refund_id,
        refund_status=RefundStatus.MANUAL_REVIEW if code == HELD_FOR_REVIEW else RefundStatus.PENDING,
        raw_status=code,
        status_code=ctx.status_code,
    )


def detail_amount(value: str | None, currency: Currency | None, ctx: ResponseContext, field: str) -> Any:
    if value is None or currency is None:
        return None
    return ctx.amount_back(value, currency, field=field)


def checked_detail(
    body: GetTransactionDetailsResponse, transaction: str, ctx: ResponseContext
) -> TransactionDetail | None:
    detail = body.transaction
    if body.messages.result_code != "Ok" or detail is None:
        return None
    if transaction and detail.trans_id is not None and detail.trans_id != transaction:
        raise ResponseHandlingError("the details are of another transaction", field="transaction.transId")
    return detail


def psync_response(
    body: GetTransactionDetailsResponse, rd: PSyncRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    request = rd.request
    detail = checked_detail(body, request.connector_transaction_id, ctx)
    if detail is None:
        return error_from_body(body, ctx)
    if detail.transaction_type == "refundTransaction":
        raise ResponseHandlingError("the transaction is a refund, not a payment", field="transactionType")
    raw = detail.transaction_status
    status = status_from_table(raw, TRANSACTION_STATUS, unknown=AttemptStatus.PENDING)
    # getTransactionDetails states no currency: amounts are read in the one the request expects.
    currency = request.currency
    captured = None
    if status is AttemptStatus.CHARGED:
        captured = detail_amount(detail.settle_amount, currency, ctx, "settleAmount")
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=detail.trans_id or request.connector_transaction_id,
        connector_response_reference_id=detail.order.invoice_number if detail.order else None,
        network_txn_id=detail.network_trans_id or None,
        amount=detail_amount(detail.auth_amount, currency, ctx, "authAmount"),
        amount_captured=captured,
        amount_capturable=detail_amount(detail.auth_amount, currency, ctx, "authAmount")
        if status is AttemptStatus.AUTHORIZED
        else None,
        raw_status=raw,
        status_code=ctx.status_code,
    )


def rsync_response(
    body: GetTransactionDetailsResponse, rd: RSyncRouterData, ctx: ResponseContext
) -> RefundsResponseData | ErrorResponse:
    request = rd.request
    detail = checked_detail(body, request.connector_refund_id, ctx)
    if detail is None:
        return error_from_body(body, ctx)
    if detail.transaction_type is not None and detail.transaction_type != "refundTransaction":
        raise ResponseHandlingError("the transaction is not a refund", field="transactionType")
    raw = detail.transaction_status
    value = detail.settle_amount if detail.settle_amount is not None else detail.auth_amount
    return RefundsResponseData(
        connector_refund_id=detail.trans_id or request.connector_refund_id,
        refund_status=status_from_table(raw, REFUND_TRANSACTION_STATUS, unknown=RefundStatus.PENDING),
        amount=detail_amount(value, request.currency, ctx, "settleAmount"),
        raw_status=raw,
        status_code=ctx.status_code,
    )


# ------------------------------------------------------------------ errors


def error_response(response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
    """A non-2xx answer (Authorize.net answers 200 even for errors; this is a proxy or outage)."""
    try:
        body = CreateTransactionResponse.model_validate(response.decoded())
    except ValueError:
        return ErrorResponse(
            code=f"HTTP_{response.status_code}",
            message="Authorize.net answered without a messages object",
            status_code=response.status_code,
        )
    return error_from_body(body, ctx)
