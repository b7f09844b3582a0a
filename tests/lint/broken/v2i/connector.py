"""V2I: a connector that imports an HTTP client (it would send requests itself)."""

from __future__ import annotations

import requests  # noqa: F401  # the broken rule: a connector never sends requests

from connectors.stripe.connector import Stripe


class NetworkImport(Stripe):
    id = "broken_lint_v2i"
    base_url_key = "stripe"
