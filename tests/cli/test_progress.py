"""The progress of `certify run`: counts per connector, plain lines in CI, a live bar on a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from harness.cli.progress import Progress, connector_of, interactive

IDS = [f"connectors/alpha/certification.toml::check{i}" for i in range(3)] + [
    "connectors/beta/certification.toml::load"
]


def test_connector_of_a_node_id():
    assert connector_of("connectors/alpha/certification.toml::scenario:rsync") == "alpha"
    assert connector_of("connectors/a_b/certification.toml::lint") == "a_b"


def test_plain_lines_count_each_connector_once():
    lines: list[str] = []
    progress = Progress(live=False, echo=lines.append)
    progress.collected(IDS)
    progress.collected(IDS)  # every xdist worker reports the same collection
    for outcome in ("passed", "failed"):
        progress.finish("alpha", outcome)
    progress.finish("beta", "skipped")
    progress.finish("alpha", "passed")
    assert lines == [
        "certify: 4 checks over 2 connector(s)",
        "[1/2] beta: 1 checks (0 passed, 0 failed, 1 skipped)",
        "[2/2] alpha: 3 checks (2 passed, 1 failed, 0 skipped)",
    ]


def test_the_live_bar_prints_finished_connectors_and_clears_itself():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    progress = Progress(live=True, console=console)
    progress.collected(IDS)
    for _ in range(3):
        progress.finish("alpha", "passed")
    progress.finish("beta", "passed")
    progress.stop()
    text = out.getvalue()
    assert "[1/2] alpha: 3 checks (3 passed, 0 failed, 0 skipped)" in text
    assert "[2/2] beta: 1 checks" in text
    assert "\x1b[" in text  # drawn with terminal control sequences


@pytest.mark.parametrize(
    ("ci", "tty", "expected"),
    [("", True, True), ("true", True, False), ("1", True, False), ("false", True, True), ("", False, False)],
)
def test_live_only_on_a_terminal_outside_ci(monkeypatch, ci, tty, expected):
    monkeypatch.setenv("CI", ci)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    assert interactive(Stream()) is expected
