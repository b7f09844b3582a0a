"""The conformance suite for one connector: the plan of checks and how each one runs.

`plan()` lists the checks without running anything (the pytest plugin turns each into an
item); `ConnectorSession` holds what is loaded once per connector and process (scenario runs
are cached, so the contract checks reuse them); `certify_workspace()` runs the whole plan
without pytest (the tests of deliberately broken connectors use it).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from harness.certify import limits
from harness.certify.cassettes import (
    SECRET_KEYS,
    CassetteError,
    LoadedCassette,
    ReplayTransport,
    load_cassette,
    scrub_tree,
)
from harness.certify.catalog import CATALOG, SCENARIOS, Scenario
from harness.certify.checks import amounts as amount_checks
from harness.certify.checks import facts as facts_checks
from harness.certify.checks import faults as fault_checks
from harness.certify.checks import gaps
from harness.certify.checks import idempotency as idempotency_checks
from harness.certify.checks import webhooks as webhook_checks
from harness.certify.checks.facts import Recorded, recorded_from_runs
from harness.certify.contracts import Spec, load_spec
from harness.certify.facts import Facts, FactsError, load_facts
from harness.certify.limits import DEFAULT_CHECK_TIMEOUT, CheckTimeout, UserInterrupt, time_limit
from harness.certify.properties import (
    Profile,
    PropertyContext,
    bounds_cases,
    bounds_property,
    contract_cases,
    generated_response_property,
    money_cases,
    money_property,
    profile_named,
    reference_property,
    request_contract_property,
    response_cases,
    run_property,
    status_cases,
    unknown_status_property,
)
from harness.certify.results import CheckResult, ConnectorResult, gaps_of, score, verdict
from harness.certify.runner import ScenarioRun, ScenarioRunner
from harness.certify.specfacts import check_facts_against_spec
from harness.certify.workspace import Workspace
from harness.defaults import CASSETTE_MAX_AGE_DAYS, DEFAULT_PROFILE
from harness.domain.amounts import CurrencyTable
from harness.domain.errors import ConnectorError, HarnessError, NotSupportedError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.domain.money import MinorUnit
from harness.domain.secret import MASK
from harness.domain.sensitive import CVC_KEY, MIN_VALUE_LENGTH
from harness.execution.executor import crash_from
from harness.execution.redact import Redactor, process_redactor
from harness.integration import registry
from harness.integration.connector import FlowSpec
from harness.integration.http import HttpRequest
from harness.lint import lint_connector


@dataclass(frozen=True)
class SuiteOptions:
    profile: Profile = field(default_factory=lambda: profile_named(DEFAULT_PROFILE))
    config_dir: Path | None = None
    cassette_max_age_days: int = CASSETTE_MAX_AGE_DAYS
    check_timeout: float | None = DEFAULT_CHECK_TIMEOUT  # seconds per check (and per load); None: no limit


@dataclass(frozen=True)
class CheckSpec:
    id: str
    family: str
    title: str
    run: Callable[[ConnectorSession], list[CheckResult]]
    flow: str | None = None
    scenario: str | None = None


class ConnectorSession:
    """One connector's loaded material and cached scenario runs, for one process."""

    def __init__(self, workspace: Workspace, options: SuiteOptions) -> None:
        self.workspace = workspace
        self.options = options
        self.runs: dict[str, ScenarioRun | CheckResult] = {}
        self.cassettes: dict[str, LoadedCassette] = {}

    @cached_property
    def spec(self) -> Spec:
        return load_spec(self.workspace.spec_path, exemptions=self.workspace.certification.contract_exempt)

    @cached_property
    def facts(self) -> Facts:
        return load_facts(self.workspace.facts_path)

    @property
    def relative_facts_path(self) -> str:
        return self.relative(self.workspace.facts_path)

    def recorded_responses(self) -> list[Recorded]:
        """Successful exchanges of the supported scenarios' replays (status facts start from these)."""
        runs = []
        for scenario in CATALOG:
            if scenario.id in self.workspace.certification.scenarios.supported:
                run = self.scenario_run(scenario)
                if isinstance(run, ScenarioRun):
                    runs.append(run)
        return recorded_from_runs(runs)

    @cached_property
    def redactor(self) -> Redactor:
        return Redactor(
            [*self.workspace.auth.secret_values(), *self.workspace.certification.secret_values()],
            key_prefixes=registry.key_prefixes(),
        )

    @cached_property
    def runner(self) -> ScenarioRunner:
        ws = self.workspace
        return ScenarioRunner(
            ws.connector,
            ws.certification,
            ws.auth,
            ws.base_url("sandbox"),
            redactor=self.redactor,
            replay=True,
        )

    def scenario_run(self, scenario: Scenario) -> ScenarioRun | CheckResult:
        """The replayed run, or the failed/error check explaining why it could not run."""
        if scenario.id in self.runs:
            return self.runs[scenario.id]
        path = self.workspace.cassette_path(scenario.id)
        try:
            loaded = load_cassette(
                path,
                volatile=self.workspace.connector_cls.volatile_fields,
                volatile_headers=self.workspace.connector_cls.volatile_headers,
            )
        except FileNotFoundError:
            outcome: ScenarioRun | CheckResult = _result(
                f"scenario:{scenario.id}",
                "scenario",
                "failed",
                f"no cassette at {self.relative(path)}: record it with `certify record "
                f"{self.workspace.name} --scenario {scenario.id}`",
                scenario=scenario,
            )
        except CassetteError as error:
            outcome = _result(
                f"scenario:{scenario.id}", "scenario", "error", error.one_line(), scenario=scenario
            )
        else:
            self.cassettes[scenario.id] = loaded
            transport = ReplayTransport(loaded)
            run = self.runner.run(scenario, transport)
            if run.passed:
                unplayed = loaded.unplayed()
                if unplayed:
                    never = ", ".join(unplayed)
                    run.problems.append(
                        f"{self.relative(path)}: recorded interaction(s) never requested: {never}"
                    )
            outcome = run
        self.runs[scenario.id] = outcome
        return outcome

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.workspace.root))
        except ValueError:
            return str(path)

    # ------------------------------------------------------------ inputs for the properties

    def sample_chain(self, flow: Flow) -> tuple[str, dict[str, Any]]:
        """A transaction id and connector metadata as a real chain would pass to `flow`."""
        for scenario in CATALOG:
            if scenario.id not in self.workspace.certification.scenarios.supported:
                continue
            run = self.scenario_run(scenario)
            if not isinstance(run, ScenarioRun):
                continue
            metadata: dict[str, Any] = {}
            transaction = ""
            for execution in run.executions:
                result = execution.result
                if execution.flow is flow:
                    return transaction or "txn_property", metadata
                transaction = getattr(result, "connector_transaction_id", None) or transaction
                metadata.update(getattr(result, "connector_metadata", None) or {})
        return "txn_property", {}

    def base_response(self, flow: Flow) -> tuple[int, Any] | None:
        """A successful response body for `flow` from a replayed scenario."""
        for scenario in CATALOG:
            if scenario.id not in self.workspace.certification.scenarios.supported:
                continue
            run = self.scenario_run(scenario)
            if not isinstance(run, ScenarioRun):
                continue
            for execution in run.executions:
                response = execution.response
                if execution.flow is flow and response is not None and response.ok and execution.ok:
                    body = response.decoded()
                    if isinstance(body, dict | list):
                        return response.status_code, body
        return None

    @cached_property
    def property_context(self) -> PropertyContext:
        ws = self.workspace
        spec: Spec | None
        try:
            spec = self.spec
        except HarnessError:
            spec = None
        try:
            oracle = self.facts.currency_table
        except HarnessError:
            oracle = CurrencyTable()  # no facts: ISO 4217 alone (the facts checks fail the connector)
        return PropertyContext(
            oracle=oracle,
            connector=ws.connector,
            base_url=ws.base_url("sandbox"),
            auth=ws.auth,
            default_currency=ws.certification.currency,
            sample_chain=self.sample_chain,
            spec=spec,
            metadata=ws.certification.metadata,
        )


