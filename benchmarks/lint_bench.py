"""Benchmark of the checklist lint: `connectors/` as shipped, and 100 generated connectors.

    .venv/bin/python benchmarks/lint_bench.py [--copies 100] [--repeat 5]

The generated connectors are copies of a shipped connector's sources (imports renamed, so each
copy is its own package) with a config folder naming all of them. Prints a table and writes
benchmarks/results/lint_bench.json (git-ignored). Target: the 100 in under 2 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.lint.engine import lint_paths  # noqa: E402

TARGET_SECONDS = 2.0


def generate(into: Path, copies: int, template: str = "stripe") -> tuple[Path, Path, int]:
    """`copies` connector packages under into/connectors, and a config folder naming them all."""
    source = ROOT / "connectors" / template
    connectors = into / "connectors"
    connectors.mkdir(parents=True)
    (connectors / "__init__.py").write_text("")
    lines = 0
    for i in range(copies):
        name = f"{template}{i:03d}"
        package = connectors / name
        package.mkdir()
        for file in sorted(source.glob("*.py")):
            text = file.read_text().replace(f"connectors.{template}", f"connectors.{name}")
            (package / file.name).write_text(text)
            lines += text.count("\n")
    config = into / "config"
    config.mkdir()
    for env, host in (("development", "sandbox"), ("sandbox", "sandbox"), ("production", "live")):
        entries = "\n".join(
            f'{template}{i:03d}.base_url = "https://{host}.{template}{i:03d}.example/"' for i in range(copies)
        )
        (config / f"{env}.toml").write_text(f"[connectors]\n{entries}\n")
    return connectors, config, lines


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def cli_seconds(args: list[str], cwd: Path) -> tuple[float, int]:
    certify = Path(sys.executable).parent / "certify"
    command = [str(certify)] if certify.exists() else [sys.executable, "-m", "harness.cli"]
    started = time.perf_counter()
    done = subprocess.run([*command, "lint", *args], cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode


def row(
    case: str, seconds: list[float], run: object, files: int, lines: int, **extra: object
) -> dict[str, object]:
    return {
        "case": case,
        "connectors": len(run.connectors),  # type: ignore[attr-defined]
        "files": files,
        "lines": lines,
        "findings": len(run.findings),  # type: ignore[attr-defined]
        "min_s": min(seconds),
        "median_s": statistics.median(seconds),
        **extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    os.chdir(ROOT)
    shipped = sorted((ROOT / "connectors").rglob("*.py"))
    shipped_lines = sum(f.read_text().count("\n") for f in shipped)
    times, run = timed(lambda: lint_paths([Path("connectors"), Path("config")]), options.repeat)
    rows = [row("connectors/ + config/ (in process)", times, run, len(shipped), shipped_lines)]
    seconds, code = cli_seconds([], ROOT)
    rows.append(
        row("certify lint (CLI, cold process)", [seconds], run, len(shipped), shipped_lines, exit=code)
    )

    with tempfile.TemporaryDirectory(prefix="lint-bench-") as tmp:
        connectors, config, lines = generate(Path(tmp), options.copies)
        files = len(list(connectors.rglob("*.py")))
        times, run = timed(
            lambda: lint_paths([connectors], config_dir=config, root=Path(tmp)), options.repeat
        )
        name = f"{options.copies} generated connectors"
        rows.append(row(f"{name} (in process)", times, run, files, lines))
        seconds, code = cli_seconds([str(connectors), "--config-dir", str(config)], Path(tmp))
        rows.append(row(f"{name} (CLI, cold process)", [seconds], run, files, lines, exit=code))
        shutil.rmtree(connectors, ignore_errors=True)

    width = max(len(str(r["case"])) for r in rows)
    print(f"{'case':{width}}  connectors  files   lines  findings   min s  median s")
    for r in rows:
        print(
            f"{r['case']:{width}}  {r['connectors']:10}  {r['files']:5}  {r['lines']:6}  {r['findings']:8}  "
            f"{r['min_s']:6.3f}  {r['median_s']:8.3f}"
        )
    generated = rows[2]["median_s"]
    verdict = "meets" if isinstance(generated, float) and generated < TARGET_SECONDS else "misses"
    target = f"{options.copies} connectors under {TARGET_SECONDS:.0f} s"
    print(f"target: {target} -> {verdict} ({generated:.3f} s median)")
    out = ROOT / "benchmarks" / "results" / "lint_bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    out.write_text(
        json.dumps({"machine": machine, "target_s": TARGET_SECONDS, "rows": rows}, indent=2) + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    sys.exit(main())
