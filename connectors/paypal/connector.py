"""PayPal REST: OAuth 2.0 client credentials, Orders v2 with card payment source, Payments v2.

https://developer.paypal.com/api/rest/ ; ids and statuses are explained in transformers.py.
`connector_transaction_id` is the PayPal payment transaction id (authorization id, then capture
id); the order, authorization and capture ids travel in `connector_metadata`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.paypal import transformers as t
from connectors.paypal.webhooks import WEBHOOKS
from harness.domain import (
    BodyKey,
    ConnectorAuthType,
    ErrorResponse,
    Flow,
    Maskable,
    MissingRequiredFieldError,
)
from harness.integration import (
    AuthSpec,
    ConnectorV2,
    ContentType,
    FlowSpec,
    Headers,
    HttpFailurePolicy,
    HttpResponse,
    Method,
    RequestContext,
    ResponseContext,
    flow_table,
    unknown,
)

API_VERSION = "v2"  # Orders v2 and Payments v2; the token endpoint is /v1/oauth2/token
REPRESENTATION = ("Prefer", Maskable.normal("return=representation"))


def representation_only(rd: Any, ctx: RequestContext) -> Headers:
    return [REPRESENTATION]


class Paypal(ConnectorV2):
    id = "paypal"
    display_name = "PayPal"
    auth = AuthSpec(
        BodyKey,
        env={"key1": "PAYPAL_CLIENT_ID", "api_key": "PAYPAL_CLIENT_SECRET"},
        description="REST app credentials: key1 = client id, api_key = client secret",
        key_prefixes=(),  # PayPal documents no prefix for client ids or secrets
    )
    amount_converter = t.PAYPAL_AMOUNTS
    api_version = API_VERSION
    docs_url = "https://developer.paypal.com/api/rest/"
    webhooks = WEBHOOKS  # incoming notifications: connectors/paypal/webhooks.py
    # https://developer.paypal.com/reference/guidelines/idempotency.md: without PayPal-Request-Id a
    # retried request is duplicated; an order with a card payment_source requires it. The published
    # Payments spec has none on /void, so Void sends none.
    idempotency_header = "PayPal-Request-Id"
    idempotency_flows = frozenset({Flow.AUTHORIZE, Flow.CAPTURE, Flow.REFUND})
    # 401/403 refuse the token or its scope before the order is looked at: they say nothing about it
    # (https://developer.paypal.com/api/rest/responses/#link-httpstatuscodes)
    failure_policy = HttpFailurePolicy(
        {
            401: unknown("AUTHENTICATION_FAILURE: the access token was refused, the order was not read"),
            403: unknown("NOT_AUTHORIZED: the token lacks the permission, the order was not read"),
        }
    )

    flows: ClassVar = flow_table(
        FlowSpec(
            Flow.CREATE_ACCESS_TOKEN,
            Method.POST,
            "v1/oauth2/token",
            request_model=t.PaypalTokenRequest,
            build_request=t.token_request,
            content_type=ContentType.FORM,
            response_model=t.PaypalTokenResponse,
            handle_response=t.token_response,
        ),
        FlowSpec(
            Flow.AUTHORIZE,
            Method.POST,
            "v2/checkout/orders",
            request_model=t.PaypalOrderRequest,
            build_request=t.authorize_request,
            content_type=ContentType.JSON,
            headers=representation_only,
            response_model=t.PaypalOrder,
            handle_response=t.authorize_response,
            needs_access_token=True,
            amount_fields=("purchase_units.0.amount.value",),
            currency_field="purchase_units.0.amount.currency_code",
            reference_field="purchase_units.0.invoice_id",
            status_field="status",
        ),
        FlowSpec(
            Flow.CAPTURE,
            Method.POST,
            "v2/payments/authorizations/{authorization_id}/capture",
            path_params=t.capture_path_params,
            request_model=t.PaypalCaptureRequest,
            build_request=t.capture_request,
            content_type=ContentType.JSON,
            headers=representation_only,
            response_model=t.PaypalPayment,
            handle_response=t.capture_response,
            needs_access_token=True,
            amount_fields=("amount.value",),
            currency_field="amount.currency_code",
            status_field="status",
        ),
        FlowSpec(
            Flow.VOID,
            Method.POST,
            "v2/payments/authorizations/{authorization_id}/void",
            path_params=t.void_path_params,
            headers=representation_only,
            response_model=t.PaypalVoidResponse,
            handle_response=t.void_response,
            needs_access_token=True,
            status_field="status",
        ),
        FlowSpec(
            Flow.REFUND,
            Method.POST,
            "v2/payments/captures/{capture_id}/refund",
            path_params=t.refund_path_params,
            request_model=t.PaypalRefundRequest,
            build_request=t.refund_request,
            content_type=ContentType.JSON,
            headers=representation_only,
            response_model=t.PaypalRefund,
            handle_response=t.refund_response,
            needs_access_token=True,
            amount_fields=("amount.value",),
            currency_field="amount.currency_code",
            reference_field="invoice_id",
            status_field="status",
        ),
        FlowSpec(
            Flow.PSYNC,
            Method.GET,
            "v2/{api}/{collection}/{resource_id}",
            path_params=t.psync_path_params,
            response_model=t.PaypalSyncResponse,
            handle_response=t.psync_response,
            needs_access_token=True,
            status_field="status",
        ),
        FlowSpec(
            Flow.RSYNC,
            Method.GET,
            "v2/payments/refunds/{connector_refund_id}",
            response_model=t.PaypalRefund,
            handle_response=t.refund_response,
            needs_access_token=True,
            status_field="status",
        ),
    )

    def auth_headers(self, auth: ConnectorAuthType) -> Headers:
        """HTTP Basic with the client id and secret: only the token request carries it."""
        return [("Authorization", Maskable.masked(t.basic_authorization(auth)))]

    def common_headers(self, router_data: Any, ctx: RequestContext) -> Headers:
        if router_data.flow is Flow.CREATE_ACCESS_TOKEN:
            return [*self.auth_headers(ctx.auth), ("Accept", Maskable.normal("application/json"))]
        token = getattr(router_data.resource_common_data, "access_token", None)
        if token is None or not token.access_token.expose():
            raise MissingRequiredFieldError(
                "access_token", hint="PayPal flows run with a token from CreateAccessToken"
            )
        return [
            ("Authorization", Maskable.masked(f"Bearer {token.access_token.expose()}")),
            ("Accept", Maskable.normal("application/json")),
        ]

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        return t.error_response(response, ctx)
