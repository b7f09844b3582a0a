"""`certify mutate`: the certificate measures its own strength."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from harness.cli import app, fail
from harness.integration import registry
from harness.mutate.operators import FAMILIES
from harness.mutate.runner import DEFAULT_TIMEOUT, STRENGTH_FLOOR, MutationReport, mutate_connector


def _table(title: str, rows: dict[str, tuple[int, int]]) -> list[str]:
    lines = [f"  {title:<32} killed / total"]
    for key, (killed, total) in sorted(rows.items()):
        lines.append(f"  {key:<32} {killed:>6} / {total:<5} {killed / total:6.0%}")
    return lines


def _killers(report: MutationReport) -> list[str]:
    """Kills per killing check family; facts kills split into those only the facts make (a table
    against the facts) and those a later family (scenario, contract, property...) makes too."""
    rows = {k: v[0] for k, v in report.by("killing_check").items() if v[0]}
    lines = [f"  {'killed by (first failing check)':<32} killed"]
    lines += [f"  {key:<32} {count:>6}" for key, count in sorted(rows.items())]
    return lines


def render(report: MutationReport) -> str:
    counted = report.total - len(report.errors) - len(report.equivalents)
    lines = [
        f"{report.connector}: strength {report.strength:.1%} ({report.killed} of {counted} mutants "
        f"killed; {len(report.equivalents)} equivalent, counted apart; floor {report.floor:.0%}) "
        f"in {report.seconds:.1f} s"
    ]
    lines += _table("operator family", report.by("family"))
    lines += _killers(report)
    for survivor in report.survivors:
        lines.append(f"SURVIVED {survivor.family} {survivor.file}:{survivor.line}: {survivor.description}")
        lines += ["    " + line for line in survivor.diff.rstrip().splitlines()]
        if survivor.hint:
            lines.append(f"    would be caught by: {survivor.hint}")
    for equivalent in report.equivalents:
        lines.append(
            f"EQUIVALENT {equivalent.family} {equivalent.file}:{equivalent.line}: {equivalent.description} "
            "(answers every catalog and facts input as the original)"
        )
    for error in report.errors:
        lines.append(f"ERROR {error.family} {error.file}:{error.line}: {error.description}: {error.message}")
    return "\n".join(lines)


@app.command(
    "mutate",
    epilog="Examples: certify mutate stripe; certify mutate adyen -n 2 --operators status-table,currency-row",
)
def mutate(
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="Connectors to measure.")],
    workers: Annotated[int, typer.Option("-n", min=1, help="Mutants evaluated at once.")] = 1,
    operators: Annotated[
        str,
        typer.Option("--operators", help=f"Comma-separated families (default all): {', '.join(FAMILIES)}."),
    ] = "",
    max_mutants: Annotated[
        int | None, typer.Option("--max-mutants", min=1, help="An even sample of at most K mutants.")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds one mutant may take before it is killed.")
    ] = DEFAULT_TIMEOUT,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where mutate.json goes.")] = Path(
        "reports"
    ),
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Evaluate every mutant again.")] = False,
) -> None:
    """Put realistic bugs into each connector and count how many the certification refuses."""
    families = tuple(f.strip() for f in operators.split(",") if f.strip()) or FAMILIES
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise fail(f"--operators: unknown family {', '.join(unknown)}; choose from {', '.join(FAMILIES)}")
    known = registry.names()
    missing = [n for n in names if n not in known]
    if missing:
        raise fail(f"unknown connector(s): {', '.join(missing)}; registered: {', '.join(known)}")
    root = Path.cwd()
    reports = []
    for name in names:
        report = mutate_connector(
            name,
            root=root,
            families=families,
            max_mutants=max_mutants,
            workers=workers,
            timeout=timeout,
            use_cache=not no_cache,
            progress=lambda line: typer.echo(line, err=True),
        )
        reports.append(report)
        typer.echo(render(report))
    report_dir.mkdir(parents=True, exist_ok=True)
    target = report_dir / "mutate.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({"connectors": [r.as_dict() for r in reports]}, indent=2))
    temporary.replace(target)
    typer.echo(f"mutate: {target}")
    if any(r.errors for r in reports):
        raise typer.Exit(2)
    if any(r.strength < STRENGTH_FLOOR for r in reports):
        raise typer.Exit(1)
