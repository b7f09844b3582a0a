"""PayPal wire models and the pure transforms between them and the router data.

Facts from PayPal's public REST reference and guides (provenance in each section):
OAuth 2.0 client credentials (https://developer.paypal.com/api/rest/authentication/), Orders v2
(https://developer.paypal.com/docs/api/orders/v2/), Payments v2
(https://developer.paypal.com/docs/api/payments/v2/), the error object
(https://developer.paypal.com/api/rest/responses/), the currency codes page
(https://developer.paypal.com/reference/currency-codes) and the card-testing guide
(https://developer.paypal.com/tools/sandbox/card-testing/). JSON bodies; amounts are decimal
strings in major units (`"10.00"`, `"1000"` for JPY).

Which id is which. PayPal creates an *order* (a checkout container) and, inside it, a payment:
an *authorization* (intent AUTHORIZE) or a *capture* (intent CAPTURE, or after capturing an
authorization). `connector_transaction_id` is the PayPal payment transaction id: the
authorization id while the payment is only authorized, the capture id once it is captured (the
"Transaction ID" PayPal shows the merchant). Every id later flows need travels in
`PaymentsResponseData.connector_metadata` under `order_id`, `authorization_id` and `capture_id`;
flows read the metadata first and fall back to `connector_transaction_id` when a caller kept
only that one id.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import Field

from harness.domain import (
    AccessTokenResponseData,
    AttemptStatus,
    BodyKey,
    CaptureMethod,
    ConnectorAuthType,
    Currency,
    CurrencyRule,
    ErrorResponse,
    Flow,
    InvalidDataError,
    MinorUnit,
    MissingRequiredFieldError,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseHandlingError,
    Secret,
    StringMajorUnitConverter,
    table_for,
)
from harness.domain.payment_method import Card
from harness.domain.router_data import (
    AccessTokenRouterData,
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
from harness.integration.wire import WireRequest, WireResponse

# ------------------------------------------------------------------ money
# The connector sends card payments only, so the card table decides what is supported:
# https://developer.paypal.com/docs/checkout/advanced/eligibility ("Expanded Checkout payments are
# available for 37 countries and 22 currencies"). The general currency-codes page
# (https://developer.paypal.com/reference/currency-codes) adds CNY and MYR, which are for
# in-country PayPal accounts and are not in the card table, so they are left out (and so is RUB).
# The currency-codes page marks HUF, JPY and TWD "This currency does not support decimals. If you
# pass a decimal amount, an error occurs" (DECIMALS_NOT_SUPPORTED). Every other listed currency has
# two decimals in ISO 4217 and at PayPal ("only two decimal place precision is supported":
# DECIMAL_PRECISION). Orders v2 refuses amounts above 999999999999999.99 (422 MAX_VALUE_EXCEEDED)
# and amounts of zero (CANNOT_BE_ZERO_OR_NEGATIVE), both in the published spec's 422 issues.

CURRENCY_SOURCE = "https://developer.paypal.com/docs/checkout/advanced/eligibility"

PAYPAL_SUPPORTED = (
    Currency.AUD, Currency.BRL, Currency.CAD, Currency.CZK, Currency.DKK, Currency.EUR,
    Currency.HKD, Currency.HUF, Currency.ILS, Currency.JPY, Currency.MXN, Currency.TWD,
    Currency.NZD, Currency.NOK, Currency.PHP, Currency.PLN, Currency.GBP, Currency.SGD, Currency.SEK,
    Currency.CHF, Currency.THB, Currency.USD,
)  # fmt: skip

MAX_TWO_DECIMALS = 99_999_999_999_999_999  # 999999999999999.99 in cents
MAX_ZERO_DECIMALS = 999_999_999_999_999  # 999999999999999 whole units

PAYPAL_CURRENCIES = table_for(
    # HUF and TWD have two decimals in ISO 4217; PayPal refuses any fraction.
    (
        [Currency.HUF, Currency.TWD],
        CurrencyRule(
            exponent=0,
            maximum=MAX_ZERO_DECIMALS,
            note="zero-digit at PayPal (ISO: 2): no decimal places or fractions",
        ),
    ),
    # JPY is zero-decimal in ISO 4217 as well; the row states PayPal's own limit for it.
    (
        [Currency.JPY],
        CurrencyRule(exponent=0, maximum=MAX_ZERO_DECIMALS, note="zero-digit at PayPal, as in ISO"),
    ),
    supported=PAYPAL_SUPPORTED,
    default=CurrencyRule(
        minimum=1,
        maximum=MAX_TWO_DECIMALS,
        note="greater than zero, at most 999999999999999.99",
    ),
    source=CURRENCY_SOURCE,
)

PAYPAL_AMOUNTS = StringMajorUnitConverter(PAYPAL_CURRENCIES)

# ------------------------------------------------------------------ wire models: requests


class PaypalTokenRequest(WireRequest):
    grant_type: str


class PaypalMoneyRequest(WireRequest):
    currency_code: str
    value: str


class PaypalCardRequest(WireRequest):
    number: Secret[str]
    expiry: Secret[str]  # YYYY-MM
    security_code: Secret[str]
    name: Secret[str] | None = None


class PaypalPaymentSource(WireRequest):
    card: PaypalCardRequest


class PaypalPurchaseUnitRequest(WireRequest):
    reference_id: str
    invoice_id: str
    amount: PaypalMoneyRequest
    description: str | None = None
    soft_descriptor: str | None = None


class PaypalOrderRequest(WireRequest):
    intent: str  # CAPTURE or AUTHORIZE
    purchase_units: list[PaypalPurchaseUnitRequest]
    payment_source: PaypalPaymentSource


class PaypalCaptureRequest(WireRequest):
    amount: PaypalMoneyRequest
    final_capture: bool = True


class PaypalRefundRequest(WireRequest):
    amount: PaypalMoneyRequest
    invoice_id: str
    note_to_payer: str | None = None


# ------------------------------------------------------------------ wire models: responses


class PaypalMoney(WireResponse):
    currency_code: str
    value: str


class PaypalProcessorResponse(WireResponse):
    avs_code: str | None = None
    cvv_code: str | None = None
    response_code: str | None = None
    payment_advice_code: str | None = None


class PaypalRelatedIds(WireResponse):
    order_id: str | None = None
    authorization_id: str | None = None
    capture_id: str | None = None


class PaypalSupplementaryData(WireResponse):
    related_ids: PaypalRelatedIds | None = None


class PaypalStatusDetails(WireResponse):
    reason: str | None = None


class PaypalLink(WireResponse):
    href: str
    rel: str
    method: str | None = None


class PaypalPayment(WireResponse):
    """An authorization or a capture, as Payments v2 and the order's `payments` show it."""

    id: str
    status: str
    amount: PaypalMoney | None = None
    final_capture: bool | None = None
    invoice_id: str | None = None
    processor_response: PaypalProcessorResponse | None = None
    status_details: PaypalStatusDetails | None = None
    supplementary_data: PaypalSupplementaryData | None = None
    links: list[PaypalLink] = Field(default_factory=list)


