"""The webhook checks (harness/certify/checks/webhooks.py): each refuses its broken connector with
a message naming the wrong fact, the shipped verifiers pass, and the webhook secret never shows."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from connectors.adyen.connector import Adyen
from connectors.checkout.connector import Checkout
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


@pytest.mark.parametrize("cls", [Stripe, Adyen])
def test_the_shipped_webhooks_pass_every_check(cls):
    results = webhook_results(cls)
    chain = {"facts:webhook:capture_chain"} if cls is Adyen else set()  # Stripe has no acknowledged capture
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
    ],
)
def test_each_broken_webhook_rule_is_refused_naming_it(cls, check_id, words):
    results = webhook_results(cls, data_name="stripe")
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
    results = webhook_results(Checkout)
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


def test_the_run_secret_never_reaches_a_result(monkeypatch):
    canary = "whsec_certify_CANARY0123456789abcdef"
    monkeypatch.setattr(webhook_checks, "run_secret", lambda signature: Secret(canary))
    results = webhook_results(broken.AcceptsAnySignature, data_name="stripe")
    text = json.dumps([r.model_dump() for r in results.values()])
    assert canary not in text
    assert results["facts:webhook:signature"].status == "failed"


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
