"""`certify probe NAME Webhook` and `certify parse NAME Webhook`, through the console script."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
from pathlib import Path

import yaml

from harness.certify.facts import load_facts
from harness.certify.webhook_certificates import certificate_signed_notification, run_certificate

ROOT = Path(__file__).resolve().parents[2]
CANARY_SECRET = "whsec_canaryWebhookSecret7Q2"


def certify(exe, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env or {})}
    return subprocess.run([*exe, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def cassette_body(name: str, event: str, tmp_path: Path) -> Path:
    data = yaml.safe_load((ROOT / "cassettes" / name / "webhooks" / f"{event}.yaml").read_text())
    path = tmp_path / f"{event}.json"
    path.write_text(data["notification"]["body"])
    return path


def stripe_signature(body: Path, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body.read_bytes(), hashlib.sha256).hexdigest()
    return f"Stripe-Signature: t={timestamp},v1={mac}"


def test_probe_webhook_describes_the_scheme_and_the_answer(certify_exe):
    done = certify(certify_exe, "probe", "adyen", "Webhook")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["flow"] == "Webhook" and shown["signature_field"].endswith("additionalData.hmacSignature")
    assert shown["answer"] == {"status_code": 200, "body": "[accepted]"}


def test_parse_webhook_without_a_key_reads_the_events_unverified(certify_exe, tmp_path):
    body = cassette_body("stripe", "refund_failed", tmp_path)
    done = certify(certify_exe, "parse", "stripe", "webhook", "--body", str(body))
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["verified"] is False and "--secret-env" in shown["note"]
    [event] = shown["events"]
    assert (event["event_type"], event["object"], event["status"]) == ("refund.failed", "refund", "Failure")
    assert event["reference"] == "re_3WebhookCertify0002"


def test_parse_webhook_verifies_with_the_secret_from_the_environment(certify_exe, tmp_path):
    body = cassette_body("stripe", "payment_intent_succeeded", tmp_path)
    now = int(time.time())
    signed = ["--header", stripe_signature(body, CANARY_SECRET, now), "--secret-env", "CERTIFY_TEST_WHSEC"]
    done = certify(
        certify_exe, "parse", "stripe", "Webhook", "--body", str(body), *signed,
        env={"CERTIFY_TEST_WHSEC": CANARY_SECRET},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["verified"] is True and shown["events"][0]["status"] == "Charged"
    # another secret: refused, exit 1, and neither secret is printed
    done = certify(
        certify_exe, "parse", "stripe", "Webhook", "--body", str(body), *signed,
        env={"CERTIFY_TEST_WHSEC": CANARY_SECRET + "x"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    shown = json.loads(done.stdout)
    assert shown["verified"] is False and shown["refusal"] and "events" not in shown
    assert CANARY_SECRET not in done.stdout + done.stderr
    # a timestamp outside Stripe's tolerance: refused unless verified at that time
    old = ["--body", str(body), "--header", stripe_signature(body, CANARY_SECRET, now - 3600)]
    old += ["--secret-env", "CERTIFY_TEST_WHSEC"]
    env = {"CERTIFY_TEST_WHSEC": CANARY_SECRET}
    assert certify(certify_exe, "parse", "stripe", "Webhook", *old, env=env).returncode == 1
    at = ["--now", str(now - 3600)]
    assert certify(certify_exe, "parse", "stripe", "Webhook", *old, *at, env=env).returncode == 0


def test_parse_webhook_verifies_a_certificate_scheme_with_the_certificate_file(certify_exe, tmp_path):
    signature = load_facts(ROOT / "specs" / "paypal.facts.toml").webhooks.signature  # type: ignore[union-attr]
    assert signature.certificate is not None
    run = run_certificate(signature.certificate)
    first = sorted(p.stem for p in (ROOT / "cassettes/paypal/webhooks").glob("*.yaml"))[0]
    body = cassette_body("paypal", first, tmp_path)
    request = certificate_signed_notification(body.read_text(), {}, signature, run, int(time.time()))
    headers = [arg for name, value in request.headers.items() for arg in ("--header", f"{name}: {value}")]
    pem = tmp_path / "paypal.pem"
    pem.write_bytes(run.certificate_pem)
    args = ["parse", "paypal", "Webhook", "--body", str(body), *headers, "--certificate", str(pem)]
    done = certify(certify_exe, *args, "--webhook-id", run.webhook_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["verified"] is True
    done = certify(certify_exe, *args, "--webhook-id", "ANOTHERLISTENER1")
    assert done.returncode == 1 and json.loads(done.stdout)["verified"] is False


def test_parse_webhook_bad_arguments_are_one_line_and_exit_2(certify_exe, tmp_path):
    body = cassette_body("stripe", "refund_failed", tmp_path)
    cases = [
        (["--secret-env", "CERTIFY_TEST_UNSET_VARIABLE"], "CERTIFY_TEST_UNSET_VARIABLE"),
        (["--certificate", str(body)], "--webhook-id"),
        (["--secret-env", "X", "--webhook-id", "Y"], "give one"),
    ]
    for extra, named in cases:
        done = certify(certify_exe, "parse", "stripe", "Webhook", "--body", str(body), *extra)
        assert done.returncode == 2, (extra, done.stdout, done.stderr)
        assert named in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    done = certify(certify_exe, "parse", "stripe", "Webhook", "--body", str(tmp_path / "missing.json"))
    assert done.returncode == 2 and "missing.json" in done.stderr
