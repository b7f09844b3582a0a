"""`certify report`: re-render the reports from a results.json, and compare with a baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli import app
from harness.cli.run import Baseline, MaxAge, read_results, render
from harness.report.views import DEFAULT_CASSETTE_MAX_AGE_DAYS


@app.command(
    "report",
    epilog="Example: certify report --results reports/results.json --baseline main/results.json "
    "--report-dir pr-report",
)
def report(
    results_path: Annotated[
        Path, typer.Option("--results", help="The results.json to render (from `certify run`).")
    ] = Path("reports/results.json"),
    baseline: Baseline = None,
    report_dir: Annotated[
        Path | None,
        typer.Option("--report-dir", help="Where the reports go (default: the folder of --results)."),
    ] = None,
    max_age_days: MaxAge = DEFAULT_CASSETTE_MAX_AGE_DAYS,
) -> None:
    """Render index.html, junit.xml and summary.md from results.json; exit 1 if the baseline
    comparison shows a regression, 2 if a file cannot be read, 0 otherwise."""
    results = read_results(results_path, what="--results")
    old = read_results(baseline, what="--baseline") if baseline is not None else None
    written = render(
        results,
        report_dir or results_path.parent,
        baseline=old,
        baseline_name=str(baseline or ""),
        max_age_days=max_age_days,
    )
    raise typer.Exit(1 if written.diff is not None and written.diff.has_regression else 0)
