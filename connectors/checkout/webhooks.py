"""Checkout.com webhooks: https://www.checkout.com/docs/developer-resources/webhooks.

The `Cko-Signature` header is the hex HMAC-SHA256 of the raw body, keyed with the signature key of
the workflow's webhook action (as text). The signature covers no timestamp and the docs give no
tolerance: a re-sent event is recognised by its id (evt_...). Payment events name the payment in
`data.id` and the action (capture, void, refund) in `data.action_id`; a refund's id is its action id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from harness.domain import (
    AttemptStatus,
    RefundStatus,
    Secret,
    WebhookAnswer,
    WebhookEvent,
    WebhookObject,
    WebhookReference,
    WebhookSourceError,
)
from harness.integration import WebhookRequest, WebhookSpec

SIGNATURE_HEADER = "Cko-Signature"

# https://www.checkout.com/docs/reporting-and-insights/events-api/event-types, read as UCS statuses
PAYMENT_EVENTS = {
    "payment_approved": AttemptStatus.AUTHORIZED,
    "payment_declined": AttemptStatus.AUTHORIZATION_FAILED,
    "payment_pending": AttemptStatus.PENDING,
    "payment_captured": AttemptStatus.CHARGED,
    "payment_capture_declined": AttemptStatus.CAPTURE_FAILED,
    "payment_voided": AttemptStatus.VOIDED,
    "payment_void_declined": AttemptStatus.VOID_FAILED,
    "payment_canceled": AttemptStatus.FAILURE,  # cancelled by the customer before any authorization
}
REFUND_EVENTS = {
    "payment_refunded": RefundStatus.SUCCESS,
    "payment_refund_declined": RefundStatus.FAILURE,
}


def _refused(message: str) -> WebhookSourceError:
    return WebhookSourceError(message, connector="checkout", flow="IncomingWebhook")


def verify_source(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    given = (request.header(SIGNATURE_HEADER) or "").strip()
    if not given:
        raise _refused(f"no {SIGNATURE_HEADER} header")
    computed = hmac.new(secret.expose().encode(), request.body, hashlib.sha256).hexdigest()
    # the docs say hex (Base16) and no case: lower the given one, the comparison stays constant-time
    if not hmac.compare_digest(computed.encode(), given.lower().encode()):
        raise _refused(f"{SIGNATURE_HEADER} does not match the body")


def parse_events(request: WebhookRequest) -> list[WebhookEvent]:
    event: Any = json.loads(request.body)
    if not isinstance(event, dict):
        return []
    event_type = str(event.get("type", ""))
    event_id = str(event.get("id", ""))
    raw_data = event.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    payment_id, action_id = data.get("id"), data.get("action_id")
    if event_type in PAYMENT_EVENTS and payment_id:
        reference = WebhookReference(WebhookObject.PAYMENT, str(payment_id))
        return [WebhookEvent(event_id, event_type, reference, attempt_status=PAYMENT_EVENTS[event_type])]
    if event_type in REFUND_EVENTS and action_id:
        reference = WebhookReference(WebhookObject.REFUND, str(action_id))
        return [WebhookEvent(event_id, event_type, reference, refund_status=REFUND_EVENTS[event_type])]
    return [WebhookEvent(event_id, event_type)]  # acknowledged, changes nothing


WEBHOOKS = WebhookSpec(
    verify_source=verify_source,
    parse_events=parse_events,
    answer=WebhookAnswer(200, ""),
    scheme="HMAC-SHA256 (hex) over the raw body, key: the webhook's signature key as UTF-8",
    signature_header=SIGNATURE_HEADER,
    docs_url="https://www.checkout.com/docs/developer-resources/webhooks/manage-webhooks/set-up-your-webhook-receiver",
)
