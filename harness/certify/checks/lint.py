"""The lint family: the checklist lint's findings on the connector's source, one check each."""

from __future__ import annotations

from pathlib import Path

from harness.certify.checks.interface import CheckSpec
from harness.certify.checks.session import ConnectorSession
from harness.certify.results import CheckResult
from harness.lint import lint_connector


def lint_check(session: ConnectorSession) -> list[CheckResult]:
    ws = session.workspace
    findings = lint_connector(
        ws.name, config_key=ws.connector_cls.config_key(), source_dir=ws.source_dir, config_dir=ws.configs
    )
    results = []
    seen: set[str] = set()
    for finding in findings:
        # paths relative to the project root, so that check ids compare across machines (baselines)
        path = session.relative(Path(finding.path))
        status = "skipped" if finding.suppressed else "failed"
        message = (
            finding.message
            if not finding.suppressed
            else f"{finding.message} (exempt: {finding.suppression_reason})"
        )
        check_id = f"lint:{finding.rule}:{path}:{finding.line}"
        if check_id in seen:
            check_id += f":{finding.col}"
        seen.add(check_id)
        results.append(
            CheckResult(
                id=check_id,
                family="lint",
                status=status,
                message=message,
                title=finding.hint,
                severity=finding.severity,
                exempt=finding.suppressed,
                details={
                    "path": path,
                    "line": finding.line,
                    "col": finding.col,
                    "end_line": finding.end_line,
                    "rule": finding.rule,
                    "message": finding.message,
                    "connector": finding.connector,
                    "suppression_reason": finding.suppression_reason,
                    "source_line": finding.source_line,
                    "hint": finding.hint,
                },
            )
        )
    if not results:
        results.append(
            CheckResult(
                id="lint:clean", family="lint", status="passed", message="no findings", title="Checklist lint"
            )
        )
    return results


def specs(session: ConnectorSession) -> list[CheckSpec]:
    return [CheckSpec("lint", "lint", "Checklist lint", lint_check)]
