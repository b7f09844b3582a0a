"""Equivalent mutants: a survivor whose observable output is the original's on every input we have.

The input set is everything the catalog and the provider facts give: every supported scenario's
requests and parsed outcomes (replayed from its cassette), every supported currency of the facts
with the boundary amounts of its rules sent through each money flow, the request of every supported
flow (with distinct payment and refund ids, with and without the chain's metadata), every documented
status value of every flow (rows and not_returned values) fed through the response transform, and
the facts' error bodies on every flow. `observe` maps each input to a canonical text of the
connector's answer; a mutant is equivalent only when no input tells it from the original.

A documented status for which no input can be built (its table's endpoint has no recorded answer to
start from) is *unreached*: a status-table mutant of that value cannot be judged equivalent, since
the place that reads it was never run (`unreached_statuses`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, is_dataclass
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from harness.certify.catalog import CATALOG
from harness.certify.checks.facts import (
    Case,
    not_returned_cases,
    row_cases,
    status_case_result,
)
from harness.certify.facts import Facts
from harness.certify.runner import ScenarioRun
from harness.domain.currency import Currency
from harness.domain.errors import ConnectorError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.domain.money import MinorUnit
from harness.domain.status import CaptureMethod
from harness.execution.executor import Execution
from harness.integration import encoding
from harness.integration.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession

Observation = dict[str, str]
MONEY_FLOWS = (Flow.AUTHORIZE, Flow.CAPTURE, Flow.REFUND)
ERROR_STATUSES = (400, 402, 404, 422, 500)
ERROR_VALUES = {
    "code": "certify_error_code",
    "message": "certify error message",
    "reason": "certify_error_reason",
    "decline_code": "certify_decline_code",
}


def canonical(value: Any) -> Any:
    """A JSON-ready form of an answer: models dumped, enums by value, requests by what they send."""
    if isinstance(value, HttpRequest):
        body = value.wire_body()
        return {
            "method": str(value.method.value),
            "url": value.url,
            "headers": sorted(value.wire_headers().items()),
            "body": body.decode("utf-8", errors="replace") if body is not None else None,
        }
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="python"))
    if is_dataclass(value) and not isinstance(value, type):
        return canonical(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [canonical(v) for v in value]
    if hasattr(value, "expose"):  # a Secret: compare what it holds; it never leaves this process
        return canonical(value.expose())
    if isinstance(value, str):
        return str(value)  # a StrEnum by its value
    if isinstance(value, int | float | bool) or value is None:
        return value
    return repr(value)


def _answer(call: Callable[[], Any]) -> str:
    """The canonical text of what `call` returns, or of what it raises (without file paths or lines:
    the mutant runs from a copy of the package, and a mutant may move lines)."""
    try:
        value = call()
    except ConnectorError as error:
        return f"ConnectorError {error.kind}: {error.message}"
    except Exception as exc:  # a crash is an answer too; its type and text are what a user sees
        return f"raised {type(exc).__name__}: {str(exc)[:300]}"
    return json.dumps(canonical(value), sort_keys=True, default=repr)


# ------------------------------------------------------------------ the inputs


def scenario_answers(session: ConnectorSession) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Each supported scenario's requests and parsed outcomes, from the replayed cassettes."""
    for scenario in CATALOG:
        if scenario.id not in session.workspace.certification.scenarios.supported:
            continue
        run = session.scenario_run(scenario)
        if not isinstance(run, ScenarioRun):
            yield f"scenario {scenario.id}", partial(_given, {"status": run.status, "message": run.message})
            continue
        for index, execution in enumerate(run.executions, start=1):
            where = f"scenario {scenario.id} step {index} ({execution.flow.value})"
            yield f"{where} request", partial(_given, execution.request)
            yield f"{where} outcome", partial(_outcome_of, execution)
        yield f"scenario {scenario.id} problems", partial(_given, run.problems)


def _given(value: Any) -> Any:
    return value


def _outcome_of(execution: Execution) -> dict[str, Any]:
    error, crash = execution.error, execution.crash
    return {
        "result": execution.result,
        "error": f"{error.kind}: {error.message}" if error else None,
        "crash": f"{crash.exception_type}: {crash.detail}" if crash else None,
    }


