"""Deliberately broken PayPal webhook handling: one rule of its certificate scheme broken each.

Kept apart from broken_webhooks.py (Stripe and Adyen) so that each module's verifiers are read
whole by the constant-time check without the other's.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from connectors.paypal import webhooks as w
from connectors.paypal.connector import Paypal
from harness.domain import RefundStatus, WebhookEvent, WebhookSourceError
from harness.integration import WebhookCertificates, WebhookRequest


def accept_anything(request: WebhookRequest, key: WebhookCertificates, now: int) -> None:
    """The broken rule: no verification at all."""


class PaypalAcceptsAnything(Paypal):
    id = "broken_webhook_paypal_accepts_anything"
    base_url_key = "paypal"
    webhooks = replace(w.WEBHOOKS, verify_source=accept_anything)


def any_downloaded_certificate(request: WebhookRequest, key: WebhookCertificates, now: int) -> None:
    # the broken rule: whatever certificate the router downloaded is trusted, wherever it came from
    cert_url = request.header(w.CERT_URL_HEADER) or ""
    disguised = WebhookRequest(
        request.body, {**request.headers, w.CERT_URL_HEADER: "https://api.paypal.com/c"}
    )
    w.verify_source(
        disguised,
        replace(key, certificates={"https://api.paypal.com/c": key.certificates.get(cert_url, b"")}),
        now,
    )


class PaypalTrustsAnyCertUrl(Paypal):
    id = "broken_webhook_paypal_any_cert_url"
    base_url_key = "paypal"
    webhooks = replace(w.WEBHOOKS, verify_source=any_downloaded_certificate)


def host_suffix_without_dot(request: WebhookRequest, key: WebhookCertificates, now: int) -> None:
    cert_url = request.header(w.CERT_URL_HEADER) or ""
    parts = urlsplit(cert_url)
    # the broken rule: "ends with paypal.com" also lets attackerpaypal.com through
    if parts.scheme == "https" and (parts.hostname or "").endswith(w.CERT_HOST):
        disguised = WebhookRequest(
            request.body, {**request.headers, w.CERT_URL_HEADER: "https://api.paypal.com/c"}
        )
        certificates = {"https://api.paypal.com/c": key.certificates.get(cert_url, b"")}
        w.verify_source(disguised, replace(key, certificates=certificates), now)
        return
    raise WebhookSourceError("not a PayPal certificate URL")


class PaypalHostSuffixWithoutDot(Paypal):
    id = "broken_webhook_paypal_host_suffix"
    base_url_key = "paypal"
    webhooks = replace(w.WEBHOOKS, verify_source=host_suffix_without_dot)


def ignore_algorithm(request: WebhookRequest, key: WebhookCertificates, now: int) -> None:
    # the broken rule: PAYPAL-AUTH-ALGO is not read, so any algorithm name passes
    if not request.header(w.AUTH_ALGO_HEADER):
        raise WebhookSourceError("no algorithm")
    w.verify_source(
        WebhookRequest(request.body, {**request.headers, w.AUTH_ALGO_HEADER: w.AUTH_ALGO}), key, now
    )


class PaypalIgnoresAlgorithm(Paypal):
    id = "broken_webhook_paypal_ignores_algorithm"
    base_url_key = "paypal"
    webhooks = replace(w.WEBHOOKS, verify_source=ignore_algorithm)


def refunded_always_succeeds(request: WebhookRequest) -> list[WebhookEvent]:
    # the broken rule: PAYMENT.CAPTURE.REFUNDED read by its name, not by the refund's own status
    return [
        replace(e, refund_status=RefundStatus.SUCCESS) if e.event_type == "PAYMENT.CAPTURE.REFUNDED" else e
        for e in w.parse_events(request)
    ]


class PaypalRefundedAlwaysSucceeds(Paypal):
    id = "broken_webhook_paypal_refunded_succeeds"
    base_url_key = "paypal"
    webhooks = replace(w.WEBHOOKS, parse_events=refunded_always_succeeds)
