"""A connector whose code is Stripe's, with one claim the provider facts do not back: RSync declared
unsupported, though Stripe documents GET /v1/refunds/{id}. In a package of its own so that the lint
sees only this declaration (broken.py's deliberate findings would fail it for other reasons)."""

from __future__ import annotations

from typing import ClassVar

from connectors.stripe.connector import Stripe
from harness.domain import Flow
from harness.integration import flow_table


class RSyncDeclaredUnsupported(Stripe):
    id = "broken_rsync_unsupported"
    base_url_key = "stripe"
    flows: ClassVar = flow_table(
        Stripe.flows[Flow.AUTHORIZE],
        Stripe.flows[Flow.CAPTURE],
        Stripe.flows[Flow.VOID],
        Stripe.flows[Flow.REFUND],
        Stripe.flows[Flow.PSYNC],
    )
    unsupported: ClassVar = {**Stripe.unsupported, Flow.RSYNC: "refund updates come by webhook"}
