"""Nothing lost in the report folder: results.json written whole (kill -9 keeps the previous
good file), allure-results swapped in whole, one run at a time per folder (flock)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.certify.test_faults import start_stuck_run

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CERTIFY, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def certify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CERTIFY, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def wait_for_lock(report_dir: Path, process: subprocess.Popen[str]) -> None:
    lock = report_dir / ".certify.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.is_file() and lock.read_text(encoding="utf-8").strip() == f"pid {process.pid}":
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the first run never took the report folder")


def allure_result_files(report_dir: Path) -> list[Path]:
    return sorted((report_dir / "allure-results").glob("*-result.json"))


def check_count(report_dir: Path) -> int:
    results = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    return sum(len(c["checks"]) for c in results["connectors"])


@pytest.mark.slow  # whole Stripe runs raced and killed: `make test`, not `make test-fast`
def test_a_second_run_into_the_same_folder_is_refused_and_the_first_is_whole(tmp_path):
    first = start("run", "stripe", "--report-dir", str(tmp_path))
    wait_for_lock(tmp_path, first)
    first.send_signal(signal.SIGSTOP)  # held mid-run, however fast it is, while the second one tries
    try:
        second = certify("run", "stripe", "--report-dir", str(tmp_path))
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2, second.stdout + second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "is in use by another certify run" in lines[0], lines
    assert f"pid {first.pid}" in lines[0]
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    # one result per check of this run, none from another run
    assert len(allure_result_files(tmp_path)) == check_count(tmp_path)
    assert not list(tmp_path.glob(".allure-results.*"))


@pytest.mark.slow  # whole Stripe runs raced and killed: `make test`, not `make test-fast`
def test_kill_9_mid_run_keeps_the_previous_reports_and_releases_the_folder(tmp_path):
    reports = tmp_path / "reports"
    assert certify("run", "stripe", "--report-dir", str(reports)).returncode == 0
    good = {name: (reports / name).read_bytes() for name in ("results.json", "index.html")}
    good_allure = allure_result_files(reports)
    # killed mid-suite: beside Stripe, a connector whose check never returns (it says when it is stuck)
    killed = start_stuck_run([CERTIFY], tmp_path, ("stripe", "sleeps"), reports)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    for name, content in good.items():
        assert (reports / name).read_bytes() == content, name
    assert allure_result_files(reports) == good_allure  # nothing of the killed run swapped in
    # the kernel dropped the lock with the process: the next run proceeds and cleans up
    again = certify("run", "stripe", "--report-dir", str(reports))
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(allure_result_files(reports)) == check_count(reports)
    assert not list(reports.glob(".allure-results.*"))


def big_results(path: Path) -> Path:
    from harness.certify.results import CheckResult, ConnectorResult, Results

    checks = [
        CheckResult(id=f"scenario:s{i}", family="scenario", status="passed", message="x" * 200)
        for i in range(5000)
    ]
    connector = ConnectorResult(name="stripe", verdict="certified", score=100, checks=checks)
    Results(connectors=[connector]).write(path)
    return path


@pytest.mark.slow  # whole Stripe runs raced and killed: `make test`, not `make test-fast`
def test_a_write_cut_short_leaves_the_previous_results_json(tmp_path):
    """results.json cut off in the middle of its write (a file-size limit makes the kernel refuse
    the rest, as a full disk would): the previous good file stays, and the error is one line."""
    import resource

    report_dir = tmp_path / "reports"
    assert certify("run", "stripe", "--report-dir", str(report_dir)).returncode == 0
    good = (report_dir / "results.json").read_bytes()
    big = big_results(tmp_path / "big.json")
    assert big.stat().st_size > 4 * len(good)

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 * len(good), 2 * len(good)))

    cut = subprocess.run(
        [CERTIFY, "report", "merge", str(big), "--report-dir", str(report_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size,
    )
    assert cut.returncode == 2, cut.stderr
    lines = cut.stderr.strip().splitlines()
    assert len(lines) == 1 and "results.json: File too large" in lines[0], lines
    assert (report_dir / "results.json").read_bytes() == good
    assert not list(report_dir.glob(".results.json.*"))  # the temporary file went too
