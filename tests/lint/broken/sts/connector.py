"""STS: an unknown refund status counts as a success."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Flow, RefundStatus


def rsync_response(refund: t.StripeRefund, rd: Any, ctx: Any) -> Any:
    result = t.refund_response(refund, rd, ctx)
    status = t.REFUND_STATUS.get(refund.status, RefundStatus.SUCCESS)  # the broken rule: a terminal catch-all
    return result.model_copy(update={"refund_status": status})


class UnknownRefundSucceeds(Stripe):
    id = "broken_lint_sts"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.RSYNC: replace(Stripe.flows[Flow.RSYNC], handle_response=rsync_response),
    }
