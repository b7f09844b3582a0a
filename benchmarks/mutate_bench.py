"""Throughput of `certify mutate`: mutants per second per core, table and AST operators apart.

    python -m benchmarks.mutate_bench [--connector stripe] [--mutants 5]

Table operators edit a table entry (a status class, a currency row); AST operators rewrite code
(conditions, id and amount sources, error fields, headers, converters). Each sample runs with one
worker (one core), without the cache, and the rate is mutants over the children's summed seconds
(each child certifies its mutant up to the first failing check, then judges a survivor's
equivalence); the wall time also holds the baseline certification and the original's observation.
Writes benchmarks/results/mutate.json.
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import ROOT, table, write
from harness.mutate.runner import mutate_connector

KINDS = {
    "table": ("status-table", "currency-row"),
    "ast": ("condition", "id-source", "amount-source", "error-field", "header", "converter"),
}


def measure(connector: str, mutants: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for kind, families in KINDS.items():
        started = time.perf_counter()
        report = mutate_connector(
            connector, root=ROOT, families=families, max_mutants=mutants, workers=1, use_cache=False
        )
        wall = time.perf_counter() - started
        child_seconds = sum(r.seconds for r in report.results)
        rows.append(
            {
                "kind": kind,
                "families": ",".join(families),
                "mutants": report.total,
                "child_seconds": round(child_seconds, 2),
                "mutants_per_second_per_core": round(report.total / child_seconds, 3)
                if child_seconds
                else None,
                "wall_seconds": round(wall, 2),
                "killed": report.killed,
                "equivalent": len(report.equivalents),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connector", default="stripe")
    parser.add_argument("--mutants", type=int, default=5, help="mutants sampled per operator kind")
    args = parser.parse_args(argv)
    rows = measure(args.connector, args.mutants)
    header = ("kind", "mutants", "child s", "mutants/s/core", "wall s", "killed", "equivalent")
    keys = (
        "kind",
        "mutants",
        "child_seconds",
        "mutants_per_second_per_core",
        "wall_seconds",
        "killed",
        "equivalent",
    )
    print(f"certify mutate {args.connector}, one worker")
    print(table([tuple(str(r[k]) for k in keys) for r in rows], header))
    print(f"results: {write('mutate', {'connector': args.connector, 'rows': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
