"""The checklist lint: static rules over connector source and config, one module per family.

Families: interface (V2I), amounts (AMT), converter (CNV), currency (CUR), references (REF),
unwrap (UNW), pii (PII), status (STS), credentials (CRD), config_rules (CFG); suppressions
(`# certify: ignore[RULE-ID] reason`) in findings.py (SUP). `certify lint` is the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from harness.lint.config_rules import lint_config
from harness.lint.engine import connector_files, lint_paths, lint_sources
from harness.lint.findings import Finding, quality_score
from harness.lint.rules import RULES, Rule


def lint_package(files: list[Path], name: str) -> list[Finding]:
    """The source findings of one connector's package files."""
    return lint_sources(files, name=name, is_connector=True)


def lint_connector(
    name: str,
    *,
    config_key: str,
    source_dir: Path | None,
    config_dir: Path,
    package_linter: Callable[[list[Path], str], list[Finding]] = lint_package,
) -> list[Finding]:
    """Every finding for one connector: its config entries, then its source package (through
    `package_linter`, which a caller may answer from a cache of `lint_package`'s findings)."""
    findings = [
        f if f.connector == name else replace(f, connector=name)
        for f in lint_config(config_dir, [config_key])
        if f.connector == config_key or (f.connector is None and f.rule == "CFG000")
    ]
    if source_dir is not None and source_dir.is_dir():
        findings.extend(package_linter(connector_files(source_dir), name))
    return findings


__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "lint_config",
    "lint_connector",
    "lint_package",
    "lint_paths",
    "lint_sources",
    "quality_score",
]
