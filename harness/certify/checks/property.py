"""The property family: hypothesis properties per flow (money, reference, bounds, documented
responses, unknown statuses, generated requests against the spec), and the transport-fault,
amount-limit and partial-amount properties of `checks/faults.py` and `checks/amounts.py`, and the
sync-subject properties of `checks/sync_ids.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.certify.checks import amounts as amount_checks
from harness.certify.checks import faults as fault_checks
from harness.certify.checks import gaps
from harness.certify.checks import sync_ids as sync_id_checks
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.properties import (
    Profile,
    bounds_cases,
    bounds_property,
    contract_cases,
    generated_response_property,
    money_cases,
    money_property,
    reference_cases,
    reference_property,
    request_contract_property,
    response_cases,
    run_property,
    status_cases,
    unknown_status_property,
)
from harness.certify.results import CheckResult
from harness.domain.errors import ConnectorError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.integration.connector import FlowSpec
from harness.integration.http import HttpRequest


class NothingToCheck(str):
    """A property whose declaration leaves it nothing to check: a failure, never a skip."""


# a property's check and its cases (and, optionally, a content key standing for the cases' text), or
# why there is nothing to run
PropertyBuild = Callable[
    ["ConnectorSession"],
    "tuple[Callable[[dict[str, Any]], None], Any] | tuple[Callable[[dict[str, Any]], None], Any, str] | str",
]


def property_check(
    check_id: str,
    family: str,
    title: str,
    flow: Flow,
    build: PropertyBuild,
    *,
    generated_responses: bool = False,
    examples: Callable[[Profile], int] | None = None,
) -> CheckSpec:
    def run(session: ConnectorSession) -> list[CheckResult]:
        made = build(session)
        if isinstance(made, NothingToCheck):
            return [check_result(check_id, family, "failed", made, flow=flow.value, title=title)]
        if isinstance(made, str):
            excused = isinstance(made, gaps.Excused)  # a reason from the facts or the spec costs nothing
            message = made if excused else f"{made} ({gaps.GAP_NOTE})"
            skipped = check_result(
                check_id, family, "skipped", message, flow=flow.value, title=title, gap=not excused
            )
            return [skipped]
        check, cases = made[0], made[1]
        content_key = made[2] if len(made) == 3 else None  # the cases' content key (example_tapes)
        profile = session.options.profile
        count = profile.response_examples if generated_responses else None
        if examples is not None:
            count = examples(profile)
        outcome = run_property(
            check,
            cases,
            profile,
            max_examples=count,
            tapes=session.example_tapes,
            context=session.tape_context,  # what the strategies' filters read
            content=content_key,
        )
        details = {"examples": outcome.examples, "profile": session.options.profile.name}
        if session.options.profile.seed is not None:
            details["seed"] = session.options.profile.seed
        if outcome.skipped:
            return [
                check_result(
                    check_id,
                    family,
                    "skipped",
                    outcome.message,
                    flow=flow.value,
                    title=title,
                    details=details,
                )
            ]
        if outcome.passed:
            return [
                check_result(
                    check_id, family, "passed", outcome.message, flow=flow.value, title=title, details=details
                )
            ]
        details["minimized_example"] = outcome.example or ""
        if len(outcome.counterexamples) > 1:
            details["counterexamples"] = outcome.counterexamples
        return [
            check_result(
                check_id,
                family,
                "failed",
                outcome.message,
                flow=flow.value,
                title=title,
                details=details,
            )
        ]

    return CheckSpec(check_id, family, title, run, flow=flow.value)


def _response_property(flow: Flow) -> Callable[[ConnectorSession], Any]:
    """Documented success and error responses of the flow's operation, generated from the spec."""

    def build(session: ConnectorSession) -> Any:
        ctx = session.property_context
        if ctx.spec is None:
            return "no spec"
        request = _sample_request(session, flow)
        if isinstance(request, str):
            return request
        operation = ctx.spec.find(request.method.value, request.url)
        if operation is None:
            return f"no operation in the spec for {request.method.value} {request.url}"
        statuses = []
        for status, response in (operation.definition.get("responses") or {}).items():
            content = ctx.spec.resolve(response).get("content") or {}
            if "application/json" in content and (str(status)[0] in "24" or status == "default"):
                statuses.append(str(status))
        if not statuses:
            return gaps.Excused(f"the spec documents no JSON response for {flow.value}")
        from hypothesis import strategies as st

        spec = ctx.spec
        # built only when examples are generated: a kept tape needs neither the schemas nor their strategy
        cases = st.deferred(
            lambda: st.one_of(
                [response_cases(spec, operation.pointer, status, "application/json") for status in statuses]
            )
        )
        content_key = (
            f"responses {spec.content_hash} {operation.pointer} {' '.join(statuses)} application/json"
        )
        return generated_response_property(ctx, flow), cases, content_key

    return build


def _sample_request(session: ConnectorSession, flow: Flow) -> HttpRequest | str:
    ctx = session.property_context
    try:
        return ctx.build(ctx.router_data(flow))
    except ConnectorError as error:
        return f"no sample request ({error.kind}: {error})"
    except AssertionError as error:
        return f"no sample request: {error}"


