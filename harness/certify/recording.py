"""Recording cassettes: run scenarios through a transport, scrub, write atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.certify.cassettes import (
    Provenance,
    RecordingTransport,
    cassette_document,
    render_cassette,
    write_atomically,
)
from harness.certify.catalog import SCENARIOS, Scenario
from harness.certify.runner import ScenarioRunner
from harness.certify.workspace import Workspace
from harness.domain.auth import ConnectorAuthType


@dataclass
class RecordOutcome:
    scenario: str
    written: bool
    path: Path | None
    reason: str = ""
    interactions: int = 0


def scenarios_to_record(workspace: Workspace, scenario_ids: Iterable[str] | None) -> list[Scenario]:
    supported = workspace.certification.scenarios.supported
    wanted = list(scenario_ids) if scenario_ids else supported
    unknown = [s for s in wanted if s not in SCENARIOS]
    if unknown:
        from harness.domain.errors import HarnessError

        raise HarnessError(
            f"unknown scenario(s): {', '.join(unknown)}", hint="see `certify list --scenarios`"
        )
    return [SCENARIOS[s] for s in wanted]


def record_scenarios(
    workspace: Workspace,
    transport_factory: Callable[[], Any],
    *,
    provenance: Provenance,
    scenario_ids: Iterable[str] | None = None,
    base_url: str | None = None,
    auth: ConnectorAuthType | None = None,
    check: Callable[[Path, str], list[str]] | None = None,
) -> list[RecordOutcome]:
    """Record each scenario; write its cassette only when the run passed and `check` finds nothing."""
    runner = ScenarioRunner(
        workspace.connector,
        workspace.certification,
        auth or workspace.auth,
        base_url or workspace.base_url("sandbox"),
    )
    outcomes = []
    for scenario in scenarios_to_record(workspace, scenario_ids):
        path = workspace.cassette_path(scenario.id)
        transport = RecordingTransport(transport_factory())
        run = runner.run(scenario, transport)
        if not run.passed:
            outcomes.append(RecordOutcome(scenario.id, False, None, "; ".join(run.problems)))
            continue
        server_errors = [e.response.status_code for e in transport.exchanges if e.response.status_code >= 500]
        if server_errors:
            outcomes.append(
                RecordOutcome(scenario.id, False, None, f"provider answered HTTP {server_errors[0]}")
            )
            continue
        text = render_cassette(cassette_document(transport.exchanges, provenance))
        problems = check(path, text) if check is not None else []
        if problems:
            outcomes.append(RecordOutcome(scenario.id, False, None, "; ".join(problems)))
            continue
        write_atomically(path, text)
        outcomes.append(RecordOutcome(scenario.id, True, path, interactions=len(transport.exchanges)))
    return outcomes
