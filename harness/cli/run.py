"""`certify run`: drive the suite through pytest and report the verdicts."""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer

from harness.certify.example_tapes import cache_root
from harness.certify.leaks import EarlyScan, artifact_files, quarantine, report_scanner, scan_run_artifacts
from harness.certify.limits import DEFAULT_CHECK_TIMEOUT, frozen_heap, keep_console
from harness.certify.plugin import RESULTS
from harness.certify.results import Results, RunInfo
from harness.certify.selection import changed_files, select_changed, shard
from harness.certify.strength import MUTATE_JSON, attach_from_file, describe, read_measurements
from harness.cli import app, fail
from harness.cli.allure_stream import AllureStream
from harness.cli.guide import guide_lines, terminal_width
from harness.cli.progress import Progress, interactive
from harness.defaults import DEFAULT_PROFILE, PROFILE_NAMES, PROFILES
from harness.domain.errors import HarnessError
from harness.integration import registry
from harness.report import RESULTS_JSON, ReportOptions, Written, write_reports
from harness.report.allure import write_allure_results
from harness.report.folder import (
    ALLURE_RESULTS,
    ALLURE_STAGING_PREFIX,
    discard,
    lock_folder,
    staged_allure_dir,
    swap_in_allure,
)
from harness.report.views import DEFAULT_CASSETTE_MAX_AGE_DAYS, Counts

ReportDir = Annotated[
    Path, typer.Option("--report-dir", help="Where results.json, index.html and the other reports go.")
]
Baseline = Annotated[
    Path | None,
    typer.Option(
        "--baseline", help="An earlier results.json: the reports show what is new, fixed, regressed."
    ),
]
MaxAge = Annotated[
    int,
    typer.Option(
        "--cassette-max-age-days", min=1, help="Cassettes older than this show a warning in the report."
    ),
]


class _Collect:
    """Keeps the Results the plugin builds at the end of the session."""

    def __init__(self) -> None:
        self.results: Results | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.results = session.config.stash.get(RESULTS, None)


def pytest_args(
    names: list[str],
    *,
    root: Path,
    report_dir: Path,
    profile: str,
    seed: int | None,
    workers: str | None,
    config_dir: Path | None,
    check_timeout: float | None = None,
    extra: list[str] | None = None,
    terminal: bool = False,
) -> list[str]:
    args = [
        "--certify",
        "--certify-root", str(root),
        "--certify-report-dir", str(report_dir),
        "--certify-profile", profile,
        # each check's call phase alone, one report (see the plugin's pytest_runtest_protocol)
        "--certify-call-only",
        # a connector is one item: loaded, planned and run by the process that takes it (the plugin's
        # ConnectorRun), its results in one report
        "--certify-whole",
        "--rootdir", str(root),
        "-o", "addopts=",
        "-p", "no:cacheprovider",
        # checks report results, not asserts: rewriting the asserts of every module of every pytest11
        # distribution (hypothesis, schemathesis, the harness: ~400) cost each run ~4 s
        "--assert=plain",
        # pytest11 plugins a certify run does not use (the harness calls hypothesis and schemathesis
        # itself): loading them cost ~0.9 s a run
        "-p", "no:schemathesis", "-p", "no:anyio", "-p", "no:hypothesispytest", "-p", "no:xdist.looponfail",
        # pytest's own per-test machinery a certify run never reads (its results, reports and junit.xml
        # are the harness's): each wraps every one of ~150 checks a connector, ~10% of a run
        "-p", "no:warnings", "-p", "no:logging", "-p", "no:unraisableexception", "-p", "no:threadexception",
        "-p", "no:junitxml", "-p", "no:doctest", "-p", "no:pastebin", "-p", "no:stepwise",
        "-p", "no:legacypath", "-p", "no:unittest", "-p", "no:tmpdir",
        # pytest's capture stays at the file descriptors (its default), though it dup2s them around
        # every check's call: what connector code or a process it starts
        # writes to fd 1 or 2 (a secret included) must never reach the terminal or a CI log, and
        # capturing at sys.stdout alone would let it through
        # allure-results/ are written from the results (harness/cli/allure_stream.py): allure-pytest's
        # listener, a file per check while the checks ran, cost ~0.3 s a connector
        "-p", "no:allure_pytest",
    ]  # fmt: skip
    # pytest's own terminal output gives way to the progress plugin (harness/cli/progress.py)
    args += ["-qq", "--tb=no", "--no-header", "-rN"] if terminal else ["-p", "no:terminal"]
    if seed is not None:
        args += ["--certify-seed", str(seed)]
    if config_dir is not None:
        args += ["--certify-config-dir", str(config_dir)]
    if check_timeout is not None:
        args += ["--check-timeout", str(check_timeout)]
    for name in names:
        args += ["--connector", name]
    if workers:
        args += ["-n", workers, "--dist", "loadgroup"]
    return args + list(extra or [])


