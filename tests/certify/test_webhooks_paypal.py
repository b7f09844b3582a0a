"""PayPal's certificate-signed webhooks: the harness's signer checked independently, the shipped
verifier passing every webhook check, and each broken rule of the scheme refused naming it."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from connectors.paypal import webhooks as paypal_webhooks
from harness.certify.checks import webhooks as webhook_checks
from harness.certify.checks.run import run_spec
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.facts import FactsError, load_facts
from harness.certify.webhook_certificates import RunCertificate, verification_key
from harness.certify.webhooks import run_secret, signed_notification
from harness.certify.workspace import Workspace
from harness.domain import WebhookSourceError
from harness.integration import WebhookRequest
from tests.certify import broken_webhooks_paypal as broken

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT / "specs" / "paypal.facts.toml"
BODY = '{"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": {"id": "7TK53561YB803214S"}}'
SIGNED_AT = 1700000000  # 2023-11-14T22:13:20Z


def crc32_by_hand(data: bytes) -> int:
    """CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), written out, not taken from zlib."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def paypal_webhook_facts():
    facts = load_facts(FACTS).webhooks
    assert facts is not None
    return facts


def test_the_hand_written_crc32_meets_the_standard_check_value():
    assert crc32_by_hand(b"123456789") == 0xCBF43926  # the published CRC-32 check value


def test_the_harness_signs_as_paypal_documents_checked_independently():
    facts = paypal_webhook_facts()
    run = run_secret(facts.signature)
    assert isinstance(run, RunCertificate)
    request = signed_notification(BODY, {"Content-Type": "application/json"}, facts, run, SIGNED_AT)
    assert request.body == BODY.encode()  # the raw body is what PayPal sends, never re-serialized
    transmission_id = request.header("PAYPAL-TRANSMISSION-ID") or ""
    assert re.fullmatch(r"[0-9a-f-]{36}", transmission_id)
    assert request.header("PAYPAL-TRANSMISSION-TIME") == "2023-11-14T22:13:20Z"
    assert request.header("PAYPAL-AUTH-ALGO") == "SHA256withRSA"
    assert request.header("PAYPAL-CERT-URL") == run.cert_url and run.cert_url.startswith(
        "https://api.paypal.com/"
    )
    assert request.header("Content-Type") == "application/json"
    message = f"{transmission_id}|2023-11-14T22:13:20Z|{run.webhook_id}|{crc32_by_hand(BODY.encode())}"
    public_key = x509.load_pem_x509_certificate(run.certificate_pem).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size == 2048
    signature = base64.b64decode(request.header("PAYPAL-TRANSMISSION-SIG") or "", validate=True)
    public_key.verify(signature, message.encode(), padding.PKCS1v15(), hashes.SHA256())  # raises if wrong
    with pytest.raises(InvalidSignature):  # the same signature over another webhook id is no signature
        public_key.verify(signature, message.replace(run.webhook_id, "OTHER").encode(), padding.PKCS1v15(),
                          hashes.SHA256())  # fmt: skip


def test_the_shipped_verifier_accepts_the_harness_signature_and_refuses_a_changed_byte():
    facts = paypal_webhook_facts()
    run = run_secret(facts.signature)
    assert isinstance(run, RunCertificate)
    request = signed_notification(BODY, {}, facts, run, SIGNED_AT)
    paypal_webhooks.verify_source(request, verification_key(run), SIGNED_AT)
    changed = WebhookRequest(request.body.replace(b"7TK", b"8TK"), request.headers)
    with pytest.raises(WebhookSourceError, match="does not verify"):
        paypal_webhooks.verify_source(changed, verification_key(run), SIGNED_AT)


def test_the_private_key_never_shows_in_the_run_certificate_repr():
    run = run_secret(paypal_webhook_facts().signature)
    assert "PRIVATE" not in repr(run) and "CERTIFICATE" not in repr(run)


