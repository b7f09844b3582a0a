"""Nothing hangs, nothing vanishes: connector code that hangs, forks, exits, skips or crashes its
worker makes its own connector `error`, within the time limit, and the other connectors are certified."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import strategies as st

from harness.certify.checks.plan import certify_workspace
from harness.certify.checks.session import SuiteOptions
from harness.certify.properties import PropertyFailure, profile_named, run_property
from harness.certify.workspace import Workspace
from tests.certify import faults
from tests.certify.test_run_cli import ROOT, copy_root

# above any honest check of the shipped connectors: the slowest, a response property with an empty
# example cache, takes 0.42 s on a quiet 2-core machine (about 0.9 s when it is shared)
LIMIT = 3.0
# the in-process hang tests stop one check each and ask only that it is the one named: a shorter
# limit costs them nothing (an honest check cut short would not change what they assert)
HANG_LIMIT = 1.0


def certify(cls, limit: float = LIMIT):
    return certify_workspace(
        cls.id,
        lambda: Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe"),
        SuiteOptions(check_timeout=limit),
    )


def errors(result):
    return {c.id: c.message for c in result.checks if c.status == "error"}


@pytest.mark.slow
@pytest.mark.parametrize("cls", faults.HANGS, ids=lambda c: c.__name__)
def test_a_hanging_transform_is_stopped_at_the_limit_and_named(cls):
    started = time.monotonic()
    result = certify(cls, HANG_LIMIT)
    assert result.verdict == "error"
    assert "scenario:void_authorized" in errors(result)
    message = errors(result)["scenario:void_authorized"]
    assert f"no result within {HANG_LIMIT:g} s" in message and "tests/certify/faults.py:" in message
    assert "--check-timeout" in message
    stopped = next(c for c in result.checks if c.id == "scenario:void_authorized")
    assert HANG_LIMIT * 1000 <= stopped.duration_ms < (HANG_LIMIT + 3) * 1000
    assert len(result.checks) > 60  # every other check still ran
    assert time.monotonic() - started < 120
    assert not _children(), "a child process outlived its check"


def _children() -> list[int]:
    from harness.certify.limits import descendants

    return descendants(os.getpid())


@pytest.mark.parametrize(
    ("cls", "raised"),
    [
        (faults.ExitsTheProcess, "SystemExit"),
        (faults.SkipsItsCheck, "pytest.skip"),
        (faults.RaisesKeyboardInterrupt, "KeyboardInterrupt"),
        (faults.RaisesCustomBaseException, "CustomStop"),
        (faults.ExitsAtOnce, "ProcessExit"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_a_transform_that_exits_skips_or_interrupts_makes_its_connector_error(cls, raised):
    result = certify(cls)
    assert result.verdict == "error" and result.score < 100
    message = errors(result)["scenario:void_authorized"]
    assert f"raised {raised} instead of returning" in message and "faults.py:" in message
    assert result.message.startswith("scenario:void_authorized: connector code at tests/certify/faults.py:")


def test_an_exception_group_keeps_every_counterexample():
    def check(case):
        if case["amount"] > 10:
            raise PropertyFailure("amount sent above 10")
        if case["amount"] < -10:
            raise PropertyFailure("amount sent below -10")

    outcome = run_property(check, st.fixed_dictionaries({"amount": st.integers()}), profile_named("ci"))
    assert not outcome.passed and not outcome.skipped
    assert outcome.message.startswith("2 distinct failures:")
    assert {(c["message"], c["example"]) for c in outcome.counterexamples} == {
        ("amount sent above 10", "amount=11"),
        ("amount sent below -10", "amount=-11"),
    }


def run_cli(exe, root: Path, *args: str, extra: dict[str, str], env: dict[str, str] | None = None):
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CERTIFY_EXTRA_CONNECTORS": ";".join(f"{k}={v}" for k, v in extra.items()),
        **(env or {}),
    }
    started = time.monotonic()
    done = subprocess.run(
        [*exe, "run", *args], cwd=root, env=environment, capture_output=True, text=True, timeout=1200
    )
    return done, time.monotonic() - started


# through the real entry point, a few of the faults the in-process tests above cover one by one
FAULTY = {
    "busy": "tests.certify.faults:BusyLoop",
    "forks": "tests.certify.faults:ForksAndWaits",
    "exits": "tests.certify.faults:ExitsTheProcess",
    "skips": "tests.certify.faults:SkipsItsCheck",
}


@pytest.mark.slow
def test_certify_run_bounds_every_hang_and_accounts_for_every_check(certify_exe, tmp_path):
    root = copy_root(tmp_path, extra=FAULTY)
    reports = root / "reports"
    done, _elapsed = run_cli(
        certify_exe, root, "stripe", *FAULTY, "--check-timeout", str(LIMIT), "--report-dir", str(reports),
        extra=FAULTY,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    results = {c["name"]: c for c in json.loads((reports / "results.json").read_text())["connectors"]}
    assert {name: c["verdict"] for name, c in results.items()} == {
        "stripe": "certified",
        **dict.fromkeys(FAULTY, "error"),
    }
    stripe_ids = {c["id"] for c in results["stripe"]["checks"] if c["family"] != "lint"}
    for name in FAULTY:
        # every planned check reported: nothing vanished with the exit or the skip
        assert {c["id"] for c in results[name]["checks"] if c["family"] != "lint"} == stripe_ids, name
        check = next(c for c in results[name]["checks"] if c["id"] == "scenario:void_authorized")
        assert check["status"] == "error" and check["duration_ms"] < (LIMIT + 3) * 1000, check
    stopped = f"certify: scenario:void_authorized: no result within {LIMIT:g} s: connector code at "
    assert done.stderr.count(stopped) == 2, done.stderr
    assert "raised SystemExit instead of returning" in done.stderr
    assert "raised pytest.skip instead of returning" in done.stderr


@pytest.mark.slow
def test_connectors_that_kill_their_workers_are_error_and_the_others_are_certified(certify_exe, tmp_path):
    """A fatal signal in a check (as a crash in native code gives): the xdist worker is gone. Each such
    connector's checks are reported as not run, no other worker runs its code again, and the run ends;
    two of them in one `-n 2` run take both workers down, one after the other."""
    killers = ("kills", "kills_too")
    extra = {name: "tests.certify.faults:KillsItsProcess" for name in killers}
    root = copy_root(tmp_path, extra=extra)
    reports = root / "reports"
    done, _elapsed = run_cli(
        certify_exe, root, "stripe", *extra, "-n", "2", "--report-dir", str(reports), extra=extra
    )  # the default time limit: nothing here hangs, and Stripe's honest checks must not be cut short
    assert done.returncode == 2, done.stdout + done.stderr
    assert "INTERNALERROR" not in done.stdout + done.stderr
    results = {c["name"]: c for c in json.loads((reports / "results.json").read_text())["connectors"]}
    verdicts = {name: c["verdict"] for name, c in results.items()}
    assert verdicts == {"stripe": "certified", **dict.fromkeys(killers, "error")}
    stripe_ids = {c["id"] for c in results["stripe"]["checks"] if c["family"] != "lint"}
    for name in killers:
        checks = {c["id"]: c for c in results[name]["checks"]}
        crashed = checks["scenario:void_authorized"]
        assert crashed["status"] == "error", crashed
        assert "ended the worker process during this check" in crashed["message"], crashed
        not_run = [c for c in checks.values() if c["message"].startswith("not run: connector code ended")]
        assert not_run, "the connector's later checks are reported as not run"
        during = "during scenario:void_authorized"
        assert all(c["status"] == "error" and during in c["message"] for c in not_run)
        assert {c for c in checks if not c.startswith("lint")} == stripe_ids  # every planned check, accounted


@pytest.mark.slow
def test_the_watchdog_ends_a_serial_run_that_no_time_out_can_reach(certify_exe, tmp_path):
    """A check that swallows every time-out: the watchdog kills the process 5 s past the limit with
    one line, instead of the run hanging (under -n that is a crashed worker, as above). The limit is
    short: the checks of `blocks` before the stuck one may be cut short too, which changes nothing here."""
    extra = {"blocks": "tests.certify.faults:SwallowsTheTimeOut"}
    root = copy_root(tmp_path, extra=extra)
    reports = root / "reports"
    args = ("blocks", "--check-timeout", "1", "--report-dir", str(reports))
    done, _elapsed = run_cli(certify_exe, root, *args, extra=extra)
    from harness.certify.limits import KILLED_EXIT_CODE

    assert done.returncode == KILLED_EXIT_CODE, done.stdout + done.stderr
    assert " did not stop 5 s after its 1 s limit" in done.stderr and "killing this process" in done.stderr


def test_a_planned_check_with_no_result_makes_its_connector_error(tmp_path):
    """What the controller does for a crashed xdist worker's item: no results, only its crash report."""
    from harness.certify.plugin import CertifyState, gather
    from harness.certify.results import CheckResult

    state = CertifyState(
        root=tmp_path,
        selected=[],
        profile="ci",
        seed=None,
        config_dir=None,
        report_dir=None,
        check_timeout=LIMIT,
    )
    toml = "connectors/stripe/certification.toml"
    state.planned = {
        f"{toml}::load": ("stripe", "load"),
        f"{toml}::scenario:capture_full": ("stripe", "scenario:capture_full"),
    }
    state.reported = {f"{toml}::load"}
    state.outcomes = {f"{toml}::scenario:capture_full": "???: worker 'gw0' crashed while running it"}
    state.checks = {"stripe": [CheckResult(id="load", family="load", status="passed")]}
    state.meta = {"stripe": {}}
    stripe = gather(state).connector("stripe")
    assert stripe.verdict == "error"
    lost = next(c for c in stripe.checks if c.id == "scenario:capture_full")
    assert lost.status == "error" and lost.family == "scenario"
    assert "planned check left no result" in lost.message and "crashed" in lost.message
    assert stripe.message.startswith("scenario:capture_full: planned check left no result")


