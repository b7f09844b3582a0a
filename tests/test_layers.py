"""The layer contract (pyproject.toml's [tool.importlinter]) holds, and breaks on an upward import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from harness.lint.interface import HARNESS_ABOVE_INTEGRATION

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}  # the project's packages before the editable install
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(project / "pyproject.toml"), "--no-cache"],
        cwd=project, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def test_the_layers_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("harness", "connectors"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, statement: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{statement}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        ("harness/domain/money.py", "import harness.cli.run", "Harness layers"),
        ("harness/execution/executor.py", "import harness.report.views", "Harness layers"),
        ("connectors/stripe/connector.py", "import harness.execution.executor", "Connectors import only"),
        ("harness/certify/catalog.py", "import connectors.stripe", "The harness never imports a connector"),
        ("harness/execution/tokens.py", "import harness.execution.executor", "No import cycles"),
    ],
)
def test_an_import_against_the_contract_breaks_it(copy, module, statement, contract):
    add_import(copy / module, statement)
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    # (an upward import in the domain also reaches connectors through it: two contracts break)
    assert any(line.startswith(contract) for line in broken), result.stdout


def test_the_lint_rule_v2i001_forbids_what_the_contract_forbids():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (connectors,) = [c for c in contracts if c.get("source_modules") == ["connectors"]]
    assert set(connectors["forbidden_modules"]) == HARNESS_ABOVE_INTEGRATION