def _result(
    check_id: str,
    family: str,
    status: str,
    message: str,
    *,
    scenario: Scenario | None = None,
    flow: str | None = None,
    **kw: Any,
) -> CheckResult:
    return CheckResult(
        id=check_id,
        family=family,
        status=status,
        message=message,
        scenario=scenario.id if scenario else None,
        flow=flow or (scenario.main_flow.value if scenario else None),
        title=kw.pop("title", scenario.title if scenario else ""),
        **kw,
    )


# ------------------------------------------------------------------ scenario checks


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
                _result(
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
                _result(
                    check_id,
                    "scenario",
                    "passed",
                    f"{len(outcome.steps)} step(s) as expected",
                    scenario=scenario,
                    details=details,
                )
            ]
        return [
            _result(
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
            return [_result(check_id, "scenario", "failed", message, flow=flow.value)]
        except Exception as exc:
            return [_result(check_id, "scenario", "failed", crash_from(exc).describe(), flow=flow.value)]
        return [
            _result(
                check_id,
                "scenario",
                "failed",
                f"{flow.value} is not in the flow table yet built a request: it must raise NotSupportedError",
                flow=flow.value,
            )
        ]

    return run


# ------------------------------------------------------------------ contract checks


def contract_scenario_check(scenario: Scenario) -> Callable[[ConnectorSession], list[CheckResult]]:
    def run(session: ConnectorSession) -> list[CheckResult]:
        check_id = f"contract:{scenario.id}"
        outcome = session.scenario_run(scenario)
        if isinstance(outcome, CheckResult):
            return [_result(check_id, "contract", "skipped", "the scenario did not run", scenario=scenario)]
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
                _result(
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
            _result(
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


# ------------------------------------------------------------------ property checks


class NothingToCheck(str):
    """A property whose declaration leaves it nothing to check: a failure, never a skip."""


PropertyBuild = Callable[["ConnectorSession"], "tuple[Callable[[dict[str, Any]], None], Any] | str"]


def property_check(
    check_id: str,
    family: str,
    title: str,
    flow: Flow,
    build: PropertyBuild,
    *,
    generated_responses: bool = False,
) -> CheckSpec:
    def run(session: ConnectorSession) -> list[CheckResult]:
        made = build(session)
        if isinstance(made, NothingToCheck):
            return [_result(check_id, family, "failed", made, flow=flow.value, title=title)]
        if isinstance(made, str):
            excused = isinstance(made, gaps.Excused)  # a reason from the facts or the spec costs nothing
            message = made if excused else f"{made} ({gaps.GAP_NOTE})"
            skipped = _result(
                check_id, family, "skipped", message, flow=flow.value, title=title, gap=not excused
            )
            return [skipped]
        check, cases = made
        profile = session.options.profile
        examples = profile.response_examples if generated_responses else None
        outcome = run_property(check, cases, profile, max_examples=examples)
        details = {"examples": outcome.examples, "profile": session.options.profile.name}
        if session.options.profile.seed is not None:
            details["seed"] = session.options.profile.seed
        if outcome.skipped:
            return [
                _result(
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
                _result(
                    check_id, family, "passed", outcome.message, flow=flow.value, title=title, details=details
                )
            ]
        details["minimized_example"] = outcome.example or ""
        if len(outcome.counterexamples) > 1:
            details["counterexamples"] = outcome.counterexamples
        return [
            _result(
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
        strategies = []
        for status, response in (operation.definition.get("responses") or {}).items():
            content = ctx.spec.resolve(response).get("content") or {}
            if "application/json" in content and (str(status)[0] in "24" or status == "default"):
                strategies.append(
                    response_cases(ctx.spec, operation.pointer, str(status), "application/json")
                )
        if not strategies:
            return gaps.Excused(f"the spec documents no JSON response for {flow.value}")
        from hypothesis import strategies as st

        return generated_response_property(ctx, flow), st.one_of(strategies)

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
        return unknown_status_property(session.property_context, spec, base), status_cases()

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
        return money_property(session.property_context, spec), money_cases(session.property_context)

    return build


def _reference(spec: FlowSpec) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        if not spec.reference_field:
            return NothingToCheck(
                f"{spec.flow.value} declares no reference_field: the reference property cannot check that "
                "the router data's reference id reaches the provider; declare where it is in the request body"
            )
        from hypothesis import strategies as st

        from harness.certify.strategies import references_around

        cases = st.fixed_dictionaries({"reference": references_around(spec.reference_max_length)})
        return reference_property(session.property_context, spec), cases

    return build


def _bounds(spec: FlowSpec) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        return bounds_property(session.property_context, spec), bounds_cases(session.property_context)

    return build


def _request_contract(flow: Flow) -> PropertyBuild:
    def build(session: ConnectorSession) -> Any:
        ctx = session.property_context
        if ctx.spec is None:
            return "no spec"
        return request_contract_property(ctx, flow), contract_cases(ctx)

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
                    f"property:unknown_status:{name}", "property", title, flow, _unknown_status(flow)
                )
            )
        if spec.content_type is not None:
            title = f"Every {name} request validates against the spec"
            specs.append(
                property_check(f"contract:requests:{name}", "contract", title, flow, _request_contract(flow))
            )
    return specs


# ------------------------------------------------------------------ secrets and lint


def find_leaks(tree: Any, values: list[str], path: str = "") -> list[str]:
    """Paths where a known secret value, or a value under a secret-looking key, shows unmasked."""
    found: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            child = f"{path}.{key}" if path else str(key)
            if str(key).lower() in SECRET_KEYS and isinstance(value, str) and value not in ("", MASK):
                found.append(child)
            else:
                found.extend(find_leaks(value, values, child))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.extend(find_leaks(value, values, f"{path}.{index}" if path else str(index)))
    elif isinstance(tree, str) and any(secret in tree for secret in values if len(secret) >= 6):
        found.append(path or "<text>")
    return found


def secrets_check(session: ConnectorSession) -> list[CheckResult]:
    ws = session.workspace
    values = [*ws.auth.secret_values(), *ws.certification.secret_values()]
    leaks: list[str] = []
    for scenario in CATALOG:
        if scenario.id not in ws.certification.scenarios.supported or not ws.connector.flows:
            continue
        outcome = session.scenario_run(scenario)
        if not isinstance(outcome, ScenarioRun):
            continue
        for step in outcome.steps:
            for where, tree in (("request", step.request), ("outcome", step.outcome)):
                leaks.extend(f"{scenario.id}/{step.step} {where} {p}" for p in find_leaks(tree, values))
            leaks.extend(f"{scenario.id}/{step.step} message" for p in step.problems if find_leaks(p, values))
    title = "No card data, credential or token shows in logged requests, outcomes or messages"
    if leaks:
        return [
            _result(
                "secrets:masked",
                "secrets",
                "failed",
                f"unmasked secret values in {len(leaks)} place(s): {', '.join(leaks[:5])}; wrap them in "
                "Secret (and headers in Maskable.masked)",
                title=title,
                details={"places": leaks},
            )
        ]
    return [
        _result("secrets:masked", "secrets", "passed", "every logged request masks its secrets", title=title)
    ]


def lint_check(session: ConnectorSession) -> list[CheckResult]:
    ws = session.workspace
    findings = lint_connector(
        ws.name, config_key=ws.connector_cls.config_key(), source_dir=ws.source_dir, config_dir=ws.configs
    )
    results = []
    seen: set[str] = set()
    for finding in findings:
        # paths relative to the project root, so that check ids compare across machines (baselines)
        path = session.relative(Path(finding.path))
        status = "skipped" if finding.suppressed else "failed"
        message = (
            finding.message
            if not finding.suppressed
            else f"{finding.message} (exempt: {finding.suppression_reason})"
        )
        check_id = f"lint:{finding.rule}:{path}:{finding.line}"
        if check_id in seen:
            check_id += f":{finding.col}"
        seen.add(check_id)
        results.append(
            CheckResult(
                id=check_id,
                family="lint",
                status=status,
                message=message,
                title=finding.hint,
                severity=finding.severity,
                exempt=finding.suppressed,
                details={
                    "path": path,
                    "line": finding.line,
                    "col": finding.col,
                    "end_line": finding.end_line,
                    "rule": finding.rule,
                    "message": finding.message,
                    "connector": finding.connector,
                    "suppression_reason": finding.suppression_reason,
                    "source_line": finding.source_line,
                    "hint": finding.hint,
                },
            )
        )
    if not results:
        results.append(
            CheckResult(
                id="lint:clean", family="lint", status="passed", message="no findings", title="Checklist lint"
            )
        )
    return results


# ------------------------------------------------------------------ the plan


LOAD_TITLE = "The connector, its certification.toml and its spec load"


def load_check(
    workspace_factory: Callable[[], Workspace], timeout: float | None = DEFAULT_CHECK_TIMEOUT
) -> tuple[Workspace | None, CheckResult]:
    started = time.perf_counter()
    try:
        with time_limit(timeout, "loading the connector"):
            workspace = workspace_factory()
            workspace.certification  # noqa: B018  # load and validate now
            load_spec(workspace.spec_path)
            workspace.base_url("sandbox")
    except HarnessError as error:
        return None, _load_error(error.one_line())
    except Exception as error:
        return None, _load_error(process_redactor()(f"{type(error).__name__}: {str(error)[:300]}"))
    except UserInterrupt:
        raise
    except BaseException as error:  # a connector module that hangs or exits on import
        return None, _load_error(process_redactor()(stopped(error, timeout)))
    return workspace, CheckResult(
        id="load",
        family="load",
        status="passed",
        message="loaded",
        title=LOAD_TITLE,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def facts_against_spec_check(session: ConnectorSession) -> list[CheckResult]:
    title = "Every status value the published spec documents is in the provider facts"
    problems = check_facts_against_spec(session.spec, session.workspace.facts_path)
    if problems:
        message = f"{len(problems)} documented value(s) missing from the facts: " + "; ".join(problems[:4])
        details = {"problems": problems}
        return [_result("facts:spec", "facts", "failed", message, title=title, details=details)]
    return [_result("facts:spec", "facts", "passed", "every documented status is in the facts", title=title)]


def facts_specs(session: ConnectorSession) -> list[CheckSpec]:
    """The connector's tables against the provider facts; without a facts file, one failing check."""
    try:
        flows = facts_checks.status_flows(session)
    except FactsError as error:
        # missing: the connector is not certified; malformed: the harness cannot do its job (exit 2)
        status = "error" if session.workspace.facts_path.is_file() else "failed"
        message = error.one_line()

        def unusable(_: ConnectorSession) -> list[CheckResult]:
            return [_result("facts:file", "facts", status, message, title="Provider facts file")]

        return [CheckSpec("facts:file", "facts", "Provider facts file", unusable)]
    specs = [
        CheckSpec(
            "facts:spec",
            "facts",
            "Every status value the published spec documents is in the provider facts",
            facts_against_spec_check,
        ),
        CheckSpec(
            "facts:currencies",
            "facts",
            "The connector's currency table agrees with the provider facts",
            facts_checks.currencies_check,
        )
    ]
    for scenario_id in session.workspace.certification.scenarios.supported:
        specs.append(
            CheckSpec(
                f"facts:outcome:{scenario_id}",
                "facts",
                f"Answers of {scenario_id} read as the facts read the recorded bodies",
                facts_checks.outcome_check(scenario_id),
                flow=SCENARIOS[scenario_id].main_flow.value,
                scenario=scenario_id,
            )
        )
    for flow in flows:
        specs.append(
            CheckSpec(
                f"facts:statuses:{flow.value}",
                "facts",
                f"Documented {flow.value} statuses map as the facts say",
                facts_checks.statuses_check(flow),
                flow=flow.value,
            )
        )
    return specs


def _load_error(message: str) -> CheckResult:
    return CheckResult(id="load", family="load", status="error", message=message, title=LOAD_TITLE)


@dataclass
class Prepared:
    """A connector ready to certify: its load check, and (when it loaded) its session, meta and plan."""

    load: CheckResult
    session: ConnectorSession | None = None
    meta: dict[str, Any] | None = None
    specs: list[CheckSpec] = field(default_factory=list)


def prepare(factory: Callable[[], Workspace], options: SuiteOptions) -> Prepared:
    """Load the connector and fix its plan before anything runs; any fault here is its load error."""
    workspace, load = load_check(factory, options.check_timeout)
    if workspace is None:
        return Prepared(load)
    session = ConnectorSession(workspace, options)
    try:
        with time_limit(options.check_timeout, f"planning {workspace.name}"):
            meta = connector_meta(session)
            specs = plan(session)
    except HarnessError as error:
        return Prepared(_load_error(error.one_line()))
    except Exception as error:  # a declaration the harness cannot read must not abort the other connectors
        return Prepared(_load_error(f"{crash_from(error).describe()} while planning the checks"))
    except UserInterrupt:
        raise
    except BaseException as error:  # as in run_spec
        return Prepared(_load_error(stopped(error, options.check_timeout, workspace.root)))
    return Prepared(load, session, meta, specs)


def plan(session: ConnectorSession) -> list[CheckSpec]:
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
    specs.extend(facts_specs(session))
    specs.append(
        CheckSpec(
            "facts:idempotency",
            "facts",
            idempotency_checks.IDEMPOTENCY_TITLE,
            idempotency_checks.idempotency_check,
        )
    )
    specs.append(
        CheckSpec(
            "facts:request_id",
            "facts",
            idempotency_checks.REQUEST_ID_TITLE,
            idempotency_checks.request_id_check,
        )
    )
    specs.extend(webhook_checks.webhook_specs(session))  # harness/certify/checks/webhooks.py
    specs.extend(property_specs(session))
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
    specs.append(CheckSpec("secrets:masked", "secrets", "Secrets stay masked", secrets_check))
    specs.append(CheckSpec("lint", "lint", "Checklist lint", lint_check))
    return specs


def run_spec(spec: CheckSpec, session: ConnectorSession) -> list[CheckResult]:
    started = time.perf_counter()
    limit = session.options.check_timeout
    try:
        with time_limit(limit, f"{session.workspace.name} {spec.id}"):
            results = spec.run(session)
    except HarnessError as error:
        results = [_spec_result(spec, "error", error.one_line())]
    except Exception as exc:  # a bug in a connector that escaped its check: report, keep going
        results = [_spec_result(spec, "failed", crash_from(exc).describe())]
    except UserInterrupt:
        raise
    except BaseException as exc:  # exit, skip, interrupt or hang in connector code
        results = [_spec_result(spec, "error", stopped(exc, limit, session.workspace.root))]
    elapsed = (time.perf_counter() - started) * 1000
    for result in results:
        result.duration_ms = round(elapsed / max(len(results), 1), 3)
    return [redacted(result, session.redactor) for result in results]


def _spec_result(spec: CheckSpec, status: str, message: str) -> CheckResult:
    return CheckResult(
        id=spec.id,
        family=spec.family,
        status=status,
        message=message,
        title=spec.title,
        flow=spec.flow,
        scenario=spec.scenario,
    )


def stopped(exc: BaseException, limit: float | None, root: Path | None = None) -> str:
    """One line for connector code that hung, exited, skipped or interrupted instead of returning."""
    location = limits.where(exc, root)
    at = f" at {location}" if location else ""
    if isinstance(exc, CheckTimeout):
        return (
            f"no result within {exc.seconds:g} s: connector code{at} did not return (a loop, a sleep, a "
            "lock or a child process that never ends); fix it there, or raise --check-timeout"
        )
    name = type(exc).__name__
    if name == "Skipped":
        name = "pytest.skip"
    return (
        f"connector code{at} raised {name} instead of returning: a connector must return a result or "
        "raise a ConnectorError, never exit, skip or interrupt the run"
    )


def redacted(result: CheckResult, redact: Redactor) -> CheckResult:
    """The one door of check results to every report: messages and details pass the redactor."""
    update: dict[str, Any] = {"message": redact(result.message), "title": redact(result.title)}
    if result.details:
        update["details"] = redacted_tree(json.loads(json.dumps(result.details, default=str)), redact)
    return result.model_copy(update=update)


def redacted_tree(tree: Any, redact: Redactor) -> Any:
    """Details redacted leaf by leaf, so they stay JSON: strings pass the redactor, a CVC is masked
    by its key, and a number only when it is long enough to be card data (a count of 100 stays)."""
    if isinstance(tree, dict):
        return {
            redact(key): MASK
            if CVC_KEY.fullmatch(key) and re.fullmatch(r"\s*\d{3,4}\s*", str(value))
            else redacted_tree(value, redact)
            for key, value in tree.items()
        }
    if isinstance(tree, list):
        return [redacted_tree(item, redact) for item in tree]
    if isinstance(tree, str):
        return redact(tree)
    if isinstance(tree, int) and not isinstance(tree, bool) and len(str(tree)) >= MIN_VALUE_LENGTH:
        return MASK if redact(str(tree)) != str(tree) else tree
    return tree


def connector_meta(session: ConnectorSession) -> dict[str, Any]:
    """What the report shows about a connector besides its checks (computed without running them)."""
    ws = session.workspace
    connector = ws.connector
    cassettes = []
    for scenario_id in ws.certification.scenarios.supported:
        path = ws.cassette_path(scenario_id)
        entry: dict[str, Any] = {"scenario": scenario_id, "path": session.relative(path)}
        try:
            loaded = session.cassettes.get(scenario_id) or load_cassette(
                path, volatile=ws.connector_cls.volatile_fields
            )
        except FileNotFoundError:
            entry["missing"] = True
        except CassetteError as error:
            entry["error"] = error.one_line()
        else:
            age = loaded.provenance.age_days()
            entry.update(
                interactions=loaded.interactions,
                provenance=loaded.provenance.as_dict(),
                age_days=age,
                expired=age > session.options.cassette_max_age_days,
            )
        cassettes.append(entry)
    return {
        "display_name": connector.display_name or ws.name,
        "flows": {
            f.value: "implemented"
            if connector.supports(f)
            else ("not_supported" if f in connector.unsupported else "missing")
            for f in FLOW_ORDER
        },
        "not_supported": {f.value: reason for f, reason in connector.unsupported.items()},
        "exemptions": dict(ws.certification.exempt),
        "declaration": connector.declaration(),
        "cassettes": cassettes,
    }


def connector_result(name: str, meta: dict[str, Any] | None, checks: list[CheckResult]) -> ConnectorResult:
    loaded = meta is not None and not any(c.family == "load" and c.status == "error" for c in checks)
    outcome, failing = verdict(checks, loaded=loaded)
    result = ConnectorResult(
        name=name,
        verdict=outcome,
        score=score(checks) if loaded else 0,
        failing=failing,
        gaps=gaps_of(checks),
        checks=checks,
    )
    if outcome == "error":
        errors = (
            c.message if c.id == "load" else f"{c.id}: {c.message}" for c in checks if c.status == "error"
        )
        result.message = next(errors, "")
    if meta is None or not loaded:
        return result
    return result.model_copy(update=meta)


def certify_workspace(
    name: str, factory: Callable[[], Workspace], options: SuiteOptions | None = None
) -> ConnectorResult:
    """Run the whole plan for one connector without pytest."""
    prepared = prepare(factory, options or SuiteOptions())
    checks = [prepared.load]
    if prepared.session is not None:
        for spec in prepared.specs:
            checks.extend(run_spec(spec, prepared.session))
    return connector_result(name, prepared.meta, checks)
