"""PII: the CVC travels in a plain str field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Flow


class PlainCvcCard(t.StripeCard):
    cvc: str  # type: ignore[assignment]  # the broken rule: the CVC is not a Secret


class PlainCvcData(t.StripePaymentMethodData):
    card: PlainCvcCard  # type: ignore[assignment]  # carries the card above


class PlainCvcRequest(t.StripePaymentIntentRequest):
    payment_method_data: PlainCvcData  # type: ignore[assignment]  # carries the card above


def authorize_request(rd: Any, ctx: Any) -> PlainCvcRequest:
    good = t.authorize_request(rd, ctx).model_dump(context={"keep_secrets": True})
    good["payment_method_data"]["card"]["cvc"] = rd.request.payment_method_data.card_cvc.expose()
    return PlainCvcRequest(**good)


class PlainCvc(Stripe):
    id = "broken_lint_pii"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.AUTHORIZE: replace(
            Stripe.flows[Flow.AUTHORIZE], build_request=authorize_request, request_model=PlainCvcRequest
        ),
    }
