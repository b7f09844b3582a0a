"""CRD: a fallback credential written into the source."""

from __future__ import annotations

from connectors.stripe.connector import Stripe
from harness.domain import ConnectorAuthType, Maskable
from harness.integration import Headers

FALLBACK_AUTHORIZATION = "Basic ZGVtbzpkZW1vLXBhc3N3b3Jk"  # the broken rule: a credential in the source


class HardcodedCredential(Stripe):
    id = "broken_lint_crd"
    base_url_key = "stripe"

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        return [
            *super().auth_headers(auth),
            ("X-Fallback-Authorization", Maskable.masked(FALLBACK_AUTHORIZATION)),
        ]
