"""Contract checks name the JSON pointer of a violation and never print a request value."""

import json
from pathlib import Path

import pytest

from harness.certify.contracts import SpecError, load_spec
from harness.domain import Maskable, Secret
from harness.execution.redact import Redactor
from harness.integration.http import ContentType, HttpRequest, HttpResponse, Method, RequestBody

ROOT = Path(__file__).resolve().parents[2]
# the contract machinery is tested on a hand-written Stripe subset (strict card patterns), not the import
SPEC = load_spec(Path(__file__).parent / "fixtures" / "stripe.yaml")


def form_request(tree, path="/v1/payment_intents"):
    return HttpRequest(
        Method.POST,
        f"https://api.stripe.com{path}",
        (("Authorization", Maskable.masked("x")),),
        RequestBody(ContentType.FORM, tree),
    )


def test_a_valid_form_request_passes_with_typed_coercion():
    tree = {
        "amount": 1000,
        "currency": "usd",
        "confirm": True,
        "payment_method_data": {
            "type": "card",
            "card": {"number": Secret("4242424242424242"), "exp_month": "12", "exp_year": "2034"},
        },
    }
    assert SPEC.validate_request(form_request(tree)) == []


def test_violations_name_the_pointer_and_hide_the_value():
    tree = {
        "amount": "12abc",
        "currency": "usd",
        "surprise": "x",
        "payment_method_data": {
            "type": "card",
            "card": {"number": Secret("4000CANARY"), "exp_month": "1", "exp_year": "2030"},
        },
    }
    violations = SPEC.validate_request(form_request(tree))
    text = "; ".join(str(v) for v in violations)
    assert "request /amount: expected type integer" in text
    assert "/payment_method_data/card/number: does not match the documented pattern" in text
    assert "'surprise' was unexpected" in text
    assert "CANARY" not in text and "12abc" not in text


def test_an_undocumented_operation_is_a_violation():
    violations = SPEC.validate_request(form_request({"a": "b"}, path="/v1/charges"))
    assert [str(v) for v in violations] == ["request /: no operation in stripe.yaml for POST /v1/charges"]


