"""The V2 integration interface: what a connector may import besides `harness.domain`."""

from harness.integration.connector import (
    AuthSpec,
    ConnectorDeclarationError,
    ConnectorV2,
    FlowSpec,
    Headers,
    RequestContext,
    ResponseContext,
    flow_table,
)
from harness.integration.failures import FailureClass, HttpFailurePolicy, refused, unknown
from harness.integration.guards import failed_attempt, status_from_table
from harness.integration.http import ContentType, HttpRequest, HttpResponse, Method, RequestBody
from harness.integration.preconditions import credentials
from harness.integration.webhooks import WebhookCertificates, WebhookRequest, WebhookSpec

__all__ = [
    "AuthSpec",
    "ConnectorDeclarationError",
    "ConnectorV2",
    "ContentType",
    "FailureClass",
    "FlowSpec",
    "Headers",
    "HttpFailurePolicy",
    "HttpRequest",
    "HttpResponse",
    "Method",
    "RequestBody",
    "RequestContext",
    "ResponseContext",
    "WebhookCertificates",
    "WebhookRequest",
    "WebhookSpec",
    "credentials",
    "failed_attempt",
    "flow_table",
    "refused",
    "status_from_table",
    "unknown",
]
