"""CFG: correct code; the broken rule is the config the test gives it (production on a test host)."""

from __future__ import annotations

from connectors.stripe.connector import Stripe


class ProductionOnTestHost(Stripe):
    id = "broken_lint_cfg"
    base_url_key = "stripe"