def run_suite(
    names: list[str],
    *,
    progress: Progress | None = None,
    allure: AllureStream | None = None,
    **options: Any,
) -> Results:
    collector = _Collect()
    plugins: list[Any] = [collector]
    if progress is not None:
        plugins.append(progress)
    if allure is not None:
        plugins.append(allure)
    keep_console()  # before pytest captures stderr: the watchdog's last words must reach the user
    try:
        code = pytest.main(pytest_args(names, terminal=progress is None, **options), plugins=plugins)
    finally:
        if progress is not None:
            progress.stop()
    if code == pytest.ExitCode.INTERRUPTED:
        raise fail("interrupted", 130)  # Ctrl-C stops the run; no connector is blamed for it
    if collector.results is None:
        raise fail(
            f"the suite did not run (pytest exit code {int(code)}); `pytest --certify -p no:cacheprovider` "
            "shows pytest's own output"
        )
    return collector.results


def write_allure(results: Results, report_dir: Path) -> None:
    """allure-results/ from the results (one result per check, the labels of harness/report/allure.py),
    staged in a fresh folder and swapped in whole: a run killed before the end leaves the previous
    folder as it was."""
    staged = staged_allure_dir(report_dir)
    try:
        write_allure_results(results, staged)
    except BaseException:
        discard(staged)
        raise
    swap_in_allure(staged, report_dir)


def start_allure(results: Results, report_dir: Path, stream: AllureStream) -> Callable[[], None]:
    """allure-results/ of the results as they are now, finished by a thread while the run prints
    and renders: the results `stream` did not write during the suite, then its folder swapped in
    whole. Returns what waits for it, and raises what it raised."""
    snapshot = results.model_copy(
        update={"connectors": [c.model_copy(update={"checks": list(c.checks)}) for c in results.connectors]}
    )
    failed: list[BaseException] = []

    def write() -> None:
        try:
            try:
                stream.finish(snapshot)
            except BaseException:
                discard(stream.folder)
                raise
            swap_in_allure(stream.folder, report_dir)
        except BaseException as error:  # raised again by the caller, in its own thread
            failed.append(error)

    thread = threading.Thread(target=write, name="certify-allure")
    thread.start()

    def finish() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return finish


def hold_report_dir(ctx: typer.Context, report_dir: Path, option: str = "--report-dir") -> None:
    """Lock the report folder until this command ends; a second run into it is refused (exit 2)."""
    lock = lock_folder(report_dir, option)  # a HarnessError: one line, exit 2 (harness/cli/__init__.py)
    ctx.call_on_close(lock.release)


def check_workers(workers: str | None) -> str | None:
    if workers is None or workers in ("auto", "logical") or workers.isdecimal():
        return workers
    raise fail(f"-n/--workers takes a number of workers, auto or logical, not {workers!r}")


def print_summary(results: Results, report_dir: Path) -> None:
    for connector in results.connectors:
        # the same counts as summary.md and index.html: exempt checks apart from skipped ones
        counts = Counts.of(connector.checks)
        typer.echo(f"{connector.name:16} {connector.verdict:14} score {connector.score:3}  {counts.text()}")
        if connector.verdict != "certified" or connector.failing:
            width = terminal_width() if interactive() else None  # whole lines in CI logs, for grep
            for line in guide_lines(connector, width):  # an error's own message goes to stderr, once
                typer.echo(line)
        if connector.mutation is not None:
            typer.echo(f"    {describe(connector.mutation)}")


def render(
    results: Results,
    report_dir: Path,
    *,
    baseline: Results | None = None,
    baseline_name: str = "",
    max_age_days: int = DEFAULT_CASSETTE_MAX_AGE_DAYS,
) -> Written:
    """Every report format into report_dir; prints the comparison and where index.html is."""
    written = write_reports(
        results,
        report_dir,
        ReportOptions(baseline=baseline, baseline_name=baseline_name, cassette_max_age_days=max_age_days),
    )
    if written.diff is not None:
        typer.echo(f"since {baseline_name or 'the baseline'}: {written.diff.summary()}")
        for verdict in written.diff.verdicts:
            if verdict.worse:
                typer.echo(f"    verdict: {verdict.connector} {verdict.before} -> {verdict.after}")
        for change in written.diff.regressed[:20]:
            typer.echo(f"    regressed: {change.connector} {change.check_id}: {change.message[:160]}")
        if len(written.diff.regressed) > 20:
            typer.echo(f"    ... and {len(written.diff.regressed) - 20} more in {written.index}")
    typer.echo(f"report: {written.index}")
    return written