class PaypalPaymentCollection(WireResponse):
    authorizations: list[PaypalPayment] = Field(default_factory=list)
    captures: list[PaypalPayment] = Field(default_factory=list)


class PaypalPurchaseUnit(WireResponse):
    reference_id: str | None = None
    invoice_id: str | None = None
    amount: PaypalMoney | None = None
    payments: PaypalPaymentCollection | None = None


class PaypalOrder(WireResponse):
    id: str
    status: str
    intent: str | None = None
    purchase_units: list[PaypalPurchaseUnit] = Field(default_factory=list)


class PaypalVoidResponse(WireResponse):
    """An authorization (200 with `Prefer: return=representation`) or nothing (204)."""

    id: str | None = None
    status: str | None = None
    amount: PaypalMoney | None = None


class PaypalSyncResponse(WireResponse):
    """What PSync reads: an authorization, a capture or an order, by what was asked for."""

    id: str
    status: str
    amount: PaypalMoney | None = None
    intent: str | None = None
    purchase_units: list[PaypalPurchaseUnit] = Field(default_factory=list)
    processor_response: PaypalProcessorResponse | None = None
    supplementary_data: PaypalSupplementaryData | None = None


class PaypalRefund(WireResponse):
    id: str
    status: str
    amount: PaypalMoney | None = None
    invoice_id: str | None = None
    status_details: PaypalStatusDetails | None = None
    links: list[PaypalLink] = Field(default_factory=list)


