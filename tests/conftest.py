"""Shared fixtures for the harness's own tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

# every certify run of the tests (in process, in subprocesses, on every xdist worker) shares one
# folder of property example tapes: keyed by content, so sharing cannot change a result
os.environ.setdefault("CERTIFY_CACHE_DIR", str(ROOT / ".certify-cache"))

settings.register_profile("dev", max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.too_slow], deadline=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow first (in their order): spread over the xdist workers from the start, instead
    of one of them ending the run alone while the other worker waits."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def root() -> Path:
    return ROOT


def certify_command() -> list[str]:
    script = Path(sys.executable).parent / "certify"
    return [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]


@pytest.fixture
def certify_exe() -> list[str]:
    """The real console script installed next to this interpreter."""
    return certify_command()
