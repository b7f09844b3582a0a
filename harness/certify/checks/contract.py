"""The contract family: the recorded requests and responses of each supported scenario against
the connector's OpenAPI spec (the generated-request contracts are properties: `checks/property.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from harness.certify.catalog import SCENARIOS, Scenario
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.results import CheckResult


def contract_scenario_check(scenario: Scenario) -> Callable[[ConnectorSession], list[CheckResult]]:
    def run(session: ConnectorSession) -> list[CheckResult]:
        check_id = f"contract:{scenario.id}"
        outcome = session.scenario_run(scenario)
        if isinstance(outcome, CheckResult):
            return [
                check_result(check_id, "contract", "skipped", "the scenario did not run", scenario=scenario)
            ]
        violations: list[str] = []
        checked = 0
        before = len(session.spec.exempted)
        for execution, step in zip(outcome.executions, outcome.steps, strict=False):
            if execution.request is None:
                continue
            checked += 1
            violations.extend(
                f"step {step.step}: {v}" for v in session.spec.validate_request(execution.request)
            )
            if execution.response is not None:
                violations.extend(
                    f"step {step.step}: {v}"
                    for v in session.spec.validate_response(
                        execution.request, execution.response, session.redactor
                    )
                )
        exempted = session.spec.exempted[before:]
        title = f"Requests and responses of {scenario.id} match specs/{session.workspace.data}.yaml"
        if violations:
            return [
                check_result(
                    check_id,
                    "contract",
                    "failed",
                    "; ".join(violations[:6]),
                    scenario=scenario,
                    title=title,
                    details={"violations": violations},
                )
            ]
        return [
            check_result(
                check_id,
                "contract",
                "passed",
                f"{checked} exchange(s) conform"
                + (f", {len(exempted)} known gap(s) of the published spec exempted" if exempted else ""),
                scenario=scenario,
                title=title,
                details={"exempted": [f"{v} ({why})" for v, why in exempted]} if exempted else {},
            )
        ]

    return run


def specs(session: ConnectorSession) -> list[CheckSpec]:
    specs: list[CheckSpec] = []
    for scenario_id in session.workspace.certification.scenarios.supported:
        scenario = SCENARIOS[scenario_id]
        specs.append(
            CheckSpec(
                f"contract:{scenario.id}",
                "contract",
                f"Contract of {scenario.id}",
                contract_scenario_check(scenario),
                flow=scenario.main_flow.value,
                scenario=scenario.id,
            )
        )
    return specs