MutateResult = Annotated[
    Path | None,
    typer.Option(
        "--mutate-result",
        help="A mutate.json from `certify mutate` (default: the report folder's, when there is one).",
    ),
]


def mutate_result(option: Path | None, report_dir: Path) -> Path | None:
    """The mutate.json to read: the option's (which must be readable) or the report folder's, if any."""
    path = option if option is not None else report_dir / MUTATE_JSON
    if option is None and not path.is_file():
        return None
    try:
        read_measurements(path)  # refused now, before minutes of certification
    except HarnessError as error:
        raise fail(f"--mutate-result: {error.one_line()}") from None
    return path


def read_results(path: Path, *, what: str) -> Results:
    try:
        return Results.read(path)
    except HarnessError as error:
        raise fail(f"{what}: {error.one_line()}") from None


@app.command(
    "run",
    epilog="Example: certify run stripe --report-dir reports -n auto --baseline main-results.json",
)
def run(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME]...", help="Connectors (all by default).")
    ] = None,
    report_dir: ReportDir = Path("reports"),
    profile: Annotated[
        str, typer.Option(help="Hypothesis profile: ci (derandomized) or dev.")
    ] = DEFAULT_PROFILE,
    seed: Annotated[int | None, typer.Option(help="Hypothesis seed for the dev profile.")] = None,
    workers: Annotated[
        str | None, typer.Option("-n", "--workers", help="pytest-xdist workers, or auto.")
    ] = None,
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", help="Folder of the environment configs.")
    ] = None,
    baseline: Baseline = None,
    max_age_days: MaxAge = DEFAULT_CASSETTE_MAX_AGE_DAYS,
    shard_spec: Annotated[
        str | None, typer.Option("--shard", metavar="I/N", help="Certify shard I of N (CI fan-out).")
    ] = None,
    check_timeout: Annotated[
        float,
        typer.Option(
            "--check-timeout",
            metavar="SECONDS",
            min=0.1,
            help="Time limit of each check and of loading each connector; over it the connector is error.",
        ),
    ] = DEFAULT_CHECK_TIMEOUT,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help="Only connectors whose files changed since REF (all when harness/, config/ or deps did).",
        ),
    ] = None,
    mutate_result_path: MutateResult = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Refuse certification when a connector's mutation strength is below its threshold, "
            "missing or stale.",
        ),
    ] = False,
) -> None:
    """Certify connectors; writes results.json and every report; exit 0 only if all are certified."""
    selected = list(names or [])
    unknown = [n for n in selected if n not in registry.names()]
    if unknown:
        raise fail(
            f"unknown connector(s): {', '.join(unknown)}; registered: {', '.join(registry.names())} "
            "(a folder connectors/NAME/ or an installed certify.connectors entry point)"
        )
    if profile not in PROFILE_NAMES:
        raise fail(f"--profile must be {' or '.join(PROFILE_NAMES)}, not {profile!r}")
    workers = check_workers(workers)
    # an unreadable baseline is refused before the run, not after it
    old = read_results(baseline, what="--baseline") if baseline is not None else None
    hold_report_dir(ctx, report_dir)
    if seed is not None and PROFILES[profile].derandomize:
        # the ci profile is derandomized: a seed would change nothing, so say so instead of ignoring it
        typer.echo(
            f"certify: --seed {seed} has no effect under --profile {profile} (derandomized: the same "
            "examples every run); add --profile dev to draw examples from this seed",
            err=True,
        )
        seed = None
    strength_source = mutate_result(mutate_result_path, report_dir)
    if profile == "dev" and seed is None:
        seed = random.randrange(2**32)  # one seed for every worker, recorded in results.json
    root = Path.cwd()
    chosen = selected or registry.names()
    reasons: dict[str, str] = {}
    try:
        if changed_since is not None:
            reasons = select_changed(chosen, changed_files(changed_since, root))
            for name in chosen:
                typer.echo(f"{name}: {reasons.get(name, 'not selected: nothing of it changed')}")
            chosen = [name for name in chosen if name in reasons]
        if shard_spec is not None:
            chosen = shard(chosen, shard_spec)
            typer.echo(f"shard {shard_spec}: {', '.join(chosen) or 'no connector'}")
    except HarnessError as error:
        raise fail(error.one_line()) from None
    if not chosen:
        results = Results(run=RunInfo(profile=profile, seed=seed, shard=shard_spec))
        results.write(report_dir / "results.json")
        typer.echo("nothing to certify")
        render(
            results, report_dir, baseline=old, baseline_name=str(baseline or ""), max_age_days=max_age_days
        )
        raise typer.Exit(0)
    # allure-results/ written while the suite runs, into a staged folder (harness/cli/allure_stream.py)
    stream = AllureStream(staged_allure_dir(report_dir), start_ms=int(time.time() * 1000))
    try:
        results = run_suite(
            chosen,
            root=root,
            report_dir=report_dir,
            profile=profile,
            seed=seed,
            workers=workers,
            config_dir=config_dir,
            check_timeout=check_timeout,
            progress=Progress(live=interactive()),
            allure=stream,
        )
    except BaseException:
        stream.abandon()
        discard(stream.folder)
        raise
    # the results and what made them live to the end: out of the cyclic collector's passes
    with frozen_heap():
        finish_allure = start_allure(results, report_dir, stream)
        early: EarlyScan | None = None
        try:
            missing = [n for n in chosen if n not in {c.name for c in results.connectors}]
            if missing:
                raise fail(
                    f"no certification.toml collected for: {', '.join(missing)} "
                    "(expected in connectors/NAME/ or in its installed package)"
                )
            if shard_spec is not None or reasons:
                results.run.shard = shard_spec
                results.run.selection = reasons
                results.write(report_dir / "results.json")
            # the reports below rewrite results.json with the strength in it
            attach_from_file(results, strength_source, root=root, config_dir=config_dir, strict=strict)
            print_summary(results, report_dir)
            # allure-results/ final, results.json as the suite wrote it: scanned for leaks while the
            # other reports render (results.json's scan stands if rendering writes the same bytes)
            finish_allure()
            early = EarlyScan(
                report_scanner(chosen, root),
                artifact_files(report_dir / ALLURE_RESULTS),
                changing=[report_dir / RESULTS_JSON],
            )
            render(
                results,
                report_dir,
                baseline=old,
                baseline_name=str(baseline or ""),
                max_age_days=max_age_days,
            )
            for connector in results.connectors:
                if connector.verdict == "error":
                    typer.echo(f"certify: {connector.message}", err=True)
        except BaseException:
            with contextlib.suppress(BaseException):
                finish_allure()  # waited for; this error is the one to tell
            if early is not None:
                early.abandon()
            raise
        fail_on_leaks(report_dir, chosen, root=root, workers=workers, early=early)
    raise typer.Exit(results.exit_code())


