"""Adyen on Checkout API v71: https://docs.adyen.com/api-explorer/Checkout/71/overview."""

from __future__ import annotations

from typing import ClassVar

from connectors.adyen import transformers as t
from connectors.adyen.webhooks import WEBHOOKS
from harness.domain import BodyKey, ConnectorAuthType, ErrorResponse, Flow, Maskable
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

API_VERSION = t.API_VERSION  # in every path: the shapes in transformers.py follow this version


class Adyen(ConnectorV2):
    id = "adyen"
    display_name = "Adyen"
    auth = AuthSpec(
        BodyKey,
        env={"api_key": "ADYEN_API_KEY", "key1": "ADYEN_MERCHANT_ACCOUNT"},
        description="api_key: the API key (X-API-Key); key1: the merchant account",
        key_prefixes=(),  # Adyen documents no API-key prefix (test_/live_ mark the public client key)
    )
    amount_converter = t.ADYEN_AMOUNTS
    api_version = API_VERSION
    docs_url = "https://docs.adyen.com/api-explorer/Checkout/71/overview"
    # https://docs.adyen.com/development-resources/api-idempotency: a retry with the same key gets the
    # first answer (keys up to 64 characters; the derived key has 36)
    idempotency_header = "Idempotency-Key"
    webhooks = WEBHOOKS  # incoming notifications: connectors/adyen/webhooks.py
    # production: https://{{merchant_endpoint_prefix}}-checkout-live.adyenpayments.com/checkout/
    # return_url: where Adyen sends a shopper back after a redirect (3D Secure); v71 requires it
    metadata_fields = ("merchant_endpoint_prefix", "return_url")
    # 401/403 (ServiceError errorType "security") refuse the credentials before the payment is looked
    # at: they say nothing about it (https://docs.adyen.com/development-resources/response-handling)
    failure_policy = HttpFailurePolicy(
        {
            401: unknown("ServiceError 401 security: the API key was refused, the payment was not read"),
            403: unknown("ServiceError 403 security: the API key lacks a role, the payment was not read"),
        }
    )

    flows: ClassVar = flow_table(
        FlowSpec(
            Flow.AUTHORIZE,
            Method.POST,
            f"{API_VERSION}/payments",
            request_model=t.AdyenPaymentRequest,
            build_request=t.authorize_request,
            content_type=ContentType.JSON,
            response_model=t.AdyenPaymentResponse,
            handle_response=t.authorize_response,
            amount_fields=("amount.value",),
            currency_field="amount.currency",
            reference_field="reference",
            reference_max_length=t.MAX_REFERENCE_LENGTH,
            status_field="resultCode",
            description="POST /payments with raw card data (scheme)",
        ),
        FlowSpec(
            Flow.CAPTURE,
            Method.POST,
            f"{API_VERSION}/payments/{{connector_transaction_id}}/captures",
            request_model=t.AdyenCaptureRequest,
            build_request=t.capture_request,
            content_type=ContentType.JSON,
            response_model=t.AdyenModificationResponse,
            handle_response=t.capture_response,
            amount_fields=("amount.value",),
            currency_field="amount.currency",
            reference_field="reference",
            reference_max_length=t.MAX_REFERENCE_LENGTH,
            status_field="status",
            description="acknowledged with status received; the outcome is the CAPTURE webhook",
        ),
        FlowSpec(
            Flow.VOID,
            Method.POST,
            f"{API_VERSION}/payments/{{connector_transaction_id}}/cancels",
            request_model=t.AdyenCancelRequest,
            build_request=t.void_request,
            content_type=ContentType.JSON,
            response_model=t.AdyenModificationResponse,
            handle_response=t.void_response,
            reference_field="reference",
            reference_max_length=t.MAX_REFERENCE_LENGTH,
            status_field="status",
            description="acknowledged with status received; the outcome is the CANCELLATION webhook",
        ),
        FlowSpec(
            Flow.REFUND,
            Method.POST,
            f"{API_VERSION}/payments/{{connector_transaction_id}}/refunds",
            request_model=t.AdyenRefundRequest,
            build_request=t.refund_request,
            content_type=ContentType.JSON,
            response_model=t.AdyenModificationResponse,
            handle_response=t.refund_response,
            amount_fields=("amount.value",),
            currency_field="amount.currency",
            reference_field="reference",
            reference_max_length=t.MAX_REFERENCE_LENGTH,
            status_field="status",
            description="acknowledged with status received; the outcome is the REFUND webhook",
        ),
    )
    unsupported: ClassVar = {
        Flow.CREATE_ACCESS_TOKEN: "Adyen authenticates every request with the API key in X-API-Key; "
        "there is no token endpoint",
        Flow.PSYNC: "Checkout API v71 has no endpoint that returns a payment's status: Adyen reports "
        "payment outcomes only through webhooks (AUTHORISATION, CAPTURE, CANCELLATION); "
        "POST /payments/details only submits the result of a shopper action (redirect, 3D Secure)",
        Flow.RSYNC: "Checkout API v71 has no endpoint that returns a refund's status: the outcome of "
        "POST /payments/{paymentPspReference}/refunds arrives only in the REFUND webhook",
    }

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        return [("X-API-Key", Maskable.masked(credentials(auth, BodyKey).api_key.expose()))]

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        return t.error_response(response, ctx)
