"""CUR: the provider's currency string is parsed by hand, not with Currency.parse."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Currency, Flow


def psync_response(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.psync_response(intent, rd, ctx)
    currency = Currency(intent.currency.upper())  # the broken rule: a raw string parse
    return result.model_copy(update={"currency": currency})


class RawCurrency(Stripe):
    id = "broken_lint_cur"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.PSYNC: replace(Stripe.flows[Flow.PSYNC], handle_response=psync_response),
    }
