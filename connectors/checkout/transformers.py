"""Checkout.com (unified payments API) wire models and the pure transforms around them.

Facts from Checkout.com's public documentation and API reference:

* request a payment, get payment details, get payment actions, capture, void, refund:
  https://api-reference.checkout.com/#tag/Payments (JSON bodies, `Authorization: Bearer <secret key>`);
* amounts: https://www.checkout.com/docs/payments/accept-payments/format-the-amount-value;
* response codes (10xxx approved, 20xxx soft decline, 30xxx hard decline, 40xxx risk, 50xxx payout
  decline): https://www.checkout.com/docs/resources/codes/response-codes;
* error bodies (`request_id`, `error_type`, `error_codes`):
  https://www.checkout.com/docs/resources/codes/error-codes.

Capture, void and refund are answered with `202 Accepted` and an `action_id`: the API reference says
they are processed asynchronously, so they map to CaptureInitiated / VoidInitiated / Pending. A
refund's outcome is read later from the payment's actions (RSync).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, RootModel

from harness.domain import (
    AttemptStatus,
    CaptureMethod,
    Currency,
    CurrencyRule,
    ErrorResponse,
    Flow,
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
    status_from_table,
)
from harness.integration.http import HttpResponse
from harness.integration.wire import WireRequest, WireResponse

# ------------------------------------------------------------------ money

AMOUNT_DOC = "https://www.checkout.com/docs/payments/accept-payments/format-the-amount-value"

# "The full amount": the value is the final amount. Every one of these is zero-decimal in ISO 4217
# as well, so none of them needs a row; the unit tests check that they stay that way.
FULL_AMOUNT = (
    Currency.BIF, Currency.DJF, Currency.GNF, Currency.ISK, Currency.JPY, Currency.KMF, Currency.KRW,
    Currency.PYG, Currency.RWF, Currency.UGX, Currency.VUV, Currency.VND, Currency.XAF, Currency.XOF,
    Currency.XPF,
)  # fmt: skip
# "The amount divided by 1000": three decimals as in ISO 4217, but the last digit must be 0.
DIVIDED_BY_1000 = (
    Currency.BHD, Currency.IQD, Currency.JOD, Currency.KWD, Currency.LYD, Currency.OMR, Currency.TND,
)  # fmt: skip
# "For all other currencies, the amount you specify is divided by 100." Where ISO 4217 says
# otherwise, that is a deviation:
ISO_ZERO_DIVIDED_BY_100 = (Currency.CLP, Currency.UYI)  # ISO: no minor unit
ISO_FOUR_DIVIDED_BY_100 = (Currency.CLF, Currency.UYW)  # ISO: four decimals

CHECKOUT_CURRENCIES = table_for(
    (
        DIVIDED_BY_1000,
        CurrencyRule(multiple_of=10, note="divided by 1000; the last digit must always be 0"),
    ),
    (
        ISO_ZERO_DIVIDED_BY_100,
        CurrencyRule(
            exponent=2,
            note="not in the full-amount list, so divided by 100 (ISO: no decimals): whole units are "
            "sent times 100",
        ),
    ),
    (
        ISO_FOUR_DIVIDED_BY_100,
        CurrencyRule(
            exponent=2,
            note="divided by 100 (ISO: four decimals), so only whole hundredths can be sent; older "
            "pages listed CLF under the full amount",
        ),
    ),
    default=CurrencyRule(
        minimum=1, maximum=999_999_999, note="greater than zero, no decimals, at most nine digits"
    ),
    source=AMOUNT_DOC,
)

CHECKOUT_AMOUNTS = MinorUnitConverter(CHECKOUT_CURRENCIES)

REFERENCE_MAX = 50  # `reference` on payments, captures, voids and refunds: maxLength 50
DESCRIPTION_MAX = 100

# ------------------------------------------------------------------ wire models: requests


class CheckoutCardSource(WireRequest):
    type: str = "card"
    number: Secret[str]
    expiry_month: Secret[int]
    expiry_year: Secret[int]
    cvv: Secret[str]
    name: Secret[str] | None = None


class CheckoutPaymentRequest(WireRequest):
    source: CheckoutCardSource
    amount: int
    currency: str
    reference: str
    capture: bool
    description: str | None = None
    processing_channel_id: str | None = None


class CheckoutCaptureRequest(WireRequest):
    amount: int
    reference: str


class CheckoutVoidRequest(WireRequest):
    reference: str


class CheckoutRefundRequest(WireRequest):
    amount: int
    reference: str


# ------------------------------------------------------------------ wire models: responses


class CheckoutBalances(WireResponse):
    total_authorized: int | None = None
    total_voided: int | None = None
    available_to_void: int | None = None
    total_captured: int | None = None
    available_to_capture: int | None = None
    total_refunded: int | None = None
    available_to_refund: int | None = None


class CheckoutPayment(WireResponse):
    """`201` payment response, `202` accepted (pending) response, and `GET /payments/{id}` details."""

    id: str
    status: str
    action_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    approved: bool | None = None
    response_code: str | None = None
    response_summary: str | None = None
    reference: str | None = None
    balances: CheckoutBalances | None = None
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")


class CheckoutActionAccepted(WireResponse):
    """`202 Accepted` answer to a capture, void or refund request."""

    action_id: str
    reference: str | None = None


class CheckoutAction(WireResponse):
    id: str
    type: str
    amount: int
    response_code: str
    approved: bool | None = None
    response_summary: str | None = None
    reference: str | None = None
    processed_on: str | None = None


class CheckoutActions(RootModel[list[CheckoutAction]]):
    """`GET /payments/{id}/actions`: every action of the payment, latest first."""


class CheckoutErrorBody(WireResponse):
    request_id: str | None = None
    error_type: str | None = None
    error_codes: list[str] = Field(default_factory=list)


# ------------------------------------------------------------------ status tables

# `status` of a payment. "Authorized" of a payment requested with `capture: true` means the
# capture is under way; see `payment_status`.
PAYMENT_STATUS: dict[str, AttemptStatus] = {
    "Authorized": AttemptStatus.AUTHORIZED,
    "Pending": AttemptStatus.PENDING,  # asynchronous, or further action (3DS redirect) required
    "Retry Scheduled": AttemptStatus.PENDING,
    # A zero-amount card verification that was approved (response_code 10000): final, nothing to
    # capture; https://www.checkout.com/docs/risk-management/card-verification
    "Card Verified": AttemptStatus.CHARGED,
    "Captured": AttemptStatus.CHARGED,
    "Partially Captured": AttemptStatus.PARTIAL_CHARGED,
    "Paid": AttemptStatus.CHARGED,
    "Refunded": AttemptStatus.CHARGED,  # refunds are tracked on their own; the payment was charged
    "Partially Refunded": AttemptStatus.CHARGED,
    "Voided": AttemptStatus.VOIDED,
    "Declined": AttemptStatus.AUTHORIZATION_FAILED,
    "Canceled": AttemptStatus.FAILURE,
    "Expired": AttemptStatus.EXPIRED,
}

# Response codes, by their documented ranges (first digit).
APPROVED, DECLINED = "approved", "declined"
RESPONSE_CODE_CLASS: dict[str, str] = {
    "1": APPROVED,
    "2": DECLINED,
    "3": DECLINED,
    "4": DECLINED,
    "5": DECLINED,
}


def response_code_class(code: str | None) -> str | None:
    """`approved` for 10xxx, `declined` for 20xxx-50xxx, None for anything undocumented."""
    if not code or len(code) != 5 or not code.isalnum():
        return None
    return RESPONSE_CODE_CLASS.get(code[0])


REFUND_ACTION_STATUS: dict[str, RefundStatus] = {
    APPROVED: RefundStatus.SUCCESS,
    DECLINED: RefundStatus.FAILURE,
}


def capture_method_of(rd: PSyncRouterData) -> CaptureMethod | None:
    """How the payment was requested: the router data says (the source of truth), else the
    Authorize step's metadata."""
    if rd.request.capture_method is not None:
        return rd.request.capture_method
    chained = rd.request.connector_metadata.get("capture_method")
    if chained in (CaptureMethod.MANUAL.value, CaptureMethod.AUTOMATIC.value):
        return CaptureMethod(chained)
    return None


