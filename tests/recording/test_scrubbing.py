"""Scrubbing before anything is written, and replay masking the outgoing request the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.stripe.sandbox import StripeSandbox
from harness.certify.cassettes.provenance import Provenance
from harness.certify.cassettes.recording import Exchange, cassette_document, render_cassette, write_atomically
from harness.certify.cassettes.replay import ReplayMismatch, ReplayTransport, load_cassette
from harness.certify.cassettes.scrubbing import (
    is_secret_header,
    recorded_form,
    recorded_url,
    scrub_body,
    scrub_headers,
)
from harness.certify.catalog import SCENARIOS
from harness.certify.recording import record_scenarios
from harness.certify.runner import ScenarioRunner
from harness.certify.workspace import Workspace
from harness.domain import HeaderKey, Secret
from harness.domain.secret import Maskable
from harness.integration.encoding import decode_form, decode_xml
from harness.integration.http import ContentType, HttpRequest, HttpResponse, Method, RequestBody
from tests.recording.conftest import CANARY_CARD, CANARY_HOLDER, CANARY_KEY, canary_hits, use_canary_card
from tests.sandboxes import SandboxTransport

PROVENANCE = Provenance(
    kind="recorded-sandbox",
    date=__import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC),
    api_version="v1",
    sources=(),
    note="test",
)


def test_json_fields_are_masked_at_any_depth():
    body = {
        "order": {
            "payments": [
                {
                    "card": {
                        "cardNumber": "4111111111111111",
                        "cvv": "123",
                        "expiryMonth": "12",
                        "expiryYear": "2030",
                        "holderName": "Jane Doe",
                    }
                }
            ]
        },
        "merchantAuthentication": {"name": "login", "transactionKey": "abc123"},
        "client_secret": "pi_1_secret_2",
        "password": "hunter22",
        "amount": 1000,
    }
    scrubbed = json.loads(scrub_body("application/json", json.dumps(body).encode()) or b"")
    card = scrubbed["order"]["payments"][0]["card"]
    assert set(card.values()) == {"***"}
    assert scrubbed["merchantAuthentication"] == "***"  # the whole subtree
    assert scrubbed["client_secret"] == scrubbed["password"] == "***"
    assert scrubbed["amount"] == 1000


def test_form_bracket_keys_are_masked():
    body = b"card[number]=4111111111111111&card[cvc]=123&card[exp_month]=12&x[0][token]=tok_abcdef&amount=10"
    scrubbed = decode_form(scrub_body("application/x-www-form-urlencoded", body) or b"")
    assert scrubbed["card"] == {"number": "***", "cvc": "***", "exp_month": "***"}
    assert scrubbed["x"] == [{"token": "***"}]
    assert scrubbed["amount"] == "10"


def test_xml_elements_and_attributes_are_masked_keeping_the_structure():
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>'
        b'<createTransactionRequest xmlns="AnetApi/xml/v1/schema/AnetApiSchema.xsd">'
        b"<merchantAuthentication><name>login</name><transactionKey>abc123</transactionKey>"
        b"</merchantAuthentication><transactionRequest><amount>10.00</amount><payment><creditCard>"
        b"<cardNumber>4111111111111111</cardNumber><expirationDate>2030-12</expirationDate>"
        b'<cardCode>123</cardCode></creditCard></payment><token password="pw12345">t</token>'
        b"</transactionRequest></createTransactionRequest>"
    )
    scrubbed = scrub_body("application/xml", body) or b""
    tree = decode_xml(scrubbed)["createTransactionRequest"]
    assert tree["merchantAuthentication"] == "***"
    card = tree["transactionRequest"]["payment"]["creditCard"]
    assert card == {"cardNumber": "***", "expirationDate": "***", "cardCode": "***"}
    assert tree["transactionRequest"]["amount"] == "10.00"
    for secret in (b"login", b"abc123", b"4111111111111111", b"2030-12", b">123<", b"pw12345"):
        assert secret not in scrubbed
    assert scrubbed.startswith(b"<?xml")


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("X-API-Key", True),
        ("Cookie", True),
        ("Set-Cookie", True),
        ("X-Merchant-Token", True),
        ("Ocp-Apim-Subscription-Key", True),
        ("X-Signature", True),
        ("Idempotency-Key", False),
        ("Content-Type", False),
        ("Stripe-Version", False),
        ("Request-Id", False),
    ],
)
def test_secret_headers_by_name(name, secret):
    assert is_secret_header(name) is secret
    assert (scrub_headers({name: "value"})[name] == "***") is secret


def test_secret_query_parameters_are_masked():
    assert (
        recorded_url("https://x.test/v1/pay?api_key=abc&amount=10")
        == "https://x.test/v1/pay?api_key=***&amount=10"
    )
    assert recorded_url("https://x.test/v1/pay?amount=10") == "https://x.test/v1/pay?amount=10"


def request(
    key: str, number: str, amount: str = "1000", url: str = "https://api.test/v1/charges"
) -> HttpRequest:
    body = {
        "amount": amount,
        "card": {"number": Secret(number), "cvc": Secret("123")},
        "billing": {"name": Secret("Jane Doe")},
    }
    return HttpRequest(
        Method.POST,
        url,
        headers=(("Authorization", Maskable.masked(f"Bearer {key}")), ("X-Trace", Maskable.normal("t1"))),
        body=RequestBody(ContentType.FORM, body),
    )


def test_recorded_form_is_the_same_whatever_the_secrets():
    first = recorded_form(request("sk_test_one", "4242424242424242"))
    second = recorded_form(request(CANARY_KEY, CANARY_CARD))
    assert first == second
    assert not canary_hits(repr(second))
    assert recorded_form(request(CANARY_KEY, CANARY_CARD, amount="1001")) != second


def write_cassette(path: Path, exchanges: list[Exchange]) -> Path:
    write_atomically(path, render_cassette(cassette_document(exchanges, PROVENANCE)))
    return path


def test_replay_matches_with_other_secrets_but_not_with_another_amount(tmp_path):
    response = HttpResponse(
        200, b'{"id": "ch_1", "status": "succeeded"}', {"Content-Type": "application/json"}
    )
    path = write_cassette(tmp_path / "c.yaml", [Exchange(request(CANARY_KEY, CANARY_CARD), response)])
    assert not canary_hits(path.read_text())
    replay = ReplayTransport(load_cassette(path))
    assert replay.handle_request(request("sk_test_other", "4242424242424242")).status_code == 200
    with pytest.raises(ReplayMismatch, match="amount"):
        ReplayTransport(load_cassette(path)).handle_request(request(CANARY_KEY, CANARY_CARD, amount="999"))


def test_a_scrubbed_response_token_is_replaced_where_it_recurs_and_replay_still_matches(tmp_path):
    token = "tok_Secr3tT0kenValue9"
    issued = HttpResponse(
        200,
        json.dumps({"token": token, "access_token": "eyJraWQ", "id": "pm_1"}).encode(),
        {"Content-Type": "application/json", "X-Session-Token": token},
    )
    used = HttpRequest(Method.GET, f"https://api.test/v1/tokens/{token}?expand=card")
    answer = HttpResponse(
        200, json.dumps({"id": "pm_1", "echo": token}).encode(), {"Content-Type": "application/json"}
    )
    path = write_cassette(
        tmp_path / "c.yaml", [Exchange(request("sk_a", "4242424242424242"), issued), Exchange(used, answer)]
    )
    text = path.read_text()
    assert token not in text
    document = yaml.safe_load(text)
    assert document["interactions"][1]["request"]["uri"] == "https://api.test/v1/tokens/***?expand=card"
    replay = ReplayTransport(load_cassette(path))
    first = replay.handle_request(request("sk_b", "4000056655665556"))
    assert json.loads(first.body)["token"] == "***"
    # the connector sends what it read from the replayed response: the placeholder
    second = replay.handle_request(HttpRequest(Method.GET, "https://api.test/v1/tokens/***?expand=card"))
    assert json.loads(second.body)["echo"] == "***"


def test_replay_masks_a_secret_query_parameter_like_the_recording(tmp_path):
    path = write_cassette(
        tmp_path / "c.yaml",
        [
            Exchange(
                HttpRequest(Method.GET, "https://api.test/v1/x?api_key=real_one_123"),
                HttpResponse(200, b"{}"),
            )
        ],
    )
    assert "real_one_123" not in path.read_text()
    replay = ReplayTransport(load_cassette(path))
    assert replay.handle_request(HttpRequest(Method.GET, "https://api.test/v1/x?api_key=another_456")).ok


def test_recorded_stripe_cassettes_replay_with_different_credentials_and_card(tmp_path):
    """Record in-process with canary credentials and card, replay with other ones: every scenario
    passes, because replay masks the outgoing request exactly as the recording did."""
    from tests.recording.conftest import copy_project

    root = copy_project(tmp_path / "p")
    use_canary_card(root)
    workspace = Workspace.for_registered("stripe", root=root)
    sandbox = StripeSandbox(success_cards={CANARY_CARD})
    outcomes = record_scenarios(
        workspace,
        lambda: SandboxTransport(sandbox),
        provenance=PROVENANCE,
        auth=HeaderKey(api_key=Secret(CANARY_KEY)),
    )
    assert all(o.written for o in outcomes), [o.reason for o in outcomes if not o.written]
    for path in (root / "cassettes" / "stripe").glob("*.yaml"):
        assert not canary_hits(path.read_text()), path
    text = (root / "connectors" / "stripe" / "certification.toml").read_text()
    (root / "connectors" / "stripe" / "certification.toml").write_text(
        text.replace(CANARY_CARD, "4242424242424242").replace(CANARY_HOLDER, "Jenny Rosen")
    )
    replay_ws = Workspace.for_registered("stripe", root=root)
    runner = ScenarioRunner(
        replay_ws.connector,
        replay_ws.certification,
        HeaderKey(api_key=Secret("sk_test_someone_else")),
        replay_ws.base_url("sandbox"),
    )
    for scenario_id in replay_ws.certification.scenarios.supported:
        loaded = load_cassette(replay_ws.cassette_path(scenario_id))
        run = runner.run(SCENARIOS[scenario_id], ReplayTransport(loaded))
        assert run.passed, (scenario_id, run.problems)
        assert not loaded.unplayed(), scenario_id


def test_a_value_the_connector_sent_is_not_replaced_when_the_provider_echoes_it_under_a_secret_name(tmp_path):
    sent = HttpRequest(
        Method.POST,
        "https://api.test/v1/orders",
        body=RequestBody(ContentType.JSON, {"reference": "order_ref_12345", "amount": 10}),
    )
    echoed = HttpResponse(200, b'{"number": "order_ref_12345"}', {"Content-Type": "application/json"})
    path = write_cassette(tmp_path / "c.yaml", [Exchange(sent, echoed)])
    document = yaml.safe_load(path.read_text())
    assert json.loads(document["interactions"][0]["response"]["body"]["string"]) == {"number": "***"}
    assert ReplayTransport(load_cassette(path)).handle_request(sent).ok


# a JSON or form body is scrubbed and encoded in one walk: the same bytes as scrubbing the tree, then
# encoding it with secrets masked, for any tree (secret keys at any depth, None, Secret leaves,
# tuples, which the name-based scrub leaves alone)
_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.builds(Secret, st.text(max_size=5))
)
_KEYS = st.sampled_from(["number", "cvc", "amount", "currency", "token", "name", "x"])
_TREE = st.recursive(
    _LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(_KEYS, children, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    tree=st.dictionaries(_KEYS, _TREE, max_size=5), kind=st.sampled_from([ContentType.JSON, ContentType.FORM])
)
def test_a_body_in_recorded_form_is_the_scrubbed_tree_encoded_masked(tree, kind):
    from harness.certify.cassettes.scrubbing import scrub_tree

    request = HttpRequest(Method.POST, "https://x.test/p", body=RequestBody(kind, tree))
    expected = RequestBody(kind, scrub_tree(tree)).encode(expose_secrets=False)
    assert recorded_form(request)[0] == expected