def _whole_state(tmp_path: Path, crashed: bool):
    """The controller's state of a `certify run -n` whose item for stripe (the connector run whole)
    reported nothing, as when connector code ended its worker."""
    from harness.certify.plugin import WHOLE, CertifyState

    state = CertifyState(
        root=tmp_path, selected=[], profile="ci", seed=None, config_dir=None, report_dir=None,
        check_timeout=LIMIT, crash_dir=tmp_path,
    )  # fmt: skip
    node_id = f"connectors/stripe/certification.toml::{WHOLE}"
    state.planned = {node_id: ("stripe", WHOLE)}
    state.outcomes = {node_id: "call: worker 'gw0' crashed while running it"}
    if crashed:
        state.crashed = {"stripe": WHOLE}
    return state


def _journal_of_two_checks(tmp_path: Path) -> None:
    """stripe's journal: its plan of three checks, the first run, the second cut short while written."""
    from harness.certify.plugin import Journal
    from harness.certify.results import CheckResult

    load = CheckResult(id="load", family="load", status="passed")
    passed = CheckResult(id="scenario:capture_full", family="scenario", status="passed", message="ok")
    with Journal(tmp_path, "stripe") as journal:
        journal.planned(load, {"display_name": "Stripe"}, ["scenario:capture_full", "lint", "contract:x"])
        journal.ran("scenario:capture_full", [passed])
    with open(tmp_path / f"stripe{Journal.SUFFIX}", "a", encoding="utf-8") as cut:
        cut.write('{"check": "lint", "results": [{"id": "lint", "fam')  # the process ended mid-line


