"""The progress of `certify run`: counts per connector, plain lines in CI, a live bar on a terminal."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from rich.console import Console

from harness.certify.plugin import WHOLE, CheckPayload, payload_of
from harness.certify.results import CheckResult
from harness.cli.progress import Progress, checks_of, connector_of, interactive

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
        "certify: 2 connector(s), 4 planned checks",
        "[1/2] beta: 1 checks (0 passed, 0 failed, 1 skipped)",
        "[2/2] alpha: 3 checks (2 passed, 1 failed, 0 skipped)",
    ]


def test_connectors_run_whole_are_counted_as_they_finish():
    """Under `certify run` each connector is one item: the plan names no checks, each connector's
    line counts the check results its one report carried."""
    lines: list[str] = []
    progress = Progress(live=False, echo=lines.append)
    progress.collected([f"connectors/{name}/certification.toml::{WHOLE}" for name in ("alpha", "beta")])
    progress.finish("beta", "passed", Counter({"passed": 140, "skipped": 5, "exempt": 2}))
    progress.finish("alpha", "failed", Counter({"passed": 9, "failed": 1}))
    assert lines == [
        "certify: 2 connector(s), their checks planned as each starts",
        "[1/2] beta: 147 checks (140 passed, 0 failed, 5 skipped, 2 exempt)",
        "[2/2] alpha: 10 checks (9 passed, 1 failed, 0 skipped)",
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


def _report(nodeid: str, outcome: str, checks: list[dict[str, object]]) -> pytest.TestReport:
    payload = json.dumps({"connector": connector_of(nodeid), "checks": checks})
    return pytest.TestReport(
        nodeid, ("", None, ""), {}, outcome, None, "call", user_properties=[("certify", payload)]
    )


def test_lint_findings_and_exempt_checks_count_as_in_the_reports():
    """A lint item carries one check per finding; an exempt check is not a skipped one."""
    lines: list[str] = []
    progress = Progress(live=False, echo=lines.append)
    progress.collected(IDS[:3])
    lint = [{"status": "failed"}, {"status": "failed"}, {"status": "passed"}]
    progress.pytest_runtest_logreport(_report(IDS[0], "failed", lint))
    progress.pytest_runtest_logreport(_report(IDS[1], "skipped", [{"status": "skipped", "exempt": True}]))
    progress.pytest_runtest_logreport(_report(IDS[2], "skipped", [{"status": "skipped", "exempt": False}]))
    assert lines[-1] == "[1/1] alpha: 5 checks (1 passed, 2 failed, 1 skipped, 1 exempt)"


def test_a_report_carries_its_results_as_objects_in_process_and_as_json_from_a_worker():
    checks = [
        CheckResult(id="lint:x", family="lint", status="failed", message="m", details={"line": 3}),
        CheckResult(id="lint:y", family="lint", status="skipped", exempt=True),
    ]
    payload = CheckPayload(connector_of(IDS[0]), checks, meta={"flows": ["Authorize"]})
    where = ("", None, "")
    sent, kept = (
        pytest.TestReport(IDS[0], where, {}, "failed", None, "call", user_properties=[("certify", p)])
        for p in (str(payload), payload)
    )
    assert checks_of(sent) == checks_of(kept) == Counter({"failed": 1, "exempt": 1})
    parsed = payload_of(sent)
    assert parsed == payload and sent.user_properties == [("certify", parsed)]  # parsed once, in place
    assert payload_of(sent) is parsed and payload_of(kept) is payload
