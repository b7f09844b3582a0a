"""The harness's own signer for certificate-signed webhooks (PayPal's SHA256withRSA).

Per run the harness is the provider: a fresh RSA key pair, a self-signed X.509 certificate
published (to the verifier, as configuration) at a certificate URL on a host the facts allow, and a
listener's webhook id. A notification is signed as the facts describe it: their `signed_payload`
with the transmission id, the transmission time (RFC 3339), the webhook id and the CRC32 of the raw
body (unsigned decimal), SHA256withRSA, base64; the transmission headers are added around it.
Nothing here reads connector code.
"""

from __future__ import annotations

import base64
import functools
import secrets
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from harness.certify.facts import WebhookCertificateFacts, WebhookSignatureFacts
from harness.integration.webhooks import WebhookCertificates, WebhookRequest

RSA_KEY_BITS = 2048
CERTIFICATE_DAYS = 30  # longer than any delay the checks simulate (a replay a day later)
ATTACKER_HOST = "certify-attacker.example"


@dataclass(frozen=True)
class RunCertificate:
    """The run's signing identity: private key, its self-signed certificate, where it is published."""

    private_key: rsa.RSAPrivateKey = field(repr=False)
    certificate_pem: bytes = field(repr=False)
    cert_url: str
    webhook_id: str


@functools.cache
def _signing_key(signer: str) -> rsa.RSAPrivateKey:
    """One key pair per signer and process: a 2048-bit key takes ~0.1 s to make, and every connector
    with certificate-signed webhooks needs the run's and an attacker's."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)


def run_certificate(
    facts: WebhookCertificateFacts, *, cert_url: str | None = None, signer: str = "run"
) -> RunCertificate:
    """A fresh certificate for `signer`'s key pair (the run's, or another one such as an attacker's:
    a different signer is always a different key), published at the provider's certificate URL (or
    `cert_url`)."""
    key = _signing_key(signer)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certify webhook signer")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=CERTIFICATE_DAYS))
        .sign(key, hashes.SHA256())
    )
    return RunCertificate(
        key,
        certificate.public_bytes(serialization.Encoding.PEM),
        cert_url or provider_cert_url(facts),
        secrets.token_hex(8).upper(),  # PayPal's webhook ids are alphanumeric
    )


def provider_cert_url(facts: WebhookCertificateFacts) -> str:
    return f"https://api.{facts.cert_url_hosts[0]}/v1/notifications/certs/CERT-certify-run"


def verification_key(run: RunCertificate, also: Mapping[str, bytes] | None = None) -> WebhookCertificates:
    """What the router hands the verifier: its webhook id and the certificates it has downloaded."""
    return WebhookCertificates(run.webhook_id, {run.cert_url: run.certificate_pem, **(also or {})})


def signed_payload(signature: WebhookSignatureFacts, transmission_id: str, when: str, webhook_id: str,
                   body: bytes) -> str:  # fmt: skip
    assert signature.signed_payload is not None  # the facts model requires it for certificate schemes
    return signature.signed_payload.format(
        transmission_id=transmission_id, transmission_time=when, webhook_id=webhook_id, crc32=zlib.crc32(body)
    )


def certificate_signed_notification(
    body: str, headers: dict[str, str], signature: WebhookSignatureFacts, run: RunCertificate, timestamp: int
) -> WebhookRequest:
    """The notification as the provider sends it: body unchanged, signature and transmission headers."""
    certificate = signature.certificate
    assert certificate is not None and signature.header and signature.header_format
    raw = body.encode()
    transmission_id = str(uuid.uuid4())
    when = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload = signed_payload(signature, transmission_id, when, run.webhook_id, raw)
    signed = base64.b64encode(run.private_key.sign(payload.encode(), padding.PKCS1v15(), hashes.SHA256()))
    return WebhookRequest(
        raw,
        {
            **headers,
            certificate.transmission_id_header: transmission_id,
            certificate.transmission_time_header: when,
            certificate.cert_url_header: run.cert_url,
            certificate.algorithm_header: certificate.algorithm_value,
            signature.header: signature.header_format.replace("{signature}", signed.decode()),
        },
    )


def foreign_cert_urls(facts: WebhookCertificateFacts) -> list[tuple[str, str]]:
    """Certificate URLs an attacker controls, each dressed to pass a careless host check."""
    host = facts.cert_url_hosts[0]
    path = "/v1/notifications/certs/CERT-attacker"
    return [
        ("a certificate URL on another host", f"https://{ATTACKER_HOST}{path}"),
        (f"a certificate URL over http on {host}", f"http://api.{host}{path}"),
        (
            f"a certificate URL on a host ending {host}.<attacker>",
            f"https://api.{host}.{ATTACKER_HOST}{path}",
        ),
        (f"a certificate URL on a host ending {host} without a dot", f"https://attacker{host}{path}"),
        (f"a certificate URL with {host} as user name", f"https://api.{host}@{ATTACKER_HOST}{path}"),
    ]


def certificate_headers(signature: WebhookSignatureFacts) -> list[str]:
    """Every header a certificate-signed notification needs, the signature's first."""
    certificate = signature.certificate
    assert certificate is not None and signature.header
    return [
        signature.header,
        certificate.cert_url_header,
        certificate.algorithm_header,
        certificate.transmission_id_header,
        certificate.transmission_time_header,
    ]
