"""The connector author's loop through the console script, on a fresh `certify new acme_pay` scaffold:
`certify run` prints the next steps in working order with identical failures grouped, `certify list`
marks the unwritten flows, `certify record` says nothing is supported yet."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.certify.results import Results
from harness.report.views import Counts

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")
FLOWS = ("Authorize", "Capture", "Void", "Refund", "PSync", "RSync")


def certify(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "CERTIFY_EXTRA_CONNECTORS"}
    base["COLUMNS"] = "100"
    return subprocess.run(
        [CERTIFY, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**base, **(env or {})}
    )


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with `certify new acme_pay` applied (shared: the tests only read it)."""
    root = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("connectors", "config", "specs", "cassettes"):
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    created = certify("new", "acme_pay", cwd=root)
    assert created.returncode == 0, created.stderr
    return root


@pytest.fixture(scope="module")
def first_run(scaffold: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    report_dir = tmp_path_factory.mktemp("reports")
    run = certify("run", "acme_pay", "--report-dir", str(report_dir), cwd=scaffold)
    assert run.returncode == 1, run.stdout + run.stderr
    return run.stdout, report_dir


def test_run_prints_the_next_steps_in_working_order(first_run: tuple[str, Path]):
    stdout, _ = first_run
    lines = stdout.splitlines()
    start = lines.index("  next steps for acme_pay:")
    steps = " ".join(" ".join(line.split()) for line in lines[start + 1 :])
    first = steps.index(
        "1. Authorize is not implemented yet: write authorize_request in connectors/acme_pay/transformers.py"
    )
    facts = steps.index("2. facts: ")
    undeclared = re.search(r"3\. (\d+) scenario\(s\) are neither supported nor exempt", steps)
    assert undeclared and int(undeclared[1]) > 0, steps
    declare = undeclared.start()
    assert first < facts < declare, steps
    assert "then capture_request, void_request, refund_request" in steps


def test_identical_failures_are_grouped_not_repeated_and_never_cut(first_run: tuple[str, Path]):
    stdout, _ = first_run
    # before: ten copies of this message, each cut at 160 characters ("... with the r")
    assert stdout.count("neither supported nor exempt") == 1, stdout
    (line,) = [line for line in stdout.splitlines() if "neither supported nor exempt" in line]
    # not a terminal: one whole line (a terminal wraps it at word boundaries, see test_guide_wraps...)
    assert "or under [exempt] with the reason (authorize_auto_capture, authorize_manual_capture" in line
    assert re.search(r"and \d+ more\)$", line), line  # the rest counted, never cut mid-word


def test_guide_wraps_at_words_on_a_terminal(first_run: tuple[str, Path]):
    from harness.cli.guide import guide_lines

    _, report_dir = first_run
    (connector,) = Results.read(report_dir / "results.json").connectors
    wrapped = guide_lines(connector, width=60)
    assert all(len(line) <= 60 or " " not in line.strip() for line in wrapped), wrapped
    whole = guide_lines(connector)
    words = " ".join(whole).split()
    assert " ".join(wrapped).split() == words  # the same words, none cut
    assert not any(re.search(r"\bthe r$", line) for line in wrapped)


def test_the_summary_line_counts_as_the_reports_do(first_run: tuple[str, Path]):
    stdout, report_dir = first_run
    (connector,) = Results.read(report_dir / "results.json").connectors
    counts = Counts.of(connector.checks).text()
    assert f"acme_pay         not_certified  score   0  {counts}" in stdout
    assert f"[1/1] acme_pay: {Counts.of(connector.checks).total} checks ({counts})" in stdout


def test_list_marks_the_unwritten_flows(scaffold: Path):
    table = certify("list", cwd=scaffold)
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if "acme_pay" in line)
    assert row.count("·") == len(FLOWS) and "✓" not in row, row
    stripe = next(line for line in table.stdout.splitlines() if "stripe" in line)
    assert stripe.count("✓") == len(FLOWS) and "·" not in stripe, stripe
    listed = json.loads(certify("list", "--format", "json", cwd=scaffold).stdout)
    acme = next(r for r in listed if r["connector"] == "acme_pay")
    assert {acme["flows"][f] for f in FLOWS} == {"no"}


def test_list_shows_a_flow_once_written(scaffold: Path, tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(scaffold, project, ignore=shutil.ignore_patterns("__pycache__", "reports"))
    transformers = project / "connectors/acme_pay/transformers.py"
    source = transformers.read_text(encoding="utf-8")
    # the author writes PSync's response transform: any answer but NotImplementedFlowError
    written = source.replace(
        'raise not_implemented("PSync", "psync_response")', 'raise ValueError("written by its author")'
    )
    assert written != source
    transformers.write_text(written, encoding="utf-8")
    listed = json.loads(certify("list", "--format", "json", cwd=project).stdout)
    acme = next(r for r in listed if r["connector"] == "acme_pay")
    assert acme["flows"]["PSync"] == "yes" and acme["flows"]["Authorize"] == "no", acme["flows"]


def test_record_with_nothing_supported_says_what_to_do(scaffold: Path):
    result = certify("record", "acme_pay", cwd=scaffold, env={"ACME_PAY_API_KEY": "k"})
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "acme_pay supports no scenario yet" in line
    assert "connectors/acme_pay/certification.toml" in line and "[scenarios] supported" in line
    assert result.stdout == ""
