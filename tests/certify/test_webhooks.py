"""The webhook checks (harness/certify/checks/webhooks.py): each refuses its broken connector with
a message naming the wrong fact, the shipped verifiers pass, and the webhook secret never shows."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from pathlib import Path

import pytest

from connectors.adyen.connector import Adyen
from connectors.authorizedotnet.connector import Authorizedotnet
from connectors.checkout.connector import Checkout
from connectors.paypal.connector import Paypal
from connectors.stripe.connector import Stripe
from harness.certify.checks import webhooks as webhook_checks
from harness.certify.checks.run import run_spec
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.facts import load_facts
from harness.certify.webhooks import (
    WebhookCassetteError,
    load_webhook_cassette,
    run_secret,
    signed_notification,
)
from harness.certify.workspace import Workspace
from harness.domain import AttemptStatus, RefundStatus, Secret, WebhookEvent, WebhookObject, WebhookReference
from harness.domain.webhooks import attempt_moves_to, refund_moves_to
from harness.execution.webhooks import WebhookLedger, handle_notification
from harness.integration import WebhookRequest
from tests.certify import broken_webhooks as broken

ROOT = Path(__file__).resolve().parents[2]


def webhook_results(cls, data_name: str | None = None) -> dict[str, object]:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name=data_name or cls.id)
    session = ConnectorSession(workspace, SuiteOptions())
    return {r.id: r for spec in webhook_checks.webhook_specs(session) for r in run_spec(spec, session)}


@pytest.mark.parametrize("cls", [Stripe, Adyen, Checkout, Paypal, Authorizedotnet])
def test_the_shipped_webhooks_pass_every_check(cls):
    results = webhook_results(cls)
    # only Adyen and Checkout.com acknowledge a capture before its notification
    chain = {"facts:webhook:capture_chain"} if cls in (Adyen, Checkout) else set()
    assert set(results) == {f"facts:webhook:{name}" for name in webhook_checks.CHECKS} | chain
    assert {r.status for r in results.values()} == {"passed"}, {i: r.message for i, r in results.items()}


@pytest.mark.parametrize(
    ("cls", "check_id", "words"),
    [
        (broken.AcceptsAnySignature, "facts:webhook:signature", "another secret was accepted"),
        (broken.EqualsSignatureCompare, "facts:webhook:constant_time", "use hmac.compare_digest"),
        (broken.IgnoresTolerance, "facts:webhook:signature", "360 s old was accepted"),
        (broken.IgnoresTolerance, "facts:webhook:replay", "the provider's tolerance is 300 s"),
        (
            broken.CapturableReadAsCharged,
            "facts:webhook:mapping",
            "payment_intent.amount_capturable_updated read as Charged, the facts say Authorized",
        ),
        (
            broken.UnknownEventCharged,
            "facts:webhook:unknown_event",
            "read as Charged: it must change nothing",
        ),
        (broken.EventIdPerDelivery, "facts:webhook:duplicate", "delivered twice got new event id(s)"),
        (
            broken.AnetLowerCaseCompare,
            "facts:webhook:mapping",
            "authcapture_created_declined was refused (signature mismatch)",
        ),
        (
            broken.AnetHeldReadAsAuthorized,
            "facts:webhook:mapping",
            "net.authorize.payment.fraud.held read as Authorized, the facts say Pending",
        ),
        (
            broken.CheckoutRefundNamesPayment,
            "facts:webhook:mapping",
            "names refund pay_webhookcertify0000000001, the facts say the refund in data.action_id",
        ),
        (broken.CheckoutAcceptsUnsigned, "facts:webhook:signature", "without Cko-Signature was accepted"),
    ],
)
def test_each_broken_webhook_rule_is_refused_naming_it(cls, check_id, words):
    results = webhook_results(cls, data_name=cls.base_url_key)
    assert results[check_id].status == "failed", results[check_id].message
    assert words in results[check_id].message
    failed = {i for i, r in results.items() if r.status != "passed"}
    assert check_id in failed


def test_the_wrong_status_names_the_fact_and_its_source():
    message = webhook_results(broken.CapturableReadAsCharged, data_name="stripe")[
        "facts:webhook:mapping"
    ].message
    assert "specs/stripe.facts.toml webhooks.events" in message
    assert "https://docs.stripe.com/api/events/types" in message


def test_a_connector_without_webhooks_gets_one_gap_that_costs_score():
    results = webhook_results(NoWebhooksStripe, data_name="stripe")
    assert list(results) == ["facts:webhooks"]
    gap = results["facts:webhooks"]
    assert gap.status == "skipped" and gap.gap
    assert "declares no webhooks" in gap.message


def test_a_connector_declaring_webhooks_without_facts_fails(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for part in ("cassettes", "config", "connectors"):
        (root / part).symlink_to(ROOT / part, target_is_directory=True)
    (root / "specs").mkdir()
    facts = (ROOT / "specs" / "stripe.facts.toml").read_text()
    (root / "specs" / "stripe.facts.toml").write_text(facts.split("[webhooks]")[0])
    workspace = Workspace(name="stripe", connector_cls=Stripe, root=root)
    session = ConnectorSession(workspace, SuiteOptions())
    result = run_spec(webhook_checks.webhook_specs(session)[0], session)[0]
    assert result.status == "failed"
    assert "has no [webhooks]" in result.message


def test_a_cassette_stored_signed_is_refused_naming_the_file(tmp_path):
    facts = load_facts(ROOT / "specs" / "stripe.facts.toml").webhooks
    assert facts is not None
    source = (ROOT / "cassettes/stripe/webhooks/payment_intent_succeeded.yaml").read_text()
    signed = source.replace("Content-Type:", "Stripe-Signature: t=1,v1=ab\n    Content-Type:")
    path = tmp_path / "signed.yaml"
    path.write_text(signed)
    with pytest.raises(WebhookCassetteError, match=r"signed\.yaml: stored signed"):
        load_webhook_cassette(path, facts)


@pytest.mark.parametrize(
    ("cls", "failing"),
    [
        (broken.AcceptsAnySignature, "facts:webhook:signature"),
        (broken.CheckoutAcceptsUnsigned, "facts:webhook:signature"),
        (broken.AnetLowerCaseCompare, "facts:webhook:mapping"),
    ],
)
def test_the_run_secret_never_reaches_a_result(monkeypatch, cls, failing):
    canary = "whsec_certify_CANARY0123456789abcdef"
    monkeypatch.setattr(webhook_checks, "run_secret", lambda signature: Secret(canary))
    results = webhook_results(cls, data_name=cls.base_url_key)
    text = json.dumps([r.model_dump() for r in results.values()])
    assert canary not in text
    assert results[failing].status == "failed"


def test_the_harness_signer_matches_stripes_documented_example_shape():
    facts = load_facts(ROOT / "specs" / "stripe.facts.toml").webhooks
    assert facts is not None
    secret = run_secret(facts.signature)
    request = signed_notification('{"id": "evt_1"}', {}, facts, secret, 1700000000)
    header = request.header("Stripe-Signature") or ""
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64


def test_a_final_status_never_moves_back():
    assert not attempt_moves_to(AttemptStatus.CHARGED, AttemptStatus.AUTHORIZED)
    assert not attempt_moves_to(AttemptStatus.VOIDED, AttemptStatus.CHARGED)
    assert not attempt_moves_to(AttemptStatus.AUTHORIZED, AttemptStatus.PENDING)
    assert attempt_moves_to(AttemptStatus.AUTHORIZED, AttemptStatus.CHARGED)
    assert attempt_moves_to(AttemptStatus.CAPTURE_FAILED, AttemptStatus.CHARGED)
    assert not refund_moves_to(RefundStatus.SUCCESS, RefundStatus.PENDING)


def test_the_ledger_applies_an_event_once_and_never_backwards():
    ledger = WebhookLedger()
    payment = WebhookReference(WebhookObject.PAYMENT, "pay_1")
    captured = WebhookEvent("e2", "capture", payment, attempt_status=AttemptStatus.CHARGED)
    authorized = WebhookEvent("e1", "authorisation", payment, attempt_status=AttemptStatus.AUTHORIZED)
    assert ledger.apply(captured) is not None
    assert ledger.apply(captured) is None
    assert ledger.apply(authorized) is None
    assert ledger.statuses[payment] is AttemptStatus.CHARGED


def test_an_unverified_notification_is_never_read():
    read: list[bytes] = []
    spec = Stripe.webhooks
    assert spec is not None

    def parse(request):
        read.append(request.body)
        return []

    request = WebhookRequest(b'{"type": "payment_intent.succeeded"}', {})
    outcome = handle_notification(
        replace(spec, parse_events=parse), request, Secret("whsec_x"), 0, WebhookLedger()
    )
    assert not outcome.accepted and read == []


def test_the_webhook_cassettes_are_no_orphans_of_a_connector_that_declares_webhooks():
    from harness.certify.leaks import LeakScanner
    from harness.certify.recording import audit_cassettes

    def orphans(cls):
        workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe")
        return [p.path for p in audit_cassettes(workspace, LeakScanner([])) if p.kind == "orphan"]

    assert orphans(Stripe) == []
    assert orphans(NoWebhooksStripe) == ["cassettes/stripe/webhooks"]


class NoWebhooksStripe(Stripe):
    id = "stripe_without_webhooks"
    base_url_key = "stripe"
    webhooks = None


def test_a_capture_notification_naming_the_capture_instead_of_the_payment_is_refused():
    results = webhook_results(broken.AdyenCaptureNamesItself, data_name="adyen")
    chain = results["facts:webhook:capture_chain"]
    assert chain.status == "failed"
    assert (
        "after capture_acknowledged (CaptureInitiated)" in chain.message
        or "the facts say Charged" in chain.message
    )
    assert results["facts:webhook:mapping"].status == "failed"
    assert "the facts say the payment in originalReference" in results["facts:webhook:mapping"].message


def test_a_signed_webhook_cassette_makes_the_check_an_error_naming_the_file(tmp_path):
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    for part in ("config", "connectors", "specs"):
        (root / part).symlink_to(ROOT / part, target_is_directory=True)
    shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / "stripe")
    bad = root / "cassettes/stripe/webhooks/payment_intent_succeeded.yaml"
    bad.write_text(bad.read_text().replace("Content-Type:", "Stripe-Signature: t=1,v1=ab\n    Content-Type:"))
    workspace = Workspace(name="stripe", connector_cls=Stripe, root=root)
    session = ConnectorSession(workspace, SuiteOptions())
    result = run_spec(webhook_checks.webhook_specs(session)[0], session)[0]
    assert result.status == "error"  # exit 2: bad input, the other connectors still certified
    assert "cassettes/stripe/webhooks/payment_intent_succeeded.yaml: stored signed" in result.message


def test_a_fact_row_no_cassette_shows_is_still_exercised():
    message = webhook_results(broken.AdyenReversedRefundSucceeds, data_name="adyen")[
        "facts:webhook:mapping"
    ].message
    assert "as REFUNDED_REVERSED: REFUNDED_REVERSED read as Success, the facts say Failure" in message


def test_the_harness_signer_makes_checkouts_lower_hex_sha256_of_the_raw_body():
    facts = load_facts(ROOT / "specs" / "checkout.facts.toml").webhooks
    assert facts is not None
    body, key = '{"id": "evt_1", "type": "payment_captured"}', "checkout-signature-key"
    request = signed_notification(body, {}, facts, Secret(key), 1700000000)
    # computed here with hmac directly, from the documented scheme, not with the harness's signer
    expected = hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()
    assert request.header("Cko-Signature") == expected and request.body == body.encode()


def test_the_harness_signer_makes_authorizedotnets_upper_hex_sha512_with_its_prefix():
    facts = load_facts(ROOT / "specs" / "authorizedotnet.facts.toml").webhooks
    assert facts is not None
    body, key = '{"notificationId": "n1", "eventType": "net.authorize.payment.void.created"}', "A1B2" * 32
    request = signed_notification(body, {}, facts, Secret(key), 1700000000)
    expected = hmac.new(key.encode(), body.encode(), hashlib.sha512).hexdigest().upper()
    assert request.header("X-ANET-Signature") == f"sha512={expected}"
    assert len(expected) == 128 and expected != expected.lower()


def test_a_hex_case_on_a_base64_digest_is_refused_when_the_facts_load():
    from pydantic import ValidationError

    from harness.certify.facts import WebhookSignatureFacts

    fields = {
        "algorithm": "HMAC-SHA512", "location": "header", "header": "X-Sig", "header_format": "{signature}",
        "signed_payload": "{body}", "key_encoding": "utf-8", "source": "https://example.test/docs",
    }  # fmt: skip
    assert WebhookSignatureFacts(**fields, digest_encoding="hex", hex_case="upper").hex_case == "upper"
    with pytest.raises(ValidationError, match="hex_case applies to a hex digest only"):
        WebhookSignatureFacts(**fields, digest_encoding="base64", hex_case="upper")
    with pytest.raises(ValidationError):
        WebhookSignatureFacts(**{**fields, "algorithm": "HMAC-MD5"}, digest_encoding="hex")


@pytest.mark.parametrize("cls", [Checkout, Authorizedotnet])
def test_without_a_documented_tolerance_the_expired_timestamp_case_is_reported_not_applicable(cls):
    results = webhook_results(cls)
    for check_id in ("facts:webhook:signature", "facts:webhook:replay"):
        message = results[check_id].message
        assert "expired timestamp: not applicable" in message, message
        assert f"specs/{cls.id}.facts.toml webhooks.signature has no tolerance_seconds" in message
    stripe = webhook_results(Stripe)["facts:webhook:signature"].message
    assert "not applicable" not in stripe and "360 s old" in stripe


def _checkout_header(key: str, body: bytes) -> dict[str, str]:
    return {"Cko-Signature": hmac.new(key.encode(), body, hashlib.sha256).hexdigest()}


def _anet_header(key: str, body: bytes) -> dict[str, str]:
    return {"X-ANET-Signature": "sha512=" + hmac.new(key.encode(), body, hashlib.sha512).hexdigest().upper()}


@pytest.mark.parametrize(("cls", "sign"), [(Checkout, _checkout_header), (Authorizedotnet, _anet_header)])
def test_the_new_verifiers_accept_the_documented_signature_and_refuse_the_rest(cls, sign):
    from harness.domain import WebhookSourceError

    spec, key, body = cls.webhooks, "signature-key-CANARY-7f3a", b'{"id": "evt_1", "type": "x"}'
    assert spec is not None
    spec.verify_source(WebhookRequest(body, sign(key, body)), Secret(key), 0)
    [(name, value)] = sign(key, body).items()
    # the docs state no case for the hex: the other case is the same signature
    spec.verify_source(
        WebhookRequest(body, {name: value.swapcase().replace("SHA512=", "sha512=")}), Secret(key), 0
    )
    forged = [
        WebhookRequest(body, {}),  # no signature header
        WebhookRequest(body, sign("another-key", body)),  # another secret
        WebhookRequest(body + b" ", sign(key, body)),  # the signature of other bytes
        WebhookRequest(body, {name: ""}),
    ]
    for request in forged:
        with pytest.raises(WebhookSourceError) as refused:
            spec.verify_source(request, Secret(key), 0)
        assert "CANARY" not in str(refused.value)