def payment_status(payment: CheckoutPayment, capture_method: CaptureMethod | None) -> AttemptStatus:
    status = status_from_table(payment.status, PAYMENT_STATUS, unknown=AttemptStatus.PENDING)
    if status is AttemptStatus.AUTHORIZED and capture_method is CaptureMethod.AUTOMATIC:
        return AttemptStatus.CAPTURE_INITIATED  # requested with `capture: true`; captured shortly
    if status is AttemptStatus.PARTIAL_CHARGED:
        left = payment.balances.available_to_capture if payment.balances else None
        if left:
            return AttemptStatus.PARTIAL_CHARGED_AND_CHARGEABLE
    if payment.status == "Pending" and "redirect" in payment.links:
        return AttemptStatus.AUTHENTICATION_PENDING
    return status


def refund_action_status(action: CheckoutAction) -> RefundStatus:
    """A refund action's outcome: `approved` and the range of its response code.

    An explicit `approved: false` or a decline-range code is a failure; an undocumented code is
    Pending (never terminal); an approved code with `approved: true` is a success.
    """
    kind = response_code_class(action.response_code)
    if action.approved is False:
        return RefundStatus.FAILURE
    status = status_from_table(kind, REFUND_ACTION_STATUS, unknown=RefundStatus.PENDING)
    if status is RefundStatus.SUCCESS and action.approved is not True:
        return RefundStatus.PENDING  # not yet stated either way
    return status


