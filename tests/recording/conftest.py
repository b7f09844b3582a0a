"""Fixtures for the recording tests: a temporary copy of the project root, canary secrets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Canary secrets: distinctive values that must never show up in anything written.
CANARY_KEY = "sk_test_CANARYk3yR3c0rd1ngN0tAS3cr3t0000"
CANARY_CARD = "4000123456789017"  # Luhn-valid, in no published test-card list
CANARY_CVC = "9173"
CANARY_HOLDER = "Canary Holderton"
CANARIES = (CANARY_KEY, "CANARYk3y", CANARY_CARD, CANARY_HOLDER, CANARY_HOLDER.replace(" ", "+"))


def copy_project(target: Path) -> Path:
    """The parts of the project a run reads (connectors, cassettes, specs, config), copied."""
    target.mkdir(parents=True, exist_ok=True)
    for part in ("connectors", "cassettes", "specs", "config"):
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def use_canary_card(root: Path, name: str = "stripe") -> None:
    """Point the success card profile of the copy's connector (stripe's data) at the canary card data."""
    path = root / "connectors" / name / "certification.toml"
    text = path.read_text()
    section = re.search(r"\[cards\.success\]\n(?:(?!\[)[^\n]*\n)*", text)
    assert section is not None
    block = (
        "[cards.success]\n"
        f'number = "{CANARY_CARD}"\nexp_month = "12"\nexp_year = "2034"\n'
        f'cvc = "{CANARY_CVC}"\nholder_name = "{CANARY_HOLDER}"\n\n'
    )
    path.write_text(text[: section.start()] + block + text[section.end() :])


def canary_hits(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary in text]


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def canary_env() -> dict[str, str]:
    env = dict(os.environ)
    env["STRIPE_API_KEY"] = CANARY_KEY
    return env


@pytest.fixture
def certify(certify_exe: list[str]) -> Iterator[object]:
    def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300):
        return subprocess.run(
            [*certify_exe, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env
        )

    yield run
