"""Wheels installed with pip certify from a folder outside the repository.

The harness's own wheel (its five connectors with their cassettes, specs, facts and base URLs
inside it) and a connector package's wheel that declares a `certify.connectors` entry point are
built offline and installed into a fresh venv; the dev venv lends only the dependencies (its
folder is on the path, but not its editable install of this checkout).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.plugins.acme_package import NAME, PACKAGE, ROOT, write_acme_package

pytestmark = pytest.mark.slow

PROJECT_FILES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "harness",
    "connectors",
    "cassettes",
    "specs",
    "config",
)


def run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CERTIFY_EXTRA_CONNECTORS", "PYTHONPATH")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def build_wheel(source: Path, wheels: Path) -> None:
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(wheels), str(source)],
        cwd=source,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the two wheels; the dev venv's site-packages only for the dependencies."""
    base = tmp_path_factory.mktemp("wheels")
    project = base / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            project.mkdir(exist_ok=True)
            shutil.copyfile(source, project / name)
    wheels = base / "dist"
    build_wheel(project, wheels)
    build_wheel(write_acme_package(base / "acme"), wheels)
    env_dir = base / "venv"
    created = run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], cwd=base)
    assert created.returncode == 0, created.stderr
    python = env_dir / "bin" / "python"
    installed = run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
         *map(str, sorted(wheels.glob("*.whl")))],
        cwd=base,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base
        ).stdout.strip()
    )
    # a plain path line: the dev venv's .pth files (its editable install of this checkout) stay unread
    (site / "dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env_dir


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elsewhere")  # no connectors/, no config/: nothing of the checkout


def certify(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([str(venv / "bin" / "certify"), *args], cwd=cwd)


def test_the_installed_harness_and_plugin_come_from_the_venv(venv, elsewhere):
    code = f"import harness as h, connectors as c, {PACKAGE} as p; print(h.__file__, c.__file__, p.__file__)"
    where = run([str(venv / "bin" / "python"), "-c", code], cwd=elsewhere)
    assert where.returncode == 0, where.stderr
    assert all(str(venv) in path for path in where.stdout.split()), where.stdout


def test_list_shows_the_shipped_connectors_and_the_plugin(venv, elsewhere):
    listed = certify(venv, "list", "--format", "json", cwd=elsewhere)
    assert listed.returncode == 0, listed.stderr
    names = {row["connector"] for row in json.loads(listed.stdout)}
    assert names == {"stripe", "adyen", "checkout", "paypal", "authorizedotnet", NAME}


def test_run_certifies_installed_connectors_from_their_packages(venv, elsewhere):
    result = certify(venv, "run", NAME, "stripe", "--report-dir", "reports", cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "certify: 2 connector(s), " in result.stdout  # the progress counts each by its name
    results = json.loads((elsewhere / "reports" / "results.json").read_text(encoding="utf-8"))
    verdicts = {c["name"]: c["verdict"] for c in results["connectors"]}
    assert verdicts == {NAME: "certified", "stripe": "certified"}
    for connector in results["connectors"]:
        families = {check["family"] for check in connector["checks"]}
        # scenarios replayed from the package's cassettes, contracts from its spec, the config lint
        assert {"scenario", "contract", "property", "lint"} <= families, families
        assert any(c["id"].startswith("scenario:") and c["status"] == "passed" for c in connector["checks"])
    assert results["run"]["harness_version"] == "0.1.0"  # pyproject.toml's, read from the metadata


def test_probe_reads_the_base_url_inside_the_package(venv, elsewhere):
    probed = certify(venv, "probe", "stripe", "Authorize", cwd=elsewhere)
    assert probed.returncode == 0, probed.stderr
    assert json.loads(probed.stdout)["url"].startswith("https://api.stripe.com/")


def test_record_refuses_a_connector_installed_in_site_packages(venv, elsewhere):
    refused = certify(venv, "record", NAME, cwd=elsewhere)
    assert refused.returncode == 2
    assert "installed in site-packages" in refused.stderr and "acme-pay-connector" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_new_refuses_the_name_of_an_installed_connector(venv, tmp_path):
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / "__init__.py").write_text("")
    refused = certify(venv, "new", NAME, cwd=tmp_path)
    assert refused.returncode == 2
    assert "already exists (entry point of acme-pay-connector)" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "connectors").iterdir()) == ["__init__.py"]


def test_author_refuses_a_connector_installed_in_site_packages(venv, elsewhere):
    refused = certify(venv, "author", NAME, cwd=elsewhere)
    assert refused.returncode == 2
    assert "installed in site-packages" in refused.stderr and "certify author" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
