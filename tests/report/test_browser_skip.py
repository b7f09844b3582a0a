"""Without Chromium the browser test is skipped visibly, naming how to install it (never silently)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_browser_test_names_how_to_install_chromium(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # in CI a missing Chromium fails instead
    env["CERTIFY_CHROMIUM"] = str(tmp_path / "no-chromium-here")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/report/test_browser.py", "-p", "no:cacheprovider", "-n", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # the project's addopts (-ra) print the reason in the short test summary
    summary = result.stdout.split("short test summary info", 1)[-1]
    assert "SKIPPED" in summary and "no-chromium-here" in summary, result.stdout
    assert "sudo apt-get install chromium" in summary, result.stdout
