"""Authorize.net's JSON API: https://developer.authorize.net/api/reference/index.html.

One endpoint (the configured base URL) takes every call as a POST of one JSON document; the
credentials (`merchantAuthentication`: API login ID and transaction key) travel inside it.
"""

from __future__ import annotations

from typing import ClassVar

from connectors.authorizedotnet import transformers as t
from connectors.authorizedotnet.webhooks import WEBHOOKS
from harness.domain import BodyKey, ErrorResponse, Flow
from harness.integration import (
    AuthSpec,
    ConnectorV2,
    ContentType,
    FlowSpec,
    HttpResponse,
    Method,
    ResponseContext,
    flow_table,
)

CREATE = "createTransactionRequest"
DETAILS = "getTransactionDetailsRequest"


class Authorizedotnet(ConnectorV2):
    id = "authorizedotnet"
    display_name = "Authorize.net"
    auth = AuthSpec(
        BodyKey,
        env={"api_key": "AUTHORIZEDOTNET_API_LOGIN_ID", "key1": "AUTHORIZEDOTNET_TRANSACTION_KEY"},
        description="api_key = API login ID, key1 = transaction key (merchantAuthentication in the body)",
        key_prefixes=(),  # Authorize.net documents no prefix for login ids or transaction keys
    )
    amount_converter = t.AUTHORIZEDOTNET_AMOUNTS
    api_version = "v1"  # the xml/v1 API (AnetApiSchema.xsd), in its JSON form
    docs_url = t.API_REFERENCE
    webhooks = WEBHOOKS  # incoming notifications: connectors/authorizedotnet/webhooks.py

    flows: ClassVar = flow_table(
        FlowSpec(
            Flow.AUTHORIZE,
            Method.POST,
            "",
            request_model=t.CreateTransactionRequest,
            build_request=t.authorize_request,
            content_type=ContentType.JSON,
            response_model=t.CreateTransactionResponse,
            handle_response=t.authorize_response,
            amount_fields=(f"{CREATE}.transactionRequest.amount",),
            currency_field=f"{CREATE}.transactionRequest.currencyCode",
            reference_field=f"{CREATE}.refId",
            reference_max_length=t.REF_ID_MAX,
            status_field="transactionResponse.responseCode",
            description="authOnlyTransaction (manual capture) or authCaptureTransaction (automatic)",
        ),
        FlowSpec(
            Flow.CAPTURE,
            Method.POST,
            "",
            request_model=t.CreateTransactionRequest,
            build_request=t.capture_request,
            content_type=ContentType.JSON,
            response_model=t.CreateTransactionResponse,
            handle_response=t.capture_response,
            amount_fields=(f"{CREATE}.transactionRequest.amount",),
            reference_field=f"{CREATE}.refId",
            reference_max_length=t.REF_ID_MAX,
            status_field="transactionResponse.responseCode",
            description="priorAuthCaptureTransaction with refTransId and amount",
        ),
        FlowSpec(
            Flow.VOID,
            Method.POST,
            "",
            request_model=t.CreateTransactionRequest,
            build_request=t.void_request,
            content_type=ContentType.JSON,
            response_model=t.CreateTransactionResponse,
            handle_response=t.void_response,
            reference_field=f"{CREATE}.refId",
            reference_max_length=t.REF_ID_MAX,
            status_field="transactionResponse.responseCode",
            description="voidTransaction with refTransId",
        ),
        FlowSpec(
            Flow.REFUND,
            Method.POST,
            "",
            request_model=t.CreateTransactionRequest,
            build_request=t.refund_request,
            content_type=ContentType.JSON,
            response_model=t.CreateTransactionResponse,
            handle_response=t.refund_response,
            amount_fields=(f"{CREATE}.transactionRequest.amount",),
            currency_field=f"{CREATE}.transactionRequest.currencyCode",
            reference_field=f"{CREATE}.refId",
            reference_max_length=t.REF_ID_MAX,
            status_field="transactionResponse.responseCode",
            description="refundTransaction with refTransId, the card's last four digits, expiry XXXX",
        ),
        FlowSpec(
            Flow.PSYNC,
            Method.POST,
            "",
            request_model=t.GetTransactionDetailsRequest,
            build_request=t.psync_request,
            content_type=ContentType.JSON,
            response_model=t.GetTransactionDetailsResponse,
            handle_response=t.psync_response,
            status_field="transaction.transactionStatus",
            description="getTransactionDetailsRequest for the payment's transId",
        ),
        FlowSpec(
            Flow.RSYNC,
            Method.POST,
            "",
            request_model=t.GetTransactionDetailsRequest,
            build_request=t.rsync_request,
            content_type=ContentType.JSON,
            response_model=t.GetTransactionDetailsResponse,
            handle_response=t.rsync_response,
            status_field="transaction.transactionStatus",
            description="getTransactionDetailsRequest for the refund's own transId",
        ),
    )
    unsupported: ClassVar = {
        Flow.CREATE_ACCESS_TOKEN: "Authorize.net authenticates every request with the API login ID and "
        "transaction key inside the body (merchantAuthentication); there is no token endpoint",
    }

    def parse_error(self, response: HttpResponse, ctx: ResponseContext) -> ErrorResponse:
        return t.error_response(response, ctx)
