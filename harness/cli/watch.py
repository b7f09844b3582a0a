"""`certify watch NAME`: certify the connector again whenever one of its files changes, and say
only what changed since the run before: new failures, fixed checks, the score and the verdict.

Each run is a fresh `certify run NAME` process, so an edited module is imported anew. The files are
polled (size and modification time, every `--interval` seconds) rather than watched through OS
events: nothing to install, the same on every platform, and a burst of saves makes one run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from harness.certify.results import ConnectorResult, Results
from harness.certify.workspace import Workspace
from harness.cli import app, fail
from harness.domain.errors import HarnessError
from harness.integration import registry

Snapshot = dict[Path, tuple[int, int]]  # file -> (size, mtime in ns)
SKIPPED_PARTS = {"__pycache__", ".certify-cache"}
_RUN = "import sys; from harness.cli import main; sys.exit(main(sys.argv[1:]))"


def watched_roots(name: str, root: Path) -> list[Path]:
    """What a certification of `name` reads: its package, cassettes, spec, facts, certification.toml
    and the environment configs (in the project, or in its installed package)."""
    roots = [
        root / "connectors" / name,
        root / "cassettes" / name,
        root / "specs" / f"{name}.yaml",
        root / "specs" / f"{name}.facts.toml",
        root / "config",
    ]
    try:
        workspace = Workspace.for_registered(name, root=root)
        roots += [
            workspace.source_dir,
            workspace.certification_path,
            workspace.cassette_dir,
            workspace.spec_path,
            workspace.facts_path,
            workspace.configs,
        ]
    except HarnessError:
        pass  # a connector that does not load yet: its project folders are what the author edits
    return list(dict.fromkeys(roots))


def snapshot(roots: Iterable[Path]) -> Snapshot:
    files: Snapshot = {}
    for top in roots:
        candidates = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        for path in candidates:
            if SKIPPED_PARTS.intersection(path.parts) or path.suffix == ".pyc" or not path.is_file():
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # removed while we looked: the next snapshot says so
            files[path] = (stat.st_size, stat.st_mtime_ns)
    return files


def changed_files(before: Snapshot, after: Snapshot) -> list[Path]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


@dataclass(frozen=True)
class Change:
    """What one run changed against the run before."""

    new_failures: list[tuple[str, str]]  # (check id, message)
    fixed: list[str]
    score: tuple[int, int]
    verdict: tuple[str, str]

    def lines(self) -> list[str]:
        lines = [f"new failure: {check}: {' '.join(message.split())}" for check, message in self.new_failures]
        lines += [f"fixed: {check}" for check in self.fixed]
        (old_score, score), (old_verdict, verdict) = self.score, self.verdict
        if old_score != score:
            lines.append(f"score: {old_score} -> {score}")
        if old_verdict != verdict:
            lines.append(f"verdict: {old_verdict} -> {verdict}")
        return lines or [f"no change: {verdict}, score {score}"]


def compare(before: ConnectorResult, after: ConnectorResult) -> Change:
    was_failing = {c.id for c in before.checks if c.failing}
    now_failing = {c.id: c.message for c in after.checks if c.failing}
    return Change(
        new_failures=[(check, message) for check, message in now_failing.items() if check not in was_failing],
        fixed=sorted(was_failing - now_failing.keys()),
        score=(before.score, after.score),
        verdict=(before.verdict, after.verdict),
    )


def summary(connector: ConnectorResult) -> str:
    failing = sum(1 for c in connector.checks if c.failing)
    return f"{connector.name}: {connector.verdict}, score {connector.score}, {failing} failing check(s)"


def certify_once(name: str, report_dir: Path, root: Path) -> tuple[ConnectorResult | None, int, str]:
    """One `certify run NAME` in a fresh process: (its result if it wrote one, exit code, the
    reason it gave on stderr)."""
    path = report_dir / "results.json"
    started = time.time_ns()
    done = subprocess.run(
        [sys.executable, "-c", _RUN, "run", name, "--report-dir", str(report_dir)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    reasons = [line for line in done.stderr.splitlines() if line.startswith("certify: ")]
    reason = (
        reasons[-1] if reasons else (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    )
    try:
        fresh = path.stat().st_mtime_ns >= started  # a results.json of an earlier run says nothing
        results = Results.read(path) if fresh else None
    except (HarnessError, OSError, ValueError):
        results = None
    found = next((c for c in results.connectors if c.name == name), None) if results else None
    return found, done.returncode, reason


def settled(roots: list[Path], interval: float) -> Snapshot:
    """A snapshot taken once two in a row agree: a burst of saves makes one run, not several."""
    before = snapshot(roots)
    while True:
        time.sleep(interval)
        after = snapshot(roots)
        if after == before:
            return after
        before = after


def wait_for_change(roots: list[Path], files: Snapshot, interval: float) -> tuple[Snapshot, list[Path]]:
    """Block until the files differ from `files` and settle: (the new snapshot, what changed)."""
    while True:
        time.sleep(interval)
        if snapshot(roots) != files:
            current = settled(roots, interval)
            changed = changed_files(files, current)
            if changed:  # changed and changed back within the interval: nothing to certify
                return current, changed
            files = current


@app.command(
    "watch",
    epilog="Example: certify watch acme_pay   (edit connectors/acme_pay/transformers.py, see what changed)",
)
def watch(
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="The connector to watch.")] = None,
    report_dir: Annotated[
        Path, typer.Option("--report-dir", help="Where each run writes results.json and the reports.")
    ] = Path("reports"),
    interval: Annotated[
        float,
        typer.Option("--interval", metavar="SECONDS", min=0.05, help="How often the files are looked at."),
    ] = 0.5,
    max_runs: Annotated[
        int | None,
        typer.Option(
            "--max-runs", metavar="N", min=1, help="Stop after N certification runs (default: never)."
        ),
    ] = None,
) -> None:
    """Certify NAME, then again whenever its files change (connector package, cassettes, spec, facts,
    certification.toml, config), printing only what changed: new failures, fixed checks, score."""
    if not name:
        raise fail(f"give the connector to watch; registered: {', '.join(registry.names())}")
    if name not in registry.names():
        raise fail(f"unknown connector {name!r}; registered: {', '.join(registry.names())}")
    root = Path.cwd()
    roots = watched_roots(name, root)
    shown = ", ".join(sorted({_relative(r, root) for r in roots if r.exists()}))
    typer.echo(f"watching {name}: {shown} (Ctrl-C stops)")
    previous: ConnectorResult | None = None
    runs = 0
    code = 0
    files = snapshot(roots)
    try:
        while True:
            result, code, reason = certify_once(name, report_dir, root)
            runs += 1
            if result is None:
                # the run gave no result (bad input, a broken report folder): say why, keep watching
                typer.echo(f"run {runs}: no result: {reason}")
            else:
                typer.echo(f"run {runs}: {summary(result)}")
                if result.verdict == "error":
                    typer.echo(f"  {reason}")  # the connector did not load: the one line that says why
                for line in compare(previous, result).lines() if previous is not None else []:
                    typer.echo(f"  {line}")
            previous = result or previous
            if max_runs is not None and runs >= max_runs:
                break
            files, changed = wait_for_change(roots, files, interval)
            typer.echo(f"changed: {', '.join(_relative(p, root) for p in changed)}")
    except KeyboardInterrupt:
        typer.echo("stopped")
        raise typer.Exit(0) from None
    raise typer.Exit(code)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
