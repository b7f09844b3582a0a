"""Deliberately broken webhook handling: a shipped connector with one webhook rule broken each.

Kept apart from broken.py because the constant-time check reads the verifier's whole module: only
EqualsSignatureCompare's verifier here compares a signature with `==`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from dataclasses import replace

from connectors.adyen import webhooks as adyen_webhooks
from connectors.adyen.connector import Adyen
from connectors.authorizedotnet import webhooks as anet_webhooks
from connectors.authorizedotnet.connector import Authorizedotnet
from connectors.checkout import webhooks as checkout_webhooks
from connectors.checkout.connector import Checkout
from connectors.stripe import webhooks as w
from connectors.stripe.connector import Stripe
from harness.domain import (
    AttemptStatus,
    RefundStatus,
    Secret,
    WebhookEvent,
    WebhookObject,
    WebhookReference,
    WebhookSourceError,
)
from harness.integration import WebhookRequest


def accept_anything(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    """The broken rule: no verification at all."""


class AcceptsAnySignature(Stripe):
    id = "broken_webhook_accepts_anything"
    base_url_key = "stripe"
    webhooks = replace(w.WEBHOOKS, verify_source=accept_anything)


def verify_with_equals(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    header = request.header(w.SIGNATURE_HEADER) or ""
    parts = dict(element.partition("=")[::2] for element in header.split(","))
    if "t" not in parts or abs(now - int(parts["t"])) > w.TOLERANCE_SECONDS:
        raise WebhookSourceError("no timestamp or a stale one")
    computed = hmac.new(secret.expose().encode(), parts["t"].encode() + b"." + request.body, hashlib.sha256)
    if computed.hexdigest() != parts.get("v1"):  # the broken rule: timing leaks how much matched
        raise WebhookSourceError("signature mismatch")


class EqualsSignatureCompare(Stripe):
    id = "broken_webhook_equals_compare"
    base_url_key = "stripe"
    webhooks = replace(w.WEBHOOKS, verify_source=verify_with_equals)


def ignore_timestamp(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    header = request.header(w.SIGNATURE_HEADER) or ""
    signed_at = next((p[2:] for p in header.split(",") if p.startswith("t=")), "")
    # the broken rule: "now" is taken from the notification itself, so no signature ever expires
    w.verify_source(request, secret, int(signed_at) if signed_at.isdigit() else now)


class IgnoresTolerance(Stripe):
    id = "broken_webhook_no_tolerance"
    base_url_key = "stripe"
    webhooks = replace(w.WEBHOOKS, verify_source=ignore_timestamp)


def capturable_as_charged(request: WebhookRequest) -> list[WebhookEvent]:
    events = w.parse_events(request)
    # the broken rule: funds held for a manual capture read as captured
    return [
        replace(e, attempt_status=AttemptStatus.CHARGED)
        if e.event_type == "payment_intent.amount_capturable_updated"
        else e
        for e in events
    ]


class CapturableReadAsCharged(Stripe):
    id = "broken_webhook_capturable_charged"
    base_url_key = "stripe"
    webhooks = replace(w.WEBHOOKS, parse_events=capturable_as_charged)


def unknown_as_charged(request: WebhookRequest) -> list[WebhookEvent]:
    out: list[WebhookEvent] = []
    for event in w.parse_events(request):
        if event.status is None:  # the broken rule: whatever Stripe sends, the payment is paid
            body = json.loads(request.body)
            reference = WebhookReference(WebhookObject.PAYMENT, str(body["data"]["object"]["id"]))
            event = replace(event, reference=reference, attempt_status=AttemptStatus.CHARGED)
        out.append(event)
    return out


class UnknownEventCharged(Stripe):
    id = "broken_webhook_unknown_charged"
    base_url_key = "stripe"
    webhooks = replace(w.WEBHOOKS, parse_events=unknown_as_charged)


_DELIVERIES = itertools.count()


def fresh_event_ids(request: WebhookRequest) -> list[WebhookEvent]:
    # the broken rule: the event id is made per delivery, so a re-sent event looks new
    delivery = next(_DELIVERIES)
    return [replace(e, event_id=f"{e.event_id}:{delivery}") for e in w.parse_events(request)]


class EventIdPerDelivery(Stripe):
    id = "broken_webhook_id_per_delivery"
    base_url_key = "stripe"
    webhooks = replace(w.WEBHOOKS, parse_events=fresh_event_ids)


def capture_names_itself(request: WebhookRequest) -> list[WebhookEvent]:
    items = [entry["NotificationRequestItem"] for entry in json.loads(request.body)["notificationItems"]]
    out = []
    for item, event in zip(items, adyen_webhooks.parse_events(request), strict=True):
        if event.event_type == "CAPTURE" and event.reference is not None:
            # the broken rule: the capture's own pspReference taken for the payment's
            event = replace(event, reference=replace(event.reference, id=item["pspReference"]))
        out.append(event)
    return out


class AdyenCaptureNamesItself(Adyen):
    id = "broken_webhook_adyen_capture_reference"
    base_url_key = "adyen"
    webhooks = replace(adyen_webhooks.WEBHOOKS, parse_events=capture_names_itself)


def reversed_refund_succeeds(request: WebhookRequest) -> list[WebhookEvent]:
    # the broken rule: REFUNDED_REVERSED (the money came back) read as a successful refund; no
    # cassette shows this event, so only the fact row can catch it
    return [
        replace(e, refund_status=RefundStatus.SUCCESS) if e.event_type == "REFUNDED_REVERSED" else e
        for e in adyen_webhooks.parse_events(request)
    ]


class AdyenReversedRefundSucceeds(Adyen):
    id = "broken_webhook_adyen_reversed_refund"
    base_url_key = "adyen"
    webhooks = replace(adyen_webhooks.WEBHOOKS, parse_events=reversed_refund_succeeds)


def lower_case_compare(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    given = (request.header(anet_webhooks.SIGNATURE_HEADER) or "").removeprefix(anet_webhooks.SCHEME_PREFIX)
    computed = hmac.new(secret.expose().encode(), request.body, hashlib.sha512).hexdigest()
    # the broken rule: the lower-case hex compared with the header as sent, which is upper case
    if not hmac.compare_digest(computed.encode(), given.encode()):
        raise WebhookSourceError("signature mismatch")


class AnetLowerCaseCompare(Authorizedotnet):
    id = "broken_webhook_anet_lower_case"
    base_url_key = "authorizedotnet"
    webhooks = replace(anet_webhooks.WEBHOOKS, verify_source=lower_case_compare)


def held_as_authorized(request: WebhookRequest) -> list[WebhookEvent]:
    # the broken rule: a transaction a fraud filter holds for review read as authorized
    return [
        replace(e, attempt_status=AttemptStatus.AUTHORIZED)
        if e.event_type == "net.authorize.payment.fraud.held"
        else e
        for e in anet_webhooks.parse_events(request)
    ]


class AnetHeldReadAsAuthorized(Authorizedotnet):
    id = "broken_webhook_anet_held_authorized"
    base_url_key = "authorizedotnet"
    webhooks = replace(anet_webhooks.WEBHOOKS, parse_events=held_as_authorized)


def refund_names_the_payment(request: WebhookRequest) -> list[WebhookEvent]:
    payment_id = str(json.loads(request.body)["data"]["id"])
    # the broken rule: the refund looked up by the payment's id (data.id), not its own (data.action_id)
    return [
        replace(e, reference=replace(e.reference, id=payment_id))
        if e.reference is not None and e.reference.object is WebhookObject.REFUND
        else e
        for e in checkout_webhooks.parse_events(request)
    ]


class CheckoutRefundNamesPayment(Checkout):
    id = "broken_webhook_checkout_refund_reference"
    base_url_key = "checkout"
    webhooks = replace(checkout_webhooks.WEBHOOKS, parse_events=refund_names_the_payment)


def unsigned_accepted(request: WebhookRequest, secret: Secret[str], now: int) -> None:
    # the broken rule: a notification without the header is let through (e.g. a test mode shortcut)
    if request.header(checkout_webhooks.SIGNATURE_HEADER) is not None:
        checkout_webhooks.verify_source(request, secret, now)


class CheckoutAcceptsUnsigned(Checkout):
    id = "broken_webhook_checkout_unsigned"
    base_url_key = "checkout"
    webhooks = replace(checkout_webhooks.WEBHOOKS, verify_source=unsigned_accepted)
