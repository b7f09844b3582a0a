"""Every benchmark, one command: `python -m benchmarks` (or `make bench`).

Prints each benchmark's table, then the targets of the speed-and-scale issue with the figures
measured on this machine; every result is also written under benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from benchmarks import leak_bench, mutate_bench, replay_bench, report_bench, run_bench
from benchmarks.common import RESULTS_DIR, ROOT, table, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000", help="generated connector counts")
    parser.add_argument("--parallel-size", type=int, default=100)
    parser.add_argument("--shards", type=int, default=4, help="shard jobs simulated on the largest size")
    parser.add_argument("--mutants", type=int, default=5, help="mutants per operator kind (certify mutate)")
    args = parser.parse_args(argv)
    print("== harness overhead per scenario (replay vs bare transforms)")
    replay_bench.main()
    print("\n== lint")
    # exit 1 says the lint missed its target (the table says so too): the other measurements still run
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lint_bench.py")], check=False)
    print("\n== reports")
    report_bench.main()
    print("\n== leak scanner")
    leak_bench.main()
    print("\n== certify run")
    run_bench.main(
        ["--sizes", args.sizes, "--parallel-size", str(args.parallel_size), "--shards", str(args.shards)]
    )
    print("\n== certify mutate")
    mutate_bench.main(["--mutants", str(args.mutants)])

    def load(name: str) -> dict:
        return json.loads((RESULTS_DIR / f"{name}.json").read_text())

    replay, lint, report, run, mutate = (
        load("replay_overhead"),
        load("lint_bench"),
        load("report"),
        load("certify_run"),
        load("mutate"),
    )
    ratios = sorted(r["ratio"] for r in replay["rows"] if r["ratio"] is not None)
    shipped = next(r["seconds"] for r in run["rows"] if r["case"] == "shipped" and r["workers"] == "1")
    lint_100 = lint_seconds(lint)
    shards = run.get("shards") or {}
    rows = [
        ("all shipped connectors certified", "< 20 s", f"{shipped} s"),
        ("fixed cost of a run (intercept, warm example tapes)", "< 2 s", f"{run['fixed_seconds']} s"),
        (
            f"cost per connector ({args.sizes} generated, warm)",
            "< 0.3 s",
            f"{run['per_connector_seconds']} s, R^2 {run['linear_r2']}",
        ),
        (
            "cost per connector, cold (no example tapes)",
            "measured",
            f"{run['cold_per_connector_seconds']} s + {run['cold_fixed_seconds']} s, "
            f"R^2 {run['cold_linear_r2']}",
        ),
        (f"-n 2 vs serial on {args.parallel_size} generated", ">= 1.6x", f"{run['speedup_n2']}x"),
        (
            f"{shards.get('shards', '?')} shards one after another, then merged",
            "identical to unsharded",
            f"{shards.get('seconds', '?')} s, identical: {shards.get('identical')}",
        ),
        (
            "replay overhead per scenario (median, max)",
            "< 3x, < 6x",
            f"{ratios[len(ratios) // 2]}x, {ratios[-1]}x",
        ),
        ("lint of 100 connectors (s)", "< 2 s", lint_100),
        (
            "report of 100 connectors",
            "< 5 s, < 5 MB",
            f"{report['seconds_all_formats']} s, {report['bytes']['index.html'] / 1e6:.2f} MB",
        ),
        (
            f"certify mutate {mutate['connector']}: mutants/s/core (table, AST)",
            "measured",
            ", ".join(str(r["mutants_per_second_per_core"]) for r in mutate["rows"]),
        ),
    ]
    print("\n== targets")
    print(table(rows, ("measure", "target", "measured")))
    write(
        "summary", {"targets": [dict(zip(("measure", "target", "measured"), r, strict=True)) for r in rows]}
    )
    return 0


def lint_seconds(lint: dict) -> str:
    """The 100 generated connectors, in process and as a cold `certify lint` command."""
    found = {}
    for row in lint.get("rows", []):
        case = str(row.get("case", ""))
        if case.startswith("100 generated"):
            found["CLI" if "CLI" in case else "in process"] = round(row["median_s"], 2)
    return ", ".join(f"{v} {k}" for k, v in found.items())


if __name__ == "__main__":
    sys.exit(main())
