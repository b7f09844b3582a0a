"""`certify run`: the shipped connectors (ci profile), and 10, 50, 100 generated connectors,
serial and with `-n 2`, to show how the cost grows."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, generated_root, run_certify, table, write
from harness.integration import registry

TARGET_SHIPPED_SECONDS = 20.0
TARGET_SPEEDUP = 1.6


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


def measure(sizes: list[int], parallel_size: int) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = len(registry.names())
        for workers in (None, "2"):
            args = ["--report-dir", f"{tmp}/shipped{workers or ''}"] + (["-n", workers] if workers else [])
            seconds, code, output = run_certify(ROOT, args)
            if code != 0:
                raise SystemExit(f"certify run failed ({code}):\n{output}")
            rows.append(
                {
                    "case": "shipped",
                    "connectors": shipped,
                    "workers": workers or "1",
                    "seconds": round(seconds, 2),
                }
            )
        for size in sorted(set([*sizes, parallel_size])):
            root, extra = generated_root(Path(tmp) / f"gen{size}", size)
            for workers in (None, "2") if size == parallel_size else (None,):
                args = ["--report-dir", str(root / f"reports{workers or ''}"), *extra]
                args += ["-n", workers] if workers else []
                seconds, code, output = run_certify(root, args, extra)
                if code != 0:
                    raise SystemExit(
                        f"certify run over {size} generated connectors failed ({code}):\n{output}"
                    )
                rows.append(
                    {
                        "case": "generated",
                        "connectors": size,
                        "workers": workers or "1",
                        "seconds": round(seconds, 2),
                    }
                )
    serial = [
        (r["connectors"], r["seconds"]) for r in rows if r["case"] == "generated" and r["workers"] == "1"
    ]
    slope, intercept, r2 = linear_fit(serial)  # type: ignore[arg-type]
    big_serial = next(
        r["seconds"]
        for r in rows
        if r["case"] == "generated" and r["connectors"] == parallel_size and r["workers"] == "1"
    )
    big_parallel = next(
        r["seconds"]
        for r in rows
        if r["case"] == "generated" and r["connectors"] == parallel_size and r["workers"] == "2"
    )
    return {
        "rows": rows,
        "per_connector_seconds": round(slope, 3),
        "fixed_seconds": round(intercept, 2),
        "linear_r2": round(r2, 4),
        "speedup_n2": round(big_serial / big_parallel, 2),  # type: ignore[operator]
        "targets": {"shipped_seconds": TARGET_SHIPPED_SECONDS, "speedup_n2": TARGET_SPEEDUP},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,100", help="generated connector counts (serial runs)")
    parser.add_argument("--parallel-size", type=int, default=100, help="the count also run with -n 2")
    args = parser.parse_args(argv)
    data = measure([int(s) for s in args.sizes.split(",")], args.parallel_size)
    rows = data["rows"]
    assert isinstance(rows, list)
    print(
        table(
            [(r["case"], str(r["connectors"]), r["workers"], f"{r['seconds']} s") for r in rows],
            ("case", "connectors", "workers", "wall time"),
        )
    )
    print(
        f"cost: {data['per_connector_seconds']} s per connector + {data['fixed_seconds']} s fixed "
        f"(R^2 {data['linear_r2']}); -n 2 speed-up on {args.parallel_size}: {data['speedup_n2']}x"
    )
    print(f"results: {write('certify_run', data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