def test_response_violations_name_the_pointer():
    request = HttpRequest(Method.GET, "https://api.stripe.com/v1/payment_intents/pi_1")
    bad = HttpResponse(
        200,
        b'{"id":"pi_1","object":"payment_intent","amount":"10","currency":"usd","status":"x"}',
        {"Content-Type": "application/json"},
    )
    violations = SPEC.validate_response(request, bad, Redactor())
    pointers = {v.pointer for v in violations}
    assert {"/amount", "/status"} <= pointers
    undocumented = HttpResponse(418, b"{}", {"Content-Type": "application/json"})
    assert SPEC.validate_response(request, undocumented, Redactor())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: [", "not valid YAML"),
        ("swagger: '2.0'\n", "not an OpenAPI 3"),
        ("openapi: 3.1.0\npaths: {}\n", "documents no paths"),
    ],
)
def test_a_broken_spec_is_a_one_line_error(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_spec(path)


def test_a_status_outside_the_specs_enum_is_named_by_its_pointer():
    import yaml

    spec = load_spec(Path(__file__).resolve().parents[2] / "specs" / "checkout.yaml")
    cassette = Path(__file__).resolve().parents[2] / "cassettes" / "checkout" / "psync_authorized.yaml"
    recorded = yaml.safe_load(cassette.read_text())["interactions"][-1]["response"]["body"]["string"]
    body = {**json.loads(recorded), "status": "Weird Status"}
    request = HttpRequest(Method.GET, "https://api.sandbox.checkout.com/payments/pay_1", (), None)
    response = HttpResponse(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
    violations = [str(v) for v in spec.validate_response(request, response, Redactor())]
    assert violations and violations[0].startswith("response /status: "), violations


def test_a_validator_that_remembers_valid_parts_yields_the_errors_of_a_plain_one():
    from decimal import Decimal

    from jsonschema import Draft202012Validator

    from harness.certify.contracts import SPEC_URI, Spec

    schemas = {
        "Amount": {"type": "integer", "minimum": 1},
        "Card": {"type": "object", "required": ["number"], "properties": {"number": {"type": "string"}}},
        "Wallet": {"type": "object", "required": ["wallet"], "properties": {"wallet": {"enum": ["a", "b"]}}},
        "Method": {"oneOf": [{"$ref": "#/components/schemas/Card"}, {"$ref": "#/components/schemas/Wallet"}]},
        "Body": {
            "type": "object",
            "required": ["amount", "method"],
            "properties": {
                "amount": {"$ref": "#/components/schemas/Amount"},
                "method": {"$ref": "#/components/schemas/Method"},
                "extra": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Amount"}]},
            },
        },
    }
    spec = Spec(Path("memo.yaml"), {"openapi": "3.0.3", "paths": {}, "components": {"schemas": schemas}})
    pointer = "/components/schemas/Body"
    plain = Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=spec.registry)
    card = {"number": "4242"}
    cases = [
        {"amount": 1, "method": card, "extra": 5},
        {"amount": 1, "method": card, "extra": 5},  # every part found valid before
        {"amount": "1", "method": card, "extra": "1"},  # a "1" is not the 1 found valid
        {"amount": Decimal(1), "method": card, "extra": Decimal(1)},  # nor is a Decimal the "1"
        {"amount": 0, "method": {"number": 4242}, "extra": 0},
        {"amount": 2, "method": {"number": "4242", "wallet": "a"}},  # both branches of the oneOf
        {"amount": 2, "method": {"wallet": "c"}, "extra": [1]},
        {"amount": 1, "method": card, "extra": 5},
        {"amount": 0, "method": {"number": 4242}, "extra": 0},  # an invalid part, again: its errors again
    ]
    failing = 0
    for case in cases:
        got = [(list(e.absolute_path), e.message) for e in spec.validator(pointer).iter_errors(case)]
        want = [(list(e.absolute_path), e.message) for e in plain.iter_errors(case)]
        assert got == want, case
        failing += bool(want)
    assert failing == 6


def test_an_exchange_found_valid_is_known_in_the_next_run_and_an_invalid_one_never_is(tmp_path, monkeypatch):
    from harness.certify import contracts

    request = HttpRequest(Method.GET, "https://api.stripe.com/v1/payment_intents/pi_1")
    valid = HttpResponse(
        200,
        b'{"id":"pi_1","object":"payment_intent","amount":1000,"currency":"usd","status":"succeeded"}',
        {"Content-Type": "application/json"},
    )
    invalid = HttpResponse(200, valid.body.replace(b"1000", b'"4242424242424242"'), valid.headers)
    good_tree = {"amount": 1000, "currency": "usd", "payment_method_data": {"type": "card", "card": {
        "number": Secret("4242424242424242"), "exp_month": "12", "exp_year": "2034"}}}  # fmt: skip
    bad_tree = {**good_tree, "amount": "12abc"}
    contracts.keep_parsed_specs(tmp_path)
    try:
        assert SPEC.validate_response(request, valid, Redactor()) == []
        assert SPEC.validate_request(form_request(good_tree)) == []
        first = [str(v) for v in SPEC.validate_response(request, invalid, Redactor())]
        assert first and "/amount" in first[0]
        bad = [str(v) for v in SPEC.validate_request(form_request(bad_tree))]
        assert bad == ["request /amount: expected type integer"]
        contracts._VALID_EXCHANGES.keep(None)  # the process ends: its set is written
        (kept,) = (tmp_path / contracts.VALID_EXCHANGES).glob("*.digests")
        assert len(kept.read_bytes()) == 2 * 16  # the valid response and request, as digests only
        contracts.keep_parsed_specs(tmp_path)  # a new process reads them back

        def not_again(*_args, **_kwargs):
            raise AssertionError("validated again")

        monkeypatch.setattr(contracts, "_failure_text", not_again)
        monkeypatch.setattr(type(SPEC), "schemathesis_schema", property(not_again))
        monkeypatch.setattr(SPEC, "validator", not_again)
        assert SPEC.validate_response(request, valid, Redactor()) == []  # known: not validated again
        assert SPEC.validate_request(form_request(good_tree)) == []
        for changed in (  # any part the validation reads is another key: validated again
            HttpResponse(200, valid.body.replace(b"succeeded", b"canceled"), valid.headers),
            HttpResponse(404, valid.body, valid.headers),
            HttpResponse(200, valid.body, {"Content-Type": "application/problem+json"}),
            invalid,  # never kept
        ):
            with pytest.raises(AssertionError, match="validated again"):
                SPEC.validate_response(request, changed, Redactor())
        for tree in ({**good_tree, "amount": 1001}, bad_tree):
            with pytest.raises(AssertionError, match="validated again"):
                SPEC.validate_request(form_request(tree))
        changed_spec = tmp_path / "stripe.yaml"
        changed_spec.write_text(
            (Path(__file__).parent / "fixtures" / "stripe.yaml").read_text() + "x-note: 1\n"
        )
        other = load_spec(changed_spec)
        monkeypatch.setattr(other, "validator", not_again)
        with pytest.raises(AssertionError, match="validated again"):
            other.validate_response(request, valid, Redactor())  # another spec's content
        with pytest.raises(AssertionError, match="validated again"):
            other.validate_request(form_request(good_tree))
    finally:
        contracts.keep_parsed_specs(None)
