"""The Allure severity the plugin gives each check item."""

from __future__ import annotations

from harness.certify.plugin import allure_severity
from harness.certify.results import CheckResult


def lint(status: str, severity: str) -> CheckResult:
    return CheckResult(id=f"lint:{severity}", family="lint", status=status, severity=severity)


def test_severity_from_the_check():
    assert allure_severity([CheckResult(id="load", family="load", status="passed")]) == "blocker"
    assert allure_severity([CheckResult(id="scenario:x", family="scenario", status="passed")]) == "critical"
    assert allure_severity([CheckResult(id="scenario:x", family="scenario", status="failed")]) == "critical"
    assert allure_severity([CheckResult(id="lint:clean", family="lint", status="passed")]) == "normal"
    assert allure_severity([lint("failed", "warning")]) == "normal"
    assert allure_severity([lint("failed", "suggestion")]) == "minor"
    # the weightiest failing finding wins; exempt findings count only when nothing fails
    assert allure_severity([lint("failed", "suggestion"), lint("failed", "warning")]) == "normal"
    assert allure_severity([lint("skipped", "critical"), lint("failed", "suggestion")]) == "minor"
    assert allure_severity([lint("skipped", "critical")]) == "critical"
