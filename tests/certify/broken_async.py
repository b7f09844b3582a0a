"""Deliberately broken connectors that read a non-final or flag-only answer as final.

Each is a shipped connector with one response rule broken, certified against that connector's own
certification data (certification.toml, cassettes, facts): only the pending, acknowledged,
flag-only-decline and currency scenarios of the catalog can tell it from the real one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.adyen import transformers as adyen
from connectors.adyen.connector import Adyen
from connectors.checkout import transformers as checkout
from connectors.checkout.connector import Checkout
from connectors.paypal import transformers as paypal
from connectors.paypal.connector import Paypal
from connectors.stripe import transformers as stripe
from connectors.stripe.connector import Stripe
from harness.domain import AttemptStatus, Flow
from harness.domain.router_data import ErrorResponse, PaymentsResponseData, RefundsResponseData
from harness.domain.status import RefundStatus
from harness.integration.connector import ConnectorV2


def _with(base: type[ConnectorV2], flow: Flow, **changes: Any) -> dict[Flow, Any]:
    return {**base.flows, flow: replace(base.flows[flow], **changes)}


def checkout_capture_charged(ack: Any, rd: Any, ctx: Any) -> Any:
    result = checkout.capture_response(ack, rd, ctx)
    return result.model_copy(update={"status": AttemptStatus.CHARGED})  # a 202 Accepted read as done


class CheckoutPendingCaptureCharged(Checkout):
    """A capture answered 202 Accepted (processed later) read as Charged."""

    id = "broken_checkout_pending_capture_charged"
    base_url_key = "checkout"
    flows: ClassVar = _with(Checkout, Flow.CAPTURE, handle_response=checkout_capture_charged)


def stripe_refund_pending_succeeded(refund: Any, rd: Any, ctx: Any) -> Any:
    result = stripe.refund_response(refund, rd, ctx)
    if isinstance(result, RefundsResponseData) and result.refund_status is RefundStatus.PENDING:
        return result.model_copy(update={"refund_status": RefundStatus.SUCCESS})
    return result


class StripePendingRefundSucceeded(Stripe):
    """A refund answered `pending` read as Success."""

    id = "broken_stripe_pending_refund_succeeded"
    base_url_key = "stripe"
    flows: ClassVar = _with(Stripe, Flow.REFUND, handle_response=stripe_refund_pending_succeeded)


def adyen_received_authorized(resp: Any, rd: Any, ctx: Any) -> Any:
    result = adyen.authorize_response(resp, rd, ctx)
    if resp.result_code in ("Received", "Pending"):  # held for later processing read as approved
        return result.model_copy(update={"status": AttemptStatus.AUTHORIZED})
    return result


class AdyenHeldAuthorizationAuthorized(Adyen):
    """An authorization Adyen holds for later processing (resultCode Received) read as Authorized."""

    id = "broken_adyen_held_authorized"
    base_url_key = "adyen"
    flows: ClassVar = _with(Adyen, Flow.AUTHORIZE, handle_response=adyen_received_authorized)


def adyen_received_capture_charged(resp: Any, rd: Any, ctx: Any) -> Any:
    result = adyen.capture_response(resp, rd, ctx)
    return result.model_copy(update={"status": AttemptStatus.CHARGED})  # `received` read as final


class AdyenAcknowledgedCaptureCharged(Adyen):
    """A capture Adyen only acknowledges (status received) read as Charged."""

    id = "broken_adyen_acknowledged_capture_charged"
    base_url_key = "adyen"
    flows: ClassVar = _with(Adyen, Flow.CAPTURE, handle_response=adyen_received_capture_charged)


def paypal_order_status_only(order: Any, rd: Any, ctx: Any) -> Any:
    result = paypal.authorize_response(order, rd, ctx)
    if isinstance(result, ErrorResponse) and order.status == "COMPLETED":
        # the broken rule: the order's own status believed, the capture's DECLINED flag ignored
        return PaymentsResponseData(
            status=AttemptStatus.AUTHORIZED,
            connector_transaction_id=order.id,
            raw_status=order.status,
            status_code=ctx.status_code,
        )
    return result


class PaypalFlagOnlyDeclineAuthorized(Paypal):
    """An order COMPLETED whose capture is DECLINED (processor_response) read as Authorized."""

    id = "broken_paypal_flag_only_decline_authorized"
    base_url_key = "paypal"
    flows: ClassVar = _with(Paypal, Flow.AUTHORIZE, handle_response=paypal_order_status_only)
