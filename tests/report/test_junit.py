"""junit.xml: a testsuite per connector, a testcase per check, failures and skips with their text."""

from __future__ import annotations

import defusedxml.ElementTree as ET

from harness.certify.results import CheckResult
from harness.report.junit import render_junit
from tests.report.factory import INJECTED_SCRIPT, connector, sample_results


def test_one_suite_per_connector_one_case_per_check():
    results = sample_results()
    root = ET.fromstring(render_junit(results))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["good", "bad"]
    bad = suites[1]
    cases = bad.findall("testcase")
    assert [c.get("name") for c in cases] == [c.id for c in results.connector("bad").checks]
    assert bad.get("tests") == "7" and bad.get("failures") == "4" and bad.get("skipped") == "1"
    assert root.get("tests") == str(6 + 7) and root.get("failures") == "4"
    props = {p.get("name"): p.get("value") for p in bad.find("properties")}
    assert props["verdict"] == "not_certified" and props["score"] == "20"


def test_failures_carry_the_message_and_the_detail():
    root = ET.fromstring(render_junit(sample_results()))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["contract:refund_full"].find("failure")
    assert failure.get("message") == "step refund: request /amount: 'x' is not of type 'integer'"
    assert failure.get("type") == "contract/critical"
    assert "request /amount" in failure.text
    lint = cases["lint:CFG003:config/production.toml:5"].find("failure")
    assert "config/production.toml:5" in lint.text
    scenario = cases["scenario:decline_generic"].find("failure")
    assert INJECTED_SCRIPT in scenario.get("message")  # escaped by the XML writer, parsed back intact
    skipped = cases["not_supported:Void"].find("skipped")
    assert skipped.get("message") == "not supported: the provider cannot void"
    exempt = cases["scenario:access_token"].find("skipped")
    assert exempt.get("message") == "exempt: no token endpoint"
    assert cases["load"].find("failure") is None and cases["load"].find("skipped") is None


def test_errors_and_control_characters():
    checks = [CheckResult(id="load", family="load", status="error", message="bad\x00byte \x1b[31m")]
    from harness.certify.results import Results

    root = ET.fromstring(render_junit(Results(connectors=[connector("x", checks, verdict="error")])))
    error = root.find("testsuite/testcase/error")
    assert error is not None and error.get("message") == "bad\ufffdbyte \ufffd[31m"
    assert root.find("testsuite").get("errors") == "1" and root.find("testsuite").get("failures") == "0"
