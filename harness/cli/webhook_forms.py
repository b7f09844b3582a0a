"""The webhook forms of `certify probe` and `certify parse` (FLOW given as `Webhook`).

`probe NAME Webhook` prints how the connector verifies and answers notifications (its declared
scheme); `parse NAME Webhook --body FILE` prints what the connector reads from a notification: the
events, their references and statuses, and the answer. The source is verified when the key is given:
a shared secret only through an environment variable (never on the command line, where shells keep
it), a certificate-signing provider's certificate as a file with its webhook id.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import typer

from harness.cli import fail
from harness.domain import Secret, WebhookEvent, WebhookSourceError
from harness.domain.sensitive import redact_text
from harness.integration.connector import ConnectorV2
from harness.integration.webhooks import WebhookCertificates, WebhookRequest, WebhookSpec

WEBHOOK_FLOW_NAMES = frozenset({"webhook", "webhooks", "incomingwebhook"})


def is_webhook_form(flow_name: str) -> bool:
    return flow_name.strip().lower() in WEBHOOK_FLOW_NAMES


def webhook_spec(connector: ConnectorV2, name: str) -> WebhookSpec[Any]:
    spec = type(connector).webhooks
    if spec is None:
        raise fail(
            f"{name} handles no webhooks yet: declare `webhooks = WEBHOOKS` on its connector class "
            "(README 'Webhooks')"
        )
    return spec


def probe_webhook(connector: ConnectorV2, name: str) -> None:
    spec = webhook_spec(connector, name)
    typer.echo(json.dumps({"connector": name, "flow": "Webhook", **spec.describe()}, indent=2))


def describe_event(event: WebhookEvent) -> dict[str, Any]:
    reference = event.reference
    return {
        "event_id": event.event_id,
        "event_type": event.event_type,
        "object": reference.object.value if reference is not None else None,
        "reference": reference.id if reference is not None else None,
        "status": event.status.value if event.status is not None else None,
    }


def parse_webhook(
    connector: ConnectorV2,
    name: str,
    *,
    body: Path,
    headers: dict[str, str],
    secret_env: str | None,
    certificate: Path | None,
    webhook_id: str | None,
    now: int | None,
) -> None:
    spec = webhook_spec(connector, name)
    if not body.is_file():
        raise fail(f"{body}: no such file (pass the notification body with --body FILE)")
    request = WebhookRequest(body.read_bytes(), headers)
    key = _key(secret_env, certificate, webhook_id, request)
    out: dict[str, Any] = {"connector": name, "flow": "Webhook"}
    if key is None:
        out["verified"] = False
        out["note"] = (
            "source not verified: give --secret-env VAR (an HMAC scheme's secret) or --certificate FILE "
            "--webhook-id ID (a certificate scheme) to check the signature"
        )
    else:
        try:
            spec.verify_source(request, key, int(time.time()) if now is None else now)
        except WebhookSourceError as error:
            out |= {"verified": False, "refusal": _masked(error.message, key)}
            typer.echo(json.dumps(out, indent=2))
            raise typer.Exit(1) from None
        out["verified"] = True
    try:
        events = spec.parse_events(request)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        reason = f"the connector could not read this notification: {type(error).__name__}"
        out |= {"events": None, "error": reason}
        typer.echo(json.dumps(out, indent=2))
        raise typer.Exit(1) from None
    out["events"] = [describe_event(event) for event in events]
    out["answer"] = {"status_code": spec.answer.status_code, "body": spec.answer.body}
    typer.echo(json.dumps(out, indent=2))


def _key(
    secret_env: str | None, certificate: Path | None, webhook_id: str | None, request: WebhookRequest
) -> Secret[str] | WebhookCertificates | None:
    if secret_env is not None and (certificate is not None or webhook_id is not None):
        raise fail(
            "--secret-env is for HMAC schemes, --certificate/--webhook-id for certificate schemes: give one"
        )
    if secret_env is not None:
        value = os.environ.get(secret_env)
        if not value:
            raise fail(f"--secret-env {secret_env}: that environment variable is not set")
        return Secret(value)
    if (certificate is None) != (webhook_id is None):
        raise fail("--certificate and --webhook-id go together (the provider signs with both)")
    if certificate is None or webhook_id is None:
        return None
    if not certificate.is_file():
        raise fail(f"--certificate {certificate}: no such file (the PEM certificate the provider names)")
    # the certificate stands for the one the notification's certificate URL names (a router downloads it)
    urls = [v for k, v in request.headers.items() if k.lower().endswith("cert-url")] or [""]
    return WebhookCertificates(webhook_id, {url: certificate.read_bytes() for url in urls})


def _masked(message: str, key: Secret[str] | WebhookCertificates) -> str:
    """A refusal never repeats the key, even if a verifier put it in its message."""
    values = [key.expose()] if isinstance(key, Secret) else []
    return redact_text(message, values)
