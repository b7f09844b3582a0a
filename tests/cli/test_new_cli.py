"""`certify new`: a scaffold that `certify list` shows and `certify run` fails with not-implemented
messages, in a temporary copy of the project; bad names are refused and leave the project as it was."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")
RUFF = str(Path(sys.executable).parent / "ruff")
FLOWS = ("Authorize", "Capture", "Void", "Refund", "PSync", "RSync")


def certify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in __import__("os").environ.items() if k != "CERTIFY_EXTRA_CONNECTORS"}
    return subprocess.run([CERTIFY, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project root: connectors/, config/, specs/, cassettes/."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("connectors", "config", "specs", "cassettes"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_scaffold_list_and_run(project: Path):
    created = certify("new", "acme", cwd=project)
    assert created.returncode == 0, created.stderr
    for path in (
        "connectors/acme/__init__.py",
        "connectors/acme/connector.py",
        "connectors/acme/transformers.py",
        "connectors/acme/certification.toml",
        "specs/acme.yaml",
        "cassettes/acme/.gitkeep",
    ):
        assert (project / path).is_file(), path
        assert f"created  {path}" in created.stdout
    # no registry file to edit: the folder is the registration
    assert "acme" not in (project / "connectors/__init__.py").read_text(encoding="utf-8")
    urls = {}
    for env in ("development", "sandbox", "production"):
        data = tomllib.loads((project / "config" / f"{env}.toml").read_text(encoding="utf-8"))
        urls[env] = data["connectors"]["acme"]["base_url"]
        assert data["connectors"]["stripe"]["base_url"] == "https://api.stripe.com/"  # untouched
    assert urls["production"] != urls["sandbox"] and all(u.endswith(".invalid/") for u in urls.values())

    listed = certify("list", "--format", "json", cwd=project)
    assert listed.returncode == 0, listed.stderr
    acme = next(row for row in json.loads(listed.stdout) if row["connector"] == "acme")
    # every scaffolded flow raises NotImplementedFlowError: listed, but not implemented
    assert [f for f, state in acme["flows"].items() if state == "no"] == list(FLOWS)
    assert acme["flows"]["CreateAccessToken"] == "not supported"
    assert list(acme["endpoints"]) == list(FLOWS)

    run = certify("run", "acme", "--report-dir", "reports", cwd=project)
    assert run.returncode == 1, run.stdout + run.stderr
    results = json.loads((project / "reports/results.json").read_text(encoding="utf-8"))
    (connector,) = results["connectors"]
    assert connector["name"] == "acme" and connector["verdict"] == "not_certified"
    failing = {c["id"]: c["message"] for c in connector["checks"] if c["status"] == "failed"}
    assert not [c for c in connector["checks"] if c["status"] == "error"]
    for flow in FLOWS:
        assert any(
            f"{flow} is not implemented yet: write" in message
            and "connectors/acme/transformers.py" in message
            for message in failing.values()
        ), flow
    assert "property:money:Authorize" in failing
    assert (project / "reports/index.html").is_file()
    assert "report: reports/index.html" in run.stdout


def test_the_scaffold_passes_the_projects_lint():
    from harness.cli.new import _templates

    context = {"name": "acme_pay", "display": "Acme Pay", "class_name": "AcmePay", "env_prefix": "ACME_PAY",
               "const_prefix": "ACME_PAY"}  # fmt: skip
    for template, path in (("connector.py.j2", "connector.py"), ("transformers.py.j2", "transformers.py")):
        source = _templates().get_template(template).render(context)
        for command in (["check"], ["format", "--check"]):
            result = subprocess.run(
                # a path in an existing package: ruff then sorts imports as for a real connector
                [RUFF, *command, "--stdin-filename", f"connectors/stripe/scaffold_{path}", "-"],
                input=source,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, (template, command, result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Acme", "is not a valid connector name"),
        ("acme-pay", "is not a valid connector name"),
        ("1acme", "is not a valid connector name"),
        ("class", "is not a valid connector name"),
        ("os", "would shadow the standard library module `os`"),
        ("json", "would shadow the standard library module `json`"),
        ("yaml", "would shadow the installed module `yaml`"),
        ("harness", "would shadow the installed module `harness`"),
        ("a" * 300, "connector name of 300 characters: use at most 40"),
        ("stripe", "connector 'stripe' already exists"),
    ],
)
def test_bad_names_are_refused_with_one_line(project: Path, name: str, message: str):
    before = snapshot(project)
    result = certify("new", name, cwd=project)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: ") and message in lines[0], lines
    assert snapshot(project) == before


def test_a_second_scaffold_of_the_same_name_is_refused(project: Path):
    assert certify("new", "acme", cwd=project).returncode == 0
    before = snapshot(project)
    again = certify("new", "acme", cwd=project)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert snapshot(project) == before


def test_a_leftover_folder_is_refused(project: Path):
    (project / "specs" / "acme.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    before = snapshot(project)
    result = certify("new", "acme", cwd=project)
    assert result.returncode == 2 and "specs/acme.yaml already exists" in result.stderr
    assert snapshot(project) == before


def test_outside_a_project(tmp_path: Path):
    result = certify("new", "acme", cwd=tmp_path)
    assert result.returncode == 2 and "run `certify new` from the project root" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["os", "json"])
def test_a_refused_shadowing_name_leaves_list_working(project: Path, name: str):
    assert certify("new", name, cwd=project).returncode == 2
    listed = certify("list", "--format", "json", cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert "stripe" in {row["connector"] for row in json.loads(listed.stdout)}
