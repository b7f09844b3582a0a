"""`-n 2`, `--shard` with `report merge`, and `--changed-since` give the results of a plain run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = {"generated_at", "duration_ms", "elapsed_ms", "shard", "selection"}
# three of the five: the same results whatever the split is what is tested, and each extra
# connector costs every run below its whole certification
NAMES = ("stripe", "checkout", "authorizedotnet")


def normalized(path: Path) -> Any:
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in VOLATILE}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(json.loads(path.read_text()))


def certify(
    exe, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*exe, *args], cwd=cwd, capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    from tests.conftest import certify_command

    out = tmp_path_factory.mktemp("serial")
    done = certify(certify_command(), "run", *NAMES, "--report-dir", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "results.json"


@pytest.mark.slow
def test_parallel_run_gives_identical_results(certify_exe, serial, tmp_path):
    """Same results, and each connector's checks on one worker (its session built once)."""
    log = tmp_path / "workers.log"
    env = {**os.environ, "CERTIFY_WORKER_LOG": str(log), "PYTHONPATH": str(ROOT)}
    env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " -p tests.certify.worker_log").strip()
    done = certify(certify_exe, "run", *NAMES, "-n", "2", "--report-dir", str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert normalized(tmp_path / "out" / "results.json") == normalized(serial)
    workers: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        worker, node_id = line.split(" ", 1)
        workers.setdefault(node_id.split("::", 1)[0], set()).add(worker)
    assert len(workers) == len(NAMES) and all(len(ids) == 1 for ids in workers.values()), workers
    assert len(set().union(*workers.values())) == 2  # and both workers used


@pytest.mark.slow
def test_shards_merged_give_identical_results(certify_exe, serial, tmp_path):
    parts = []
    for index in (1, 2):
        out = tmp_path / f"shard{index}"
        done = certify(certify_exe, "run", *NAMES, "--shard", f"{index}/2", "--report-dir", str(out))
        assert done.returncode == 0, done.stdout + done.stderr
        parts.append(str(out / "results.json"))
    names = [c["name"] for p in parts for c in json.loads(Path(p).read_text())["connectors"]]
    assert sorted(names) == sorted(NAMES)  # a partition
    done = certify(certify_exe, "report", "merge", *parts, "--report-dir", str(tmp_path / "merged"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert normalized(tmp_path / "merged" / "results.json") == normalized(serial)
    assert (tmp_path / "merged" / "index.html").is_file()


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root, check=True, capture_output=True
    )


@pytest.mark.slow
def test_changed_since_selects_what_changed_and_says_why(certify_exe, tmp_path):
    root = tmp_path / "project"
    for part in ("config", "specs", "cassettes", "connectors"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    cassette = root / "cassettes" / "paypal" / "rsync.yaml"
    cassette.write_text(cassette.read_text() + "\n")
    done = certify(
        certify_exe, "run", "--changed-since", "main", "--report-dir", str(tmp_path / "r1"), cwd=root
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "paypal: cassettes/paypal/rsync.yaml changed" in done.stdout
    assert "stripe: not selected: nothing of it changed" in done.stdout
    results = json.loads((tmp_path / "r1" / "results.json").read_text())
    assert [c["name"] for c in results["connectors"]] == ["paypal"]
    assert results["run"]["selection"] == {"paypal": "cassettes/paypal/rsync.yaml changed"}
    git(root, "checkout", "-q", "--", ".")
    (root / "config" / "sandbox.toml").write_text((root / "config" / "sandbox.toml").read_text() + "\n")
    done = certify(
        certify_exe,
        "run",
        "--changed-since",
        "main",
        "--shard",
        "1/5",
        "--report-dir",
        str(tmp_path / "r2"),
        cwd=root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stripe: config/sandbox.toml changed (affects every connector)" in done.stdout
    git(root, "checkout", "-q", "--", ".")
    done = certify(
        certify_exe, "run", "--changed-since", "main", "--report-dir", str(tmp_path / "r3"), cwd=root
    )
    assert done.returncode == 0 and "nothing to certify" in done.stdout
    summary = (tmp_path / "r3" / "summary.md").read_text(encoding="utf-8")
    assert "nothing selected" in summary and "❌" not in summary
    bad = certify(certify_exe, "run", "--changed-since", "no-such-ref", cwd=root)
    assert bad.returncode == 2 and "no-such-ref" in bad.stderr
