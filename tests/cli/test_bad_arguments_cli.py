"""Bad arguments through the console script: one line naming the option, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.certify.results import Results

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")


def certify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CERTIFY, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n", encoding="utf-8")
    results = tmp_path / "good" / "results.json"
    Results().write(results)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return {"FILE": str(a_file), "UNDER_FILE": str(a_file / "reports"), "RESULTS": str(results),
            "DEEP": str(deep)}  # fmt: skip


CASES = [
    (["probe", "stripe", "Authorize", "--amount", "0"], "--amount: an authorization needs an amount"),
    (["probe", "stripe", "Refund", "--payment-amount", "-5"], "--payment-amount: an amount cannot be"),
    (["run", "stripe", "--report-dir", "FILE"], "--report-dir FILE is a file, not a folder"),
    (["run", "stripe", "--report-dir", "UNDER_FILE"], "--report-dir UNDER_FILE: cannot create the folder"),
    (["run", "stripe", "-n", "abc"], "-n/--workers takes a number of workers, auto or logical, not 'abc'"),
    (["report", "--results", "RESULTS", "--report-dir", "FILE"], "--report-dir FILE is a file, not a folder"),
    (["report", "merge", "RESULTS", "--report-dir", "FILE"], "--report-dir FILE is a file, not a folder"),
    (["parse", "stripe", "Authorize", "--body", "DEEP"], "--body DEEP: nested too deeply to parse"),
]


@pytest.mark.parametrize(("args", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_one_line_and_exit_2(files: dict[str, str], args: list[str], expected: str):
    result = certify(*[files.get(arg, arg) for arg in args])
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    for placeholder, value in files.items():
        expected = expected.replace(placeholder, value) if placeholder in args else expected
    assert len(lines) == 1 and lines[0] == lines[0].strip() and expected in lines[0], lines
    assert lines[0].startswith("certify: ")


def test_pytest_with_an_unknown_connector_names_the_registered_ones():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--certify", "--connector", "nope", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "--connector: unknown connector(s) nope; registered: adyen, authorizedotnet" in result.stderr
