"""`certify run` options through the console script: an empty selection, the seed under each profile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")


def certify(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CERTIFY, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_an_empty_selection_says_nothing_was_selected(tmp_path: Path):
    report_dir = tmp_path / "reports"
    result = certify("run", "stripe", "--shard", "2/2", "--report-dir", str(report_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to certify" in result.stdout
    summary = (report_dir / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## Connector certification: nothing selected")
    assert "❌" not in summary and "0 of 0" not in summary and "| connector |" not in summary


def test_a_seed_under_the_ci_profile_is_said_to_have_no_effect(tmp_path: Path):
    report_dir = tmp_path / "reports"
    # an empty shard: the options are checked, no suite runs
    result = certify("run", "stripe", "--seed", "7", "--shard", "2/2", "--report-dir", str(report_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "--seed 7 has no effect under --profile ci" in line and "--profile dev" in line
    assert json.loads((report_dir / "results.json").read_text(encoding="utf-8"))["run"]["seed"] is None
    dev = certify(
        "run", "stripe", "--seed", "7", "--profile", "dev", "--shard", "2/2", "--report-dir", str(report_dir)
    )
    assert dev.returncode == 0 and dev.stderr == "", dev.stderr
    assert json.loads((report_dir / "results.json").read_text(encoding="utf-8"))["run"]["seed"] == 7


def test_a_click_error_is_one_sentence_with_its_pointer():
    result = certify("probe")
    assert result.returncode == 2
    assert result.stderr.strip() == "certify: Missing argument 'name' (see `certify probe --help`)"
