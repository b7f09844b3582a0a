"""Deliberately broken connectors for the transport-fault and amount checks: Stripe with one bug each.

Each reuses Stripe's certification data (certification.toml, cassettes, spec, facts), so the only
difference the suite can see is the broken rule.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import AttemptStatus, Flow
from harness.domain.router_data import PaymentsResponseData
from harness.integration import HttpFailurePolicy, refused
from tests.certify.broken import _with


class ServerErrorReadAsFailure(Stripe):
    """A 500 read as a final refusal: the merchant retries as a new payment and charges twice."""

    id = "broken_5xx_failure"
    base_url_key = "stripe"
    failure_policy = HttpFailurePolicy({500: refused("Stripe's api_error is final (it is not)")})


class TimeoutReadAsCharged(Stripe):
    """No answer read as a captured payment: goods ship unpaid."""

    id = "broken_timeout_charged"
    base_url_key = "stripe"

    def transport_failure_response(self, router_data: Any, cause: str) -> Any:
        return PaymentsResponseData(status=AttemptStatus.CHARGED)


class FreshIdempotencyKeyOnRetry(Stripe):
    id = "broken_fresh_idempotency_key"
    base_url_key = "stripe"

    def idempotency_key(self, router_data: Any) -> str | None:
        return str(uuid.uuid4())  # the bug: a new key per attempt, so a retry is a second payment


def zero_capture_request(rd: Any, ctx: Any) -> t.StripeCaptureRequest:
    request = rd.request
    # the bug: the amount converted past the context's guard, so a zero capture goes out
    return t.StripeCaptureRequest(
        amount_to_capture=ctx.converter.convert(request.amount_to_capture, request.currency)
    )


class ZeroAmountSent(Stripe):
    """The base refuses a zero capture before any transform runs; this connector switched that off
    (a connector with its own request path), so only the amount-limits check stands in its way."""

    id = "broken_zero_amount_sent"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.CAPTURE, build_request=zero_capture_request)

    def check_request(self, router_data: Any) -> None:
        return None  # the bug: the declared preconditions skipped


def payment_amount_refund_request(rd: Any, ctx: Any) -> t.StripeRefundRequest:
    good = t.refund_request(rd, ctx)
    request = rd.request
    # the bug: the refund sends what was captured, not what was asked
    return good.model_copy(update={"amount": ctx.amount(request.payment_amount, request.currency)})


class RefundSendsPaymentAmount(Stripe):
    id = "broken_refund_payment_amount"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.REFUND, build_request=payment_amount_refund_request)