class PaypalTokenResponse(WireResponse):
    access_token: Secret[str]
    token_type: str | None = None
    expires_in: int | None = Field(default=None, ge=0)
    app_id: str | None = None
    scope: str | None = None


class PaypalErrorDetail(WireResponse):
    issue: str | None = None
    description: str | None = None
    field: str | None = None
    location: str | None = None
    # `value` (the offending value) is deliberately not read: it may echo card data.


class PaypalError(WireResponse):
    name: str | None = None
    message: str | None = None
    debug_id: str | None = None
    details: list[PaypalErrorDetail] = Field(default_factory=list)
    # OAuth errors of /v1/oauth2/token have another shape
    error: str | None = None
    error_description: str | None = None


# ------------------------------------------------------------------ status tables
# Enums from the Orders v2 and Payments v2 references.

ORDER_STATUS: dict[str, AttemptStatus] = {
    "CREATED": AttemptStatus.PENDING,  # created, the payment source not yet used
    "SAVED": AttemptStatus.PENDING,
    "APPROVED": AttemptStatus.AUTHENTICATION_SUCCESSFUL,  # payer approved; merchant must act
    "PAYER_ACTION_REQUIRED": AttemptStatus.AUTHENTICATION_PENDING,  # 3-D Secure or similar
    "VOIDED": AttemptStatus.VOIDED,
    # COMPLETED means "authorized, captured or declined" (order_status reference): the payment
    # inside decides. Without a readable payment the outcome is final but unknown until a sync.
    "COMPLETED": AttemptStatus.UNRESOLVED,
}

# Only a COMPLETED order has a payment whose status is the payment's outcome; any other order
# status (payer action, approval, void) decides on its own.
ORDER_WITH_OUTCOME = "COMPLETED"

AUTHORIZATION_STATUS: dict[str, AttemptStatus] = {
    "CREATED": AttemptStatus.AUTHORIZED,
    "CAPTURED": AttemptStatus.CHARGED,
    # every capture this connector sends is final_capture=true: the remainder is released
    "PARTIALLY_CAPTURED": AttemptStatus.PARTIAL_CHARGED,
    "DENIED": AttemptStatus.AUTHORIZATION_FAILED,
    "VOIDED": AttemptStatus.VOIDED,
    "PENDING": AttemptStatus.AUTHORIZING,  # not final yet: status_details.reason PENDING_REVIEW
    "EXPIRED": AttemptStatus.EXPIRED,  # listed by older references; kept for old authorizations
}

CAPTURE_STATUS: dict[str, AttemptStatus] = {
    "COMPLETED": AttemptStatus.CHARGED,
    "DECLINED": AttemptStatus.FAILURE,
    "FAILED": AttemptStatus.FAILURE,
    "PENDING": AttemptStatus.PENDING,  # e.g. PENDING_REVIEW, ECHECK
    # refunds are tracked on their own: the payment itself was charged
    "PARTIALLY_REFUNDED": AttemptStatus.CHARGED,
    "REFUNDED": AttemptStatus.CHARGED,
}

REFUND_STATUS: dict[str, RefundStatus] = {
    "COMPLETED": RefundStatus.SUCCESS,
    "PENDING": RefundStatus.PENDING,
    "FAILED": RefundStatus.FAILURE,
    "CANCELLED": RefundStatus.FAILURE,
}

DECLINED_AUTHORIZATION = frozenset({"DENIED"})
DECLINED_CAPTURE = frozenset({"DECLINED", "FAILED"})
# DECLINED is the issuer refusing the card (sandbox CCREJECT-* triggers); FAILED is "an error
# while capturing payment", a processing failure rather than a refused card.
REFUSED_CAPTURE = frozenset({"DECLINED"})

