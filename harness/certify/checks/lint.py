"""The lint family: the checklist lint's findings on the connector's source, one check each."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

import harness.domain
import harness.lint
from harness.certify.checks.interface import CheckSpec
from harness.certify.checks.session import ConnectorSession
from harness.certify.example_tapes import ContentStore
from harness.certify.results import CheckResult
from harness.lint import Finding, lint_connector, lint_package
from harness.lint.source import display_path

# the findings of connector packages linted in earlier runs, by the content of the package's files
# and of the lint's code (a package's findings depend on nothing else): parsing is most of the lint
LINT_FINDINGS = "lint-findings"


@functools.cache
def _lint_code_hash() -> str:
    digest = hashlib.sha256()
    for package in (harness.lint, harness.domain):  # the rules, and the domain they import
        for path in sorted(Path(package.__file__ or "").parent.rglob("*.py")):
            data = path.read_bytes()
            digest.update(f"{path.name}:{len(data)}:".encode() + data)
    return digest.hexdigest()


def _package_key(files: list[Path], name: str) -> str:
    digest = hashlib.sha256(f"{_lint_code_hash()}\0{name}\0".encode())
    for path in files:  # each file as the lint names it (its findings carry that path) and its bytes
        shown, data = display_path(path).encode(), path.read_bytes()
        digest.update(f"{len(shown)}:{len(data)}:".encode() + shown + data)
    return digest.hexdigest()


def cached_package_linter(cache_dir: Path | None) -> Callable[[list[Path], str], list[Finding]]:
    """`lint_package`, answered from the cache folder when the same files were linted by the same
    lint code before (a file that cannot be read is linted, and reported, as always)."""
    if cache_dir is None:
        return lint_package
    store = ContentStore(cache_dir, LINT_FINDINGS, frozenset())  # plain dicts and lists only

    def linted(files: list[Path], name: str) -> list[Finding]:
        try:
            key = _package_key(files, name)
        except OSError:
            return lint_package(files, name)
        kept = store.load(key)
        if isinstance(kept, list):
            try:
                return [Finding(**finding) for finding in kept]
            except TypeError:
                pass  # written by another version of Finding: linted again
        findings = lint_package(files, name)
        store.store(key, [finding.as_dict() for finding in findings])
        return findings

    return linted


def lint_check(session: ConnectorSession) -> list[CheckResult]:
    ws = session.workspace
    findings = lint_connector(
        ws.name,
        config_key=ws.connector_cls.config_key(),
        source_dir=ws.source_dir,
        config_dir=ws.configs,
        package_linter=cached_package_linter(
            session.options.cache_dir if session.options.keep_lint_findings else None
        ),
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
