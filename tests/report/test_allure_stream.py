"""allure-results written while the suite runs: each finished connector's results by a writer
process, the rest when the suite ends; the same files as `write_allure_results` writes, and
everything written here if the writer fails."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from harness.certify.plugin import CheckPayload
from harness.certify.results import CheckResult, ConnectorResult, Results
from harness.cli import allure_stream
from harness.cli.allure_stream import AllureStream
from harness.report.allure import write_allure_results

START_MS = 1_796_000_000_000


def ids(name: str, count: int) -> list[str]:
    return [f"connectors/{name}/certification.toml::check{i}" for i in range(count)]


def report(nodeid: str, checks: list[CheckResult]) -> pytest.TestReport:
    name = nodeid.split("/")[1]
    payload = CheckPayload(name, checks)
    where = ("", None, "")
    return pytest.TestReport(
        nodeid, where, {}, "passed", None, "call", user_properties=[("certify", payload)]
    )


def check(name: str, index: int) -> CheckResult:
    return CheckResult(
        id=f"{name}:c{index}", family="facts", status="passed", message=f"m{index}", duration_ms=2
    )


def contents(folder: Path) -> list[dict[str, object]]:
    found = []
    for path in folder.iterdir():
        data = json.loads(path.read_text())
        assert path.name == f"{data.pop('uuid')}-result.json"
        found.append(data)
    return sorted(found, key=lambda d: str(d["fullName"]))


def results_of(checks: dict[str, list[CheckResult]]) -> Results:
    return Results(
        connectors=[
            ConnectorResult(name=n, verdict="certified", score=100, checks=c) for n, c in checks.items()
        ]
    )


def wait_for(folder: Path, count: int) -> int:
    deadline = time.monotonic() + 10
    while len(list(folder.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(list(folder.iterdir()))


def test_a_finished_connector_is_written_during_the_suite_and_the_rest_at_its_end(tmp_path):
    folder = tmp_path / "staged"
    folder.mkdir()
    stream = AllureStream(folder, start_ms=START_MS)
    stream.collected(ids("alpha", 2) + ids("beta", 2))
    alpha = [check("alpha", 0), check("alpha", 1), check("alpha", 2)]  # an item may carry several
    stream.pytest_runtest_logreport(report(ids("alpha", 2)[0], alpha[:2]))
    stream.pytest_runtest_logreport(report(ids("alpha", 2)[1], alpha[2:]))
    stream.pytest_runtest_logreport(report(ids("beta", 2)[0], [check("beta", 0)]))  # beta unfinished
    assert wait_for(folder, 3) == 3 and stream.sent == {"alpha"}  # alpha's, while beta runs
    beta = [check("beta", 0), check("beta", 1)]  # its second item never reported: gathered as lost
    everything = results_of({"alpha": alpha, "beta": beta})
    stream.finish(everything)
    expected = tmp_path / "expected"
    write_allure_results(everything, expected, start_ms=START_MS)
    assert contents(folder) == contents(expected) and len(contents(folder)) == 5


def test_if_the_writer_fails_every_result_is_written_here(tmp_path, monkeypatch):
    folder = tmp_path / "staged"
    folder.mkdir()
    real = allure_stream.result_file
    monkeypatch.setattr(
        allure_stream, "result_file", lambda *a, **k: ("../escape.json", real(*a, **k)[1])
    )  # the writer refuses a name that leaves its folder, and stops
    stream = AllureStream(folder, start_ms=START_MS)
    stream.collected(ids("alpha", 1))
    stream.pytest_runtest_logreport(report(ids("alpha", 1)[0], [check("alpha", 0)]))
    monkeypatch.setattr(allure_stream, "result_file", real)
    everything = results_of({"alpha": [check("alpha", 0)], "beta": [check("beta", 0)]})
    stream.finish(everything)
    assert stream.failed and not (tmp_path / "escape.json").exists()
    assert [d["name"] for d in contents(folder)] == ["alpha:c0", "beta:c0"]


def test_a_writer_killed_mid_run_leaves_nothing_missing(tmp_path):
    folder = tmp_path / "staged"
    folder.mkdir()
    stream = AllureStream(folder, start_ms=START_MS)
    stream.collected(ids("alpha", 1) + ids("beta", 1))
    assert stream._process is not None
    stream._process.kill()
    stream._process.wait()
    stream.pytest_runtest_logreport(report(ids("alpha", 1)[0], [check("alpha", 0)]))
    stream.finish(results_of({"alpha": [check("alpha", 0)], "beta": [check("beta", 0)]}))
    assert len(contents(folder)) == 2


def test_a_run_that_ends_without_results_stops_the_writer(tmp_path):
    stream = AllureStream(tmp_path, start_ms=START_MS)
    stream.abandon()
    assert stream._process is not None and stream._process.poll() is not None
