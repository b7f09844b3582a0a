"""`certify run`: drive the suite through pytest and report the verdicts."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer

import connectors
from harness.certify.leaks import scan_run_artifacts
from harness.certify.plugin import RESULTS
from harness.certify.results import Results
from harness.cli import app, fail

ReportDir = Annotated[Path, typer.Option("--report-dir", help="Where results.json and the reports go.")]


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
    extra: list[str] | None = None,
) -> list[str]:
    args = [
        str(root / "connectors"),
        "--certify",
        "--certify-root", str(root),
        "--certify-report-dir", str(report_dir),
        "--certify-profile", profile,
        "--rootdir", str(root),
        "-o", "addopts=",
        "-p", "no:cacheprovider",
        "-qq", "--tb=no", "--no-header", "-rN",
    ]  # fmt: skip
    if seed is not None:
        args += ["--certify-seed", str(seed)]
    if config_dir is not None:
        args += ["--certify-config-dir", str(config_dir)]
    for name in names:
        args += ["--connector", name]
    if workers:
        args += ["-n", workers, "--dist", "loadgroup"]
    return args + list(extra or [])


def run_suite(names: list[str], **options: Any) -> Results:
    collector = _Collect()
    code = pytest.main(pytest_args(names, **options), plugins=[collector])
    if collector.results is None:
        raise fail(f"the suite did not run (pytest exit code {int(code)})")
    return collector.results


def print_summary(results: Results, report_dir: Path) -> None:
    for connector in results.connectors:
        checks = connector.checks
        passed = sum(c.status == "passed" for c in checks)
        failed = sum(c.failing for c in checks)
        skipped = sum(c.status == "skipped" for c in checks)
        line = f"{connector.name:16} {connector.verdict:14} score {connector.score:3}  "
        line += f"{passed} passed, {failed} failed, {skipped} skipped"
        typer.echo(line)
        for check_id in connector.failing[:10]:
            check = next(c for c in checks if c.id == check_id)
            typer.echo(f"    {check.status}: {check.id}: {check.message[:160]}")
        if connector.verdict == "error":
            typer.echo(f"    error: {connector.message}")
    typer.echo(f"report: {report_dir / 'results.json'}")


@app.command(
    "run",
    epilog="Example: certify run stripe --report-dir reports -n auto",
)
def run(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME]...", help="Connectors (all by default).")
    ] = None,
    report_dir: ReportDir = Path("reports"),
    profile: Annotated[str, typer.Option(help="Hypothesis profile: ci (derandomized) or dev.")] = "ci",
    seed: Annotated[int | None, typer.Option(help="Hypothesis seed for the dev profile.")] = None,
    workers: Annotated[
        str | None, typer.Option("-n", "--workers", help="pytest-xdist workers, or auto.")
    ] = None,
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", help="Folder of the environment configs.")
    ] = None,
) -> None:
    """Certify connectors; writes results.json; exit 0 only if every selected connector is certified."""
    selected = list(names or [])
    unknown = [n for n in selected if n not in connectors.registry()]
    if unknown:
        raise fail(
            f"unknown connector(s): {', '.join(unknown)}; registered: {', '.join(connectors.names())} "
            "(connectors/__init__.py)"
        )
    if profile not in ("ci", "dev"):
        raise fail(f"--profile must be ci or dev, not {profile!r}")
    if profile == "dev" and seed is None:
        seed = random.randrange(2**32)  # one seed for every worker, recorded in results.json
    root = Path.cwd()
    results = run_suite(
        selected or connectors.names(),
        root=root,
        report_dir=report_dir,
        profile=profile,
        seed=seed,
        workers=workers,
        config_dir=config_dir,
    )
    missing = [n for n in (selected or connectors.names()) if n not in {c.name for c in results.connectors}]
    if missing:
        raise fail(f"no certification.toml collected for: {', '.join(missing)} (expected connectors/<name>/)")
    print_summary(results, report_dir)
    for connector in results.connectors:
        if connector.verdict == "error":
            typer.echo(f"certify: {connector.message}", err=True)
    fail_on_leaks(report_dir, selected or connectors.names(), root=root)
    raise typer.Exit(results.exit_code())


def fail_on_leaks(report_dir: Path, names: list[str], *, root: Path) -> None:
    """Scan every artifact of the run (results.json, every report, logs): a leak fails the run (exit 2)."""
    leaks = scan_run_artifacts(report_dir, names, root=root)
    for leak in leaks:
        typer.echo(f"certify: leak: {leak.describe()}", err=True)
    if leaks:
        raise typer.Exit(2)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
