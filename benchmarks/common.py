"""Shared helpers: generated projects, timing, result files and tables."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
# generated connectors rotate through the five shipped shapes (currency tables, converters, status
# tables, specs, facts, cassettes): gen_0001 is Stripe's data served by the Stripe class, and so on
SHAPES = (
    ("stripe", "connectors.stripe.connector:Stripe"),
    ("adyen", "connectors.adyen.connector:Adyen"),
    ("checkout", "connectors.checkout.connector:Checkout"),
    ("paypal", "connectors.paypal.connector:Paypal"),
    ("authorizedotnet", "connectors.authorizedotnet.connector:Authorizedotnet"),
)


def generated_root(target: Path, count: int) -> tuple[Path, dict[str, str]]:
    """A project root with `count` generated connectors (gen_0001...) and the registry entries for them."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "config", target / "config")
    (target / "specs").mkdir(parents=True)
    extra: dict[str, str] = {}
    for index in range(1, count + 1):
        name = f"gen_{index:04d}"
        shape, cls = SHAPES[(index - 1) % len(SHAPES)]
        shutil.copytree(
            ROOT / "connectors" / shape,
            target / "connectors" / name,
            ignore=shutil.ignore_patterns("*.py", "__pycache__"),
        )
        shutil.copytree(ROOT / "cassettes" / shape, target / "cassettes" / name)
        for suffix in (".yaml", ".facts.toml"):
            shutil.copy(ROOT / "specs" / f"{shape}{suffix}", target / "specs" / f"{name}{suffix}")
        extra[name] = cls
    return target, extra


def certify_command() -> list[str]:
    script = Path(sys.executable).parent / "certify"
    return [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]


def run_certify(
    root: Path, args: list[str], extra: dict[str, str] | None = None, cache: Path | str | None = None
) -> tuple[float, int, str]:
    """Time one `certify run`; `cache` is its CERTIFY_CACHE_DIR (property example tapes), default the
    environment's."""
    env = dict(os.environ)
    if cache is not None:
        env["CERTIFY_CACHE_DIR"] = str(cache)
    if extra:
        env["CERTIFY_EXTRA_CONNECTORS"] = ";".join(f"{k}={v}" for k, v in extra.items())
    started = time.perf_counter()
    done = subprocess.run(
        [*certify_command(), "run", *args], cwd=root, env=env, capture_output=True, text=True
    )
    return time.perf_counter() - started, done.returncode, done.stdout + done.stderr


def best_of(fn: Callable[[], Any], repeat: int = 5, number: int = 1) -> float:
    """The best mean time in seconds of `number` calls, over `repeat` rounds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - started) / number)
    return best


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def write(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    return path


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*header), line.format(*("-" * w for w in widths))]
    out.extend(line.format(*(str(c) for c in row)) for row in rows)
    return "\n".join(out)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
