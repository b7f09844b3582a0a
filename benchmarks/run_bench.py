"""`certify run`: the shipped connectors (ci profile), and 10, 50, 100 generated connectors,
serial and with `-n 2`, to show how the cost grows."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, certify_command, generated_root, median, run_certify, table, write
from harness.integration import registry

TARGET_SHIPPED_SECONDS = 20.0
TARGET_SPEEDUP = 1.6
TARGET_PER_CONNECTOR = 0.3  # seconds per connector on 2 cores (the speed issue's target)
SPEEDUP_ROUNDS = 3  # alternated serial / -n 2 pairs behind the speed-up


def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float, float]:
    """Slope (s per connector), intercept (s), and R^2 of a least-squares line."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    ss_tot = sum((y - mean_y) ** 2 for _, y in points)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
    return slope, intercept, 1 - ss_res / ss_tot if ss_tot else 1.0


def _outcomes(results: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """Every check's status and message, per connector (what a shard merge must reproduce)."""
    data = json.loads(results.read_text())
    return {
        (c["name"], check["id"]): (check["status"], check["message"])
        for c in data["connectors"]
        for check in c["checks"]
    }


def _generated_run(root: Path, extra: dict[str, str], name: str, args: list[str], cache: Path) -> float:
    names = sorted(extra)  # the generated ones only (the shipped entry points have no data here)
    seconds, code, output = run_certify(root, [*names, "--report-dir", str(root / name), *args], extra, cache)
    if code != 0:
        raise SystemExit(f"certify run {' '.join(args)} over generated connectors failed ({code}):\n{output}")
    return seconds


def shard_simulation(root: Path, extra: dict[str, str], shards: int, cache: Path) -> dict[str, object]:
    """N shard jobs one after another, then `certify report merge`: the CI matrix on one machine;
    the merged results must equal an unsharded run's, check for check."""
    started = time.perf_counter()
    parts = []
    for index in range(1, shards + 1):
        _generated_run(root, extra, f"shard{index}", ["--shard", f"{index}/{shards}"], cache)
        parts.append(str(root / f"shard{index}" / "results.json"))
    merged = root / "merged"
    done = subprocess.run(
        [*certify_command(), "report", "merge", *parts, "--report-dir", str(merged)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"certify report merge failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    whole = _outcomes(root / "serial-warm" / "results.json")
    identical = _outcomes(merged / "results.json") == whole
    return {"shards": shards, "seconds": round(seconds, 2), "checks": len(whole), "identical": identical}


def measure(sizes: list[int], parallel_size: int, shards: int = 4) -> dict[str, object]:
    """Shipped connectors (serial, -n 2), then each size of generated project cold (a fresh example-tape
    cache) and warm (the same cache again), -n 2 on `parallel_size`, and the shard simulation on the
    largest size."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = len(registry.names())
        cache = Path(tmp) / "shipped-cache"
        for workers in (None, "2"):
            args = ["--report-dir", f"{tmp}/shipped{workers or ''}"] + (["-n", workers] if workers else [])
            seconds, code, output = run_certify(ROOT, args, cache=cache)
            if code != 0:
                raise SystemExit(f"certify run failed ({code}):\n{output}")
            rows.append(
                {
                    "case": "shipped",
                    "connectors": shipped,
                    "workers": workers or "1",
                    "cache": "cold" if workers is None else "warm",
                    "seconds": round(seconds, 2),
                }
            )
        simulated: dict[str, object] = {}
        pairs: list[tuple[float, float]] = []  # (serial, -n 2) seconds on parallel_size, alternated
        largest = max([*sizes, parallel_size])
        for size in sorted(set([*sizes, parallel_size])):
            root, extra = generated_root(Path(tmp) / f"gen{size}", size)
            cache = root / "tape-cache"
            for label in ("cold", "warm"):
                seconds = _generated_run(root, extra, f"serial-{label}", [], cache)
                rows.append(
                    {
                        "case": "generated",
                        "connectors": size,
                        "workers": "1",
                        "cache": label,
                        "seconds": round(seconds, 2),
                    }
                )
            if size == parallel_size:
                # serial and -n 2 alternated, the speed-up the median of the pairs' ratios: the host's
                # speed drifts over minutes, and a slow spell during one run would decide a lone ratio
                for _ in range(SPEEDUP_ROUNDS):
                    serial = _generated_run(root, extra, "serial-again", [], cache)
                    parallel = _generated_run(root, extra, "parallel", ["-n", "2"], cache)
                    pairs.append((round(serial, 2), round(parallel, 2)))
                rows.append(
                    {
                        "case": "generated",
                        "connectors": size,
                        "workers": "2",
                        "cache": "warm",
                        "seconds": median([p for _, p in pairs]),
                    }
                )
            if size == largest and shards > 1:
                simulated = shard_simulation(root, extra, shards, cache)
            shutil.rmtree(root, ignore_errors=True)

    def fit(label: str) -> tuple[float, float, float]:
        return linear_fit(
            [
                (int(r["connectors"]), float(r["seconds"]))  # type: ignore[call-overload, arg-type]
                for r in rows
                if r["case"] == "generated" and r["workers"] == "1" and r["cache"] == label
            ]
        )

    slope, intercept, r2 = fit("warm")
    cold_slope, cold_intercept, cold_r2 = fit("cold")
    return {
        "rows": rows,
        "per_connector_seconds": round(slope, 3),
        "fixed_seconds": round(intercept, 2),
        "linear_r2": round(r2, 4),
        "cold_per_connector_seconds": round(cold_slope, 3),
        "cold_fixed_seconds": round(cold_intercept, 2),
        "cold_linear_r2": round(cold_r2, 4),
        "speedup_n2": round(median([serial / parallel for serial, parallel in pairs]), 2),
        "speedup_pairs": pairs,
        "shards": simulated,
        "targets": {
            "shipped_seconds": TARGET_SHIPPED_SECONDS,
            "speedup_n2": TARGET_SPEEDUP,
            "per_connector_seconds": TARGET_PER_CONNECTOR,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000", help="generated connector counts (serial runs)")
    parser.add_argument("--parallel-size", type=int, default=100, help="the count also run with -n 2")
    parser.add_argument("--shards", type=int, default=4, help="shard jobs simulated on the largest size")
    args = parser.parse_args(argv)
    data = measure([int(s) for s in args.sizes.split(",")], args.parallel_size, args.shards)
    rows = data["rows"]
    assert isinstance(rows, list)
    print(
        table(
            [(r["case"], str(r["connectors"]), r["workers"], r["cache"], f"{r['seconds']} s") for r in rows],
            ("case", "connectors", "workers", "example tapes", "wall time"),
        )
    )
    print(
        f"cost, warm: {data['per_connector_seconds']} s per connector + {data['fixed_seconds']} s fixed "
        f"(R^2 {data['linear_r2']}); cold: {data['cold_per_connector_seconds']} s per connector + "
        f"{data['cold_fixed_seconds']} s (R^2 {data['cold_linear_r2']}); "
        f"-n 2 speed-up on {args.parallel_size}: {data['speedup_n2']}x (the median ratio of "
        f"{SPEEDUP_ROUNDS} alternated serial / -n 2 pairs: {data['speedup_pairs']})"
    )
    if data["shards"]:
        print(f"shard simulation: {data['shards']}")
    print(f"results: {write('certify_run', data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
