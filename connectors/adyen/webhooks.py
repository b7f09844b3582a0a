"""Adyen standard webhooks: https://docs.adyen.com/development-resources/webhooks.

Each `NotificationRequestItem` carries `additionalData.hmacSignature`: base64 HMAC-SHA256, keyed
with the hex-decoded HMAC key, over pspReference:originalReference:merchantAccountCode:
merchantReference:value:currency:eventCode:success. Adyen signs fields, not bytes, and has no
timestamp: a re-sent item is recognised by pspReference, eventCode and success. The endpoint
answers `[accepted]`, or Adyen retries.
"""

from __future__ import annotations

import base64
import binascii
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

SIGNED_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "amount.value",
    "amount.currency",
    "eventCode",
    "success",
)
# https://docs.adyen.com/development-resources/webhooks/webhook-types: (eventCode, success) -> status;
# the object a modification acts on is the payment named in originalReference
PAYMENT_EVENTS = {
    ("AUTHORISATION", "true"): AttemptStatus.AUTHORIZED,
    ("AUTHORISATION", "false"): AttemptStatus.AUTHORIZATION_FAILED,
    ("CAPTURE", "true"): AttemptStatus.CHARGED,
    ("CAPTURE", "false"): AttemptStatus.CAPTURE_FAILED,
    ("CAPTURE_FAILED", "true"): AttemptStatus.CAPTURE_FAILED,
    ("CANCELLATION", "true"): AttemptStatus.VOIDED,
    ("CANCELLATION", "false"): AttemptStatus.VOID_FAILED,
}
REFUND_EVENTS = {
    ("REFUND", "true"): RefundStatus.SUCCESS,
    ("REFUND", "false"): RefundStatus.FAILURE,
    ("REFUND_FAILED", "true"): RefundStatus.FAILURE,
    ("REFUNDED_REVERSED", "true"): RefundStatus.FAILURE,
}


def _refused(message: str) -> WebhookSourceError:
    return WebhookSourceError(message, connector="adyen", flow="IncomingWebhook")


def _items(request: WebhookRequest) -> list[dict[str, Any]]:
    body = json.loads(request.body)
    return [entry.get("NotificationRequestItem") or {} for entry in body.get("notificationItems") or []]


def _field(item: dict[str, Any], path: str) -> str:
    value: Any = item
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def verify_source(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    try:
        items = _items(request)
        key = binascii.unhexlify(secret.expose())
    except (ValueError, AttributeError):
        raise _refused("the body is no notification, or the HMAC key is not hex") from None
    if not items:
        raise _refused("no notificationItems")
    for item in items:
        given = _field(item, "additionalData.hmacSignature")
        if not given:
            raise _refused("an item has no additionalData.hmacSignature")
        signed = ":".join(_field(item, name) for name in SIGNED_FIELDS)
        computed = base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(computed.encode(), given.encode()):
            raise _refused("an item's hmacSignature does not match its fields")


def parse_events(request: WebhookRequest) -> list[WebhookEvent]:
    events = []
    for item in _items(request):
        code, success = _field(item, "eventCode"), _field(item, "success")
        event_id = f"{_field(item, 'pspReference')}:{code}:{success}"
        key = (code, success)
        if key in PAYMENT_EVENTS:
            # AUTHORISATION names the payment in pspReference; a modification in originalReference
            payment = _field(item, "pspReference" if code == "AUTHORISATION" else "originalReference")
            reference = WebhookReference(WebhookObject.PAYMENT, payment)
            events.append(WebhookEvent(event_id, code, reference, attempt_status=PAYMENT_EVENTS[key]))
        elif key in REFUND_EVENTS:
            reference = WebhookReference(WebhookObject.REFUND, _field(item, "pspReference"))
            events.append(WebhookEvent(event_id, code, reference, refund_status=REFUND_EVENTS[key]))
        else:
            events.append(WebhookEvent(event_id, code))  # acknowledged, changes nothing
    return events


WEBHOOKS = WebhookSpec(
    verify_source=verify_source,
    parse_events=parse_events,
    answer=WebhookAnswer(200, "[accepted]"),
    scheme="HMAC-SHA256 (base64) over the item's signed fields joined with ':', key: hex-decoded HMAC key",
    signature_field="notificationItems.*.NotificationRequestItem.additionalData.hmacSignature",
    docs_url="https://docs.adyen.com/development-resources/webhooks/secure-webhooks/verify-hmac-signatures",
)