def test_a_connector_run_whole_that_ended_its_worker_keeps_what_its_journal_holds(tmp_path):
    """Under `certify run -n` the worker's journal is what is left of a connector whose code ended it:
    the checks it finished, the check it died in (the first with no result), the rest not run."""
    from harness.certify.plugin import gather

    _journal_of_two_checks(tmp_path)
    stripe = gather(_whole_state(tmp_path, crashed=True)).connector("stripe")
    checks = {c.id: c for c in stripe.checks}
    assert list(checks) == ["load", "scenario:capture_full", "contract:x", "lint"]  # in family order
    finished, died_in, not_run = checks["scenario:capture_full"], checks["lint"], checks["contract:x"]
    assert finished.status == "passed" and finished.message == "ok"
    assert died_in.status == "error" and "ended the worker process during this check" in died_in.message
    assert not_run.message.startswith("not run: connector code ended its worker process during lint")
    assert stripe.verdict == "error" and stripe.display_name == "Stripe"  # the meta, from the journal


def test_a_connector_run_whole_that_left_no_report_without_a_crash_is_error(tmp_path):
    from harness.certify.plugin import gather

    _journal_of_two_checks(tmp_path)
    stripe = gather(_whole_state(tmp_path, crashed=False)).connector("stripe")
    lost = [c for c in stripe.checks if c.status == "error"]
    assert [c.id for c in lost] == ["contract:x", "lint"]
    assert all("planned check left no result" in c.message and "crashed" in c.message for c in lost)