# ------------------------------------------------------------------ request transforms


def authorize_request(rd: AuthorizeRouterData, ctx: RequestContext) -> CheckoutPaymentRequest:
    request = rd.request
    card = request.payment_method_data
    description = request.description
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise InvalidDataError(
            f"description is longer than {DESCRIPTION_MAX} characters", field="description"
        )
    channel = rd.resource_common_data.connector_meta_data.get("processing_channel_id")
    return CheckoutPaymentRequest(
        source=CheckoutCardSource(
            number=card.card_number,
            expiry_month=card.card_exp_month.map(int),
            expiry_year=card.exp_year_four_digits().map(int),
            cvv=card.card_cvc,
            name=card.card_holder_name,
        ),
        amount=ctx.amount(request.amount, request.currency),
        currency=request.currency.value,
        reference=rd.resource_common_data.connector_request_reference_id,
        capture=request.capture_method is not CaptureMethod.MANUAL,
        description=description,
        processing_channel_id=channel or None,
    )


def capture_request(rd: CaptureRouterData, ctx: RequestContext) -> CheckoutCaptureRequest:
    request = rd.request
    return CheckoutCaptureRequest(
        amount=ctx.amount(request.amount_to_capture, request.currency, field="amount_to_capture"),
        reference=rd.resource_common_data.connector_request_reference_id,
    )


def void_request(rd: VoidRouterData, ctx: RequestContext) -> CheckoutVoidRequest:
    return CheckoutVoidRequest(reference=rd.resource_common_data.connector_request_reference_id)


def refund_request(rd: RefundRouterData, ctx: RequestContext) -> CheckoutRefundRequest:
    request = rd.request
    return CheckoutRefundRequest(
        amount=ctx.amount(request.refund_amount, request.currency, field="refund_amount"),
        reference=rd.resource_common_data.connector_request_reference_id,
    )


# ------------------------------------------------------------------ response transforms


def payment_data(
    payment: CheckoutPayment, capture_method: CaptureMethod | None, ctx: ResponseContext
) -> PaymentsResponseData:
    currency = ctx.currency(payment.currency, field="currency") if payment.currency is not None else None
    balances = payment.balances

    def money(value: int | None, field: str) -> MinorUnit | None:
        if value is None or currency is None:
            return None
        return ctx.amount_back(value, currency, field=field)

    return PaymentsResponseData(
        status=payment_status(payment, capture_method),
        connector_transaction_id=payment.id,
        connector_response_reference_id=payment.reference,
        amount=money(payment.amount, "amount"),
        currency=currency,
        amount_captured=money(balances.total_captured, "balances.total_captured") if balances else None,
        amount_capturable=money(balances.available_to_capture, "balances.available_to_capture")
        if balances
        else None,
        raw_status=payment.status,
        connector_metadata={"capture_method": capture_method.value} if capture_method else {},
        status_code=ctx.status_code,
    )


def decline_from(payment: CheckoutPayment, ctx: ResponseContext) -> ErrorResponse:
    """A declined authorization (`approved: false`) with its response code."""
    return ErrorResponse(
        code=payment.response_code or payment.status,
        message=payment.response_summary or f"payment {payment.status}",
        reason=payment.response_summary,
        status_code=ctx.status_code,
        attempt_status=AttemptStatus.AUTHORIZATION_FAILED,
        connector_transaction_id=payment.id,
    )


