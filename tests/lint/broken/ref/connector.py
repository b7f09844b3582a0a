"""REF: the refund reference is generated, not the router data's reference."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Flow


def refund_request(rd: Any, ctx: Any) -> t.StripeRefundRequest:
    good = t.refund_request(rd, ctx)
    return good.model_copy(update={"metadata": {"order_id": str(uuid.uuid4())}})  # the broken rule


class GeneratedReference(Stripe):
    id = "broken_lint_ref"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.REFUND: replace(Stripe.flows[Flow.REFUND], build_request=refund_request),
    }
