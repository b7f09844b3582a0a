"""`certify report`: re-render the reports from a results.json, and compare with a baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.certify.results import merge as merge_results
from harness.certify.strength import attach_from_file
from harness.cli import app, fail
from harness.cli.help import CertifyTyper
from harness.cli.run import (
    Baseline,
    MaxAge,
    MutateResult,
    hold_report_dir,
    mutate_result,
    read_results,
    render,
    write_allure,
)
from harness.domain.errors import HarnessError
from harness.report import ALLURE_RESULTS
from harness.report.views import DEFAULT_CASSETTE_MAX_AGE_DAYS

report_app = CertifyTyper(
    help="Re-render reports from results.json, compare with a baseline, merge sharded results.",
    invoke_without_command=True,
    add_completion=False,
)
app.add_typer(report_app, name="report")


@report_app.callback(
    epilog="Example: certify report --results reports/results.json --baseline main/results.json "
    "--report-dir pr-report",
)
def report(
    ctx: typer.Context,
    results_path: Annotated[
        Path, typer.Option("--results", help="The results.json to render (from `certify run`).")
    ] = Path("reports/results.json"),
    baseline: Baseline = None,
    report_dir: Annotated[
        Path | None,
        typer.Option("--report-dir", help="Where the reports go (default: the folder of --results)."),
    ] = None,
    max_age_days: MaxAge = DEFAULT_CASSETTE_MAX_AGE_DAYS,
    mutate_result_path: MutateResult = None,
) -> None:
    """Render index.html, junit.xml and summary.md from results.json (with the mutation strength of
    the folder's mutate.json, judged against the project here); exit 1 if the baseline comparison
    shows a regression, 2 if a file cannot be read, 0 otherwise."""
    if ctx.invoked_subcommand is not None:
        return
    results = read_results(results_path, what="--results")
    old = read_results(baseline, what="--baseline") if baseline is not None else None
    option = "--report-dir" if report_dir else "--results folder"
    hold_report_dir(ctx, report_dir or results_path.parent, option)
    strength_source = mutate_result(mutate_result_path, results_path.parent)
    if strength_source is not None:  # --strict verdicts of the run are judged again with it
        attach_from_file(
            results, strength_source, root=Path.cwd(), config_dir=None, strict=results.run.strict
        )
    # the run's own allure-results (written by `certify run`) are kept; another folder gets them here
    if not ((report_dir or results_path.parent) / ALLURE_RESULTS).is_dir():
        write_allure(results, report_dir or results_path.parent)
    written = render(
        results,
        report_dir or results_path.parent,
        baseline=old,
        baseline_name=str(baseline or ""),
        max_age_days=max_age_days,
    )
    raise typer.Exit(1 if written.diff is not None and written.diff.has_regression else 0)


@report_app.command(
    "merge",
    epilog="Example: certify report merge shard-1/results.json shard-2/results.json --report-dir reports",
)
def merge(
    ctx: typer.Context,
    parts: Annotated[list[Path], typer.Argument(metavar="RESULTS...", help="results.json of every shard.")],
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where the merged reports go.")] = Path(
        "reports"
    ),
    baseline: Baseline = None,
    max_age_days: MaxAge = DEFAULT_CASSETTE_MAX_AGE_DAYS,
) -> None:
    """Combine sharded results into one results.json and render every report from it; the
    exit code is that of an unsharded run (0 all certified, 1 not, 2 an error)."""
    loaded = [read_results(path, what="results") for path in parts]
    try:
        merged = merge_results(loaded, sources=[str(path) for path in parts])
    except HarnessError as error:
        raise fail(error.one_line()) from None
    old = read_results(baseline, what="--baseline") if baseline is not None else None
    hold_report_dir(ctx, report_dir)
    merged.write(report_dir / "results.json")
    write_allure(merged, report_dir)
    render(merged, report_dir, baseline=old, baseline_name=str(baseline or ""), max_age_days=max_age_days)
    raise typer.Exit(merged.exit_code())
