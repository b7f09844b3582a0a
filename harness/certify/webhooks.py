"""Webhook cassettes and the harness's own signer.

A webhook cassette (`cassettes/<name>/webhooks/<event>.yaml`) holds one documented notification,
body and headers, with its provenance, stored UNSIGNED: the harness signs it at replay with a
secret made for the run, following the signature scheme of the provider facts (never the
connector's code, whose verifier is what is checked). Certificate-signed schemes (PayPal) are
signed by harness/certify/webhook_certificates.py with a key pair and certificate made for the run.

    provenance: {source: authored-from-docs, docs: <URL>, authored: <date>}
    notification:
      headers: {Content-Type: application/json}
      body: '<the JSON body, byte for byte>'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.certify.cassettes.format import SAFE_SERIALIZER
from harness.certify.facts import WebhookFacts, WebhookSignatureFacts
from harness.certify.webhook_certificates import (
    RunCertificate,
    certificate_headers,
    certificate_signed_notification,
    run_certificate,
    verification_key,
)
from harness.domain.errors import HarnessError
from harness.domain.secret import Secret
from harness.integration.webhooks import WebhookCertificates, WebhookRequest

WEBHOOKS_DIR = "webhooks"
PROVENANCE_SOURCES = ("authored-from-docs", "recorded")
# what the harness signs with for one run: a shared secret (HMAC) or a key pair and certificate
SigningKey = Secret[str] | RunCertificate


class WebhookCassetteError(HarnessError):
    """A webhook cassette that cannot be read or is stored signed."""


@dataclass(frozen=True)
class WebhookCassette:
    name: str
    path: Path
    body: str
    headers: dict[str, str]
    docs: str

    def notification(self) -> dict[str, Any]:
        parsed = json.loads(self.body)
        return parsed if isinstance(parsed, dict) else {}


def load_webhook_cassettes(cassette_dir: Path, facts: WebhookFacts) -> list[WebhookCassette]:
    folder = cassette_dir / WEBHOOKS_DIR
    return [load_webhook_cassette(path, facts) for path in sorted(folder.glob("*.yaml"))]


def load_webhook_cassette(path: Path, facts: WebhookFacts) -> WebhookCassette:
    def bad(message: str) -> WebhookCassetteError:
        return WebhookCassetteError(message, path=str(path), hint="see README 'Webhooks' for the shape")

    try:
        data = SAFE_SERIALIZER.deserialize(path.read_text(encoding="utf-8"))  # libyaml's safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise bad(f"not readable YAML ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise bad("not a mapping with provenance and notification")
    provenance, notification = data.get("provenance"), data.get("notification")
    if not isinstance(provenance, dict) or provenance.get("source") not in PROVENANCE_SOURCES:
        raise bad(f"provenance.source must be one of {', '.join(PROVENANCE_SOURCES)}")
    if not isinstance(notification, dict) or not isinstance(notification.get("body"), str):
        raise bad("notification.body must be the notification's JSON text")
    headers = notification.get("headers") or {}
    if not isinstance(headers, dict):
        raise bad("notification.headers must be a mapping")
    cassette = WebhookCassette(
        path.stem, path, notification["body"], {str(k): str(v) for k, v in headers.items()},
        str(provenance.get("docs", "")),
    )  # fmt: skip
    try:
        tree = json.loads(cassette.body)
    except json.JSONDecodeError:
        raise bad("notification.body is not JSON") from None
    signature = facts.signature
    signed = (
        any(k.lower() == name.lower() for k in headers for name in signature_headers(signature))
        if signature.location == "header"
        else any(_dotted(event, signature.field or "") for event in facts.events_of(tree))
    )
    if signed:
        raise bad("stored signed: remove the signature, the harness signs at replay with the run's secret")
    return cassette


def run_secret(signature: WebhookSignatureFacts) -> SigningKey:
    """A fresh canary-like secret for one run, in the key encoding the provider documents."""
    if signature.certificate is not None:
        return run_certificate(signature.certificate)
    if signature.key_encoding == "hex":
        return Secret(secrets.token_hex(32))
    return Secret(f"whsec_certify_{secrets.token_hex(16)}")


def signed_notification(
    body: str,
    headers: dict[str, str],
    facts: WebhookFacts,
    secret: SigningKey,
    timestamp: int,
) -> WebhookRequest:
    """The notification as the provider would send it, signed as the facts describe."""
    signature = facts.signature
    if isinstance(secret, RunCertificate):
        return certificate_signed_notification(body, headers, signature, secret, timestamp)
    if signature.location == "header":
        assert signature.signed_payload is not None and signature.header and signature.header_format
        before, _, after = signature.signed_payload.partition("{body}")
        payload = (
            before.replace("{timestamp}", str(timestamp)).encode()
            + body.encode()
            + after.replace("{timestamp}", str(timestamp)).encode()
        )
        value = signature.header_format.replace("{timestamp}", str(timestamp)).replace(
            "{signature}", _mac(signature, secret, payload)
        )
        return WebhookRequest(body.encode(), {**headers, signature.header: value})
    tree = json.loads(body)
    for event in facts.events_of(tree):
        signed = signature.separator.join(_text(_dotted(event, name)) for name in signature.signed_fields)
        _set_dotted(event, signature.field or "", _mac(signature, secret, signed.encode()))
    return WebhookRequest(json.dumps(tree, indent=2).encode(), dict(headers))


def verifier_key(secret: SigningKey) -> Secret[str] | WebhookCertificates:
    """What the connector's verifier is configured with for the run: the secret, or the certificate."""
    return verification_key(secret) if isinstance(secret, RunCertificate) else secret


def signature_headers(signature: WebhookSignatureFacts) -> list[str]:
    """The headers a header-signed notification cannot do without (one each is left out in the checks)."""
    if signature.certificate is not None:
        return certificate_headers(signature)
    return [signature.header] if signature.header else []


def _mac(signature: WebhookSignatureFacts, secret: Secret[str], payload: bytes) -> str:
    key = binascii.unhexlify(secret.expose()) if signature.key_encoding == "hex" else secret.expose().encode()
    digest = hmac.new(key, payload, _HASHES[signature.algorithm]).digest()
    if signature.digest_encoding == "base64":
        return base64.b64encode(digest).decode()
    return digest.hex().upper() if signature.hex_case == "upper" else digest.hex()


_HASHES = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA512": hashlib.sha512}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dotted(tree: Any, path: str) -> Any:
    for part in path.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree


def _set_dotted(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[last] = value