# processor_response.response_code values (Orders v2 `processor_response` enum) with PayPal's
# names for them; the codes the sandbox's CCREJECT-* triggers return are documented in the
# card-testing guide. An unlisted code is kept as received.
PROCESSOR_CODES: dict[str, str] = {
    "0000": "APPROVED",
    "00N7": "CVV2_FAILURE_POSSIBLE_RETRY_WITH_CVV",
    "0100": "REFERRAL",
    "0390": "ACCOUNT_NOT_FOUND",
    "0500": "DO_NOT_HONOR",
    "0580": "UNAUTHORIZED_TRANSACTION",
    "0800": "BAD_RESPONSE_REVERSAL_REQUIRED",
    "0880": "CRYPTOGRAPHIC_FAILURE",
    "0890": "UNACCEPTABLE_PIN",
    "0960": "SYSTEM_MALFUNCTION",
    "0R00": "CANCELLED_PAYMENT",
    "1000": "PARTIAL_AUTHORIZATION",
    "10BR": "ISSUER_REJECTED",
    "1300": "INVALID_DATA_FORMAT",
    "1310": "INVALID_AMOUNT",
    "1312": "INVALID_TRANSACTION_CARD_ISSUER_ACQUIRER",
    "1317": "INVALID_CAPTURE_DATE",
    "1320": "INVALID_CURRENCY_CODE",
    "1330": "INVALID_ACCOUNT",
    "1335": "INVALID_ACCOUNT_RECURRING",
    "1340": "INVALID_TERMINAL",
    "1350": "INVALID_MERCHANT",
    "1360": "BAD_PROCESSING_CODE",
    "1370": "INVALID_MCC",
    "1380": "INVALID_EXPIRATION",
    "1382": "INVALID_CARD_VERIFICATION_VALUE",
    "1384": "INVALID_LIFE_CYCLE_OF_TRANSACTION",
    "1390": "INVALID_ORDER",
    "1393": "TRANSACTION_CANNOT_BE_COMPLETED",
    "5100": "GENERIC_DECLINE",
    "5110": "CVV2_FAILURE",
    "5120": "INSUFFICIENT_FUNDS",
    "5130": "INVALID_PIN",
    "5135": "DECLINED_PIN_TRY_EXCEEDED",
    "5140": "CARD_CLOSED",
    "5150": "PICKUP_CARD_SPECIAL_CONDITIONS",
    "5160": "UNAUTHORIZED_USER",
    "5170": "AVS_FAILURE",
    "5180": "INVALID_OR_RESTRICTED_CARD",
    "5190": "SOFT_AVS",
    "5200": "DUPLICATE_TRANSACTION",
    "5210": "INVALID_TRANSACTION",
    "5400": "EXPIRED_CARD",
    "5500": "INCORRECT_PIN_REENTER",
    "5650": "DECLINED_SCA_REQUIRED",
    "5700": "TRANSACTION_NOT_PERMITTED",
    "5710": "TX_ATTEMPTS_EXCEED_LIMIT",
    "5800": "REVERSAL_REJECTED",
    "5900": "INVALID_ISSUE",
    "5910": "ISSUER_NOT_AVAILABLE_NOT_RETRIABLE",
    "5920": "ISSUER_NOT_AVAILABLE_RETRIABLE",
    "5930": "CARD_NOT_ACTIVATED",
    "6300": "ACCOUNT_NOT_ON_FILE",
    "7600": "APPROVED_NON_CAPTURE",
    "7700": "ERROR_3DS",
    "7710": "AUTHENTICATION_FAILED",
    "7800": "BIN_ERROR",
    "7900": "PIN_ERROR",
    "8000": "PROCESSOR_SYSTEM_ERROR",
    "8010": "HOST_KEY_ERROR",
    "8020": "CONFIGURATION_ERROR",
    "8030": "UNSUPPORTED_OPERATION",
    "8100": "FATAL_COMMUNICATION_ERROR",
    "8110": "RETRIABLE_COMMUNICATION_ERROR",
    "8220": "SYSTEM_UNAVAILABLE",
    "9100": "DECLINED_PLEASE_RETRY",
    "9500": "SUSPECTED_FRAUD",
    "9510": "SECURITY_VIOLATION",
    "9520": "LOST_OR_STOLEN",
    "9530": "HOLD_CALL_CENTER",
    "9540": "REFUSED_CARD",
    "9600": "UNRECOGNIZED_RESPONSE_CODE",
}

# ------------------------------------------------------------------ ids and metadata

ORDER_ID = "order_id"
AUTHORIZATION_ID = "authorization_id"
CAPTURE_ID = "capture_id"


