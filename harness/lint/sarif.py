"""SARIF 2.1.0 output, so that GitHub code scanning annotates a pull request with lint findings.

`findings_to_sarif(findings)` gives one run of the `certify-lint` tool: every rule of the
catalog (id, short and full description, help, default level, tags) and one result per
finding (rule, level, message, location; exempt findings carry an in-source suppression
with its reason). `findings_from_checks(checks)` rebuilds findings from the lint checks of a
results.json, so the report layer can write lint.sarif after `certify run`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from harness.defaults import harness_version
from harness.lint.findings import Finding, Severity
from harness.lint.rules import FAMILIES, RULES, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "certify-lint"
TOOL_VERSION = harness_version()
LEVEL: dict[str, str] = {"critical": "error", "warning": "warning", "suggestion": "note"}
# GitHub ranks alerts by this property (0.1-10): critical findings show as high, warnings medium
SECURITY_SEVERITY = {"critical": "8.0", "warning": "5.0", "suggestion": "2.0"}
SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "suggestion")


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    family = FAMILIES.get(rule.family, rule.family)
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", rule.title)) or rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{family}: {rule.title}."},
        "help": {
            "text": f"{rule.title}. Fix: {rule.hint}. Exempt a justified case with "
            f"`# certify: ignore[{rule.id}] reason` on the line.",
            "markdown": f"**{rule.id}** ({family}, {rule.severity}): {rule.title}.\n\n"
            f"Fix: {rule.hint}.\n\nExempt a justified case with `# certify: ignore[{rule.id}] reason` "
            "on the line; the reason shows in the report.",
        },
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["certify", "payment-connector", family],
            "severity": rule.severity,
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
        },
    }


def _artifact(path: str) -> dict[str, str]:
    """A relative path stays relative to the checkout (%SRCROOT%); others become file URIs."""
    pure = Path(path)
    if pure.is_absolute():
        try:
            pure = pure.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return {"uri": pure.as_uri()}
    return {"uri": quote(str(PurePosixPath(*pure.parts))), "uriBaseId": "%SRCROOT%"}


def _fingerprint(finding: Finding) -> str:
    basis = "\0".join(
        (finding.rule, finding.path, " ".join((finding.source_line or finding.message).split()))
    )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def findings_to_sarif(findings: Iterable[Finding], *, tool_version: str = TOOL_VERSION) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: the rule catalog and a result per finding."""
    findings = sorted(findings, key=Finding.sort_key)
    rules = dict(RULES)
    for finding in findings:  # findings from an older results.json may name rules no longer listed
        if finding.rule not in rules:
            rules[finding.rule] = Rule(
                finding.rule, finding.severity, finding.message, finding.hint or "see the message"
            )
    ordered = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    results = []
    for finding in findings:
        region: dict[str, Any] = {"startLine": max(finding.line, 1), "startColumn": max(finding.col, 1)}
        if finding.end_line and finding.end_line > finding.line:
            region["endLine"] = finding.end_line
        if finding.source_line:
            region["snippet"] = {"text": finding.source_line}
        message = finding.message + (f". Fix: {finding.hint}" if finding.hint else "")
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVEL.get(finding.severity, "error"),
            "message": {"text": message},
            "locations": [
                {"physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region}}
            ],
            "partialFingerprints": {"certifyLint/v1": _fingerprint(finding)},
            "properties": {"severity": finding.severity},
        }
        if finding.connector:
            result["properties"]["connector"] = finding.connector
        if finding.suppressed:
            result["suppressions"] = [
                {"kind": "inSource", "status": "accepted", "justification": finding.suppression_reason or ""}
            ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version,
                        "semanticVersion": tool_version,
                        "rules": [_rule_descriptor(rules[rule_id]) for rule_id in ordered],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _as_dict(check: Any) -> Mapping[str, Any]:
    if isinstance(check, Mapping):
        return check
    dump = getattr(check, "model_dump", None)
    return dump() if callable(dump) else {}


def findings_from_checks(checks: Iterable[Any]) -> list[Finding]:
    """The findings behind the `lint` CheckResults of a results.json (as dicts or CheckResult models)."""
    findings: list[Finding] = []
    for raw in checks:
        check = _as_dict(raw)
        if check.get("family") != "lint" or check.get("status") == "passed":
            continue
        details = check.get("details") or {}
        rule_id = details.get("rule")
        if not rule_id:
            parts = str(check.get("id", "")).split(":")
            rule_id = parts[1] if len(parts) > 2 and parts[0] == "lint" else None
        if not rule_id:
            continue  # a lint check that crashed has no finding to show
        severity = check.get("severity")
        if severity not in SEVERITIES:
            severity = RULES[rule_id].severity if rule_id in RULES else "critical"
        suppressed = bool(check.get("exempt")) or check.get("status") == "skipped"
        text = str(check.get("message", ""))
        reason = details.get("suppression_reason")
        message = details.get("message")
        if message is None:
            message, _, tail = text.partition(" (exempt: ")
            reason = reason or (tail[:-1] if tail.endswith(")") else tail) or None
        findings.append(
            Finding(
                rule_id,
                severity,
                message,
                str(details.get("path", "")),
                int(details.get("line") or 1),
                int(details.get("col") or 1),
                hint=details.get("hint") or check.get("title", "") or "",
                connector=details.get("connector"),
                suppressed=suppressed,
                suppression_reason=reason if suppressed else None,
                source_line=details.get("source_line"),
                end_line=details.get("end_line"),
            )
        )
    return findings
