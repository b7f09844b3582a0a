"""Deliberately broken connectors for the request headers: Stripe with one header rule broken each.

Like tests/certify/broken.py, each reuses Stripe's certification data (certification.toml,
cassettes, spec, facts), so the only difference the suite can see is the broken header.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from connectors.stripe.connector import API_VERSION, Stripe
from harness.domain import ConnectorAuthType, Flow, HeaderKey, Maskable
from harness.integration import Headers, RequestContext
from harness.integration.idempotency import idempotency_key


class MissingIdempotencyKey(Stripe):
    """Declares no idempotency header: a retry after a timeout charges twice."""

    id = "broken_missing_idempotency_key"
    base_url_key = "stripe"
    idempotency_header = None


class PaymentWideIdempotencyKey(Stripe):
    """Keys every follow-up operation by the payment: capture and refund (and two partial refunds)
    of one payment share a key, so Stripe answers the refund with the capture it remembers."""

    id = "broken_payment_wide_idempotency_key"
    base_url_key = "stripe"
    idempotency_header = None

    def common_headers(self, router_data: Any, ctx: RequestContext) -> Headers:
        headers = super().common_headers(router_data, ctx)
        if router_data.flow is Flow.AUTHORIZE:
            key = idempotency_key(router_data)
        elif router_data.flow in (Flow.CAPTURE, Flow.VOID, Flow.REFUND):
            key = f"payment-{router_data.request.connector_transaction_id}"
        else:
            return headers
        return [*headers, ("Idempotency-Key", Maskable.normal(key))]


class RandomIdempotencyKey(Stripe):
    """A fresh random key per request: a retry is a new request to the provider."""

    id = "broken_random_idempotency_key"
    base_url_key = "stripe"
    idempotency_header = None

    def common_headers(self, router_data: Any, ctx: RequestContext) -> Headers:
        headers = super().common_headers(router_data, ctx)
        if router_data.flow in (Flow.AUTHORIZE, Flow.CAPTURE, Flow.VOID, Flow.REFUND):
            headers.append(("Idempotency-Key", Maskable.normal(str(uuid.uuid4()))))
        return headers


class BasicInsteadOfBearer(Stripe):
    """Sends the secret key as HTTP Basic credentials where Stripe's facts say Bearer."""

    id = "broken_basic_auth"
    base_url_key = "stripe"

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        assert isinstance(auth, HeaderKey)
        basic = base64.b64encode(f"{auth.api_key.expose()}:".encode()).decode()
        return [
            ("Authorization", Maskable.masked(f"Basic {basic}")),
            ("Stripe-Version", Maskable.normal(API_VERSION)),
        ]


class ApiVersionDropped(Stripe):
    """Drops Stripe-Version: the account's default version answers, in shapes the transforms do not know."""

    id = "broken_api_version_dropped"
    base_url_key = "stripe"

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        return [h for h in super().auth_headers(auth) if h[0] != "Stripe-Version"]
