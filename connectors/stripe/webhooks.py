"""Stripe webhook events: https://docs.stripe.com/webhooks.

The `Stripe-Signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256>` (several v1 while a
secret rolls); the HMAC is over "<t>.<raw body>" with the endpoint secret (`whsec_...`), and a
timestamp older than the tolerance (300 s in Stripe's libraries) is refused as a replay.
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

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300

# https://docs.stripe.com/api/events/types: the PaymentIntent events, read as the intent's status
PAYMENT_EVENTS = {
    "payment_intent.amount_capturable_updated": AttemptStatus.AUTHORIZED,
    "payment_intent.succeeded": AttemptStatus.CHARGED,
    "payment_intent.payment_failed": AttemptStatus.FAILURE,
    "payment_intent.canceled": AttemptStatus.VOIDED,
    "payment_intent.processing": AttemptStatus.PENDING,
}
# refund.* events carry the Refund object: its own status says where the refund is
REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed"})
REFUND_STATUSES = {
    "succeeded": RefundStatus.SUCCESS,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "failed": RefundStatus.FAILURE,
    "canceled": RefundStatus.FAILURE,
}


def _refused(message: str) -> WebhookSourceError:
    return WebhookSourceError(message, connector="stripe", flow="IncomingWebhook")


def verify_source(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    header = request.header(SIGNATURE_HEADER)
    if not header:
        raise _refused(f"no {SIGNATURE_HEADER} header")
    timestamp: str | None = None
    signatures: list[str] = []
    for element in header.split(","):
        prefix, _, value = element.strip().partition("=")
        if prefix == "t":
            timestamp = value
        elif prefix == "v1":
            signatures.append(value)
    if timestamp is None or not timestamp.isdigit() or not signatures:
        raise _refused(f"{SIGNATURE_HEADER} has no t= timestamp or no v1= signature")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise _refused(f"signed timestamp is more than {TOLERANCE_SECONDS} s away from now (replay)")
    signed_payload = timestamp.encode() + b"." + request.body
    computed = hmac.new(secret.expose().encode(), signed_payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(computed.encode(), given.encode()) for given in signatures):
        raise _refused("no v1 signature matches the body")


def parse_events(request: WebhookRequest) -> list[WebhookEvent]:
    event: dict[str, Any] = json.loads(request.body)
    event_type = str(event.get("type", ""))
    event_id = str(event.get("id", ""))
    obj = (event.get("data") or {}).get("object") or {}
    object_id = obj.get("id")
    if event_type in PAYMENT_EVENTS and object_id:
        reference = WebhookReference(WebhookObject.PAYMENT, str(object_id))
        return [WebhookEvent(event_id, event_type, reference, attempt_status=PAYMENT_EVENTS[event_type])]
    if event_type in REFUND_EVENTS and object_id:
        reference = WebhookReference(WebhookObject.REFUND, str(object_id))
        # an undocumented refund status stays Pending: never a final state from a value we do not know
        status = REFUND_STATUSES.get(str(obj.get("status")), RefundStatus.PENDING)
        return [WebhookEvent(event_id, event_type, reference, refund_status=status)]
    return [WebhookEvent(event_id, event_type)]  # acknowledged, changes nothing


WEBHOOKS = WebhookSpec(
    verify_source=verify_source,
    parse_events=parse_events,
    answer=WebhookAnswer(200, ""),
    scheme='HMAC-SHA256 (hex) over "{t}.{raw body}", key: the endpoint secret as UTF-8',
    signature_header=SIGNATURE_HEADER,
    tolerance_seconds=TOLERANCE_SECONDS,
    docs_url="https://docs.stripe.com/webhooks#verify-manually",
)
