"""The scenario family: each catalog scenario replayed from its cassette, and each flow outside
the flow table answering with a typed not-supported error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.certify.cassettes.scrubbing import scrub_tree
from harness.certify.catalog import CATALOG, Scenario
from harness.certify.checks import gaps
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.results import CheckResult
from harness.domain.errors import ConnectorError, NotSupportedError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.domain.money import MinorUnit
from harness.execution.executor import crash_from


def scenario_check(scenario: Scenario) -> Callable[[ConnectorSession], list[CheckResult]]:
    def run(session: ConnectorSession) -> list[CheckResult]:
        ws = session.workspace
        cert = ws.certification
        check_id = f"scenario:{scenario.id}"
        unexercised = gaps.unexercised_scenario(session, scenario)
        if unexercised is not None:
            return [unexercised]
        if scenario.id not in cert.scenarios.supported:
            return [
                check_result(
                    check_id,
                    "scenario",
                    "failed",
                    f"{scenario.id} is neither supported nor exempt in certification.toml: list it under "
                    "[scenarios] supported (with a cassette) or under [exempt] with the reason",
                    scenario=scenario,
                )
            ]
        outcome = session.scenario_run(scenario)
        if isinstance(outcome, CheckResult):
            return [outcome]
        loaded = session.cassettes.get(scenario.id)
        details: dict[str, Any] = {
            "steps": [scrub_tree(step.as_dict()) for step in outcome.steps],
            "cassette": session.relative(ws.cassette_path(scenario.id)),
        }
        if loaded is not None:
            details["provenance"] = loaded.provenance.as_dict()
            details["cassette_age_days"] = loaded.provenance.age_days()
        if outcome.passed:
            return [
                check_result(
                    check_id,
                    "scenario",
                    "passed",
                    f"{len(outcome.steps)} step(s) as expected",
                    scenario=scenario,
                    details=details,
                )
            ]
        return [
            check_result(
                check_id,
                "scenario",
                "failed",
                "; ".join(outcome.problems),
                scenario=scenario,
                details=details,
            )
        ]

    return run


def not_supported_check(flow: Flow) -> Callable[[ConnectorSession], list[CheckResult]]:
    def run(session: ConnectorSession) -> list[CheckResult]:
        ws = session.workspace
        check_id = f"not_supported:{flow.value}"
        reason = ws.connector.unsupported.get(flow, "not implemented")
        from harness.execution.factory import make_router_data

        router_data = make_router_data(
            flow,
            auth=ws.auth,
            amount=MinorUnit(1000),
            currency=ws.certification.currency,
            reference="not_supported_probe",
            connector_transaction_id="txn_probe",
            connector_refund_id="ref_probe",
        )
        try:
            ws.connector.build_request(router_data, ws.base_url("sandbox"))
        except NotSupportedError as error:
            return [gaps.not_supported_outcome(session, flow, reason, str(error))]
        except ConnectorError as error:
            message = f"{flow.value} raised {error.kind} instead of a not-supported error"
            return [check_result(check_id, "scenario", "failed", message, flow=flow.value)]
        except Exception as exc:
            return [check_result(check_id, "scenario", "failed", crash_from(exc).describe(), flow=flow.value)]
        return [
            check_result(
                check_id,
                "scenario",
                "failed",
                f"{flow.value} is not in the flow table yet built a request: it must raise NotSupportedError",
                flow=flow.value,
            )
        ]

    return run


def specs(session: ConnectorSession) -> list[CheckSpec]:
    connector = session.workspace.connector
    specs: list[CheckSpec] = []
    for scenario in CATALOG:
        specs.append(
            CheckSpec(
                f"scenario:{scenario.id}",
                "scenario",
                scenario.title,
                scenario_check(scenario),
                flow=scenario.main_flow.value,
                scenario=scenario.id,
            )
        )
    for flow in FLOW_ORDER:
        if not connector.supports(flow):
            specs.append(
                CheckSpec(
                    f"not_supported:{flow.value}",
                    "scenario",
                    f"{flow.value} answers with a typed not-supported error",
                    not_supported_check(flow),
                    flow=flow.value,
                )
            )
    return specs
