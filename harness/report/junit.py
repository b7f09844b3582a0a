"""junit.xml: one testsuite per connector, one testcase per check (failures with their message)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from harness.certify.results import CheckResult, Results
from harness.report.views import Counts, check_state, failure_detail

# XML 1.0 cannot carry most control characters, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def _seconds(milliseconds: float) -> str:
    return f"{max(milliseconds, 0.0) / 1000:.3f}"


def _testcase(suite: ET.Element, connector: str, check: CheckResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_text(f"{connector}.{check.family}"),
        name=_text(check.id),
        time=_seconds(check.duration_ms),
    )
    state = check_state(check)
    if state in ("failed", "error"):
        kind = "error" if state == "error" else "failure"
        severity = check.severity if check.family == "lint" and check.severity else "critical"
        element = ET.SubElement(
            case, kind, message=_text(check.message or check.id), type=_text(f"{check.family}/{severity}")
        )
        body = [check.title, check.message, failure_detail(check)]
        element.text = _text("\n".join(part for part in body if part))
    elif state in ("skipped", "exempt"):
        ET.SubElement(case, "skipped", message=_text(check.message or state))


def render_junit(results: Results) -> str:
    root = ET.Element("testsuites", name="certify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_ms = 0.0
    for connector in results.connectors:
        counts = Counts.of(connector.checks)
        errors = sum(c.status == "error" for c in connector.checks)
        elapsed = sum(c.duration_ms for c in connector.checks)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_text(connector.name),
            tests=str(counts.total),
            failures=str(counts.failed - errors),
            errors=str(errors),
            skipped=str(counts.skipped + counts.exempt),
            time=_seconds(elapsed),
            timestamp=_text(results.generated_at),
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("verdict", connector.verdict),
            ("score", connector.score),
            ("display_name", connector.display_name or connector.name),
        ):
            ET.SubElement(properties, "property", name=name, value=_text(value))
        if connector.message:
            ET.SubElement(properties, "property", name="message", value=_text(connector.message))
        for check in connector.checks:
            _testcase(suite, connector.name, check)
        totals["tests"] += counts.total
        totals["failures"] += counts.failed - errors
        totals["errors"] += errors
        totals["skipped"] += counts.skipped + counts.exempt
        total_ms += elapsed
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _seconds(total_ms))
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