def _unknown_status(flow: Flow) -> Callable[[ConnectorSession], Any]:
    def build(session: ConnectorSession) -> Any:
        spec = session.workspace.connector.flows[flow]
        if not spec.status_field:
            facts = gaps.provider_facts(session)
            statusless = facts.statusless_answer(flow) if facts else None
            if statusless is not None:
                return gaps.Excused(f"{statusless.reason} (source: {statusless.source})")
            return NothingToCheck(
                f"{flow.value} declares no status_field and {session.relative_facts_path} lists no "
                "[[statusless_answers]] for it: the unknown-status property has nothing to check; declare "
                "where the status is in the success response"
            )
        base = session.base_response(flow)
        if base is None:
            return f"no recorded successful {flow.value} response to start from"
        return unknown_status_property(session.property_context, spec, base), status_cases(), "status_cases"

    return build


def _money(spec: FlowSpec) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        if not spec.amount_fields:
            return NothingToCheck(
                f"{spec.flow.value} carries money but declares no amount_fields: the money property has "
                "nothing to check; declare where the amount is in the request body"
            )
        if spec.flow is Flow.AUTHORIZE and not spec.currency_field:
            return NothingToCheck(
                "Authorize declares no currency_field: the money property cannot check that the currency "
                "sent is the one asked for; declare where the currency is in the request body"
            )
        # the cases' content key: the strategy function's name and its arguments beyond the context
        # (its code is in the key through the source of the modules that shape examples)
        return (
            money_property(session.property_context, spec),
            money_cases(session.property_context),
            "money_cases",
        )

    return build


def _reference(spec: FlowSpec) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        if not spec.reference_field:
            return NothingToCheck(
                f"{spec.flow.value} declares no reference_field: the reference property cannot check that "
                "the router data's reference id reaches the provider; declare where it is in the request body"
            )
        limit = spec.reference_max_length
        return (
            reference_property(session.property_context, spec),
            reference_cases(limit),
            f"reference_cases {limit}",
        )

    return build


def _bounds(spec: FlowSpec) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        return (
            bounds_property(session.property_context, spec),
            bounds_cases(session.property_context),
            "bounds_cases",
        )

    return build


def _request_contract(flow: Flow) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        ctx = session.property_context
        if ctx.spec is None:
            return "no spec"
        return request_contract_property(ctx, flow), contract_cases(ctx), "contract_cases"

    return build


def property_specs(session: ConnectorSession) -> list[CheckSpec]:
    connector = session.workspace.connector
    specs: list[CheckSpec] = []
    for flow in FLOW_ORDER:
        spec = connector.flows.get(flow)
        if spec is None:
            continue
        name = flow.value
        if flow.carries_money:
            title = f"{name} sends every representable amount exactly, and refuses the others"
            specs.append(property_check(f"property:money:{name}", "property", title, flow, _money(spec)))
        if spec.reference_field or flow is Flow.AUTHORIZE:  # every payment carries the merchant's reference
            title = f"{name} sends the router data's reference id unchanged"
            specs.append(
                property_check(f"property:reference:{name}", "property", title, flow, _reference(spec))
            )
        if flow in (Flow.CAPTURE, Flow.REFUND):
            title = f"{name} never exceeds what was {'authorized' if flow is Flow.CAPTURE else 'captured'}"
            specs.append(property_check(f"property:bounds:{name}", "property", title, flow, _bounds(spec)))
        title = f"Any documented {name} response gives a result, an ErrorResponse or a typed error"
        specs.append(
            property_check(
                f"property:responses:{name}",
                "property",
                title,
                flow,
                _response_property(flow),
                generated_responses=True,
            )
        )
        if flow is not Flow.CREATE_ACCESS_TOKEN:
            title = f"An unknown {name} status becomes Pending (raw value kept), never terminal"
            specs.append(
                property_check(
                    f"property:unknown_status:{name}",
                    "property",
                    title,
                    flow,
                    _unknown_status(flow),
                    examples=lambda profile: profile.status_examples,
                )
            )
        if spec.content_type is not None:
            title = f"Every {name} request validates against the spec"
            specs.append(
                property_check(
                    f"contract:requests:{name}",
                    "contract",
                    title,
                    flow,
                    _request_contract(flow),
                    examples=lambda profile: profile.request_examples,
                )
            )
    return specs


def specs(session: ConnectorSession) -> list[CheckSpec]:
    connector = session.workspace.connector
    specs = property_specs(session)
    # transport faults, amount limits and partial amounts (harness/certify/checks/faults.py, amounts.py)
    for name, make, flows in (
        ("transport_faults", fault_checks.transport_faults_check, fault_checks.WRITE_FLOWS),
        ("amount_limits", amount_checks.amount_limits_check, amount_checks.LIMIT_FLOWS),
        ("partial_amounts", amount_checks.partial_amounts_check, amount_checks.PARTIAL_FLOWS),
    ):
        for flow in (f for f in flows if connector.supports(f)):
            title = f"{flow.value}: {name.replace('_', ' ')}"
            check_id = f"property:{name}:{flow.value}"
            specs.append(CheckSpec(check_id, "property", title, make(flow), flow=flow.value))
    specs.extend(sync_id_checks.specs(session))  # a sync syncs the payment or refund it is given
    return specs
