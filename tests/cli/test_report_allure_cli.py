"""`certify report` and `certify report merge` write allure-results/ as `certify run` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.certify.results import Results
from tests.report.factory import sample_results

CERTIFY = str(Path(sys.executable).parent / "certify")


def certify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CERTIFY, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def allure(folder: Path) -> dict[str, dict]:
    results = [json.loads(p.read_text()) for p in (folder / "allure-results").glob("*-result.json")]
    return {f"{r['fullName']}": r for r in results}


def labels(result: dict) -> dict[str, str]:
    return {label["name"]: label["value"] for label in result["labels"]}


def test_report_and_merge_write_allure_results(tmp_path: Path):
    results = sample_results(planted=False)
    source = tmp_path / "run"
    results.write(source / "results.json")
    checks = {(c.name, k.id): k for c in results.connectors for k in c.checks}

    rendered = certify(
        "report", "--results", str(source / "results.json"), "--report-dir", "pr", cwd=tmp_path
    )
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    written = allure(tmp_path / "pr")
    assert len(written) == len(checks)
    for (connector, check_id), check in checks.items():
        result = written[f"connectors/{connector}/certification.toml::{check_id}"]
        expected = {"passed": "passed", "failed": "failed", "error": "broken", "skipped": "skipped"}
        assert result["status"] == expected[check.status]
        assert labels(result)["epic"] == connector
        assert labels(result)["feature"] == (check.flow or f"({check.family})")

    # two shards merged: every check of both, once
    good, bad = results.connectors
    for name, part in (("a", good), ("b", bad)):
        Results(run=results.run, connectors=[part]).write(tmp_path / name / "results.json")
    merged = certify("report", "merge", "a/results.json", "b/results.json", "--report-dir", "m", cwd=tmp_path)
    assert merged.returncode in (0, 1), merged.stdout + merged.stderr
    assert set(allure(tmp_path / "m")) == set(written)


def test_report_keeps_the_runs_own_allure_results(tmp_path: Path):
    source = tmp_path / "run"
    sample_results(planted=False).write(source / "results.json")
    own = source / "allure-results" / "from-allure-pytest-result.json"
    own.parent.mkdir()
    own.write_text("{}")
    rendered = certify("report", "--results", str(source / "results.json"), cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    assert [p.name for p in own.parent.iterdir()] == [own.name]
