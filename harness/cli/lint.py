"""`certify lint`: the checklist lint over connector source and config, as text, JSON or SARIF.

    certify lint                                  connectors/ and config/ of the working directory
    certify lint connectors/adyen                 one connector (its whole package)
    certify lint --config-dir ../ucs/config       the config rules on any UCS-format config folder
    certify lint --format sarif --output lint.sarif

Exit codes: 0 no critical finding, 1 a critical finding, 2 unreadable input.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from harness.cli import app, fail
from harness.lint.engine import LintRun, lint_paths
from harness.lint.findings import Finding, score_band
from harness.lint.rules import FAMILIES, RULES
from harness.lint.sarif import findings_to_sarif


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


def finding_json(finding: Finding) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "path": finding.path,
        "line": finding.line,
        "col": finding.col,
        "message": finding.message,
        "connector": finding.connector,
        "hint": finding.hint,
        "suppressed": finding.suppressed,
        "suppression_reason": finding.suppression_reason,
        "source_line": finding.source_line,
    }


def render(run: LintRun, form: OutputFormat) -> str:
    if form is OutputFormat.json:
        return json.dumps([finding_json(f) for f in run.findings], indent=2) + "\n"
    if form is OutputFormat.sarif:
        return json.dumps(findings_to_sarif(run.findings), indent=2) + "\n"
    return "".join(f.text() + "\n" for f in run.findings)


def summary(run: LintRun) -> str:
    active = [f for f in run.findings if not f.suppressed]
    counts = {s: sum(f.severity == s for f in active) for s in ("critical", "warning", "suggestion")}
    exempt = len(run.findings) - len(active)
    lines = [
        f"{len(active)} finding(s): {counts['critical']} critical, {counts['warning']} warning(s), "
        f"{counts['suggestion']} suggestion(s); {exempt} exempt"
    ]
    scores = run.scores()
    if scores:
        width = max(len("connector"), *(len(name) for name in scores))
        lines.append(
            f"{'connector':{width}}  score  quality (UCS: passes >= 95, warnings 90-94, blocks < 90)"
        )
        lines.extend(f"{name:{width}}  {score:5}  {score_band(score)}" for name, score in scores.items())
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    lines = []
    for rule_id in sorted(RULES, key=lambda r: (list(FAMILIES).index(RULES[r].family), r)):
        rule = RULES[rule_id]
        lines.append(f"{rule.id}  {rule.severity:10}  {rule.title}")
    return "\n".join(lines) + "\n"


@app.command(
    "lint",
    epilog="Example: certify lint connectors/acme_pay --format sarif -o lint.sarif   (also: certify lint "
    "--list-rules)",
)
def lint_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to lint (default: connectors/ and config/ here)."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text (path:line:col: ID message), json or sarif.")
    ] = OutputFormat.text,
    config_dir: Annotated[
        Path | None,
        typer.Option(
            "--config-dir",
            help="A folder with development.toml, sandbox.toml and production.toml in the UCS format; "
            "its connectors are the ones its files name.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the findings to this file.")
    ] = None,
    list_rules: Annotated[bool, typer.Option("--list-rules", help="Print every rule and exit.")] = False,
) -> None:
    """Check connector source and config against the integration guide's quality checklist."""
    if list_rules:
        typer.echo(rules_table(), nl=False)
        return
    targets = list(paths or [])
    if not targets and config_dir is None:
        targets = [p for p in (Path("connectors"), Path("config")) if p.exists()]
        if not targets:
            raise fail("nothing to lint: no connectors/ or config/ here; give a PATH or --config-dir")
    if config_dir is not None and not config_dir.is_dir():
        raise fail(f"{config_dir}: not a folder")
    try:
        run = lint_paths(targets, config_dir=config_dir)
    except FileNotFoundError as error:
        raise fail(f"{error}: no such file or folder") from None
    if run.unreadable:
        first = run.unreadable[0]
        where = f"{first.path}:{first.line}" if first.message.startswith("cannot parse") else first.path
        raise fail(f"{where}: {first.message}")
    document = render(run, output_format)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(document, encoding="utf-8")
        except OSError as error:
            raise fail(f"{output}: cannot write ({error.strerror or error})") from None
        typer.echo(summary(run), nl=False)
    elif output_format is OutputFormat.text:
        typer.echo(document + summary(run), nl=False)
    else:
        sys.stdout.write(document)
        typer.echo(summary(run), nl=False, err=True)
    if run.blocking():
        raise typer.Exit(1)