def authorize_response(
    payment: CheckoutPayment, rd: AuthorizeRouterData, ctx: ResponseContext
) -> PaymentsResponseData | ErrorResponse:
    if payment.approved is False or payment.status == "Declined":
        return decline_from(payment, ctx)
    return payment_data(payment, rd.request.capture_method, ctx)


def psync_response(
    payment: CheckoutPayment, rd: PSyncRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    if payment.id != rd.request.connector_transaction_id:
        raise ResponseHandlingError("payment details belong to another payment", field="id")
    return payment_data(payment, capture_method_of(rd), ctx)


def accepted(
    ack: CheckoutActionAccepted,
    rd: CaptureRouterData | VoidRouterData,
    status: AttemptStatus,
    ctx: ResponseContext,
) -> PaymentsResponseData:
    return PaymentsResponseData(
        status=status,
        connector_transaction_id=rd.request.connector_transaction_id,
        connector_response_reference_id=ack.reference,
        connector_metadata={f"{rd.flow.value.lower()}_action_id": ack.action_id},
        status_code=ctx.status_code,
    )


def capture_response(
    ack: CheckoutActionAccepted, rd: CaptureRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    return accepted(ack, rd, AttemptStatus.CAPTURE_INITIATED, ctx)


def void_response(
    ack: CheckoutActionAccepted, rd: VoidRouterData, ctx: ResponseContext
) -> PaymentsResponseData:
    return accepted(ack, rd, AttemptStatus.VOID_INITIATED, ctx)


def refund_response(
    ack: CheckoutActionAccepted, rd: RefundRouterData, ctx: ResponseContext
) -> RefundsResponseData:
    return RefundsResponseData(
        connector_refund_id=ack.action_id,
        refund_status=RefundStatus.PENDING,
        status_code=ctx.status_code,
    )


def rsync_response(
    actions: CheckoutActions, rd: RSyncRouterData, ctx: ResponseContext
) -> RefundsResponseData:
    wanted = rd.request.connector_refund_id
    action = next((a for a in actions.root if a.id == wanted), None)
    if action is None:
        raise ResponseHandlingError("the payment has no action with the refund's action id", field="id")
    if action.type != "Refund":
        raise ResponseHandlingError(f"action {wanted} is a {action.type}, not a Refund", field="type")
    currency = rd.request.currency
    return RefundsResponseData(
        connector_refund_id=action.id,
        refund_status=refund_action_status(action),
        amount=ctx.amount_back(action.amount, currency) if currency is not None else None,
        currency=currency,
        raw_status=action.response_code,
        status_code=ctx.status_code,
    )


# ------------------------------------------------------------------ errors


# What the API reference says each body-less status means, per flow.
STATUS_TEXT: dict[int, str] = {
    401: "Unauthorized: the secret key was refused",
    404: "Payment not found",
    429: "Too many requests or duplicate request detected",
    502: "Bad gateway",
}
NOT_ALLOWED: dict[Flow, str] = {
    Flow.CAPTURE: "Capture not allowed",
    Flow.VOID: "Void not allowed",
    Flow.REFUND: "Refund not allowed",
}
def error_response(response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
    """`{request_id, error_type, error_codes}` (or an empty body) as an ErrorResponse."""
    body: CheckoutErrorBody | None = None
    if response.body.strip():
        try:
            tree = response.decoded()
            body = CheckoutErrorBody.model_validate(tree) if isinstance(tree, dict) else None
        except ValueError:
            body = None
    status = response.status_code
    codes = body.error_codes if body is not None else []
    error_type = body.error_type if body is not None else None
    if status == 403:
        default = NOT_ALLOWED.get(ctx.flow, "Forbidden")
    else:
        default = STATUS_TEXT.get(status, "Checkout.com returned an error")
    # no status here: the base's HTTP failure policy fails a refused request (not an issuer decline) and
    # leaves a 5xx, 429 or 401 unknown (Checkout.failure_policy)
    return ErrorResponse(
        code=codes[0] if codes else error_type or f"HTTP_{status}",
        message=f"{error_type}: {', '.join(codes)}" if error_type and codes else error_type or default,
        reason=", ".join(codes) or None,
        status_code=status,
    )
