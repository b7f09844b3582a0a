"""The incoming-webhook part of the V2 interface: a connector's `WebhookSpec`.

The spec is data plus pure transforms, as a flow row is: where the signature travels and what it
signs (declared, so the harness can describe and check it), `verify_source` (raises
`WebhookSourceError`), `parse_events` (event type, object reference, resulting status) and the
answer the provider expects. No I/O. The verifier's key is what the provider's scheme needs: a
shared `Secret` for HMAC schemes (exposed only to compute the MAC), or `WebhookCertificates` for
certificate-signed schemes (PayPal), whose certificates the router has fetched before calling it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from harness.domain.secret import Secret
from harness.domain.webhooks import WebhookAnswer, WebhookEvent


@dataclass(frozen=True)
class WebhookRequest:
    """A notification as it arrives: the raw body bytes (what providers sign) and the headers."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class WebhookCertificates:
    """A certificate-signing provider's verification key: public material, no secret.

    `webhook_id` is the listener's id the provider signs with; `certificates` are the X.509 PEM
    certificates the router has downloaded, by the URL they came from (a pure verifier cannot fetch).
    """

    webhook_id: str
    certificates: Mapping[str, bytes] = field(default_factory=dict)


# the verifier's key: a shared secret (HMAC schemes) or WebhookCertificates (PayPal)
K = TypeVar("K", Secret[str], WebhookCertificates)
# (notification, key, now as Unix seconds) -> None, or raises WebhookSourceError
VerifySource = Callable[[WebhookRequest, K, int], None]
ParseEvents = Callable[[WebhookRequest], list[WebhookEvent]]


@dataclass(frozen=True)
class WebhookSpec(Generic[K]):
    """How a connector verifies, reads and answers the provider's notifications."""

    verify_source: VerifySource[K]
    parse_events: ParseEvents
    answer: WebhookAnswer
    scheme: str  # one line: algorithm, signed bytes, key and digest encodings
    signature_header: str | None = None  # the header carrying the signature (Stripe-Signature)
    signature_field: str | None = None  # or the dotted body path carrying it (Adyen's hmacSignature)
    tolerance_seconds: int | None = None  # how old a signed timestamp may be, where the provider has one
    docs_url: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "signature_header": self.signature_header,
            "signature_field": self.signature_field,
            "tolerance_seconds": self.tolerance_seconds,
            "answer": {"status_code": self.answer.status_code, "body": self.answer.body},
            "docs_url": self.docs_url,
        }