def worker_count(workers: str | None) -> int:
    """The processes `-n` asks for: a number, or every CPU for auto and logical (1 without -n)."""
    if workers is None:
        return 1
    if workers.isdecimal():
        return max(int(workers), 1)
    return os.cpu_count() or 1


def scan_processes(workers: str | None) -> int:
    """The processes the leak scan uses: as many as `-n` asks for, and two on a machine with two
    CPUs or more without it (the scan runs after the suite, when the run has nothing else to do:
    ~40 ms a connector in one process, results.json two thirds of it)."""
    return max(worker_count(workers), min(os.cpu_count() or 1, 2))


def fail_on_leaks(
    report_dir: Path,
    names: list[str],
    *,
    root: Path,
    workers: str | None = None,
    early: EarlyScan | None = None,
) -> None:
    """Scan every artifact of the run (results.json, every report, logs) and the cassettes it replayed:
    a leak fails the run (exit 2), and each leaky report file is replaced by a stub. The files are
    shared out over `scan_processes` forked processes; those of an `early` scan are read from it."""
    leaks = scan_run_artifacts(
        report_dir,
        names,
        root=root,
        processes=scan_processes(workers),
        cache_dir=cache_root(root),
        skipped_prefix=ALLURE_STAGING_PREFIX,
        early=early,
    )
    for leak in leaks:
        typer.echo(f"certify: leak: {leak.describe()}", err=True)
    for path in quarantine(leaks, report_dir):
        typer.echo(f"certify: withheld {path}: replaced by a stub naming what was found where", err=True)
    if leaks:
        raise typer.Exit(2)
