"""`certify specs import`, the status-facts cross-check, contract exemptions and `certify specs drift`,
on small provider documents written for these tests (tests/certify/spec_fixtures.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from harness.certify.certification import CertificationError, load_certification
from harness.certify.contracts import Spec, SpecError, Violation, exempt_violations, load_spec
from harness.certify.specdrift import compare, render_html, render_text
from harness.certify.specfacts import check_facts_against_spec
from harness.certify.specimport import (
    Provenance,
    UsedOperation,
    build_contract,
    load_document,
    template_matches,
)
from harness.cli import main
from harness.execution.redact import Redactor
from harness.integration.http import ContentType, HttpRequest, HttpResponse, Method, RequestBody
from tests.certify import spec_fixtures as fx

TODAY = dt.date(2026, 11, 29)
PROVENANCE = Provenance("example/psp", "1.0", "MIT")


def imported(document=None, used=fx.USED, tmp_path: Path | None = None) -> Spec:
    result = build_contract(
        [("psp", document or fx.provider_v1())],
        list(used),
        connector="psp",
        provenance=PROVENANCE,
        imported_on=TODAY,
    )
    assert result.missing == []
    path = (tmp_path or Path("/nonexistent")) / "psp.yaml"
    return Spec(path, result.document)


# ------------------------------------------------------------------ import


def test_import_keeps_the_used_operations_and_the_schemas_they_reach():
    spec = imported()
    assert sorted(spec.document["paths"]) == [
        "/payments",
        "/payments/{paymentId}",
        "/payments/{paymentId}/captures",
    ]
    schemas = spec.document["components"]["schemas"]
    assert "Payout" not in schemas  # only /payouts reaches it
    assert {"Amount", "PaymentRequest", "Payment", "Capture", "Error"} <= set(schemas)
    assert spec.document["x-provenance"]["repository"] == "example/psp"
    assert spec.document["x-provenance"]["imported"] == "2026-11-29"


def test_import_drops_prose_but_keeps_a_field_named_description():
    text = json.dumps(imported().document)
    for prose in (
        "Creates a payment",
        "Create a payment",
        "Minor units",
        "Shown on the statement",
        "x-sdk-method",
    ):
        assert prose not in text
    payment = imported().document["components"]["schemas"]["Payment"]
    assert payment["properties"]["description"] == {"type": "string"}
    assert "example" not in payment["properties"]["amount"]


def test_import_reads_openapi_30_nullable_as_31():
    spec = imported()
    assert spec.document["components"]["schemas"]["Payment"]["properties"]["declineReason"] == {
        "type": ["string", "null"]
    }
    request = HttpRequest(Method.GET, "https://api.psp.test/v1/payments/pay_1")
    response = HttpResponse(
        200, b'{"id": "pay_1", "declineReason": null}', {"Content-Type": "application/json"}
    )
    assert spec.validate_response(request, response, Redactor([])) == []


def test_templates_match_by_segment_shape_under_the_server_path():
    prefixes = [["v1"]]
    assert template_matches("v1/payments/{connector_transaction_id}", "/payments/{paymentId}", prefixes)
    assert not template_matches(
        "v1/payments/{connector_transaction_id}", "/payments/{paymentId}/captures", prefixes
    )
    assert not template_matches("v2/payments", "/payments", prefixes)
    # one connector template, several spec paths (PayPal's PSync)
    psync = "v2/{api}/{collection}/{resource_id}"
    assert template_matches(psync, "/v2/checkout/orders/{id}", [[]])
    assert template_matches(psync, "/v2/payments/captures/{capture_id}", [[]])
    assert not template_matches(psync, "/v2/payments/captures/{capture_id}/refund", [[]])


def test_an_operation_no_document_has_is_reported():
    result = build_contract(
        [("psp", fx.provider_v1())],
        [*fx.USED, UsedOperation("Refund", "POST", "v1/payments/{id}/refunds")],
        connector="psp",
        provenance=PROVENANCE,
        imported_on=TODAY,
    )
    assert result.missing == [UsedOperation("Refund", "POST", "v1/payments/{id}/refunds")]


def test_a_form_body_with_bracket_keys_validates_against_an_imported_spec_with_pointers():
    document = fx.provider_v1()
    body = document["paths"]["/payments"]["post"]["requestBody"]["content"]
    body["application/x-www-form-urlencoded"] = body.pop("application/json")
    spec = imported(document)
    good = HttpRequest(
        Method.POST,
        "https://api.psp.test/v1/payments",
        body=RequestBody(ContentType.FORM, {"amount": {"value": 1000, "currency": "usd"}}),
    )
    assert spec.validate_request(good) == []
    bad = HttpRequest(
        Method.POST,
        "https://api.psp.test/v1/payments",
        body=RequestBody(ContentType.FORM, {"amount": {"value": "ten", "currency": "usd"}}),
    )
    assert [str(v) for v in spec.validate_request(bad)] == ["request /amount/value: expected type integer"]


def test_import_cli_writes_the_spec_and_its_license_notice(tmp_path, monkeypatch, capsys):
    source = fx.write(tmp_path / "v1.json", fx.provider_v1())
    license_text = tmp_path / "LICENSE"
    license_text.write_text("MIT License\n\nCopyright (c) Example PSP\n", encoding="utf-8")
    monkeypatch.setattr("harness.cli.specs.used_operations_of", lambda cls: fx.USED)
    code = main(
        [
            "specs",
            "import",
            "stripe",
            "--from",
            str(source),
            "--repository",
            "example/psp",
            "--version",
            "1.0",
            "--license",
            "MIT",
            "--license-file",
            str(license_text),
            "--specs-dir",
            str(tmp_path / "specs"),
        ]
    )
    assert code == 0, capsys.readouterr().err
    written = yaml.safe_load((tmp_path / "specs" / "stripe.yaml").read_text())
    assert written["x-provenance"]["license"] == "MIT"
    assert "Copyright (c) Example PSP" in (tmp_path / "specs" / "LICENSES" / "stripe.txt").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ('{"swagger": "2.0"}', "not an OpenAPI 3 document")],
)
def test_an_unreadable_document_is_a_one_line_error_naming_the_file(tmp_path, capsys, content, message):
    source = tmp_path / "provider.json"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(SpecError):
        load_document(source)
    code = main(["specs", "import", "stripe", "--from", str(source), "--specs-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and str(source) in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ facts cross-check


def test_facts_that_cover_every_status_of_the_spec_pass(tmp_path):
    facts = tmp_path / "psp.facts.toml"
    facts.write_text(fx.FACTS, encoding="utf-8")
    spec = imported()
    spec.document["x-provenance"]["repository"] = "example/psp"
    assert check_facts_against_spec(spec, facts) == []


def test_a_status_the_spec_documents_and_the_facts_leave_out_is_named(tmp_path):
    facts = tmp_path / "psp.facts.toml"
    facts.write_text(fx.FACTS, encoding="utf-8")
    spec = imported(fx.provider_v2())  # v2 adds PendingReview to the status enum
    problems = check_facts_against_spec(spec, facts)
    assert len(problems) == 1
    assert "'PendingReview'" in problems[0] and "Authorize status" in problems[0]


def test_a_not_returned_value_without_a_source_does_not_count(tmp_path):
    facts = tmp_path / "psp.facts.toml"
    facts.write_text(fx.FACTS.replace('source = "https://docs.psp.test/statuses#authorize"', 'source = ""'))
    problems = check_facts_against_spec(imported(), facts)
    assert any("'Captured' is marked not returned without a source" in p for p in problems)
    assert any("'Captured' is documented by" in p for p in problems)


# ------------------------------------------------------------------ exemptions


def test_an_exemption_excuses_its_pointer_and_what_is_under_it_and_is_counted():
    violations = [
        Violation("request", "/payment_method_data/type", "not one of the documented values"),
        Violation("request", "/payment_method_data/type/x", "deeper"),
        Violation("response", "/payment_method_data/type", "same pointer, other side"),
        Violation("request", "/payment_method_data/typed", "a sibling with a longer name"),
    ]
    kept, exempted = exempt_violations(violations, {"request /payment_method_data/type": "a known gap"})
    assert [v.pointer for v, _ in exempted] == ["/payment_method_data/type", "/payment_method_data/type/x"]
    assert [(v.where, v.pointer) for v in kept] == [
        ("response", "/payment_method_data/type"),
        ("request", "/payment_method_data/typed"),
    ]


def test_a_spec_with_exemptions_keeps_count_of_what_it_excused():
    spec = imported()
    spec.exemptions = {"request /amount/value": "the PSP documents an integer but accepts strings"}
    request = HttpRequest(
        Method.POST,
        "https://api.psp.test/v1/payments",
        body=RequestBody(ContentType.JSON, {"amount": {"value": "ten", "currency": "USD"}}),
    )
    assert spec.validate_request(request) == []
    assert [(v.pointer, why) for v, why in spec.exempted] == [
        ("/amount/value", "the PSP documents an integer but accepts strings")
    ]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('"/amount" = "why"', "is not 'request /pointer' or 'response /pointer'"),
        ('"response /amount" = " "', "needs its reason"),
    ],
)
def test_a_malformed_exemption_is_refused_with_the_file(tmp_path, section, message):
    path = tmp_path / "certification.toml"
    path.write_text(f'connector = "psp"\n[contract_exempt]\n{section}\n', encoding="utf-8")
    with pytest.raises(CertificationError) as error:
        load_certification(path)
    assert message in error.value.one_line() and str(path) in error.value.one_line()


# ------------------------------------------------------------------ drift


def drift_setup(tmp_path: Path):
    spec_path = tmp_path / "specs" / "psp.yaml"
    spec_path.parent.mkdir()
    current = imported(tmp_path=spec_path.parent)
    current.document["x-provenance"]["repository"] = "example/psp"
    spec_path.write_text(yaml.safe_dump(current.document), encoding="utf-8")
    facts = spec_path.with_name("psp.facts.toml")
    facts.write_text(fx.FACTS, encoding="utf-8")
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    (cassettes / "authorize.yaml").write_text(fx.CASSETTE, encoding="utf-8")
    return load_spec(spec_path, exemptions={}), facts, cassettes


def test_drift_names_the_new_required_field_status_and_retyped_field_and_the_broken_cassette(tmp_path):
    current, facts, cassettes = drift_setup(tmp_path)
    report = compare(current, [("v2", fx.provider_v2())], facts_path=facts, cassette_dir=cassettes)
    found = {(c.kind, c.where, c.detail) for c in report.changes}
    assert ("required_added", "/reference", "the newer document requires it") in found
    assert (
        "enum_added",
        "/components/schemas/Payment/properties/status",
        "new value 'PendingReview'",
    ) in found
    assert ("field_retyped", "/id", "string -> integer") in found
    broken = [c for c in report.changes if c.kind == "cassette_invalid"]
    assert {c.where for c in broken} == {"authorize.yaml"}
    assert any("request /: 'reference' is a required property" in c.detail for c in broken)
    assert any("response /id" in c.detail for c in broken)
    assert report.breaking
    assert "PendingReview" in render_text(report) and "<section" in render_html(report)


def test_drift_against_the_same_document_is_quiet(tmp_path):
    current, facts, cassettes = drift_setup(tmp_path)
    report = compare(current, [("v1", fx.provider_v1())], facts_path=facts, cassette_dir=cassettes)
    assert report.changes == [] and not report.breaking


def test_a_removed_status_value_and_a_removed_field_are_drift(tmp_path):
    current, facts, cassettes = drift_setup(tmp_path)
    newer = fx.provider_v1()
    newer["components"]["schemas"]["Payment"]["properties"]["status"]["enum"].remove("Captured")
    del newer["components"]["schemas"]["Payment"]["properties"]["description"]
    report = compare(current, [("v1b", newer)], facts_path=facts, cassette_dir=cassettes)
    found = {(c.kind, c.where) for c in report.changes}
    assert ("enum_removed", "/components/schemas/Payment/properties/status") in found
    assert ("field_removed", "/description") in found


def test_drift_cli_exits_1_with_json_when_something_relied_on_changed(tmp_path, monkeypatch, capsys):
    _, _, cassettes = drift_setup(tmp_path)
    # the CLI reads specs/<name>.yaml of a registered connector: use stripe's name for the fixture
    for suffix in ("yaml", "facts.toml"):
        (tmp_path / "specs" / f"psp.{suffix}").rename(tmp_path / "specs" / f"stripe.{suffix}")
    (cassettes / "stripe").mkdir()
    (cassettes / "authorize.yaml").rename(cassettes / "stripe" / "authorize.yaml")
    newer = fx.write(tmp_path / "v2.json", fx.provider_v2())
    args = [
        "specs",
        "drift",
        "stripe",
        "--from",
        str(newer),
        "--specs-dir",
        str(tmp_path / "specs"),
        "--cassettes-dir",
        str(cassettes),
        "--format",
        "json",
    ]
    assert main(args) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] and {c["kind"] for c in report["changes"]} >= {"required_added", "enum_added"}
    same = fx.write(tmp_path / "v1.json", fx.provider_v1())
    assert main([*args[:4], str(same), *args[5:]]) == 0
