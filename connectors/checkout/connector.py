"""Checkout.com, unified payments API: https://api-reference.checkout.com/#tag/Payments."""

from __future__ import annotations

from typing import ClassVar

from connectors.checkout import transformers as t
from connectors.checkout.webhooks import WEBHOOKS
from harness.domain import ConnectorAuthType, ErrorResponse, Flow, HeaderKey, Maskable
from harness.integration import (
    AuthSpec,
    ConnectorV2,
    ContentType,
    FlowSpec,
    Headers,
    HttpFailurePolicy,
    HttpResponse,
    Method,
    ResponseContext,
    credentials,
    flow_table,
    unknown,
)


class Checkout(ConnectorV2):
    id = "checkout"
    display_name = "Checkout.com"
    auth = AuthSpec(
        HeaderKey,
        env={"api_key": "CHECKOUT_SECRET_KEY"},
        description="secret key (sk_sbox_... in the sandbox), sent as a Bearer token",
        # https://www.checkout.com/docs/developer-resources/api/manage-api-keys/api-keys: secret keys
        # are sk_sbox_ (sandbox) and sk_ (production); the older ABC accounts used sk_test_
        key_prefixes=("sk_sbox_", "sk_", "sk_test_"),
    )
    amount_converter = t.CHECKOUT_AMOUNTS
    docs_url = "https://api-reference.checkout.com/#tag/Payments"
    metadata_fields = ("processing_channel_id",)
    # https://www.checkout.com/docs/developer-resources/api/idempotency: a retry with the same key
    # is not processed twice
    idempotency_header = "Cko-Idempotency-Key"
    webhooks = WEBHOOKS  # incoming notifications: connectors/checkout/webhooks.py
    # a 401 refuses the key before the payment is looked at; a 403 is "capture/void/refund not allowed"
    # (a refusal, the default) -- https://api-reference.checkout.com/#section/Authentication
    failure_policy = HttpFailurePolicy(
        {401: unknown("401 Unauthorized: the secret key was refused, the payment was not read")}
    )

    flows: ClassVar = flow_table(
        FlowSpec(
            Flow.AUTHORIZE,
            Method.POST,
            "payments",
            request_model=t.CheckoutPaymentRequest,
            build_request=t.authorize_request,
            content_type=ContentType.JSON,
            response_model=t.CheckoutPayment,
            handle_response=t.authorize_response,
            amount_fields=("amount",),
            currency_field="currency",
            reference_field="reference",
            reference_max_length=t.REFERENCE_MAX,
            status_field="status",
        ),
        FlowSpec(
            Flow.CAPTURE,
            Method.POST,
            "payments/{connector_transaction_id}/captures",
            request_model=t.CheckoutCaptureRequest,
            build_request=t.capture_request,
            content_type=ContentType.JSON,
            response_model=t.CheckoutActionAccepted,
            handle_response=t.capture_response,
            amount_fields=("amount",),
            reference_field="reference",
            reference_max_length=t.REFERENCE_MAX,
            description="202 Accepted with an action_id; the capture completes asynchronously",
        ),
        FlowSpec(
            Flow.VOID,
            Method.POST,
            "payments/{connector_transaction_id}/voids",
            request_model=t.CheckoutVoidRequest,
            build_request=t.void_request,
            content_type=ContentType.JSON,
            response_model=t.CheckoutActionAccepted,
            handle_response=t.void_response,
            reference_field="reference",
            reference_max_length=t.REFERENCE_MAX,
            description="202 Accepted with an action_id; the void completes asynchronously",
        ),
        FlowSpec(
            Flow.REFUND,
            Method.POST,
            "payments/{connector_transaction_id}/refunds",
            request_model=t.CheckoutRefundRequest,
            build_request=t.refund_request,
            content_type=ContentType.JSON,
            response_model=t.CheckoutActionAccepted,
            handle_response=t.refund_response,
            amount_fields=("amount",),
            reference_field="reference",
            reference_max_length=t.REFERENCE_MAX,
            description="202 Accepted; the action_id is the connector refund id",
        ),
        FlowSpec(
            Flow.PSYNC,
            Method.GET,
            "payments/{connector_transaction_id}",
            response_model=t.CheckoutPayment,
            handle_response=t.psync_response,
            status_field="status",
        ),
        FlowSpec(
            Flow.RSYNC,
            Method.GET,
            "payments/{connector_transaction_id}/actions",
            response_model=t.CheckoutActions,
            handle_response=t.rsync_response,
            status_field="0.response_code",  # actions come latest first; a refund's outcome is its code
            description="the refund is the action whose id is the connector refund id",
        ),
    )
    unsupported: ClassVar = {
        Flow.CREATE_ACCESS_TOKEN: "every request carries the secret API key as a Bearer token; "
        "Checkout.com's OAuth token endpoint serves access keys, which this connector does not use",
    }

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        return [("Authorization", Maskable.masked(f"Bearer {credentials(auth, HeaderKey).api_key.expose()}"))]

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        return t.error_response(response, ctx)
