"""Cassettes: safe loading, provenance, semantic matching, clear mismatches, atomic writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from connectors.stripe.connector import Stripe
from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.matching import diff_trees
from harness.certify.cassettes.recording import write_atomically
from harness.certify.cassettes.replay import ReplayMismatch, ReplayTransport, load_cassette
from harness.certify.cassettes.scrubbing import recorded_form
from harness.domain import CaptureMethod, Card, Currency, HeaderKey, MinorUnit, Secret
from harness.execution.factory import authorize_data, payment_flow_data

ROOT = Path(__file__).resolve().parents[2]
STRIPE = ROOT / "cassettes" / "stripe"


def authorize_request(reference="capture_full_authorize", amount=1000, number="4242424242424242"):
    rd = authorize_data(
        payment_flow_data(reference),
        auth=HeaderKey(api_key=Secret("sk_test_whatever_key")),
        amount=MinorUnit(amount),
        currency=Currency.USD,
        capture_method=CaptureMethod.MANUAL,
        card=Card(
            card_number=Secret(number),
            card_exp_month=Secret("12"),
            card_exp_year=Secret("2034"),
            card_cvc=Secret("314"),
            card_holder_name=Secret("Jenny Rosen"),
        ),
    )
    return Stripe().build_request(rd, "https://api.stripe.com/")


def test_a_shipped_cassette_replays_a_matching_request_once():
    transport = ReplayTransport(load_cassette(STRIPE / "capture_full.yaml"))
    response = transport.handle_request(authorize_request())
    assert response.status_code == 200
    assert response.json()["status"] == "requires_capture"
    with pytest.raises(ReplayMismatch, match="already played"):
        transport.handle_request(authorize_request())


def test_the_card_number_does_not_take_part_in_matching_but_the_amount_does():
    transport = ReplayTransport(load_cassette(STRIPE / "capture_full.yaml"))
    assert transport.handle_request(authorize_request(number="4000056655665556")).status_code == 200
    transport = ReplayTransport(load_cassette(STRIPE / "capture_full.yaml"))
    with pytest.raises(ReplayMismatch) as caught:
        transport.handle_request(authorize_request(amount=999))
    message = caught.value.one_line()
    assert "capture_full.yaml" in message
    assert "closest is interaction #1 (POST /v1/payment_intents)" in message
    assert "amount (money, compared strictly): recorded '1000', sent '999'" in message


def test_an_unmatched_reference_names_the_field():
    transport = ReplayTransport(load_cassette(STRIPE / "capture_full.yaml"))
    with pytest.raises(
        ReplayMismatch, match=r"metadata\.order_id: recorded 'capture_full_authorize', sent 'other'"
    ):
        transport.handle_request(authorize_request(reference="other"))


def test_semantic_body_comparison():
    assert diff_trees({"a": 1, "b": {"c": "x"}}, {"b": {"c": "x"}, "a": 1}) == []  # key order ignored
    assert diff_trees({"flag": True}, {"flag": "true"}) == []  # form and JSON spell scalars differently
    assert diff_trees({"amount": 1000}, {"amount": "1000"}) != []  # money is strict about type
    assert diff_trees({"currency": "USD"}, {"currency": "usd"}) != []  # and about spelling
    assert diff_trees({"amount": {"value": "10.00"}}, {"amount": {"value": "10.0"}}) != []
    assert diff_trees({"ts": "1", "id": "a"}, {"ts": "2", "id": "a"}, volatile=["ts"]) == []
    assert diff_trees({"x": {"key": "1"}}, {"x": {"key": "2"}}, volatile=["*.key"]) == []
    assert diff_trees({"a": [1, 2]}, {"a": [1]}) == ["a: recorded 2 items, sent 1"]


def test_recorded_requests_are_masked_and_scrubbed():
    body, headers = recorded_form(authorize_request())
    assert b"4242" not in (body or b"")
    assert b"314" not in (body or b"").replace(b"order_id", b"")
    assert headers["Authorization"] == "Bearer ***"  # the scheme word is kept, the key masked


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda text: text + "\n  - [unbalanced", "not valid safe YAML"),
        (lambda text: "!!python/object/apply:os.system ['echo hi']\n", "not valid safe YAML"),
        (lambda text: "version: 1\ninteractions: nope\n", "no interactions list"),
        (lambda text: text.replace("version: 1", "version: 2"), "unsupported cassette format version"),
        (lambda text: text.split("metadata:")[0], "cassette has no provenance"),
        (lambda text: text.replace("kind: authored-from-docs", "kind: guessed"), "provenance kind must be"),
        (lambda text: text.replace("    sources:\n", "    nosources:\n"), "must list its sources"),
    ],
)
def test_broken_cassettes_are_refused_with_a_one_line_error_naming_the_file(tmp_path, mutate, message):
    path = tmp_path / "capture_full.yaml"
    path.write_text(mutate((STRIPE / "capture_full.yaml").read_text()))
    with pytest.raises(CassetteError, match=message) as caught:
        load_cassette(path)
    assert str(path) in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_a_recorded_sandbox_cassette_needs_its_recording_time(tmp_path):
    data = yaml.safe_load((STRIPE / "capture_full.yaml").read_text())
    data["metadata"]["provenance"] = {"kind": "recorded-sandbox", "api_version": "2024-06-20"}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CassetteError, match="needs recorded_at"):
        load_cassette(path)
    data["metadata"]["provenance"]["recorded_at"] = "2026-01-02T03:04:05Z"
    path.write_text(yaml.safe_dump(data))
    loaded = load_cassette(path)
    assert loaded.provenance.kind == "recorded-sandbox"
    assert loaded.provenance.date.year == 2026


def test_unplayed_interactions_are_listed():
    loaded = load_cassette(STRIPE / "capture_full.yaml")
    ReplayTransport(loaded).handle_request(authorize_request())
    assert loaded.unplayed() == [
        "#2 POST /v1/payment_intents/" + loaded.exchanges[1][0].uri.split("/")[-2] + "/capture"
    ]


def test_atomic_write_keeps_the_previous_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    shutil.copy(STRIPE / "capture_full.yaml", path)
    before = path.read_text()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        write_atomically(path, "partial")
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]
