"""The checklist lint: static rules over connector source and config, one module per family."""

from __future__ import annotations

from pathlib import Path

from harness.lint.config_rules import lint_config
from harness.lint.findings import Finding


def lint_connector(name: str, *, config_key: str, source_dir: Path | None, config_dir: Path) -> list[Finding]:
    """Every finding for one connector: config rules (source rules join as their families land)."""
    findings = [f for f in lint_config(config_dir, [config_key]) if f.connector in (config_key, None)]
    return [_named(f, name) for f in findings]


def _named(finding: Finding, name: str) -> Finding:
    if finding.connector == name:
        return finding
    from dataclasses import replace

    return replace(finding, connector=name)


__all__ = ["Finding", "lint_config", "lint_connector"]