def meta_id(metadata: dict[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    return value if isinstance(value, str) and value else None


def authorization_id_for(request: Any, *, action: str) -> str:
    """The authorization a Capture or Void acts on: from the metadata, else the transaction id."""
    metadata = request.connector_metadata
    found = meta_id(metadata, AUTHORIZATION_ID)
    if found:
        return found
    if meta_id(metadata, CAPTURE_ID):
        raise InvalidDataError(
            f"there is no PayPal authorization to {action}: the payment was captured when the order "
            "was created (intent CAPTURE)",
            field="connector_metadata.authorization_id",
            hint="refund the capture instead" if action == "void" else "it is captured already",
        )
    if not request.connector_transaction_id:
        raise MissingRequiredFieldError("connector_transaction_id")
    return str(request.connector_transaction_id)


def capture_id_for(request: Any) -> str:
    found = meta_id(request.connector_metadata, CAPTURE_ID)
    if found:
        return found
    if not request.connector_transaction_id:
        raise MissingRequiredFieldError("connector_transaction_id")
    return str(request.connector_transaction_id)


def sync_target(rd: PSyncRouterData) -> tuple[str, str]:
    """What PSync reads, as the payment's state requires: its capture, its authorization, or
    (when only the order exists, e.g. waiting for the payer) the order."""
    request = rd.request
    metadata = request.connector_metadata
    capture = meta_id(metadata, CAPTURE_ID)
    if capture:
        return "captures", capture
    authorization = meta_id(metadata, AUTHORIZATION_ID)
    if authorization:
        return "authorizations", authorization
    order = meta_id(metadata, ORDER_ID)
    if order:
        return "orders", order
    if not request.connector_transaction_id:
        raise MissingRequiredFieldError("connector_transaction_id")
    kind = "authorizations" if request.capture_method is CaptureMethod.MANUAL else "captures"
    return kind, str(request.connector_transaction_id)


def capture_path_params(rd: CaptureRouterData) -> dict[str, str]:
    return {"authorization_id": authorization_id_for(rd.request, action="capture")}


def void_path_params(rd: VoidRouterData) -> dict[str, str]:
    return {"authorization_id": authorization_id_for(rd.request, action="void")}


def refund_path_params(rd: RefundRouterData) -> dict[str, str]:
    return {"capture_id": capture_id_for(rd.request)}


def psync_path_params(rd: PSyncRouterData) -> dict[str, str]:
    kind, resource = sync_target(rd)
    api = "checkout" if kind == "orders" else "payments"
    return {"api": api, "collection": kind, "resource_id": resource}


# ------------------------------------------------------------------ credentials


def client_credentials(auth: ConnectorAuthType) -> tuple[Secret[str], Secret[str]]:
    """(client id, client secret). BodyKey as in UCS: key1 is the client id, api_key the secret."""
    body_key = credentials(auth, BodyKey)
    return body_key.key1, body_key.api_key


def basic_authorization(auth: ConnectorAuthType) -> str:
    client_id, client_secret = client_credentials(auth)
    pair = f"{client_id.expose()}:{client_secret.expose()}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


# ------------------------------------------------------------------ request transforms


def token_request(rd: AccessTokenRouterData, ctx: RequestContext) -> PaypalTokenRequest:
    return PaypalTokenRequest(grant_type=rd.request.grant_type)


def card_expiry(card: Card) -> Secret[str]:
    """`YYYY-MM`, the format Orders v2 documents; a month outside 01-12 cannot be written."""
    month = card.card_exp_month.expose()
    if not month.isdigit() or not 1 <= int(month) <= 12:
        raise InvalidDataError(
            "card expiry month must be 1 to 12 (PayPal takes the expiry as YYYY-MM)",
            field="payment_method_data.card_exp_month",
        )
    year = card.exp_year_four_digits()
    return Secret(f"{year.expose()}-{int(month):02d}")


def money(ctx: RequestContext, amount: MinorUnit, currency: Currency, *, field: str) -> PaypalMoneyRequest:
    return PaypalMoneyRequest(currency_code=currency.value, value=ctx.amount(amount, currency, field=field))


def authorize_request(rd: AuthorizeRouterData, ctx: RequestContext) -> PaypalOrderRequest:
    request = rd.request
    card = request.payment_method_data
    reference = rd.resource_common_data.connector_request_reference_id
    return PaypalOrderRequest(
        intent="AUTHORIZE" if request.capture_method is CaptureMethod.MANUAL else "CAPTURE",
        purchase_units=[
            PaypalPurchaseUnitRequest(
                reference_id=reference,
                invoice_id=reference,
                amount=money(ctx, request.amount, request.currency, field="amount"),
                description=request.description,
                soft_descriptor=request.statement_descriptor,
            )
        ],
        payment_source=PaypalPaymentSource(
            card=PaypalCardRequest(
                number=card.card_number,
                expiry=card_expiry(card),
                security_code=card.card_cvc,
                name=card.card_holder_name,
            )
        ),
    )


def capture_request(rd: CaptureRouterData, ctx: RequestContext) -> PaypalCaptureRequest:
    request = rd.request
    # One capture per payment, as UCS models it: final_capture releases any remainder.
    return PaypalCaptureRequest(
        amount=money(ctx, request.amount_to_capture, request.currency, field="amount_to_capture"),
        final_capture=True,
    )


def refund_request(rd: RefundRouterData, ctx: RequestContext) -> PaypalRefundRequest:
    request = rd.request
    return PaypalRefundRequest(
        amount=money(ctx, request.refund_amount, request.currency, field="refund_amount"),
        invoice_id=rd.resource_common_data.connector_request_reference_id,
        note_to_payer=request.reason,
    )


# ------------------------------------------------------------------ response helpers


def amount_of(value: PaypalMoney | None, ctx: ResponseContext, *, field: str) -> tuple[Any, Any]:
    if value is None:
        return None, None
    currency = ctx.currency(value.currency_code, field="currency_code")
    return ctx.amount_back(value.value, currency, field=field), currency


def processor_decline(
    payment: PaypalPayment, ctx: ResponseContext, attempt: AttemptStatus, *, what: str
) -> ErrorResponse:
    """A declined authorization or capture (HTTP 201, order COMPLETED) as an ErrorResponse."""
    processor = payment.processor_response
    code = processor.response_code if processor and processor.response_code else None
    name = PROCESSOR_CODES.get(code) if code else None
    return ErrorResponse(
        code=code or payment.status,
        message=f"{what} {payment.status}" + (f": {name}" if name else ""),
        reason=name or (payment.status_details.reason if payment.status_details else None),
        status_code=ctx.status_code,
        attempt_status=attempt,
        connector_transaction_id=payment.id,
        network_advice_code=processor.payment_advice_code if processor else None,
    )


def latest(payments: list[PaypalPayment]) -> PaypalPayment | None:
    return payments[-1] if payments else None


# ------------------------------------------------------------------ response transforms


def token_response(
    model: PaypalTokenResponse, rd: AccessTokenRouterData, ctx: ResponseContext
) -> AccessTokenResponseData:
    return AccessTokenResponseData(
        access_token=model.access_token, token_type=model.token_type, expires_in=model.expires_in
    )


def order_result(
    order: PaypalOrder, ctx: ResponseContext, flow: Flow
) -> PaymentsResponseData | ErrorResponse:
    """An order as a payment: an unknown order status is Pending; otherwise the payment inside
    the first purchase unit decides (capture before authorization), then the order status."""
    unit = order.purchase_units[0] if order.purchase_units else None
    payments = unit.payments if unit and unit.payments else PaypalPaymentCollection()
    capture, authorization = latest(payments.captures), latest(payments.authorizations)
    metadata: dict[str, Any] = {ORDER_ID: order.id}
    if authorization is not None:
        metadata[AUTHORIZATION_ID] = authorization.id
    if capture is not None:
        metadata[CAPTURE_ID] = capture.id
    reference = (unit.invoice_id or unit.reference_id) if unit else None
    payment = capture or authorization
    if order.status != ORDER_WITH_OUTCOME or payment is None:
        status = status_from_table(order.status, ORDER_STATUS, unknown=AttemptStatus.PENDING)
        amount, currency = amount_of(unit.amount if unit else None, ctx, field="purchase_units.0.amount")
        return PaymentsResponseData(
            status=status,
            connector_transaction_id=payment.id if payment else order.id,
            connector_response_reference_id=reference,
            amount=amount,
            currency=currency,
            raw_status=order.status,
            connector_metadata=metadata,
            status_code=ctx.status_code,
        )
    failed = AttemptStatus.AUTHORIZATION_FAILED if flow is Flow.AUTHORIZE else None
    if capture is not None:
        if capture.status in DECLINED_CAPTURE and failed is not None:
            attempt = failed if capture.status in REFUSED_CAPTURE else AttemptStatus.FAILURE
            return processor_decline(capture, ctx, attempt, what="capture")
        status = status_from_table(capture.status, CAPTURE_STATUS, unknown=AttemptStatus.PENDING)
    else:
        if authorization is None:
            raise ResponseHandlingError(
                "the payment has neither a capture nor an authorization", field="payments"
            )
        if authorization.status in DECLINED_AUTHORIZATION and failed is not None:
            return processor_decline(authorization, ctx, failed, what="authorization")
        status = status_from_table(authorization.status, AUTHORIZATION_STATUS, unknown=AttemptStatus.PENDING)
    amount, currency = amount_of(payment.amount or (unit.amount if unit else None), ctx, field="amount")
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=payment.id,
        connector_response_reference_id=reference,
        amount=amount,
        currency=currency,
        amount_captured=amount if capture is not None and status is AttemptStatus.CHARGED else None,
        amount_capturable=amount if status is AttemptStatus.AUTHORIZED else None,
        raw_status=payment.status,
        connector_metadata=metadata,
        status_code=ctx.status_code,
    )


def authorize_response(
    order: PaypalOrder, rd: AuthorizeRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    return order_result(order, ctx, Flow.AUTHORIZE)


def related(payment: PaypalPayment | PaypalSyncResponse) -> PaypalRelatedIds:
    data = payment.supplementary_data
    return data.related_ids if data and data.related_ids else PaypalRelatedIds()


def capture_response(
    capture: PaypalPayment, rd: CaptureRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    if capture.status in DECLINED_CAPTURE:
        return processor_decline(capture, ctx, AttemptStatus.CAPTURE_FAILED, what="capture")
    amount, currency = amount_of(capture.amount, ctx, field="amount")
    status = status_from_table(capture.status, CAPTURE_STATUS, unknown=AttemptStatus.PENDING)
    if capture.status == "PENDING":
        status = AttemptStatus.CAPTURE_INITIATED  # the capture is accepted; its outcome comes later
    if status is AttemptStatus.CHARGED and amount is not None and amount < rd.request.payment_amount:
        status = AttemptStatus.PARTIAL_CHARGED  # final_capture released the remainder
    ids = related(capture)
    metadata = {CAPTURE_ID: capture.id}
    if ids.order_id:
        metadata[ORDER_ID] = ids.order_id
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=capture.id,
        connector_response_reference_id=capture.invoice_id,
        amount=amount,
        currency=currency,
        amount_captured=amount if status in (AttemptStatus.CHARGED, AttemptStatus.PARTIAL_CHARGED) else None,
        raw_status=capture.status,
        connector_metadata=metadata,
        status_code=ctx.status_code,
    )


def void_response(body: PaypalVoidResponse, rd: VoidRouterData, ctx: ResponseContext) -> PaymentsResponseData:
    requested = authorization_id_for(rd.request, action="void")
    if body.id is None and body.status is None:  # 204 No Content: the authorization is voided
        return PaymentsResponseData(
            status=AttemptStatus.VOIDED,
            connector_transaction_id=requested,
            raw_status=None,
            status_code=ctx.status_code,
        )
    if body.id is not None and body.id != requested:
        raise ResponseHandlingError("the void answers for another authorization", field="id")
    return PaymentsResponseData(
        status=status_from_table(body.status, AUTHORIZATION_STATUS, unknown=AttemptStatus.PENDING),
        connector_transaction_id=body.id or requested,
        raw_status=body.status,
        status_code=ctx.status_code,
    )


def psync_response(
    body: PaypalSyncResponse, rd: PSyncRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    kind, _resource = sync_target(rd)
    if kind == "orders":
        order = PaypalOrder.model_validate(body.model_dump(mode="python"))
        return order_result(order, ctx, Flow.PSYNC)
    table = CAPTURE_STATUS if kind == "captures" else AUTHORIZATION_STATUS
    status = status_from_table(body.status, table, unknown=AttemptStatus.PENDING)
    if kind == "captures" and body.status in DECLINED_CAPTURE:
        status = AttemptStatus.FAILURE
    amount, currency = amount_of(body.amount, ctx, field="amount")
    ids = related(body)
    metadata = {CAPTURE_ID if kind == "captures" else AUTHORIZATION_ID: body.id}
    if ids.order_id:
        metadata[ORDER_ID] = ids.order_id
    after_authorization = kind == "captures" and (
        meta_id(rd.request.connector_metadata, AUTHORIZATION_ID) or ids.authorization_id
    )
    expected = rd.request.amount
    if (
        status is AttemptStatus.CHARGED
        and kind == "captures"
        and amount is not None
        and expected is not None
        and amount < expected
    ):
        status = AttemptStatus.PARTIAL_CHARGED
    charged = kind == "captures" and status in (AttemptStatus.CHARGED, AttemptStatus.PARTIAL_CHARGED)
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=body.id,
        # a capture of an authorization is a part of the payment: its amount is not the payment's
        amount=None if after_authorization else amount,
        currency=currency,
        amount_captured=amount if charged else None,
        amount_capturable=amount if kind == "authorizations" and status is AttemptStatus.AUTHORIZED else None,
        raw_status=body.status,
        connector_metadata=metadata,
        status_code=ctx.status_code,
    )


def refund_response(
    refund: PaypalRefund, rd: RefundRouterData | RSyncRouterData, ctx: ResponseContext
) -> RefundsResponseData:
    capture = meta_id(rd.request.connector_metadata, CAPTURE_ID) or rd.request.connector_transaction_id
    for link in refund.links:
        owner = link.href.rstrip("/").rsplit("/", 1)[-1]
        if link.rel == "up" and "/captures/" in link.href and capture and owner != capture:
            raise ResponseHandlingError("the refund belongs to another capture", field="links.up")
    amount, currency = amount_of(refund.amount, ctx, field="amount")
    return RefundsResponseData(
        connector_refund_id=refund.id,
        refund_status=status_from_table(refund.status, REFUND_STATUS, unknown=RefundStatus.PENDING),
        amount=amount,
        currency=currency,
        raw_status=refund.status,
        status_code=ctx.status_code,
    )


# ------------------------------------------------------------------ errors

# 422 issues of Orders v2 create that mean the card (not the request) was refused
CARD_REFUSALS = frozenset(
    {
        "INSTRUMENT_DECLINED",
        "CARD_EXPIRED",
        "PAYMENT_SOURCE_DECLINED_BY_PROCESSOR",
        "PAYMENT_SOURCE_CANNOT_BE_USED",
        "PAYMENT_SOURCE_INFO_CANNOT_BE_VERIFIED",
        "TRANSACTION_REFUSED",
        "PAYER_CANNOT_PAY",
        "INVALID_EXPIRY_DATE",
        "INVALID_SECURITY_CODE_LENGTH",
    }
)


def error_response(response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
    """PayPal's error object (`name`, `message`, `debug_id`, `details[].issue`) or the OAuth
    error (`error`, `error_description`) as an ErrorResponse. `details[].value` is never read."""
    body: PaypalError | None = None
    try:
        tree = response.decoded()
        if isinstance(tree, dict):
            body = PaypalError.model_validate(tree)
    except ValueError:
        body = None
    if body is None or not (body.name or body.error):
        return ErrorResponse(
            code=f"HTTP_{response.status_code}",
            message="PayPal returned an error without an error object",
            status_code=response.status_code,
            attempt_status=_failed_attempt(ctx, None, response.status_code),
        )
    if body.error:  # OAuth
        return ErrorResponse(
            code=body.error,
            message=body.error_description or body.error,
            status_code=response.status_code,
        )
    detail = next((d for d in body.details if d.issue), None)
    issue = detail.issue if detail else None
    # name and message are PayPal's error; the first detail's issue says what in the request caused it
    message = body.message or body.name
    if body.debug_id:
        message = f"{message} (debug_id {body.debug_id})"
    reason = None
    if issue:
        reason = f"{issue}: {detail.description}" if detail and detail.description else issue
    elif detail is not None:
        reason = detail.field
    return ErrorResponse(
        code=str(body.name),
        message=str(message),
        reason=reason,
        status_code=response.status_code,
        attempt_status=_failed_attempt(ctx, issue, response.status_code),
    )


def _failed_attempt(ctx: ResponseContext, issue: str | None, status_code: int) -> AttemptStatus | None:
    # a 5xx, 429, 401 or 403 leaves the payment unknown: the base's failure policy drops this status there
    return failed_attempt(ctx.flow, card_refused=issue in CARD_REFUSALS)