def boundary_amounts(facts: Facts, currency: Currency) -> list[int]:
    """Amounts in ISO 4217 minor units at the edges of the facts' rules for the currency."""
    table = facts.currency_table
    rule = table.rule(currency)
    shift = currency.exponent - table.provider_exponent(currency)  # provider unit -> ISO minor unit
    edges: set[int] = {1, 99, 100, 1000, 123457}
    for provider_units in (rule.minimum, rule.maximum, rule.multiple_of):
        if provider_units is None:
            continue
        iso = provider_units * 10**shift if shift >= 0 else provider_units // 10**-shift
        edges.update({iso - 1, iso, iso + 1})
    return sorted(a for a in edges if a > 0)


def money_answers(session: ConnectorSession) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every supported currency of the facts at its boundary amounts, through each money flow."""
    connector = session.workspace.connector
    facts = session.facts
    context = session.property_context
    currencies = [c for c in sorted(Currency, key=lambda c: c.value) if facts.currency_table.is_supported(c)]
    for flow in MONEY_FLOWS:
        if not connector.supports(flow):
            continue
        for currency in currencies:
            for amount in boundary_amounts(facts, currency):

                def build(flow: Flow = flow, currency: Currency = currency, amount: int = amount) -> Any:
                    money = MinorUnit(amount)
                    data = context.router_data(flow, amount=money, payment_amount=money, currency=currency)
                    return connector.build_request(data, context.base_url)

                yield f"money {flow.value} {currency.value} {amount}", build
    if connector.supports(Flow.AUTHORIZE):
        for method in CaptureMethod:

            def build_method(method: CaptureMethod = method) -> Any:
                data = context.router_data(Flow.AUTHORIZE, capture_method=method)
                return connector.build_request(data, context.base_url)

            yield f"Authorize with capture_method {method.value}", build_method


def request_answers(session: ConnectorSession) -> Iterator[tuple[str, Callable[[], Any]]]:
    """The request of every supported flow, ids distinct (payment, refund), with the chain's metadata
    and without it: an id read from the wrong field reaches the wire here even where no scenario of
    the flow is recorded (a refund sync on a provider whose sandbox cannot chain one)."""
    connector, context = session.workspace.connector, session.property_context
    for flow in FLOW_ORDER:
        if not connector.supports(flow):
            continue
        variants: tuple[tuple[str, dict[str, Any]], ...] = (
            ("", {}),
            (" without metadata", {"connector_metadata": {}}),
        )
        for variant, extra in variants:

            def build(flow: Flow = flow, extra: dict[str, Any] = extra) -> Any:
                return connector.build_request(context.router_data(flow, **extra), context.base_url)

            yield f"request {flow.value}{variant}", build


def status_answers(session: ConnectorSession) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every documented status value of every flow (rows and not_returned) through the transform."""
    facts = session.facts
    connector = session.workspace.connector
    recorded = session.status_responses()
    models = {f: spec.response_model for f, spec in connector.flows.items()}
    for flow in FLOW_ORDER:
        if not connector.supports(flow):
            continue
        for table in facts.status_tables(flow):
            cases: list[tuple[str, Case | str]] = []
            for row, case in row_cases(table, recorded, models):
                when = (f" when {row.when}" if row.when else "") + (f" {row.context}" if row.context else "")
                cases.append((f"{row.value!r}{when}", case))
            for absent, case in not_returned_cases(table, recorded, models):
                cases.append((f"{absent.value!r} (not_returned)", case))
            for label, case in cases:
                if isinstance(case, Case):
                    yield f"status {table.label}={label}", partial(status_case_result, session, table, case)


def unreached_statuses(session: ConnectorSession) -> dict[str, str]:
    """Documented status values (a row's value or a value its `when` asks for, a not_returned value)
    for which no input could be built, each with the table and the reason."""
    facts = session.facts
    connector = session.workspace.connector
    recorded = session.status_responses()
    models = {f: spec.response_model for f, spec in connector.flows.items()}
    unreached: dict[str, str] = {}
    for flow in FLOW_ORDER:
        if not connector.supports(flow):
            continue
        for table in facts.status_tables(flow):
            for row, case in row_cases(table, recorded, models):
                if not isinstance(case, Case):
                    for value in (row.value, *row.when.values()):
                        unreached.setdefault(str(value), f"{table.label}: {case}")
            for absent, case in not_returned_cases(table, recorded, models):
                if not isinstance(case, Case):
                    unreached.setdefault(str(absent.value), f"{table.label}: {case}")
    return unreached


