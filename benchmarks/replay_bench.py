"""Harness overhead per scenario: replay (load the cassette, run the chain, check every step)
against the bare transforms alone (build each request, parse each recorded response).

Each replay is a cassette's first read in a run: parsed from its YAML (`cold_ratio`), or read from the
ready form an earlier run kept in the cache folder (`ratio`, what a second run on a machine costs).
The replay runs as the suite's does (request ids derived from the scenario, volatile headers by
presence); rounds of the replay and of the bare transforms alternate."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, best_of, median, table, write
from harness.certify.cassettes.replay import (
    ReplayTransport,
    clear_parse_cache,
    keep_parsed_cassettes,
    load_cassette,
)
from harness.certify.catalog import SCENARIOS
from harness.certify.runner import ScenarioRunner
from harness.certify.workspace import Workspace
from harness.domain.errors import ConnectorError
from harness.integration import registry


def best_of_each(fns: tuple[Callable[[], object], ...], repeat: int, number: int) -> list[float]:
    """`best_of` for each function, their rounds alternated: a slow spell of the machine (a neighbour on
    the VM) then slows every function's round alike instead of one function's measurement."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for index, fn in enumerate(fns):
            best[index] = min(best[index], best_of(fn, repeat=1, number=number))
    return best


def measure(name: str, number: int = 20, repeat: int = 11) -> list[dict[str, object]]:
    workspace = Workspace.for_registered(name, root=ROOT)
    connector = workspace.connector
    base_url = workspace.base_url("sandbox")
    # as the suite replays (harness/certify/checks/session.py): request ids derived from the scenario
    runner = ScenarioRunner(connector, workspace.certification, workspace.auth, base_url, replay=True)
    rows = []
    for scenario_id in workspace.certification.scenarios.supported:
        scenario = SCENARIOS[scenario_id]
        path = workspace.cassette_path(scenario_id)

        def replay(scenario=scenario, path=path) -> object:  # type: ignore[no-untyped-def]  # bound defaults
            clear_parse_cache()  # measure a cold load, as the first read of a cassette in a run
            return runner.run(
                scenario,
                ReplayTransport(
                    load_cassette(
                        path, volatile=connector.volatile_fields, volatile_headers=connector.volatile_headers
                    )
                ),
            )

        run = replay()
        if not run.passed:  # a replay that stops at a mismatch would measure less than the scenario
            raise SystemExit(f"{name}/{scenario_id} does not replay: {run.problems[:1]}")
        executions = [e for e in run.executions if e.request is not None or e.error is not None]
        executions = [t for e in executions for t in (e.token_execution, e) if t is not None]

        def bare(executions=executions) -> None:  # type: ignore[no-untyped-def]  # bound defaults
            # the connector's own work for the same steps: build each request (a refusal before
            # sending included) and read each recorded response
            for execution in executions:
                try:
                    connector.build_request(execution.router_data, base_url)
                except ConnectorError:
                    continue
                if execution.response is not None:
                    connector.handle_response(execution.router_data, execution.response)

        keep_parsed_cassettes(None)
        cold_s, cold_bare_s = best_of_each((replay, bare), repeat=repeat, number=number)
        with tempfile.TemporaryDirectory() as cache:
            keep_parsed_cassettes(Path(cache))
            replay()  # the earlier run that parsed it
            replay_s, bare_s = best_of_each((replay, bare), repeat=repeat, number=number)
            keep_parsed_cassettes(None)
        bare_s = min(bare_s, cold_bare_s)
        rows.append(
            {
                "connector": name,
                "scenario": scenario_id,
                "steps": len(run.executions),
                "replay_ms": round(replay_s * 1000, 3),
                "bare_ms": round(bare_s * 1000, 3),
                "ratio": round(replay_s / bare_s, 1) if bare_s else None,
                "cold_replay_ms": round(cold_s * 1000, 3),
                "cold_ratio": round(cold_s / bare_s, 1) if bare_s else None,
            }
        )
    return rows


def main() -> int:
    rows = [row for name in registry.names() for row in measure(name)]
    summary = []
    for name in registry.names():
        mine = [r for r in rows if r["connector"] == name and r["ratio"] is not None]
        ratios = [float(r["ratio"]) for r in mine]  # type: ignore[arg-type]
        cold = [float(r["cold_ratio"]) for r in mine]  # type: ignore[arg-type]
        summary.append(
            (
                name,
                str(len(ratios)),
                f"{median(ratios):.1f}x",
                f"{max(ratios):.1f}x",
                f"{median(cold):.1f}x, {max(cold):.1f}x",
            )
        )
    print(
        table(
            summary,
            ("connector", "scenarios", "median overhead", "max overhead", "parsing YAML (median, max)"),
        )
    )
    print(f"results: {write('replay_overhead', {'rows': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
