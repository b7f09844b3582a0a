"""CNV: the refund amount bypasses the declared converter (and its currency table)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Flow


def raw_refund_request(rd: Any, ctx: Any) -> t.StripeRefundRequest:
    request = rd.request
    return t.StripeRefundRequest(
        payment_intent=request.connector_transaction_id,
        amount=request.refund_amount.value,  # the broken rule: not ctx.amount(...)
        metadata={"order_id": rd.resource_common_data.connector_request_reference_id},
    )


class ConverterBypass(Stripe):
    id = "broken_lint_cnv"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.REFUND: replace(Stripe.flows[Flow.REFUND], build_request=raw_refund_request),
    }