@pytest.mark.parametrize("crashed", [True, False])
def test_a_connector_run_whole_that_ended_before_its_plan_is_a_load_error(tmp_path, crashed):
    """No journal (nor a plan): the worker ended while loading the connector."""
    from harness.certify.plugin import gather

    stripe = gather(_whole_state(tmp_path, crashed=crashed)).connector("stripe")
    assert [(c.id, c.status) for c in stripe.checks] == [("load", "error")]
    expected = "ended the worker process during this check" if crashed else "planned check left no result"
    assert expected in stripe.checks[0].message and stripe.verdict == "error"


SLEEPS = "tests.certify.faults:SleepsForever"


def start_stuck_run(exe: list[str], tmp_path: Path, names: tuple[str, ...], report_dir: Path):
    """`certify run NAMES` in a copy of the project where `sleeps` is a connector whose check never
    returns; returns the process once that check is stuck (the connector touches a marker file)."""
    root = copy_root(tmp_path, extra={"sleeps": SLEEPS})
    marker = tmp_path / "stuck"
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CERTIFY_EXTRA_CONNECTORS": f"sleeps={SLEEPS}",
        "CERTIFY_FAULT_MARKER": str(marker),
    }
    process = subprocess.Popen(
        [*exe, "run", *names, "--report-dir", str(report_dir)],
        cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), process.communicate()
    return process


def test_ctrl_c_stops_the_run_with_130_and_blames_no_connector(certify_exe, tmp_path):
    process = start_stuck_run(certify_exe, tmp_path, ("sleeps",), tmp_path / "reports")
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "certify: interrupted" in err and "no result within" not in err


def test_one_watchdog_thread_serves_every_check_of_a_process():
    import threading

    from harness.certify.limits import time_limit

    for _ in range(50):
        with time_limit(30.0, "a check"):
            pass
    watchdogs = [t for t in threading.enumerate() if t.name == "certify-watchdog"]
    assert len(watchdogs) == 1 and watchdogs[0].daemon


def test_a_check_kills_the_processes_it_started_and_no_other_while_its_list_is_kept():
    # checks that create no process reuse the list of processes below this one (nothing was created
    # since it was taken); one that starts a process still has it killed at its end
    from harness.certify import limits

    older = subprocess.Popen(["sleep", "30"])
    try:
        for _ in range(3):
            with limits.time_limit(30.0, "a check"):
                pass
        assert limits._KNOWN_CHILDREN and older.pid in limits._KNOWN_CHILDREN[0][2]  # the kept list
        with limits.time_limit(30.0, "a check"):
            started = subprocess.Popen(["sleep", "30"])
        assert started.poll() is not None, "a process the check started outlived it"  # killed and reaped
        with limits.time_limit(30.0, "a check"):
            pass
        assert older.poll() is None, "a process started before the checks was killed"
    finally:
        older.kill()
        older.wait()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_what_connector_code_writes_below_sys_stdout_reaches_no_output(certify_exe, tmp_path, workers):
    """A secret a connector (or a process it starts) writes straight to fd 1 or 2 never reaches the
    terminal or a CI log: the run captures the file descriptors, not only sys.stdout (in a worker
    too, whose captured output is dropped there, never sent to the controller)."""
    extra = {"writes": "tests.certify.faults:WritesToTheDescriptors"}
    root = copy_root(tmp_path, extra=extra)
    canary = "sk_test_FDcanary0000000000000000"
    done, _elapsed = run_cli(
        certify_exe, root, "writes", "--report-dir", str(root / "reports"), *workers, extra=extra,
        env={"CERTIFY_FAULT_CANARY": canary},
    )  # fmt: skip
    assert "certified" in done.stdout, done.stdout + done.stderr
    assert canary not in done.stdout + done.stderr