def test_an_attacker_signs_with_another_key_than_the_run():
    from cryptography.hazmat.primitives import serialization

    from harness.certify.webhook_certificates import run_certificate

    facts = paypal_webhook_facts().signature.certificate
    assert facts is not None

    def public(run) -> bytes:
        key = x509.load_pem_x509_certificate(run.certificate_pem).public_key()
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    run, again, attacker = (
        run_certificate(facts),
        run_certificate(facts),
        run_certificate(facts, signer="attacker"),
    )
    assert public(run) == public(again) and run.certificate_pem != again.certificate_pem  # fresh certificates
    assert public(attacker) != public(run)


def webhook_results(cls) -> dict[str, object]:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="paypal")
    session = ConnectorSession(workspace, SuiteOptions())
    return {r.id: r for spec in webhook_checks.webhook_specs(session) for r in run_spec(spec, session)}


@pytest.mark.parametrize(
    ("cls", "check_id", "words"),
    [
        (broken.PaypalAcceptsAnything, "facts:webhook:signature", "another secret was accepted"),
        (
            broken.PaypalTrustsAnyCertUrl,
            "facts:webhook:signature",
            "a certificate URL on another host (https://certify-attacker.example/",
        ),
        (
            broken.PaypalHostSuffixWithoutDot,
            "facts:webhook:signature",
            "a certificate URL on a host ending paypal.com without a dot (https://attackerpaypal.com/",
        ),
        (
            broken.PaypalIgnoresAlgorithm,
            "facts:webhook:signature",
            "PAYPAL-AUTH-ALGO naming another algorithm",
        ),
        (
            broken.PaypalRefundedAlwaysSucceeds,
            "facts:webhook:mapping",
            "PAYMENT.CAPTURE.REFUNDED read as Success, the facts say Pending",
        ),
    ],
)
def test_each_broken_paypal_webhook_rule_is_refused_naming_it(cls, check_id, words):
    result = webhook_results(cls)[check_id]
    assert result.status == "failed", result.message
    assert words in result.message
    if check_id == "facts:webhook:signature":
        assert "was accepted" in result.message and "developer.paypal.com" in result.message


def test_a_certificate_scheme_without_its_certificate_table_is_a_malformed_file(tmp_path):
    text = FACTS.read_text()
    start = text.index("[webhooks.signature.certificate]")
    cut = text[:start] + text[text.index("[[webhooks.events]]", start) :]
    (tmp_path / "paypal.facts.toml").write_text(cut)
    with pytest.raises(FactsError, match=r"SHA256withRSA needs \[webhooks.signature.certificate\]"):
        load_facts(tmp_path / "paypal.facts.toml")


def test_a_certificate_scheme_naming_an_unknown_signed_field_is_a_malformed_file(tmp_path):
    text = FACTS.read_text().replace('|{crc32}"', '|{body_sha256}"')
    (tmp_path / "paypal.facts.toml").write_text(text)
    with pytest.raises(FactsError, match="signed_payload of"):
        load_facts(tmp_path / "paypal.facts.toml")


def test_every_paypal_webhook_cassette_is_a_documented_event():
    facts = paypal_webhook_facts()
    folder = ROOT / "cassettes" / "paypal" / "webhooks"
    for path in sorted(folder.glob("*.yaml")):
        body = json.loads(yaml.safe_load(path.read_text())["notification"]["body"])
        assert facts.row_for(body) is not None, path.name


def test_the_run_certificate_and_webhook_id_never_reach_a_result(monkeypatch):
    facts = paypal_webhook_facts()
    made = run_secret(facts.signature)
    assert isinstance(made, RunCertificate)
    canary = replace(made, webhook_id="CERTIFYCANARY0123456789")
    monkeypatch.setattr(webhook_checks, "run_secret", lambda signature: canary)
    results = webhook_results(broken.PaypalTrustsAnyCertUrl)
    text = json.dumps([r.model_dump() for r in results.values()])
    assert results["facts:webhook:signature"].status == "failed"
    assert "CERTIFYCANARY0123456789" not in text and "PRIVATE KEY" not in text
    assert made.certificate_pem.decode().splitlines()[1] not in text
