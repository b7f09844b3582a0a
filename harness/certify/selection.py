"""Which connectors a run certifies: shards for CI fan-out, and pull-request mode.

`shard(names, "2/4")` splits the sorted connector list round-robin, so every shard gets a
similar share and the union of all shards is the whole list. `changed_since(ref)` selects
the connectors whose own files changed since `ref`, and every connector when the harness,
the config or the project's dependencies changed; each selection says why.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from harness.domain.errors import HarnessError

SHARD = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")
# Files whose change can alter every connector's verdict.
GLOBAL_PATTERNS = (
    re.compile(r"^harness/"),
    re.compile(r"^config/"),
    re.compile(r"^pyproject\.toml$"),
    re.compile(r"^requirements[^/]*\.txt$"),
    re.compile(r"^(constraints|setup)\.(txt|cfg|py)$"),
    re.compile(r"^connectors/__init__\.py$"),
)


class SelectionError(HarnessError):
    """A bad --shard or --changed-since value."""


def parse_shard(text: str) -> tuple[int, int]:
    match = SHARD.match(text.strip())
    if not match:
        raise SelectionError(f"--shard takes I/N with 1 <= I <= N, not {text!r}")
    index, total = int(match.group(1)), int(match.group(2))
    if index > total:
        raise SelectionError(f"--shard {text}: the shard number is above the shard count")
    return index, total


def shard(names: Iterable[str], spec: str) -> list[str]:
    index, total = parse_shard(spec)
    ordered = sorted(names)
    return [name for position, name in enumerate(ordered) if position % total == index - 1]


def changed_files(ref: str, root: Path) -> list[str]:
    """Files changed between `ref` and the working tree, plus untracked ones."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SelectionError(f"git is not usable here ({type(error).__name__})", path=str(root)) from None
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise SelectionError(
                f"git {' '.join(args[:2])} failed: {reason}",
                path=str(root),
                hint="pass a ref this checkout has, e.g. origin/main (fetch it first in CI)",
            )
        return done.stdout

    base = git("merge-base", ref, "HEAD").strip() or ref
    files = set(git("diff", "--name-only", base).splitlines())
    files |= set(git("ls-files", "--others", "--exclude-standard").splitlines())
    # compiled modules are Python's, never the project's content (a project without a .gitignore
    # would otherwise select every connector it has imported once)
    return sorted(f for f in files if f and "__pycache__" not in f.split("/") and not f.endswith(".pyc"))


def select_changed(names: Iterable[str], files: Iterable[str]) -> dict[str, str]:
    """Connector -> why it is selected; empty when nothing relevant changed."""
    names = sorted(names)
    files = sorted(files)
    for path in files:
        if any(pattern.search(path) for pattern in GLOBAL_PATTERNS):
            return {name: f"{path} changed (affects every connector)" for name in names}
    reasons: dict[str, str] = {}
    for name in names:
        own = (
            f"connectors/{name}/",
            f"cassettes/{name}/",
            f"specs/{name}.yaml",
            f"specs/{name}.yml",
            f"specs/{name}.facts.toml",
        )
        hit = next((path for path in files if path.startswith(own) or path in own), None)
        if hit is not None:
            reasons[name] = f"{hit} changed"
    return reasons
