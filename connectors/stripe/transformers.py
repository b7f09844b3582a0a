"""Stripe wire models and the pure transforms between them and the router data.

Facts from Stripe's public API reference (PaymentIntents, Refunds, Errors) and its currency
guide (https://docs.stripe.com/currencies): form-encoded bodies with bracket keys, lowercase
currency codes, amounts in Stripe's minor unit.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from harness.domain import (
    AttemptStatus,
    CaptureMethod,
    Currency,
    CurrencyRule,
    ErrorResponse,
    MinorUnitConverter,
    PaymentsResponseData,
    RefundsResponseData,
    RefundStatus,
    ResponseHandlingError,
    Secret,
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
    failed_attempt,
    status_from_table,
)
from harness.integration.http import HttpResponse
from harness.integration.wire import WireRequest, WireResponse

# ------------------------------------------------------------------ money

# Presentment currencies for card payments (https://docs.stripe.com/currencies#presentment-currencies),
# plus the five three-decimal currencies of #three-decimal. STD is listed by Stripe but withdrawn from
# ISO 4217; every other ISO code (CLF, IRR, KPW, ...) is refused before a request is built.
PRESENTMENT = (
    Currency.AED, Currency.AFN, Currency.ALL, Currency.AMD, Currency.ANG, Currency.AOA, Currency.ARS,
    Currency.AUD, Currency.AWG, Currency.AZN, Currency.BAM, Currency.BBD, Currency.BDT, Currency.BGN,
    Currency.BHD, Currency.BIF, Currency.BMD, Currency.BND, Currency.BOB, Currency.BRL, Currency.BSD,
    Currency.BWP, Currency.BYN, Currency.BZD, Currency.CAD, Currency.CDF, Currency.CHF, Currency.CLP,
    Currency.CNY, Currency.COP, Currency.CRC, Currency.CVE, Currency.CZK, Currency.DJF, Currency.DKK,
    Currency.DOP, Currency.DZD, Currency.EGP, Currency.ETB, Currency.EUR, Currency.FJD, Currency.FKP,
    Currency.GBP, Currency.GEL, Currency.GIP, Currency.GMD, Currency.GNF, Currency.GTQ, Currency.GYD,
    Currency.HKD, Currency.HNL, Currency.HTG, Currency.HUF, Currency.IDR, Currency.ILS, Currency.INR,
    Currency.ISK, Currency.JMD, Currency.JOD, Currency.JPY, Currency.KES, Currency.KGS, Currency.KHR,
    Currency.KMF, Currency.KRW, Currency.KWD, Currency.KYD, Currency.KZT, Currency.LAK, Currency.LBP,
    Currency.LKR, Currency.LRD, Currency.LSL, Currency.MAD, Currency.MDL, Currency.MGA, Currency.MKD,
    Currency.MMK, Currency.MNT, Currency.MOP, Currency.MUR, Currency.MVR, Currency.MWK, Currency.MXN,
    Currency.MYR, Currency.MZN, Currency.NAD, Currency.NGN, Currency.NIO, Currency.NOK, Currency.NPR,
    Currency.NZD, Currency.OMR, Currency.PAB, Currency.PEN, Currency.PGK, Currency.PHP, Currency.PKR,
    Currency.PLN, Currency.PYG, Currency.QAR, Currency.RON, Currency.RSD, Currency.RUB, Currency.RWF,
    Currency.SAR, Currency.SBD, Currency.SCR, Currency.SEK, Currency.SGD, Currency.SHP, Currency.SLE,
    Currency.SOS, Currency.SRD, Currency.SZL, Currency.THB, Currency.TJS, Currency.TND, Currency.TOP,
    Currency.TRY, Currency.TTD, Currency.TWD, Currency.TZS, Currency.UAH, Currency.UGX, Currency.USD,
    Currency.UYU, Currency.UZS, Currency.VND, Currency.VUV, Currency.WST, Currency.XAF, Currency.XCD,
    Currency.XOF, Currency.XPF, Currency.YER, Currency.ZAR, Currency.ZMW,
)  # fmt: skip
ZERO_DECIMAL = (
    Currency.BIF, Currency.CLP, Currency.DJF, Currency.GNF, Currency.JPY, Currency.KMF, Currency.KRW,
    Currency.MGA, Currency.PYG, Currency.RWF, Currency.VND, Currency.VUV, Currency.XAF, Currency.XOF,
    Currency.XPF,
)  # fmt: skip
THREE_DECIMAL = (Currency.BHD, Currency.JOD, Currency.KWD, Currency.OMR, Currency.TND)
# PaymentIntent amount: "supports up to eight digits" (the published spec, API 2024-06-20)
EIGHT_DIGITS = 99_999_999

STRIPE_CURRENCIES = table_for(
    # Stripe's zero-decimal list. All are zero-decimal in ISO 4217 too, except MGA (ISO: 2).
    (ZERO_DECIMAL, CurrencyRule(exponent=0, note="zero-decimal at Stripe")),
    # Three-decimal currencies: the least significant digit must be 0.
    (THREE_DECIMAL, CurrencyRule(multiple_of=10, note="three-decimal; last digit must be 0")),
    # ISK and UGX: zero-decimal in ISO 4217, but Stripe keeps two decimals (always 00) for
    # backward compatibility (#special-cases): 5 ISK is sent as 500, never as 5.
    (
        [Currency.ISK, Currency.UGX],
        CurrencyRule(exponent=2, multiple_of=100, note="two-decimal at Stripe, whole units only"),
    ),
    # HUF and TWD are two-decimal for charges (their special rules concern payouts only).
    ([Currency.HUF, Currency.TWD], CurrencyRule(note="two-decimal for charges; payouts in whole units")),
    # IDR: twelve digits (#minimum-and-maximum-charge-amounts), above the general eight.
    ([Currency.IDR], CurrencyRule(maximum=999_999_999_999, note="up to twelve digits")),
    supported=PRESENTMENT,
    default=CurrencyRule(maximum=EIGHT_DIGITS, note="amount value supports up to eight digits"),
    source="https://docs.stripe.com/currencies",
)

STRIPE_AMOUNTS = MinorUnitConverter(STRIPE_CURRENCIES)

# ------------------------------------------------------------------ wire models: requests


class StripeCard(WireRequest):
    number: Secret[str]
    exp_month: Secret[str]
    exp_year: Secret[str]
    cvc: Secret[str]


class StripeBillingDetails(WireRequest):
    name: Secret[str] | None = None
    email: Secret[str] | None = None


class StripePaymentMethodData(WireRequest):
    type: str = "card"
    card: StripeCard
    billing_details: StripeBillingDetails | None = None


class StripePaymentIntentRequest(WireRequest):
    amount: int
    currency: str  # lowercase ISO code
    confirm: bool = True
    capture_method: str
    payment_method_types: list[str] = Field(default_factory=lambda: ["card"])
    payment_method_data: StripePaymentMethodData
    description: str | None = None
    statement_descriptor_suffix: str | None = None
    metadata: dict[str, str]


class StripeCaptureRequest(WireRequest):
    amount_to_capture: int


class StripeCancelRequest(WireRequest):
    cancellation_reason: str | None = None


class StripeRefundRequest(WireRequest):
    payment_intent: str
    amount: int
    reason: str | None = None
    metadata: dict[str, str]


class StripeEmptyRequest(WireRequest):
    pass


# ------------------------------------------------------------------ wire models: responses


class StripeLastPaymentError(WireResponse):
    type: str | None = None
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None


class StripePaymentIntent(WireResponse):
    id: str
    object: str = "payment_intent"
    amount: int
    amount_capturable: int | None = None
    amount_received: int | None = None
    currency: str
    status: str
    capture_method: str | None = None
    latest_charge: str | dict[str, Any] | None = None
    last_payment_error: StripeLastPaymentError | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    cancellation_reason: str | None = None


class StripeRefund(WireResponse):
    id: str
    object: str = "refund"
    amount: int
    currency: str
    status: str
    payment_intent: str | None = None
    charge: str | None = None
    failure_reason: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class StripeErrorBody(WireResponse):
    type: str
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None
    param: str | None = None
    network_decline_code: str | None = None
    payment_intent: dict[str, Any] | None = None


class StripeErrorResponse(WireResponse):
    error: StripeErrorBody


# ------------------------------------------------------------------ status tables

PAYMENT_INTENT_STATUS: dict[str, AttemptStatus] = {
    # confirmed at creation (confirm=true) with a card: this attempt failed and nothing will retry it
    "requires_payment_method": AttemptStatus.FAILURE,
    "requires_confirmation": AttemptStatus.CONFIRMATION_AWAITED,
    "requires_action": AttemptStatus.AUTHENTICATION_PENDING,
    "processing": AttemptStatus.AUTHORIZING,
    "requires_capture": AttemptStatus.AUTHORIZED,
    "canceled": AttemptStatus.VOIDED,
    "succeeded": AttemptStatus.CHARGED,
}
# "processing" says only that Stripe has not finished: after a capture request it is the capture,
# and a sync cannot tell which step is running (docs.stripe.com/payments/paymentintents/lifecycle)
PROCESSING_AFTER_CAPTURE = AttemptStatus.CAPTURE_INITIATED
PROCESSING_ON_SYNC = AttemptStatus.PENDING

REFUND_STATUS: dict[str, RefundStatus] = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCESS,
    "failed": RefundStatus.FAILURE,
    "canceled": RefundStatus.FAILURE,
}


def attempt_status(intent: StripePaymentIntent, *, processing: AttemptStatus | None = None) -> AttemptStatus:
    if intent.status == "processing" and processing is not None:
        return processing
    status = status_from_table(intent.status, PAYMENT_INTENT_STATUS, unknown=AttemptStatus.PENDING)
    received = intent.amount_received
    partially_captured = received is not None and received < intent.amount and not intent.amount_capturable
    if status is AttemptStatus.CHARGED and partially_captured:
        return AttemptStatus.PARTIAL_CHARGED  # Stripe released the uncaptured remainder
    return status


def declined(intent: StripePaymentIntent) -> bool:
    """A confirmation was attempted and refused: the intent is back waiting, with the error kept."""
    return intent.status == "requires_payment_method" and intent.last_payment_error is not None


# ------------------------------------------------------------------ request transforms


def authorize_request(rd: AuthorizeRouterData, ctx: RequestContext) -> StripePaymentIntentRequest:
    request = rd.request
    card = request.payment_method_data
    billing = None
    if card.card_holder_name is not None or request.email is not None:
        billing = StripeBillingDetails(name=card.card_holder_name, email=request.email)
    return StripePaymentIntentRequest(
        amount=ctx.amount(request.amount, request.currency),
        currency=request.currency.value.lower(),
        capture_method="manual" if request.capture_method is CaptureMethod.MANUAL else "automatic",
        payment_method_data=StripePaymentMethodData(
            card=StripeCard(
                number=card.card_number,
                exp_month=card.card_exp_month,
                exp_year=card.card_exp_year,
                cvc=card.card_cvc,
            ),
            billing_details=billing,
        ),
        description=request.description,
        statement_descriptor_suffix=request.statement_descriptor,
        metadata={"order_id": rd.resource_common_data.connector_request_reference_id},
    )


def capture_request(rd: CaptureRouterData, ctx: RequestContext) -> StripeCaptureRequest:
    request = rd.request
    return StripeCaptureRequest(
        amount_to_capture=ctx.amount(request.amount_to_capture, request.currency, field="amount_to_capture")
    )


CANCELLATION_REASONS = {"duplicate", "fraudulent", "requested_by_customer", "abandoned"}


def void_request(rd: VoidRouterData, ctx: RequestContext) -> StripeCancelRequest:
    reason = rd.request.cancellation_reason
    return StripeCancelRequest(cancellation_reason=reason if reason in CANCELLATION_REASONS else None)


REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}


def refund_request(rd: RefundRouterData, ctx: RequestContext) -> StripeRefundRequest:
    request = rd.request
    return StripeRefundRequest(
        payment_intent=request.connector_transaction_id,
        amount=ctx.amount(request.refund_amount, request.currency, field="refund_amount"),
        reason=request.reason if request.reason in REFUND_REASONS else None,
        metadata={"order_id": rd.resource_common_data.connector_request_reference_id},
    )


# ------------------------------------------------------------------ response transforms


def payment_response(
    intent: StripePaymentIntent,
    ctx: ResponseContext,
    *,
    amount_field: str,
    processing: AttemptStatus | None = None,
) -> PaymentsResponseData:
    currency = ctx.currency(intent.currency, field="currency")
    raw_amount = intent.amount_received if amount_field == "amount_received" else intent.amount
    return PaymentsResponseData(
        status=attempt_status(intent, processing=processing),
        connector_transaction_id=intent.id,
        connector_response_reference_id=intent.metadata.get("order_id"),
        amount=ctx.amount_back(raw_amount, currency, field=amount_field) if raw_amount is not None else None,
        currency=currency,
        amount_captured=ctx.amount_back(intent.amount_received, currency, field="amount_received")
        if intent.amount_received is not None
        else None,
        amount_capturable=ctx.amount_back(intent.amount_capturable, currency, field="amount_capturable")
        if intent.amount_capturable is not None
        else None,
        raw_status=intent.status,
        status_code=ctx.status_code,
    )


def authorize_response(
    intent: StripePaymentIntent, rd: AuthorizeRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    result = payment_response(intent, ctx, amount_field="amount")
    if declined(intent) and intent.last_payment_error is not None:
        return decline_from(intent.last_payment_error, intent.id, ctx.status_code)
    return result


def capture_response(
    intent: StripePaymentIntent, rd: CaptureRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    return payment_response(intent, ctx, amount_field="amount_received", processing=PROCESSING_AFTER_CAPTURE)


def void_response(
    intent: StripePaymentIntent, rd: VoidRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    result = payment_response(intent, ctx, amount_field="amount")
    return result.model_copy(update={"amount": None})  # a cancel states no amount of its own


def psync_response(
    intent: StripePaymentIntent, rd: PSyncRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    result = payment_response(intent, ctx, amount_field="amount", processing=PROCESSING_ON_SYNC)
    if declined(intent) and intent.last_payment_error is not None:
        # the sync of a declined payment reports the decline, as the authorize answer did
        return decline_from(intent.last_payment_error, intent.id, ctx.status_code)
    return result


def refund_response(
    refund: StripeRefund, rd: RefundRouterData | RSyncRouterData, ctx: ResponseContext
) -> RefundsResponseData:
    currency = ctx.currency(refund.currency, field="currency")
    if refund.payment_intent is not None and refund.payment_intent != rd.request.connector_transaction_id:
        raise ResponseHandlingError("refund belongs to another payment intent", field="payment_intent")
    return RefundsResponseData(
        connector_refund_id=refund.id,
        refund_status=status_from_table(refund.status, REFUND_STATUS, unknown=RefundStatus.PENDING),
        amount=ctx.amount_back(refund.amount, currency),
        currency=currency,
        raw_status=refund.status,
        status_code=ctx.status_code,
    )


# ------------------------------------------------------------------ errors


def decline_from(error: StripeLastPaymentError, intent_id: str | None, status_code: int) -> ErrorResponse:
    return ErrorResponse(
        code=error.code or error.type or "card_declined",
        message=error.message or "declined",
        reason=error.decline_code or error.code,
        status_code=status_code,
        attempt_status=AttemptStatus.AUTHORIZATION_FAILED,
        connector_transaction_id=intent_id,
        network_decline_code=None,
    )


def error_response(response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
    """Stripe's error object (`type`, `code`, `decline_code`, `message`) as an ErrorResponse."""
    try:
        body = StripeErrorResponse.model_validate(response.decoded()).error
    except ValueError:
        return ErrorResponse(
            code=f"HTTP_{response.status_code}",
            message="Stripe returned an error without an error object",
            status_code=response.status_code,
        )
    # a 5xx, 408, 409 or 429 leaves the payment unknown: the base's failure policy drops this status there
    attempt = failed_attempt(ctx.flow, card_refused=body.type == "card_error")
    intent_id = body.payment_intent.get("id") if body.payment_intent else None
    return ErrorResponse(
        code=body.code or body.type,
        message=body.message or body.type,
        # the error's category (card_error, invalid_request_error...) and its detail (the issuer's
        # decline code, or the parameter at fault)
        reason=": ".join(part for part in (body.type, body.decline_code or body.param) if part) or None,
        status_code=response.status_code,
        attempt_status=attempt,
        connector_transaction_id=intent_id if isinstance(intent_id, str) else None,
        network_decline_code=body.network_decline_code,
    )
