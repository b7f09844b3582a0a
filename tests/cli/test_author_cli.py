"""`certify list`, `probe` and `parse` through the installed console script."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.connectors import stripe_bodies as bodies


def run(exe, *args, cwd=None):
    return subprocess.run([*exe, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_list_shows_stripe_with_its_six_flows(certify_exe, root):
    result = run(certify_exe, "list", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    stripe = next(row for row in json.loads(result.stdout) if row["connector"] == "stripe")
    implemented = [flow for flow, state in stripe["flows"].items() if state == "yes"]
    assert implemented == ["Authorize", "Capture", "Void", "Refund", "PSync", "RSync"]
    assert stripe["flows"]["CreateAccessToken"] == "not supported"
    table = run(certify_exe, "list", cwd=root)
    assert table.returncode == 0 and "stripe" in table.stdout


def test_probe_authorize_jpy(certify_exe, root):
    result = run(
        certify_exe, "probe", "stripe", "Authorize", "--amount", "1000", "--currency", "JPY", cwd=root
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["body"]["amount"] == "1000"
    assert probe["body"]["currency"] == "jpy"
    assert "amount=1000" in probe["encoded_body"] and "currency=jpy" in probe["encoded_body"]
    assert probe["headers"]["Authorization"] == "***"
    assert probe["body"]["payment_method_data"]["card"]["number"] == "***"


def test_probe_every_flow(certify_exe, root):
    for flow in ("Capture", "Void", "Refund", "PSync", "RSync"):
        result = run(certify_exe, "probe", "stripe", flow, "--connector-transaction-id", "pi_123", cwd=root)
        assert result.returncode == 0, (flow, result.stderr)
        assert json.loads(result.stdout)["flow"] == flow


def test_probe_passes_connector_metadata_from_earlier_flows(certify_exe, root):
    args = ["probe", "authorizedotnet", "Refund", "--connector-transaction-id", "40000000001"]
    missing = run(certify_exe, *args, cwd=root)
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["error"]["kind"] == "missing_required_field"
    result = run(certify_exe, *args, "--connector-metadata", "card_last4=1111", cwd=root)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)["body"]["createTransactionRequest"]["transactionRequest"]
    assert body["transactionType"] == "refundTransaction"
    assert body["payment"]["creditCard"]["cardNumber"] == "***"
    bad = run(certify_exe, *args, "--connector-metadata", "card_last4", cwd=root)
    assert bad.returncode == 2 and "--connector-metadata takes key=value" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["probe", "nope", "Authorize"], "unknown connector 'nope'"),
        (["probe", "stripe", "Teleport"], "unknown flow 'Teleport'"),
        (["probe", "stripe", "Authorize", "--currency", "XYZ"], "not an ISO 4217 currency"),
        (["probe", "stripe", "Authorize", "--amount", "10.5"], "--amount"),
        (["probe", "stripe", "Authorize", "--capture-method", "later"], "manual or automatic"),
        (["probe", "stripe", "Authorize", "--env", "staging"], "unknown environment"),
        (["probe", "stripe", "Authorize", "--config-dir", "/nonexistent"], "/nonexistent/sandbox.toml"),
        (["parse", "stripe", "Authorize", "--body", "/nonexistent.json"], "no such file"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(certify_exe, root, args, message):
    result = run(certify_exe, *args, cwd=root)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_probe_an_unrepresentable_amount_is_a_typed_error(certify_exe, root):
    result = run(
        certify_exe, "probe", "stripe", "Authorize", "--amount", "5124", "--currency", "KWD", cwd=root
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["kind"] == "amount_not_representable"


def test_parse_requires_capture_is_authorized(certify_exe, root, tmp_path):
    body = tmp_path / "pi.json"
    body.write_text(json.dumps(bodies.payment_intent("requires_capture")))
    result = run(
        certify_exe,
        "parse",
        "stripe",
        "Authorize",
        "--status-code",
        "200",
        "--body",
        str(body),
        "--capture-method",
        "manual",
        "--amount",
        "1000",
        "--currency",
        "USD",
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["status"] == "Authorized"
    assert parsed["connector_transaction_id"] == "pi_3PqCertify0001"
    assert (parsed["amount"], parsed["currency"]) == (1000, "USD")


def test_parse_a_402_card_error_carries_the_decline_code(certify_exe, root, tmp_path):
    body = tmp_path / "err.json"
    body.write_text(
        json.dumps(
            bodies.card_error(
                "card_declined", "Your card has insufficient funds.", decline_code="insufficient_funds"
            )
        )
    )
    result = run(
        certify_exe, "parse", "stripe", "Authorize", "--status-code", "402", "--body", str(body), cwd=root
    )
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["status"] == "AuthorizationFailed"
    assert parsed["error"] == {
        "code": "card_declined",
        "message": "Your card has insufficient funds.",
        "reason": "card_error: insufficient_funds",
    }


def test_parse_a_malformed_body_is_a_typed_error(certify_exe, root, tmp_path):
    body = tmp_path / "bad.json"
    body.write_text('{"id": "pi_1"}')
    result = run(certify_exe, "parse", "stripe", "PSync", "--body", str(body), cwd=root)
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["kind"] == "response_deserialization_failed"


def test_parse_a_refund_without_a_payment_id_compares_no_ids(certify_exe, root, tmp_path):
    """A real refund pasted alone: no --connector-transaction-id, so its payment_intent is not compared."""
    body = tmp_path / "refund.json"
    body.write_text(json.dumps(bodies.refund("succeeded") | {"payment_intent": "pi_3PqOwner0001"}))
    result = run(certify_exe, "parse", "stripe", "Refund", "--body", str(body), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    parsed = json.loads(result.stdout)
    assert parsed["status"] == "Success" and parsed["error"] is None, parsed
    assert "payment_intent" in parsed["note"] and "not compared" in parsed["note"]


def test_parse_a_refund_of_another_payment_names_both_ids(certify_exe, root, tmp_path):
    body = tmp_path / "refund.json"
    body.write_text(json.dumps(bodies.refund("succeeded") | {"payment_intent": "pi_3PqOwner0001"}))
    args = ("parse", "stripe", "Refund", "--body", str(body), "--connector-transaction-id")
    mismatch = run(certify_exe, *args, "pi_3PqOther0002", cwd=root)
    assert mismatch.returncode == 1, mismatch.stdout + mismatch.stderr
    parsed = json.loads(mismatch.stdout)
    assert parsed["status"] is None
    message = parsed["error"]["message"]
    assert (
        "another payment intent" in message and "pi_3PqOwner0001" in message and "pi_3PqOther0002" in message
    )
    same = json.loads(run(certify_exe, *args, "pi_3PqOwner0001", cwd=root).stdout)
    assert same["status"] == "Success" and "note" not in same
