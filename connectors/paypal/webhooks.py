"""PayPal REST webhooks: https://developer.paypal.com/api/rest/webhooks/rest/.

PayPal signs each notification with its private key, SHA256withRSA over
"<PAYPAL-TRANSMISSION-ID>|<PAYPAL-TRANSMISSION-TIME>|<webhook id>|<CRC32 of the raw body, decimal>";
the base64 signature travels in PAYPAL-TRANSMISSION-SIG and the X.509 certificate to check it with
at PAYPAL-CERT-URL. Verification here is offline: the router downloads the certificate (from a
paypal.com host over https only, which this verifier enforces before using it) and hands it in as
`WebhookCertificates`. PayPal documents no time window on the transmission time: a re-sent event
is recognised by its event id.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import zlib
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness.domain import (
    AttemptStatus,
    RefundStatus,
    WebhookAnswer,
    WebhookEvent,
    WebhookObject,
    WebhookReference,
    WebhookSourceError,
)
from harness.integration import WebhookCertificates, WebhookRequest, WebhookSpec

SIGNATURE_HEADER = "PAYPAL-TRANSMISSION-SIG"
TRANSMISSION_ID_HEADER = "PAYPAL-TRANSMISSION-ID"
TRANSMISSION_TIME_HEADER = "PAYPAL-TRANSMISSION-TIME"
CERT_URL_HEADER = "PAYPAL-CERT-URL"
AUTH_ALGO_HEADER = "PAYPAL-AUTH-ALGO"
AUTH_ALGO = "SHA256withRSA"
CERT_HOST = "paypal.com"  # api.paypal.com, api.sandbox.paypal.com: the domain or a subdomain of it

# https://developer.paypal.com/api/rest/webhooks/event-names/#payments-v2: the resource is the
# authorization or the capture itself, whose id is the connector_transaction_id (connector.py)
PAYMENT_EVENTS = {
    "PAYMENT.AUTHORIZATION.CREATED": AttemptStatus.AUTHORIZED,
    "PAYMENT.AUTHORIZATION.VOIDED": AttemptStatus.VOIDED,
    "PAYMENT.CAPTURE.COMPLETED": AttemptStatus.CHARGED,
    "PAYMENT.CAPTURE.PENDING": AttemptStatus.PENDING,
    "PAYMENT.CAPTURE.DENIED": AttemptStatus.FAILURE,
    "PAYMENT.CAPTURE.DECLINED": AttemptStatus.FAILURE,
}
# PAYMENT.CAPTURE.REFUNDED carries the Refund: its own status says where the refund is
REFUND_EVENTS = frozenset({"PAYMENT.CAPTURE.REFUNDED"})
REFUND_STATUSES = {
    "COMPLETED": RefundStatus.SUCCESS,
    "PENDING": RefundStatus.PENDING,
    "FAILED": RefundStatus.FAILURE,
    "CANCELLED": RefundStatus.FAILURE,
}


def _refused(message: str) -> WebhookSourceError:
    return WebhookSourceError(message, connector="paypal", flow="IncomingWebhook")


def _paypal_cert_url(url: str) -> bool:
    parts = urlsplit(url)  # hostname, not the text: "https://api.paypal.com@attacker/" is the attacker's
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == CERT_HOST or host.endswith("." + CERT_HOST))


def verify_source(request: WebhookRequest, key: WebhookCertificates, now: int) -> None:
    headers = {}
    for name in (SIGNATURE_HEADER, TRANSMISSION_ID_HEADER, TRANSMISSION_TIME_HEADER, CERT_URL_HEADER,
                 AUTH_ALGO_HEADER):  # fmt: skip
        value = request.header(name)
        if not value:
            raise _refused(f"no {name} header")
        headers[name] = value
    if not hmac.compare_digest(headers[AUTH_ALGO_HEADER].encode(), AUTH_ALGO.encode()):
        raise _refused(f"{AUTH_ALGO_HEADER} is not {AUTH_ALGO}")
    cert_url = headers[CERT_URL_HEADER]
    if not _paypal_cert_url(cert_url):
        raise _refused(f"{CERT_URL_HEADER} is not an https URL on {CERT_HOST}: its key proves nothing")
    pem = key.certificates.get(cert_url)
    if pem is None:
        raise _refused(f"the certificate at {CERT_URL_HEADER} has not been downloaded")
    try:
        public_key = x509.load_pem_x509_certificate(pem).public_key()
        transmitted = base64.b64decode(headers[SIGNATURE_HEADER], validate=True)
    except (ValueError, binascii.Error):
        raise _refused(f"the certificate or the {SIGNATURE_HEADER} value cannot be read") from None
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise _refused("the certificate holds no RSA key")
    signed = "|".join(
        (headers[TRANSMISSION_ID_HEADER], headers[TRANSMISSION_TIME_HEADER], key.webhook_id,
         str(zlib.crc32(request.body)))
    )  # fmt: skip
    try:
        public_key.verify(transmitted, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise _refused(f"{SIGNATURE_HEADER} does not verify for this body and webhook id") from None


def parse_events(request: WebhookRequest) -> list[WebhookEvent]:
    event: dict[str, Any] = json.loads(request.body)
    event_type = str(event.get("event_type", ""))
    event_id = str(event.get("id", ""))
    resource = event.get("resource") or {}
    resource_id = resource.get("id") if isinstance(resource, dict) else None
    if event_type in PAYMENT_EVENTS and resource_id:
        reference = WebhookReference(WebhookObject.PAYMENT, str(resource_id))
        return [WebhookEvent(event_id, event_type, reference, attempt_status=PAYMENT_EVENTS[event_type])]
    if event_type in REFUND_EVENTS and resource_id:
        reference = WebhookReference(WebhookObject.REFUND, str(resource_id))
        # an undocumented refund status stays Pending: never a final state from a value we do not know
        status = REFUND_STATUSES.get(str(resource.get("status")), RefundStatus.PENDING)
        return [WebhookEvent(event_id, event_type, reference, refund_status=status)]
    return [WebhookEvent(event_id, event_type)]  # acknowledged, changes nothing


WEBHOOKS = WebhookSpec(
    verify_source=verify_source,
    parse_events=parse_events,
    answer=WebhookAnswer(200, ""),
    scheme=(
        'SHA256withRSA (base64) over "{transmission id}|{transmission time}|{webhook id}|{CRC32 of the raw '
        'body, decimal}", key: the X.509 certificate at PAYPAL-CERT-URL (https, paypal.com)'
    ),
    signature_header=SIGNATURE_HEADER,
    docs_url="https://developer.paypal.com/api/rest/webhooks/rest/",
)