def _error_body(paths: Mapping[str, str | None]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, path in paths.items():
        if path:
            _put(body, path, ERROR_VALUES[name])
    return body


def _put(tree: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a dotted path in a fresh tree, making lists where a segment is an index."""
    parts = dotted.split(".")
    node: Any = tree
    for part, following in pairwise(parts):
        child_empty: Any = [] if following.isdigit() else {}
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(child_empty if len(node) == index else {})
            node = node[index]
        else:
            node = node.setdefault(part, child_empty)
    last = parts[-1]
    if isinstance(node, list):
        while len(node) <= int(last):
            node.append(None)
        node[int(last)] = value
    else:
        node[last] = value


def error_answers(session: ConnectorSession) -> Iterator[tuple[str, Callable[[], Any]]]:
    """The facts' error bodies on every flow: the provider's error answers, and its 2xx errors."""
    from harness.certify.cassettes.scrubbing import dumps_exact

    facts, connector, context = session.facts, session.workspace.connector, session.property_context
    errors = facts.errors
    if errors is None:
        return
    paths = {
        "code": errors.code,
        "message": errors.message,
        "reason": errors.reason,
        "decline_code": errors.decline_code,
    }
    body = _error_body(paths)
    content = dumps_exact(body).encode()
    for flow in FLOW_ORDER:
        if not connector.supports(flow):
            continue
        for status in ERROR_STATUSES:

            def handle(flow: Flow = flow, status: int = status) -> Any:
                response = HttpResponse(status, content, {"Content-Type": "application/json"})
                return connector.handle_response(context.router_data(flow), response)

            yield f"error body {flow.value} HTTP {status}", handle
    for index, entry in enumerate(errors.in_success):
        if not connector.supports(entry.flow):
            continue
        base = session.base_response(entry.flow)
        if base is None:
            continue

        def handle_in_success(entry: Any = entry, base: tuple[int, Any] = base) -> Any:
            import copy

            tree = copy.deepcopy(base[1])
            settings = [
                *entry.when.items(),
                (entry.code, ERROR_VALUES["code"]),
                (entry.message, ERROR_VALUES["message"]),
            ]
            for path, value in settings:
                if path and isinstance(tree, dict) and not encoding.set_path(tree, path, value):
                    _put(tree, path, value)
            response = HttpResponse(base[0], dumps_exact(tree).encode(), {"Content-Type": "application/json"})
            return connector.handle_response(context.router_data(entry.flow), response)

        yield f"error in a 2xx body {entry.flow.value} #{index + 1}", handle_in_success


def config_answers(session: ConnectorSession) -> Iterator[tuple[str, Callable[[], Any]]]:
    workspace = session.workspace
    for env in ("sandbox", "production"):
        yield f"base URL {env}", partial(workspace.base_url, env)


SOURCES = (scenario_answers, money_answers, request_answers, status_answers, error_answers, config_answers)


def observe(session: ConnectorSession) -> Observation:
    """The connector's answer to every input of the equivalence set, by input label."""
    observation: Observation = {}
    for source in SOURCES:
        try:
            inputs = list(source(session))
        except Exception as exc:  # an input source the mutant breaks is itself an observable difference
            observation[f"{source.__name__} inputs"] = f"raised {type(exc).__name__}: {str(exc)[:300]}"
            continue
        for label, call in inputs:
            observation[label] = _answer(call)
    return observation


def differences(original: Mapping[str, str], mutant: Mapping[str, str]) -> list[str]:
    """The inputs on which the mutant answers otherwise than the original (labels only: the values
    may hold credentials)."""
    labels = list(original) + [label for label in mutant if label not in original]
    return [label for label in labels if original.get(label) != mutant.get(label)]
