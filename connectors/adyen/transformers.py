"""Adyen Checkout API v71 wire models and the pure transforms between them and the router data.

Facts from Adyen's public documentation and its published OpenAPI description of Checkout API v71
(https://github.com/Adyen/adyen-openapi, json/CheckoutService-v71.json):
* POST /payments takes `amount {value, currency}` in Adyen's minor units, `merchantAccount`,
  `reference` (at most 80 characters), `returnUrl` (required in v71) and, for raw card data,
  `paymentMethod {type: scheme, number, expiryMonth, expiryYear, cvc, holderName}`. Payments are
  captured automatically and immediately unless `additionalData.manualCapture` is "true"
  (https://docs.adyen.com/online-payments/capture). The answer carries `resultCode`, and
  `refusalReason`/`refusalReasonCode` when refused (https://docs.adyen.com/online-payments/payment-result-codes,
  https://docs.adyen.com/development-resources/refusal-reasons).
* Captures, cancels and refunds (POST /payments/{paymentPspReference}/captures|cancels|refunds)
  answer 201 with `status: received`: Adyen only acknowledges the request; the outcome arrives
  later in a webhook, so these map to pending statuses, never to final ones.
* Errors are a ServiceError: `status`, `errorCode`, `message`, `errorType`, `pspReference`
  (https://docs.adyen.com/development-resources/error-codes).
* Amounts use the decimals of https://docs.adyen.com/development-resources/currency-codes, which
  differ from ISO 4217 for CLP, CVE, IDR and ISK.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Strict, ValidationError

from harness.domain import (
    AttemptStatus,
    CaptureMethod,
    Currency,
    CurrencyRule,
    ErrorResponse,
    InvalidDataError,
    MinorUnit,
    MinorUnitConverter,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseHandlingError,
    Secret,
    table_for,
)
from harness.domain.auth import BodyKey, ConnectorAuthType
from harness.domain.router_data import (
    AuthorizeRouterData,
    CaptureRouterData,
    RefundRouterData,
    VoidRouterData,
)
from harness.integration import (
    RequestContext,
    ResponseContext,
    credentials,
    status_from_table,
)
from harness.integration.http import HttpResponse
from harness.integration.wire import CamelWireRequest, CamelWireResponse

API_VERSION = "v71"
CURRENCY_CODES_URL = "https://docs.adyen.com/development-resources/currency-codes"

# ------------------------------------------------------------------ money

C = Currency
# Adyen's currency table: the currencies it lists, with the decimals it expects.
ZERO_DECIMAL = (
    C.CVE, C.DJF, C.GNF, C.IDR, C.JPY, C.KMF, C.KRW, C.PYG, C.RWF, C.UGX, C.VND, C.VUV, C.XAF, C.XOF,
    C.XPF,
)  # fmt: skip
THREE_DECIMAL = (C.BHD, C.IQD, C.JOD, C.KWD, C.LYD, C.OMR, C.TND)
ADYEN_SUPPORTED = (
    C.AED, C.ALL, C.AMD, C.AOA, C.ARS, C.AUD, C.AWG, C.AZN, C.BAM, C.BBD, C.BDT, C.BHD, C.BMD, C.BND,
    C.BOB, C.BRL, C.BSD, C.BWP, C.BYN, C.BZD, C.CAD, C.CHF, C.CLP, C.CNY, C.COP, C.CRC, C.CUP, C.CVE,
    C.CZK, C.DJF, C.DKK, C.DOP, C.DZD, C.EGP, C.ETB, C.EUR, C.FJD, C.FKP, C.GBP, C.GEL, C.GHS, C.GIP,
    C.GMD, C.GNF, C.GTQ, C.GYD, C.HKD, C.HNL, C.HTG, C.HUF, C.IDR, C.ILS, C.INR, C.IQD, C.ISK, C.JMD,
    C.JOD, C.JPY, C.KES, C.KGS, C.KHR, C.KMF, C.KRW, C.KWD, C.KYD, C.KZT, C.LAK, C.LKR, C.LYD, C.MAD,
    C.MDL, C.MKD, C.MMK, C.MNT, C.MOP, C.MRU, C.MUR, C.MVR, C.MWK, C.MXN, C.MYR, C.MZN, C.NAD, C.NGN,
    C.NIO, C.NOK, C.NPR, C.NZD, C.OMR, C.PAB, C.PEN, C.PGK, C.PHP, C.PKR, C.PLN, C.PYG, C.QAR, C.RON,
    C.RSD, C.RUB, C.RWF, C.SAR, C.SBD, C.SCR, C.SEK, C.SGD, C.SHP, C.SLE, C.SOS, C.SRD, C.STN, C.SVC,
    C.SZL, C.THB, C.TND, C.TOP, C.TRY, C.TTD, C.TWD, C.TZS, C.UAH, C.UGX, C.USD, C.UYU, C.UZS, C.VND,
    C.VUV, C.WST, C.XAF, C.XCD, C.XCG, C.XOF, C.XPF, C.YER, C.ZAR, C.ZMW,
)  # fmt: skip  # the table also lists CNH (offshore yuan) and VEF, which are not ISO 4217 codes here
INT64_MAX = 2**63 - 1

ADYEN_CURRENCIES = table_for(
    (ZERO_DECIMAL, CurrencyRule(exponent=0, note="no decimals at Adyen")),
    # "For CLP, CVE, IDR and ISK the standard has a different number of decimals than shown in our
    # currency codes table. When submitting amounts in minor units, the decimals in the table are leading."
    ((C.CVE, C.IDR), CurrencyRule(note="0 decimals at Adyen, 2 in ISO 4217 (differs from standard)")),
    (THREE_DECIMAL, CurrencyRule(exponent=3, note="three decimals")),
    (
        (C.CLP, C.ISK),
        CurrencyRule(exponent=2, note="2 decimals at Adyen, 0 in ISO 4217 (differs from standard)"),
    ),
    supported=ADYEN_SUPPORTED,
    default=CurrencyRule(maximum=INT64_MAX, note="amount.value is an int64 (Checkout API v71 Amount)"),
    source=CURRENCY_CODES_URL,
)

ADYEN_AMOUNTS = MinorUnitConverter(ADYEN_CURRENCIES)

MAX_REFERENCE_LENGTH = 80  # `reference`: "Maximum length: 80 characters"
DEFAULT_RETURN_URL = "https://certify.invalid/adyen/return"  # used only when no return_url metadata is set

# ------------------------------------------------------------------ wire models: requests


class AdyenAmount(CamelWireRequest):
    value: int
    currency: str  # ISO 4217 code, upper case


class AdyenCardDetails(CamelWireRequest):
    """`CardDetails` with raw card data (only for PCI-compliant merchants)."""

    type: str = "scheme"
    number: Secret[str]
    expiry_month: Secret[str]
    expiry_year: Secret[str]
    cvc: Secret[str]
    holder_name: Secret[str] | None = None


class AdyenPaymentRequest(CamelWireRequest):
    amount: AdyenAmount
    merchant_account: Secret[str]  # lives with the credentials (key1), so it is masked like them
    reference: str
    payment_method: AdyenCardDetails
    return_url: str
    shopper_interaction: str = "Ecommerce"
    additional_data: dict[str, str] | None = None
    shopper_email: Secret[str] | None = None
    shopper_statement: str | None = None


class AdyenCaptureRequest(CamelWireRequest):
    merchant_account: Secret[str]
    amount: AdyenAmount
    reference: str


class AdyenCancelRequest(CamelWireRequest):
    merchant_account: Secret[str]
    reference: str


class AdyenRefundRequest(CamelWireRequest):
    merchant_account: Secret[str]
    amount: AdyenAmount
    reference: str
    merchant_refund_reason: str | None = None


# ------------------------------------------------------------------ wire models: responses


StrictInt = Annotated[int, Strict()]


class AdyenAmountOut(CamelWireResponse):
    value: StrictInt
    currency: str


class AdyenPaymentResponse(CamelWireResponse):
    """The answer to POST /payments (PaymentResponse)."""

    psp_reference: str | None = None
    result_code: str | None = None
    amount: AdyenAmountOut | None = None
    merchant_reference: str | None = None
    refusal_reason: str | None = None
    refusal_reason_code: str | int | None = None
    additional_data: dict[str, Any] | None = None
    action: dict[str, Any] | None = None


class AdyenModificationResponse(CamelWireResponse):
    """The 201 answer to a capture, cancel or refund: an acknowledgement, not an outcome."""

    psp_reference: str  # of the modification
    payment_psp_reference: str  # of the payment it modifies
    status: str
    merchant_account: str | None = None
    reference: str | None = None
    amount: AdyenAmountOut | None = None


class AdyenServiceError(CamelWireResponse):
    status: int | None = None
    error_code: str | None = None
    message: str | None = None
    error_type: str | None = None
    psp_reference: str | None = None


# ------------------------------------------------------------------ status tables

AUTHENTICATION = AttemptStatus.AUTHENTICATION_PENDING
RESULT_CODE_STATUS: dict[str, AttemptStatus] = {
    # "Authorised" depends on the capture method; see attempt_status().
    "Pending": AttemptStatus.PENDING,
    "Received": AttemptStatus.PENDING,
    "RedirectShopper": AUTHENTICATION,
    "IdentifyShopper": AUTHENTICATION,
    "ChallengeShopper": AUTHENTICATION,
    "PresentToShopper": AUTHENTICATION,
    "AuthenticationFinished": AttemptStatus.AUTHENTICATION_SUCCESSFUL,
    "AuthenticationNotRequired": AttemptStatus.PENDING,
}
# Result codes that end the attempt in failure; they become an ErrorResponse with these statuses.
FAILED_RESULT_CODES: dict[str, AttemptStatus] = {
    "Refused": AttemptStatus.AUTHORIZATION_FAILED,
    "Error": AttemptStatus.FAILURE,
    # cancelled before processing completed: nothing was authorised, so a failure, not a void
    "Cancelled": AttemptStatus.FAILURE,
}
# Captures, cancels and refunds are only acknowledged ("received"); the outcome is a webhook.
CAPTURE_STATUS = {"received": AttemptStatus.CAPTURE_INITIATED}
CANCEL_STATUS = {"received": AttemptStatus.VOID_INITIATED}
REFUND_STATUS = {"received": RefundStatus.PENDING}

REFUND_REASONS = {
    "fraudulent": "FRAUD",
    "duplicate": "DUPLICATE",
    "requested_by_customer": "CUSTOMER REQUEST",
    "return": "RETURN",
    "other": "OTHER",
}


def attempt_status(result_code: str | None, *, manual_capture: bool) -> AttemptStatus:
    if result_code == "Authorised":
        return AttemptStatus.AUTHORIZED if manual_capture else AttemptStatus.CHARGED
    if result_code == "PartiallyAuthorised":
        return AttemptStatus.PARTIALLY_AUTHORIZED if manual_capture else AttemptStatus.PARTIAL_CHARGED
    return status_from_table(result_code, RESULT_CODE_STATUS, unknown=AttemptStatus.PENDING)


# ------------------------------------------------------------------ request transforms


def merchant_account(auth: ConnectorAuthType) -> Secret[str]:
    return credentials(auth, BodyKey).key1  # key1 is the merchant account


def checked_reference(reference: str) -> str:
    # the base refuses one above the declared reference_max_length; Adyen also refuses an empty one
    if not reference:
        raise InvalidDataError("reference: Adyen needs a reference", field="reference")
    return reference


def amount_of(ctx: RequestContext, value: MinorUnit, currency: Currency, *, field: str) -> AdyenAmount:
    return AdyenAmount(value=ctx.amount(value, currency, field=field), currency=currency.value)


def authorize_request(rd: AuthorizeRouterData, ctx: RequestContext) -> AdyenPaymentRequest:
    request = rd.request
    card = request.payment_method_data
    data = rd.resource_common_data
    manual = request.capture_method is CaptureMethod.MANUAL
    return AdyenPaymentRequest(
        amount=amount_of(ctx, request.amount, request.currency, field="amount"),
        merchant_account=merchant_account(ctx.auth),
        reference=checked_reference(data.connector_request_reference_id),
        payment_method=AdyenCardDetails(
            number=card.card_number,
            expiry_month=card.exp_month_two_digits(),
            expiry_year=card.exp_year_four_digits(),
            cvc=card.card_cvc,
            holder_name=card.card_holder_name or request.customer_name,
        ),
        return_url=data.connector_meta_data.get("return_url") or DEFAULT_RETURN_URL,
        additional_data={"manualCapture": "true"} if manual else None,
        shopper_email=request.email,
        shopper_statement=request.statement_descriptor,
    )


def capture_request(rd: CaptureRouterData, ctx: RequestContext) -> AdyenCaptureRequest:
    request = rd.request
    return AdyenCaptureRequest(
        merchant_account=merchant_account(ctx.auth),
        amount=amount_of(ctx, request.amount_to_capture, request.currency, field="amount_to_capture"),
        reference=checked_reference(rd.resource_common_data.connector_request_reference_id),
    )


def void_request(rd: VoidRouterData, ctx: RequestContext) -> AdyenCancelRequest:
    return AdyenCancelRequest(
        merchant_account=merchant_account(ctx.auth),
        reference=checked_reference(rd.resource_common_data.connector_request_reference_id),
    )


def refund_request(rd: RefundRouterData, ctx: RequestContext) -> AdyenRefundRequest:
    request = rd.request
    return AdyenRefundRequest(
        merchant_account=merchant_account(ctx.auth),
        amount=amount_of(ctx, request.refund_amount, request.currency, field="refund_amount"),
        reference=checked_reference(rd.resource_common_data.connector_request_reference_id),
        merchant_refund_reason=REFUND_REASONS.get(request.reason or ""),
    )


# ------------------------------------------------------------------ response transforms


def amount_back(
    amount: AdyenAmountOut | None, ctx: ResponseContext
) -> tuple[MinorUnit | None, Currency | None]:
    if amount is None:
        return None, None
    currency = ctx.currency(amount.currency, field="amount.currency")
    return ctx.amount_back(amount.value, currency, field="amount.value"), currency


def text_of(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def refusal(resp: AdyenPaymentResponse, status: AttemptStatus, status_code: int) -> ErrorResponse:
    """A refused or failed authorisation (HTTP 200 with resultCode Refused or Error)."""
    extra = resp.additional_data or {}
    reason = text_of(resp.refusal_reason)
    return ErrorResponse(
        code=text_of(resp.refusal_reason_code) or resp.result_code or "Refused",
        message=reason or resp.result_code or "Refused",
        reason=reason,
        status_code=status_code,
        attempt_status=status,
        connector_transaction_id=resp.psp_reference,
        network_decline_code=text_of(extra.get("refusalCodeRaw")),
        network_error_message=text_of(extra.get("refusalReasonRaw")),
    )


def authorize_response(
    resp: AdyenPaymentResponse, rd: AuthorizeRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    raw = resp.result_code
    if raw in FAILED_RESULT_CODES:
        return refusal(resp, FAILED_RESULT_CODES[raw], ctx.status_code)
    status = attempt_status(raw, manual_capture=rd.request.capture_method is CaptureMethod.MANUAL)
    amount, currency = amount_back(resp.amount, ctx)
    partial = status in (AttemptStatus.PARTIALLY_AUTHORIZED, AttemptStatus.PARTIAL_CHARGED)
    extra = resp.additional_data or {}
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=resp.psp_reference,
        connector_response_reference_id=resp.merchant_reference,
        network_txn_id=text_of(extra.get("networkTxReference")),
        # a partial authorisation states less than was asked: that is the point, not an integrity failure
        amount=None if partial else amount,
        currency=currency,
        amount_capturable=amount if status is AttemptStatus.PARTIALLY_AUTHORIZED else None,
        raw_status=raw,
        connector_metadata={"action_type": resp.action.get("type")} if resp.action else {},
        status_code=ctx.status_code,
    )


def same_payment(resp: AdyenModificationResponse, connector_transaction_id: str) -> None:
    if connector_transaction_id and resp.payment_psp_reference != connector_transaction_id:
        raise ResponseHandlingError("the acknowledgement is for another payment", field="paymentPspReference")


def capture_response(
    resp: AdyenModificationResponse, rd: CaptureRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    same_payment(resp, rd.request.connector_transaction_id)
    amount, currency = amount_back(resp.amount, ctx)
    return PaymentsResponseData(
        status=status_from_table(resp.status, CAPTURE_STATUS, unknown=AttemptStatus.PENDING),
        connector_transaction_id=resp.payment_psp_reference,
        connector_response_reference_id=resp.reference,
        amount=amount,
        currency=currency,
        raw_status=resp.status,
        connector_metadata={"capture_psp_reference": resp.psp_reference},
        status_code=ctx.status_code,
    )


def void_response(
    resp: AdyenModificationResponse, rd: VoidRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    same_payment(resp, rd.request.connector_transaction_id)
    return PaymentsResponseData(
        status=status_from_table(resp.status, CANCEL_STATUS, unknown=AttemptStatus.PENDING),
        connector_transaction_id=resp.payment_psp_reference,
        connector_response_reference_id=resp.reference,
        raw_status=resp.status,
        connector_metadata={"cancel_psp_reference": resp.psp_reference},
        status_code=ctx.status_code,
    )


def refund_response(
    resp: AdyenModificationResponse, rd: RefundRouterData, ctx: ResponseContext
) -> RefundsResponseData:
    same_payment(resp, rd.request.connector_transaction_id)
    amount, currency = amount_back(resp.amount, ctx)
    return RefundsResponseData(
        connector_refund_id=resp.psp_reference,
        refund_status=status_from_table(resp.status, REFUND_STATUS, unknown=RefundStatus.PENDING),
        amount=amount,
        currency=currency,
        raw_status=resp.status,
        status_code=ctx.status_code,
    )


# ------------------------------------------------------------------ errors

# 401/403 (credentials, permissions) and 5xx say nothing about the payment itself.
def error_response(response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
    """Adyen's ServiceError (`status`, `errorCode`, `message`, `errorType`, `pspReference`)."""
    try:
        body = AdyenServiceError.model_validate(response.decoded())
    except ValidationError:
        return ErrorResponse(
            code=f"HTTP_{response.status_code}",
            message="Adyen returned an error without a ServiceError body",
            status_code=response.status_code,
        )
    # no status here: the base's HTTP failure policy gives a refused call its failed status (the card
    # was not assessed) and leaves a 5xx, 429, 401 or 403 unknown (Adyen.failure_policy)
    return ErrorResponse(
        code=body.error_code or f"HTTP_{response.status_code}",
        message=body.message or body.error_type or "Adyen returned an error",
        reason=body.error_type,
        status_code=response.status_code,
        connector_transaction_id=body.psp_reference,
    )
