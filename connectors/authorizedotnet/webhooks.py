"""Authorize.net webhooks: https://developer.authorize.net/api/reference/features/webhooks.html.

The `X-ANET-Signature` header is `sha512=<hex>`: HMAC-SHA512 of the raw body keyed with the
merchant's Signature Key (its text), sent in upper-case hex. Nothing signed carries a time and the
docs give no tolerance: a retried notification keeps its `notificationId`. Transaction events name
the transaction in `payload.id` and say its outcome in `payload.responseCode` (1 approved,
2 declined, 3 error, 4 held for review), read as the createTransaction answers are.
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

SIGNATURE_HEADER = "X-ANET-Signature"
SCHEME_PREFIX = "sha512="

_AUTH = "net.authorize.payment.authorization.created"
_AUTH_CAPTURE = "net.authorize.payment.authcapture.created"
_PRIOR_AUTH_CAPTURE = "net.authorize.payment.priorAuthCapture.created"
_VOID = "net.authorize.payment.void.created"
_REFUND = "net.authorize.payment.refund.created"
# https://developer.authorize.net/api/reference/features/webhooks.html#Event_Types_and_Payloads:
# (eventType, responseCode) -> status; an unlisted code changes nothing
PAYMENT_EVENTS = {
    (_AUTH, "1"): AttemptStatus.AUTHORIZED,
    (_AUTH, "2"): AttemptStatus.AUTHORIZATION_FAILED,
    (_AUTH, "3"): AttemptStatus.FAILURE,
    (_AUTH, "4"): AttemptStatus.PENDING,
    (_AUTH_CAPTURE, "1"): AttemptStatus.CHARGED,
    (_AUTH_CAPTURE, "2"): AttemptStatus.AUTHORIZATION_FAILED,
    (_AUTH_CAPTURE, "3"): AttemptStatus.FAILURE,
    (_AUTH_CAPTURE, "4"): AttemptStatus.PENDING,
    (_PRIOR_AUTH_CAPTURE, "1"): AttemptStatus.CHARGED,
    (_PRIOR_AUTH_CAPTURE, "2"): AttemptStatus.CAPTURE_FAILED,
    (_PRIOR_AUTH_CAPTURE, "3"): AttemptStatus.CAPTURE_FAILED,
    (_VOID, "1"): AttemptStatus.VOIDED,
    (_VOID, "2"): AttemptStatus.VOID_FAILED,
    (_VOID, "3"): AttemptStatus.VOID_FAILED,
}
# whatever the code: held is under review, declined in review ends the payment
FRAUD_EVENTS = {
    "net.authorize.payment.fraud.held": AttemptStatus.PENDING,
    "net.authorize.payment.fraud.declined": AttemptStatus.FAILURE,
}
# a refund is its own transaction; approved, it still waits for the settlement batch
REFUND_EVENTS = {
    (_REFUND, "1"): RefundStatus.PENDING,
    (_REFUND, "2"): RefundStatus.FAILURE,
    (_REFUND, "3"): RefundStatus.FAILURE,
}


def _refused(message: str) -> WebhookSourceError:
    return WebhookSourceError(message, connector="authorizedotnet", flow="IncomingWebhook")


def verify_source(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    header = (request.header(SIGNATURE_HEADER) or "").strip()
    if not header:
        raise _refused(f"no {SIGNATURE_HEADER} header")
    if not header.lower().startswith(SCHEME_PREFIX) or len(header) == len(SCHEME_PREFIX):
        raise _refused(f"{SIGNATURE_HEADER} is not {SCHEME_PREFIX}<hex>")
    given = header[len(SCHEME_PREFIX) :].upper()
    computed = hmac.new(secret.expose().encode(), request.body, hashlib.sha512).hexdigest().upper()
    if not hmac.compare_digest(computed.encode(), given.encode()):
        raise _refused(f"{SIGNATURE_HEADER} does not match the body")


def parse_events(request: WebhookRequest) -> list[WebhookEvent]:
    notification: Any = json.loads(request.body)
    if not isinstance(notification, dict):
        return []
    event_type = str(notification.get("eventType", ""))
    event_id = str(notification.get("notificationId", ""))
    raw_payload = notification.get("payload")
    payload: dict[str, Any] = raw_payload if isinstance(raw_payload, dict) else {}
    transaction_id = payload.get("id")
    response_code = str(payload.get("responseCode", ""))
    if transaction_id and payload.get("entityName", "transaction") == "transaction":
        payment = WebhookReference(WebhookObject.PAYMENT, str(transaction_id))
        attempt = PAYMENT_EVENTS.get((event_type, response_code)) or FRAUD_EVENTS.get(event_type)
        if attempt is not None:
            return [WebhookEvent(event_id, event_type, payment, attempt_status=attempt)]
        refund = REFUND_EVENTS.get((event_type, response_code))
        if refund is not None:
            reference = WebhookReference(WebhookObject.REFUND, str(transaction_id))
            return [WebhookEvent(event_id, event_type, reference, refund_status=refund)]
    return [WebhookEvent(event_id, event_type)]  # acknowledged, changes nothing


WEBHOOKS = WebhookSpec(
    verify_source=verify_source,
    parse_events=parse_events,
    answer=WebhookAnswer(200, ""),
    scheme="HMAC-SHA512 (upper hex, after 'sha512=') over the raw body, key: the Signature Key as UTF-8",
    signature_header=SIGNATURE_HEADER,
    docs_url="https://developer.authorize.net/api/reference/features/webhooks.html",
)
