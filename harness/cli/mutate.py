"""`certify mutate`: the certificate measures its own strength."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from harness.certify.selection import changed_files, select_changed
from harness.certify.strength import MUTATE_JSON, content_hashes, now, threshold
from harness.certify.workspace import Workspace
from harness.cli import app, fail
from harness.defaults import harness_version
from harness.domain.errors import HarnessError
from harness.integration import registry
from harness.mutate.operators import FAMILIES
from harness.mutate.runner import DEFAULT_TIMEOUT, MutationReport, mutate_connector


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


def render(report: MutationReport, required: float) -> str:
    counted = report.total - len(report.errors) - len(report.equivalents)
    verdict = "" if report.strength >= required else " BELOW THRESHOLD"
    lines = [
        f"{report.connector}: strength {report.strength:.1%} ({report.killed} of {counted} mutants "
        f"killed; {len(report.equivalents)} equivalent, counted apart; floor {report.floor:.0%}, "
        f"threshold {required:.0%}){verdict} in {report.seconds:.1f} s"
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


def earlier_entries(path: Path) -> list[dict[str, Any]]:
    """The other connectors' measurements already in mutate.json: each keeps its own content hashes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = data.get("connectors") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and "measured_at" in e and "content" in e]


@app.command(
    "mutate",
    epilog="Examples: certify mutate stripe; certify mutate adyen -n 2 --operators status-table,currency-row;"
    " certify mutate --changed-since origin/main",
)
def mutate(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME...", help="Connectors to measure (--changed-since: all by default)."),
    ] = None,
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
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only connectors whose files changed since REF (as `certify run --changed-since`).",
        ),
    ] = None,
) -> None:
    """Put realistic bugs into each connector and count how many the certification refuses."""
    families = tuple(f.strip() for f in operators.split(",") if f.strip()) or FAMILIES
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise fail(f"--operators: unknown family {', '.join(unknown)}; choose from {', '.join(FAMILIES)}")
    known = registry.names()
    missing = [n for n in names or [] if n not in known]
    if missing:
        raise fail(f"unknown connector(s): {', '.join(missing)}; registered: {', '.join(known)}")
    if not names and changed_since is None:
        raise fail("name the connectors to measure, or pass --changed-since REF")
    root = Path.cwd()
    names = list(names or known)
    if changed_since is not None:  # the pull-request selection of `certify run`, reasons printed
        try:
            reasons = select_changed(names, changed_files(changed_since, root))
        except HarnessError as error:
            raise fail(error.one_line()) from None
        for name in names:
            typer.echo(f"{name}: {reasons.get(name, 'not selected: nothing of it changed')}")
        names = [name for name in names if name in reasons]
    entries: list[dict[str, object]] = []
    below: list[str] = []
    refused = False
    for name in names:
        try:
            workspace = Workspace.for_registered(name, root=root)
            required = threshold(workspace.certification_path)  # a min_strength below the floor: exit 2
            content = content_hashes(workspace)  # what is judged, hashed before it is judged
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
        except HarnessError as error:
            typer.echo(f"certify: {error.one_line()}", err=True)
            refused = True
            continue  # the other connectors are still measured
        typer.echo(render(report, required))
        entries.append({**report.as_dict(), "threshold": required, "measured_at": now(), "content": content})
        refused = refused or bool(report.errors)
        if report.strength < required:
            below.append(name)
    report_dir.mkdir(parents=True, exist_ok=True)
    target = report_dir / MUTATE_JSON
    temporary = target.with_suffix(".json.tmp")
    measured = {str(entry["connector"]) for entry in entries}
    kept = [entry for entry in earlier_entries(target) if entry.get("connector") not in measured]
    document = {"generated_at": now(), "harness_version": harness_version(), "connectors": kept + entries}
    temporary.write_text(json.dumps(document, indent=2))
    temporary.replace(target)
    typer.echo(f"mutate: {target}")
    if refused:
        raise typer.Exit(2)
    if below:
        raise typer.Exit(1)
