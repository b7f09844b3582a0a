"""Stripe on PaymentIntents: https://docs.stripe.com/api/payment_intents."""

from __future__ import annotations

from typing import ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.webhooks import WEBHOOKS
from harness.domain import ConnectorAuthType, ErrorResponse, Flow, HeaderKey, Maskable
from harness.integration import (
    AuthSpec,
    ConnectorV2,
    ContentType,
    FlowSpec,
    Headers,
    HttpResponse,
    Method,
    ResponseContext,
    credentials,
    flow_table,
)

API_VERSION = "2024-06-20"  # pinned: the shapes in transformers.py follow this version


class Stripe(ConnectorV2):
    id = "stripe"
    display_name = "Stripe"
    auth = AuthSpec(
        HeaderKey,
        env={"api_key": "STRIPE_API_KEY"},
        description="secret key sk_test_...",
        # https://docs.stripe.com/keys: secret and restricted keys, sandbox and live
        key_prefixes=("sk_test_", "sk_live_", "rk_test_", "rk_live_"),
    )
    amount_converter = t.STRIPE_AMOUNTS
    api_version = API_VERSION
    # the version that answered, when the response names it (seen in practice, not stated in the API
    # reference; without it the pinned API_VERSION is recorded)
    api_version_header = "Stripe-Version"
    docs_url = "https://docs.stripe.com/api"
    # https://docs.stripe.com/api/idempotent_requests: every POST accepts a key; a retry after a
    # timeout without one creates a second charge
    idempotency_header = "Idempotency-Key"
    webhooks = WEBHOOKS  # incoming notifications: connectors/stripe/webhooks.py

    flows: ClassVar = flow_table(
        FlowSpec(
            Flow.AUTHORIZE,
            Method.POST,
            "v1/payment_intents",
            request_model=t.StripePaymentIntentRequest,
            build_request=t.authorize_request,
            content_type=ContentType.FORM,
            response_model=t.StripePaymentIntent,
            handle_response=t.authorize_response,
            amount_fields=("amount",),
            currency_field="currency",
            reference_field="metadata.order_id",
            status_field="status",
        ),
        FlowSpec(
            Flow.CAPTURE,
            Method.POST,
            "v1/payment_intents/{connector_transaction_id}/capture",
            request_model=t.StripeCaptureRequest,
            build_request=t.capture_request,
            content_type=ContentType.FORM,
            response_model=t.StripePaymentIntent,
            handle_response=t.capture_response,
            amount_fields=("amount_to_capture",),
            status_field="status",
        ),
        FlowSpec(
            Flow.VOID,
            Method.POST,
            "v1/payment_intents/{connector_transaction_id}/cancel",
            request_model=t.StripeCancelRequest,
            build_request=t.void_request,
            content_type=ContentType.FORM,
            response_model=t.StripePaymentIntent,
            handle_response=t.void_response,
            status_field="status",
        ),
        FlowSpec(
            Flow.REFUND,
            Method.POST,
            "v1/refunds",
            request_model=t.StripeRefundRequest,
            build_request=t.refund_request,
            content_type=ContentType.FORM,
            response_model=t.StripeRefund,
            handle_response=t.refund_response,
            amount_fields=("amount",),
            reference_field="metadata.order_id",
            status_field="status",
        ),
        FlowSpec(
            Flow.PSYNC,
            Method.GET,
            "v1/payment_intents/{connector_transaction_id}",
            response_model=t.StripePaymentIntent,
            handle_response=t.psync_response,
            status_field="status",
        ),
        FlowSpec(
            Flow.RSYNC,
            Method.GET,
            "v1/refunds/{connector_refund_id}",
            response_model=t.StripeRefund,
            handle_response=t.refund_response,
            status_field="status",
        ),
    )
    unsupported: ClassVar = {
        Flow.CREATE_ACCESS_TOKEN: "Stripe authenticates every request with the secret key; "
        "there is no token endpoint",
    }

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        api_key = credentials(auth, HeaderKey).api_key
        return [
            ("Authorization", Maskable.masked(f"Bearer {api_key.expose()}")),
            ("Stripe-Version", Maskable.normal(API_VERSION)),
        ]

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        return t.error_response(response, ctx)
