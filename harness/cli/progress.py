"""Progress of `certify run`: a rich progress bar on a terminal, plain lines in CI.

A small pytest plugin counts the finished items per connector (also under pytest-xdist,
where the controlling process receives every report): under `certify run` an item is a whole
connector, its report carrying every check's result; under `pytest --certify` an item is a
check. On a terminal a live bar shows the items done; without a TTY, or when `CI` is set, one
line is printed when the run starts and one as each connector finishes.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import Any, TextIO

import pytest

from harness.certify.plugin import PROPERTY_KEY, WHOLE, CheckPayload

REFRESH_SECONDS = 0.1
STATES = ("passed", "failed", "skipped", "exempt")  # as summary.md and index.html count them


def interactive(stream: TextIO | None = None) -> bool:
    """A live bar only on a terminal, and never in CI."""
    stream = stream or sys.stdout
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return not ci and hasattr(stream, "isatty") and stream.isatty()


def connector_of(nodeid: str) -> str:
    """`connectors/<name>/certification.toml::<check>` -> `<name>`."""
    return _connector_of_file(nodeid.split("::", 1)[0])


@functools.lru_cache(maxsize=4096)
def _connector_of_file(path: str) -> str:
    return PurePosixPath(path).parent.name  # three reports a check, ~150 checks a connector


class PlanListener:
    """A pytest plugin told the node ids of the plan once (`planned`): from the collection, or
    under pytest-xdist from the first worker's (every worker collects the same)."""

    _plan_seen = False

    def collected(self, nodeids: Sequence[str]) -> None:
        if not self._plan_seen:
            self._plan_seen = True
            self.planned(nodeids)

    def planned(self, nodeids: Sequence[str]) -> None:
        raise NotImplementedError

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not hasattr(session.config, "workerinput") and session.items:
            self.collected([item.nodeid for item in session.items])

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self.collected(ids)


class Progress(PlanListener):
    """Counts finished checks per connector and shows them (live or plain)."""

    def __init__(self, *, live: bool, echo: Callable[[str], None] | None = None, console: Any = None) -> None:
        self.live = live
        self.console = console  # a rich Console for the live bar (default: stdout)
        self.echo = echo or (lambda line: print(line, flush=True))
        self.totals: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.outcomes: dict[str, Counter[str]] = {}  # connector -> check state -> checks
        self.finished: list[str] = []
        self.started = time.monotonic()
        self._bar: Any = None
        self._overall: Any = None
        self._tasks: dict[str, Any] = {}
        self._refreshed = 0.0

    # ------------------------------------------------------------ collection

    def planned(self, nodeids: Sequence[str]) -> None:
        self.totals.update(connector_of(n) for n in nodeids)
        total = sum(self.totals.values())
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
                # refreshed from the hooks, never from a thread: while a check runs, pytest
                # captures the output, and a thread's frames would be lost
                auto_refresh=False,
                console=self.console,
            )
            self._bar.start()
            self._overall = self._bar.add_task(f"{len(self.totals)} connector(s)", total=total)
        else:
            self.echo(f"certify: {len(self.totals)} connector(s), {planned_checks(nodeids, total)}")

    # ------------------------------------------------------------ results

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # one count per item: its call, or the setup that failed or skipped it
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.finish(connector_of(report.nodeid), report.outcome, checks_of(report))

    def finish(self, name: str, outcome: str, states: Counter[str] | None = None) -> None:
        """One item done; `states` counts the check results it carried (lint: one per finding)."""
        self.done[name] += 1
        tally = self.outcomes.setdefault(name, Counter())
        tally.update(states or Counter({"failed" if outcome == "error" else outcome: 1}))
        if self._bar is not None:
            if name not in self._tasks:
                self._tasks[name] = self._bar.add_task(f"  {name}", total=self.totals.get(name) or None)
            self._bar.advance(self._tasks[name])
            self._bar.advance(self._overall)
        if self.totals.get(name) and self.done[name] == self.totals[name]:
            self.connector_done(name)
        if self._bar is not None and time.monotonic() - self._refreshed >= REFRESH_SECONDS:
            self._refreshed = time.monotonic()
            self._bar.refresh()

    def connector_done(self, name: str) -> None:
        self.finished.append(name)
        tally = self.outcomes[name]
        counts = f"{tally['passed']} passed, {tally['failed']} failed, {tally['skipped']} skipped"
        if tally["exempt"]:
            counts += f", {tally['exempt']} exempt"
        line = f"[{len(self.finished)}/{len(self.totals)}] {name}: {sum(tally.values())} checks ({counts})"
        if self._bar is not None:
            self._bar.remove_task(self._tasks.pop(name))
            self._bar.console.print(line, highlight=False)
        else:
            self.echo(line)

    def stop(self) -> None:
        """Called by `certify run` once pytest has returned (its output capture is over)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def planned_checks(nodeids: Sequence[str], total: int) -> str:
    """What the plan says of the checks: their number, or, under `certify run` (one item a connector,
    planned by the process that runs it), that they are planned as each connector starts."""
    if nodeids and all(n.endswith(f"::{WHOLE}") for n in nodeids):
        return "their checks planned as each starts"
    # a lint item reports one check per finding: the final count can exceed the plan
    return f"{total} planned checks"


def checks_of(report: pytest.TestReport) -> Counter[str] | None:
    """The states of the check results an item carried (None when it carried none)."""
    states: Counter[str] = Counter()
    for key, value in report.user_properties:
        if key != PROPERTY_KEY:
            continue
        if isinstance(value, CheckPayload):  # parsed (or never serialised): the results themselves
            pairs = [(check.status, check.exempt) for check in value.checks]
        else:
            pairs = [(c.get("status"), c.get("exempt")) for c in json.loads(str(value)).get("checks", [])]
        for status, exempt in pairs:
            exempt = status == "skipped" and exempt
            states["exempt" if exempt else "failed" if status == "error" else str(status)] += 1
    return states or None
