"""A real certification of the shipped Stripe connector, run once for the report tests.

The run uses a canary API key (replay reads STRIPE_API_KEY when it is set): the key is masked
in results.json, and no report format may show it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CANARY = "sk_test_canary_7f3a9c_DO_NOT_LEAK"
CARD = "4242424242424242"  # the success card in connectors/stripe/certification.toml


@pytest.fixture(scope="session")
def stripe_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report dir of `certify run stripe`, with the canary key in the environment."""
    root = Path(__file__).resolve().parents[2]
    report_dir = tmp_path_factory.mktemp("stripe-run") / "reports"
    command = [str(Path(sys.executable).parent / "certify"), "run", "stripe", "--report-dir", str(report_dir)]
    env = {**os.environ, "STRIPE_API_KEY": CANARY, "CI": "true"}
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (report_dir.parent / "stdout.txt").write_text(result.stdout, encoding="utf-8")
    return report_dir
