import subprocess
from pathlib import Path

import pytest

from harness.certify.selection import SelectionError, changed_files, select_changed, shard

NAMES = ["adyen", "authorizedotnet", "checkout", "paypal", "stripe"]


def test_shards_partition_the_connectors():
    parts = [shard(NAMES, f"{i}/3") for i in (1, 2, 3)]
    assert sorted(name for part in parts for name in part) == NAMES
    assert all(parts) and max(map(len, parts)) - min(map(len, parts)) <= 1
    assert shard(NAMES, "1/1") == NAMES


@pytest.mark.parametrize("bad", ["0/3", "4/3", "a/b", "1", "1/0", ""])
def test_bad_shards_are_refused(bad):
    with pytest.raises(SelectionError, match="--shard"):
        shard(NAMES, bad)


def test_own_files_select_only_their_connector_with_a_reason():
    reasons = select_changed(
        NAMES, ["cassettes/paypal/rsync.yaml", "specs/adyen.yaml", "specs/stripe.facts.toml", "README.md"]
    )
    assert reasons == {
        "adyen": "specs/adyen.yaml changed",
        "paypal": "cassettes/paypal/rsync.yaml changed",
        "stripe": "specs/stripe.facts.toml changed",
    }
    assert select_changed(NAMES, ["README.md", "tests/x.py"]) == {}


@pytest.mark.parametrize(
    "path",
    ["harness/certify/runner.py", "config/production.toml", "pyproject.toml", "connectors/__init__.py"],
)
def test_shared_files_select_every_connector(path):
    reasons = select_changed(NAMES, [path])
    assert set(reasons) == set(NAMES)
    assert all(path in reason for reason in reasons.values())


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_changed_files_from_git(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "base")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "stripe.yaml").write_text("x")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=t", "commit", "-q", "-m", "spec")
    (tmp_path / "new.txt").write_text("untracked")
    compiled = tmp_path / "connectors" / "stripe" / "__pycache__"  # Python's, with no .gitignore
    compiled.mkdir(parents=True)
    (compiled / "connector.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "connectors" / "stripe" / "stale.pyc").write_bytes(b"\0")
    assert changed_files("HEAD~1", tmp_path) == ["new.txt", "specs/stripe.yaml"]
    with pytest.raises(SelectionError, match="failed"):
        changed_files("no-such-ref", tmp_path)
