"""`certify watch NAME` through the console script: it certifies, then certifies again when a file
of the connector changes and prints only what changed (new failures, fixed checks, score)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.certify.results import CheckResult, ConnectorResult
from harness.cli.watch import changed_files, compare, snapshot, watched_roots

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")
SCENARIO = '"refund_partial",'  # a supported scenario of Stripe's certification.toml


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "CERTIFY_EXTRA_CONNECTORS"}


def check(id_: str, status: str, message: str = "") -> CheckResult:
    return CheckResult(id=id_, family="scenario", status=status, message=message or status)


def result(checks: list[CheckResult], score: int, verdict: str = "not_certified") -> ConnectorResult:
    return ConnectorResult(name="acme", verdict=verdict, score=score, checks=checks)  # type: ignore[arg-type]


def test_only_what_changed_is_said():
    before = result([check("scenario:a", "passed"), check("scenario:b", "failed", "b broke")], 80)
    after = result(
        [check("scenario:a", "failed", "expected Charged, got Pending"), check("scenario:b", "passed")], 75
    )
    assert compare(before, after).lines() == [
        "new failure: scenario:a: expected Charged, got Pending",
        "fixed: scenario:b",
        "score: 80 -> 75",
    ]
    # a check that stays failed is not news; an unchanged run says so in one line
    assert compare(after, after).lines() == ["no change: not_certified, score 75"]
    certified = result([check("scenario:a", "passed"), check("scenario:b", "passed")], 100, "certified")
    assert compare(after, certified).lines()[-1] == "verdict: not_certified -> certified"


def test_an_edit_to_a_watched_file_is_seen_and_bytecode_is_not(tmp_path: Path):
    package = tmp_path / "connectors" / "acme"
    (package / "__pycache__").mkdir(parents=True)
    (package / "transformers.py").write_text("A = 1\n")
    roots = watched_roots("acme", tmp_path)
    before = snapshot(roots)
    (package / "__pycache__" / "transformers.cpython-311.pyc").write_bytes(b"\0")
    assert changed_files(before, snapshot(roots)) == []
    (package / "transformers.py").write_text("A = 22\n")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "acme.facts.toml").write_text("[provider]\n")
    assert changed_files(before, snapshot(roots)) == [
        package / "transformers.py",
        tmp_path / "specs" / "acme.facts.toml",
    ]


@pytest.mark.parametrize("args", [["watch"], ["watch", "no_such_connector"]])
def test_a_missing_or_unknown_connector_is_one_line_and_exit_2(args: list[str]):
    done = subprocess.run([CERTIFY, *args], capture_output=True, text=True, timeout=60, env=env(), cwd=ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "registered: " in done.stderr


def wait_for(process: subprocess.Popen[str], seen: list[str], text: str, timeout: float) -> str:
    """The first output line containing `text`, read within `timeout` seconds."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if text in line:
            return line
    raise AssertionError(f"no {text!r} within {timeout}s; output: {seen}")


@pytest.mark.slow
def test_watch_reports_a_new_failure_then_its_fix(tmp_path: Path):
    root = tmp_path / "project"
    for name in ("connectors", "config", "specs", "cassettes"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    certification = root / "connectors" / "stripe" / "certification.toml"
    original = certification.read_text(encoding="utf-8")
    assert SCENARIO in original
    process = subprocess.Popen(
        [CERTIFY, "watch", "stripe", "--report-dir", str(tmp_path / "reports"), "--max-runs", "3",
         "--interval", "0.2"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env(),
    )  # fmt: skip
    seen: list[str] = []
    try:
        wait_for(process, seen, "run 1: stripe: certified", timeout=600)
        certification.write_text(original.replace(SCENARIO, ""), encoding="utf-8")
        wait_for(process, seen, "changed: connectors/stripe/certification.toml", timeout=60)
        failure = wait_for(process, seen, "new failure:", timeout=600)
        assert "scenario:refund_partial: refund_partial is neither supported nor exempt" in failure
        wait_for(process, seen, "verdict: certified -> not_certified", timeout=10)
        certification.write_text(original, encoding="utf-8")
        wait_for(process, seen, "fixed: scenario:refund_partial", timeout=600)
        wait_for(process, seen, "verdict: not_certified -> certified", timeout=10)
        assert process.wait(timeout=60) == 0  # --max-runs 3: the third run was the last
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # only what changed: the checks that kept passing are not listed
    assert not [line for line in seen if line.strip().startswith("fixed:") and "refund_partial" not in line]


def test_a_connector_that_does_not_load_is_said_in_one_line(tmp_path: Path):
    root = tmp_path / "project"
    for name in ("connectors", "config", "specs", "cassettes"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    created = subprocess.run(
        [CERTIFY, "new", "acme_pay"], cwd=root, capture_output=True, text=True, timeout=120, env=env()
    )
    assert created.returncode == 0, created.stderr
    with (root / "connectors" / "acme_pay" / "transformers.py").open("a", encoding="utf-8") as module:
        module.write("def half_written(:\n")
    done = subprocess.run(
        [CERTIFY, "watch", "acme_pay", "--report-dir", str(tmp_path / "reports"), "--max-runs", "1"],
        cwd=root, capture_output=True, text=True, timeout=300, env=env(),
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("run 1: acme_pay: error, score 0"), lines
    assert "failed to load: SyntaxError" in lines[2] and "transformers.py" in lines[2], lines
