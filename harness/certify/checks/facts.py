"""The facts family: the connector's own tables checked against the provider facts.

* `facts:currencies`: the connector's currency table agrees with the facts on every ISO 4217
  currency: supported or not, wire exponent, required multiple, minimum and maximum.
* `facts:statuses:<Flow>`: every documented status value (a decision row of the facts, with the
  fields and context that change its meaning) fed through the connector's response transform, on a
  recorded response of that flow, gives the UCS status the facts give; a value the facts mark
  `not_returned` gives a non-terminal answer (or the `means` its entry states) should it arrive.

Expected values come from the facts file only, never from the connector under test.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.certify.catalog import SCENARIOS
from harness.certify.checks import idempotency as idempotency_checks
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.facts import (
    ABSENT,
    PRESENT,
    REFUND_FLOWS,
    CodeMeaning,
    Facts,
    FactsError,
    NotReturned,
    StatusRow,
    StatusTable,
    value_matches,
)
from harness.certify.results import CheckResult
from harness.certify.specfacts import check_facts_against_spec
from harness.domain.amounts import CurrencyTable
from harness.domain.currency import Currency
from harness.domain.errors import ConnectorError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.domain.money import MinorUnit
from harness.domain.router_data import ErrorResponse, PaymentsResponseData, RefundsResponseData
from harness.domain.status import AttemptStatus, CaptureMethod, RefundStatus
from harness.execution.executor import crash_from
from harness.integration import encoding
from harness.integration.http import HttpResponse

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession

FAMILY = "facts"
OTHER_VALUE = "CERTIFY_OTHER_VALUE"  # a value no condition names: makes a literal condition false


def _result(check_id: str, status: str, message: str, title: str, **kw: Any) -> CheckResult:
    return CheckResult(id=check_id, family=FAMILY, status=status, message=message, title=title, **kw)


# ------------------------------------------------------------------ currencies


def currency_differences(connector_table: CurrencyTable, facts: Facts) -> list[str]:
    """Every way the connector's table differs from the facts, one line each, naming the source."""
    oracle = facts.currency_table
    differences: list[str] = []
    for currency in sorted(Currency, key=lambda c: c.value):
        documented = oracle.is_supported(currency)
        declared = connector_table.is_supported(currency)
        source = facts.currency_source(currency)
        if documented != declared:
            said = "supported" if documented else "not supported"
            differences.append(
                f"{currency.value}: the facts say {said} ({source}), the connector's table says "
                f"{'supported' if declared else 'not supported'}"
            )
            continue
        if not documented:
            continue
        fact, mine = oracle.rule(currency), connector_table.rule(currency)
        pairs = {
            "exponent": (oracle.provider_exponent(currency), connector_table.provider_exponent(currency)),
            "multiple_of": (fact.multiple_of or 1, mine.multiple_of or 1),
            "minimum": (fact.minimum, mine.minimum),
            "maximum": (fact.maximum, mine.maximum),
        }
        for name, (expected, actual) in pairs.items():
            if expected != actual:
                differences.append(
                    f"{currency.value} {name}: the facts say {expected} ({source}), the connector's table "
                    f"says {actual}"
                )
    return differences


def currencies_check(session: ConnectorSession) -> list[CheckResult]:
    title = "The connector's currency table agrees with the provider facts on every currency"
    facts = session.facts
    differences = currency_differences(session.workspace.connector.amount_converter.table, facts)
    details: dict[str, Any] = {"facts": session.relative_facts_path}
    if facts.unknown_currency_codes:
        details["unknown_codes"] = facts.unknown_currency_codes
    if differences:
        details["differences"] = differences
        shown = "; ".join(differences[:4])
        more = f" (+{len(differences) - 4} more)" if len(differences) > 4 else ""
        return [
            _result(
                "facts:currencies",
                "failed",
                f"{len(differences)} difference(s) from {session.relative_facts_path}: {shown}{more}",
                title,
                details=details,
            )
        ]
    message = "agrees on every ISO 4217 currency"
    return [_result("facts:currencies", "passed", message, title, details=details)]


# ------------------------------------------------------------------ statuses


@dataclass(frozen=True)
class Recorded:
    """A successful response the connector handled in a replayed scenario."""

    flow: Flow
    method: str
    path: str
    status_code: int
    body: Any
    capture_method: CaptureMethod | None
    router_data: Any  # as the scenario sent it: the ids the response answers to
    borrowed: bool = False  # recorded for another flow with the same response model


def _endpoint_matches(endpoint: str | None, recorded: Recorded) -> bool:
    if not endpoint:
        return True
    method, _, template = endpoint.partition(" ")
    if method.upper() != recorded.method.upper():
        return False
    pattern = re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template.strip().rstrip("/")))
    return re.search(pattern + "$", recorded.path.rstrip("/")) is not None


def _set(body: Any, dotted: str, value: Any) -> bool:
    """Set a dotted path, adding the last key to an existing object where it is absent."""
    if encoding.set_path(body, dotted, value):
        return True
    parent_path, _, last = dotted.rpartition(".")
    parent = encoding.get_path(body, parent_path) if parent_path else body
    if isinstance(parent, dict):
        parent[last] = value
        return True
    return False


def _delete(body: Any, dotted: str) -> None:
    parent_path, _, last = dotted.rpartition(".")
    parent = encoding.get_path(body, parent_path) if parent_path else body
    if isinstance(parent, dict):
        parent.pop(last, None)


def _typed_like(existing: Any, value: Any) -> Any:
    if isinstance(value, bool) or isinstance(existing, bool):
        return value
    if isinstance(existing, str) and not isinstance(value, str):
        return str(value)
    if isinstance(existing, int) and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _example_of(field: str, recorded: list[Recorded]) -> Any:
    for exchange in recorded:
        found = encoding.get_path(exchange.body, field)
        if found is not encoding.MISSING and found not in (None, "", {}, []):
            return copy.deepcopy(found)
    return encoding.MISSING


@dataclass(frozen=True)
class Case:
    row: StatusRow
    body: Any
    capture_method: CaptureMethod | None
    status_code: int
    router_data: Any
    borrowed: bool
    partial_capture: bool | None = None


def _candidates(table: StatusTable, recorded: list[Recorded], models: dict[Flow, type]) -> list[Recorded]:
    """Recorded responses of the table's flow (and endpoint); where the flow has none (its scenarios
    are exempt), responses of other flows the connector parses with the same response model, whose
    router data does not fit this flow and is made anew."""
    own = [r for r in recorded if r.flow is table.flow and _endpoint_matches(table.endpoint, r)]
    if own or table.endpoint:
        return own
    model = models.get(table.flow)
    return [
        dataclasses.replace(r, flow=table.flow, borrowed=True)
        for r in recorded
        if model is not None and models.get(r.flow) is model
    ]


def reached_endpoints(session: ConnectorSession) -> list[Recorded]:
    """Answers for a documented status endpoint no replay recorded (PayPal reads an order on PSync
    only when Authorize left no payment): a recorded body of the same resource from another
    endpoint, handled by the table's flow with the router data of a recorded exchange of that flow,
    its connector metadata cut down until the request the connector builds calls that endpoint."""
    facts, connector = session.facts, session.workspace.connector
    recorded = session.recorded_responses()
    reached: list[Recorded] = []
    for table in facts.statuses:
        if not (table.endpoint and table.resource) or not connector.supports(table.flow):
            continue
        if any(r.flow is table.flow and _endpoint_matches(table.endpoint, r) for r in recorded):
            continue
        same_resource = [
            other
            for other in facts.statuses
            if other.resource == table.resource and other.flow is not table.flow
        ]
        bodies = [
            r
            for r in recorded
            if any(r.flow is o.flow and _endpoint_matches(o.endpoint, r) for o in same_resource)
            and encoding.get_path(r.body, table.field) is not encoding.MISSING
        ]
        reaching = _router_data_reaching(session, table, recorded)
        if reaching is None:
            continue
        router_data, method, path = reaching
        reached += [
            dataclasses.replace(r, flow=table.flow, method=method, path=path, router_data=router_data)
            for r in bodies
        ]
    return reached


def _router_data_reaching(
    session: ConnectorSession, table: StatusTable, recorded: list[Recorded]
) -> tuple[Any, str, str] | None:
    """Router data of a recorded exchange of the table's flow, with the fewest metadata keys
    dropped, whose request goes to the table's endpoint (with the method and path it builds)."""
    from itertools import combinations

    connector, base_url = session.workspace.connector, session.workspace.base_url("sandbox")
    for own in (r for r in recorded if r.flow is table.flow):
        request = own.router_data.request
        metadata = dict(getattr(request, "connector_metadata", None) or {})
        for size in range(len(metadata) - 1, -1, -1):
            for keys in combinations(sorted(metadata), size):
                kept = {key: metadata[key] for key in keys}
                changed = request.model_copy(update={"connector_metadata": kept})
                router_data = dataclasses.replace(own.router_data, request=changed, response=None)
                try:
                    built = connector.build_request(router_data, base_url)
                except Exception:  # this cut of the metadata is no chain the connector accepts
                    continue
                path = urlsplit(built.url).path
                probe = dataclasses.replace(own, method=built.method.value, path=path)
                if _endpoint_matches(table.endpoint, probe):
                    return router_data, built.method.value, path
    return None


def row_cases(
    table: StatusTable, recorded: list[Recorded], models: dict[Flow, type]
) -> Iterator[tuple[StatusRow, Case | str]]:
    """For each row: a response body (and context) in which that row, and no earlier one, applies."""
    candidates = _candidates(table, recorded, models)
    for index, row in enumerate(table.rows):
        earlier = [r for r in table.rows[:index] if value_matches(r.value, row.example_value())]
        case: Case | str = f"no recorded {table.label} response carries {table.field}"
        # start from an answer recorded in the row's own context (a partial capture, a manual
        # capture) where there is one: the body may say as much as the router data
        for base in sorted(candidates, key=lambda r: _context_distance(row, r)):
            if encoding.get_path(base.body, table.field) is encoding.MISSING:
                continue
            made = _apply(table, row, earlier, base, recorded)
            if isinstance(made, Case):
                case = made
                break
            case = made
        yield row, case


def not_returned_cases(
    table: StatusTable, recorded: list[Recorded], models: dict[Flow, type]
) -> Iterator[tuple[NotReturned, Case | str]]:
    """For each value the facts say is never returned: a response body carrying it after all."""
    candidates = _candidates(table, recorded, models)
    for absent in table.not_returned:
        row = StatusRow(value=absent.example_value(), means=absent.means or "Pending")
        earlier = [r for r in table.rows if value_matches(r.value, row.value)]
        case: Case | str = f"no recorded {table.label} response carries {table.field}"
        for base in candidates:
            if encoding.get_path(base.body, table.field) is encoding.MISSING:
                continue
            case = _apply(table, row, earlier, base, recorded)
            if isinstance(case, Case):
                break
        yield absent, case


def documented_elsewhere(facts: Facts, table: StatusTable, value: Any) -> set[str]:
    """What the facts' other tables of the same resource (else field) say the value means: a
    PaymentIntent's `canceled` means Voided wherever it arrives, though Capture never returns it."""
    refund = table.flow in REFUND_FLOWS
    return {
        row.means
        for other in facts.statuses
        if other is not table
        and (other.resource or other.field) == (table.resource or table.field)
        and (other.flow in REFUND_FLOWS) == refund
        for row in other.rows
        if row.matches(value)
    }


def not_returned_problem(
    table: StatusTable,
    absent: NotReturned,
    got: str,
    elsewhere: set[str] = frozenset(),  # type: ignore[assignment]
) -> str | None:
    """Why the answer to a value that should never arrive is wrong, or None when it is acceptable:
    a non-terminal status, or the meaning the facts give it (its own `means`, or a row elsewhere)."""
    label = f"{table.field}={absent.value!r} (not_returned)"
    source = f" ({absent.source})" if absent.source else ""
    if absent.means is not None:
        return None if got == absent.means else f"{label} became {got}; the facts say {absent.means}{source}"
    if got in elsewhere:
        return None
    statuses: type[AttemptStatus] | type[RefundStatus] = (
        RefundStatus if table.flow in REFUND_FLOWS else AttemptStatus
    )
    try:
        status = statuses(got)
    except ValueError:  # a typed error, or an error answer without a status, claims no final state
        if got.startswith(("a typed error", "an ErrorResponse with no status")):
            return None
        return f"{label} became {got}"
    if status.is_terminal:
        return (
            f"{label} became {got}, a final status: the facts say the provider never sends it{source}, so "
            "if it arrives it proves nothing final (read it as Pending, or state its meaning in the facts)"
        )
    return None


def _context_distance(row: StatusRow, recorded: Recorded) -> int:
    if not row.context or recorded.router_data is None:
        return 0
    context = context_of(recorded.router_data.request)
    return sum(1 for key, wanted in row.context.items() if context.get(key) != str(wanted).lower())


def _apply(
    table: StatusTable, row: StatusRow, earlier: list[StatusRow], base: Recorded, recorded: list[Recorded]
) -> Case | str:
    body = copy.deepcopy(base.body)
    existing = encoding.get_path(body, table.field)
    _set(body, table.field, _typed_like(existing, row.example_value()))
    # the earlier rows of the same value must not apply: make each of their conditions false
    for other in earlier:
        for field, wanted in other.when.items():
            if field in row.when:
                continue
            if wanted == PRESENT:
                _delete(body, field)
            elif wanted == ABSENT:
                example = _example_of(field, recorded)
                if example is encoding.MISSING:
                    return f"no recorded example of {field}"
                _set(body, field, example)
            else:
                current = encoding.get_path(body, field)
                if current is not encoding.MISSING and value_matches(wanted, current):
                    _set(body, field, OTHER_VALUE)
    for field, wanted in {**table.when, **row.when}.items():
        if wanted == ABSENT:
            _delete(body, field)
        elif wanted == PRESENT:
            if encoding.get_path(body, field) in (encoding.MISSING, None):  # a JSON null is absent
                example = _example_of(field, recorded)
                if example is encoding.MISSING or not _set(body, field, example):
                    return f"no recorded example of {field} (needed by the row {row.value!r} when present)"
        else:
            current = encoding.get_path(body, field)
            if current is encoding.MISSING:
                return f"the recorded response has no {field}"
            _set(body, field, _typed_like(current, wanted))
    capture_method = base.capture_method
    wanted_method = row.context.get("capture_method")
    if wanted_method is not None:
        capture_method = CaptureMethod(str(wanted_method).lower())
    else:
        taken = {str(o.context["capture_method"]).lower() for o in earlier if "capture_method" in o.context}
        free = [m for m in CaptureMethod if m.value not in taken]
        if taken and not free:
            return "every capture method is taken by an earlier row"
        if taken:
            capture_method = free[0]
    partial: bool | None = None
    if "capture" in row.context:
        partial = str(row.context["capture"]).lower() == "partial"
    elif any("capture" in o.context for o in earlier):
        partial = not any(str(o.context["capture"]).lower() == "partial" for o in earlier)
    status_code = int(row.context.get("http_status", base.status_code))
    return Case(row, body, capture_method, status_code, base.router_data, base.borrowed, partial)


def _outcome(result: Any) -> str:
    if isinstance(result, PaymentsResponseData):
        return result.status.value
    if isinstance(result, RefundsResponseData):
        return result.refund_status.value
    if isinstance(result, ErrorResponse):
        status = result.attempt_status or result.refund_status
        return status.value if status is not None else f"an ErrorResponse with no status ({result.code})"
    return f"a {type(result).__name__}"


def run_status_case(session: ConnectorSession, table: StatusTable, case: Case) -> str:
    """What the connector makes of the case's response: a UCS status value, or what went wrong."""
    try:
        result = status_case_result(session, table, case)
    except ConnectorError as error:
        return f"a typed error ({error.kind}: {error.message})"
    except Exception as exc:  # a crash on a documented value is a finding, not a harness error
        return crash_from(exc).describe()
    return _outcome(result)


def status_case_result(session: ConnectorSession, table: StatusTable, case: Case) -> Any:
    """The connector's whole answer to the case's response (whatever it raises passes through)."""
    from harness.certify.cassettes.scrubbing import dumps_exact

    if case.borrowed:  # router data of this flow, about the transaction the borrowed body describes
        recorded_id = getattr(case.router_data.request, "connector_transaction_id", None) or "txn_recorded"
        router_data = session.property_context.router_data(
            table.flow,
            with_expected_amount=False,
            connector_transaction_id=recorded_id,
            connector_refund_id=recorded_id,
        )
    else:
        router_data = dataclasses.replace(case.router_data, response=None)
    request = router_data.request
    if case.capture_method is not None and getattr(request, "capture_method", None) is not None:
        router_data.request = request = request.model_copy(update={"capture_method": case.capture_method})
    if case.partial_capture is not None and hasattr(request, "amount_to_capture"):
        captured = request.amount_to_capture
        authorized = MinorUnit(captured.value * 2) if case.partial_capture else captured
        router_data.request = request.model_copy(update={"payment_amount": authorized})
    response = HttpResponse(
        case.status_code, dumps_exact(case.body).encode(), {"Content-Type": "application/json"}
    )
    return session.workspace.connector.handle_response(router_data, response)


def statuses_check(flow: Flow) -> Any:
    def run(session: ConnectorSession) -> list[CheckResult]:
        check_id = f"facts:statuses:{flow.value}"
        title = f"Every documented {flow.value} status maps to the UCS status the provider facts give"
        facts = session.facts
        tables = facts.status_tables(flow)
        recorded = session.status_responses()
        models = {f: spec.response_model for f, spec in session.workspace.connector.flows.items()}
        wrong: list[str] = []
        unexercised: list[str] = []
        checked = 0
        declared = session.workspace.connector.flows[flow].status_field
        documented = sorted({table.field for table in tables})
        if declared not in documented:
            message = (
                f"{flow.value} declares status_field {declared!r}, but the facts read its status at "
                f"{' or '.join(documented)}: declare where the status is, so the checks can read it"
            )
            return [_result(check_id, "failed", message, title, flow=flow.value)]
        for table in tables:
            for row, case in row_cases(table, recorded, models):
                label = f"{table.field}={row.value!r}" + (f" when {row.when}" if row.when else "")
                label += f" ({row.context})" if row.context else ""
                if isinstance(case, str):
                    unexercised.append(f"{label}: {case}")
                    continue
                checked += 1
                got = run_status_case(session, table, case)
                if got != row.means:
                    source = f" ({row.source})" if row.source else ""
                    wrong.append(f"{label} became {got}; the facts say {row.means}{source}")
            for absent, case in not_returned_cases(table, recorded, models):
                if isinstance(case, str):
                    unexercised.append(f"{table.field}={absent.value!r} (not_returned): {case}")
                    continue
                checked += 1
                elsewhere = documented_elsewhere(facts, table, absent.example_value())
                got = run_status_case(session, table, case)
                problem = not_returned_problem(table, absent, got, elsewhere)
                if problem:
                    wrong.append(problem)
        details: dict[str, Any] = {"facts": session.relative_facts_path, "rows_checked": checked}
        if unexercised:
            details["unexercised"] = unexercised
        if wrong:
            details["wrong"] = wrong
            shown = "; ".join(wrong[:3])
            more = f" (+{len(wrong) - 3} more)" if len(wrong) > 3 else ""
            return [
                _result(
                    check_id,
                    "failed",
                    f"{len(wrong)} of {checked} documented status row(s) map wrong: {shown}{more}",
                    title,
                    flow=flow.value,
                    details=details,
                )
            ]
        if not checked:
            reason = unexercised[0] if unexercised else "the facts document no status for this flow"
            return [
                _result(
                    check_id,
                    "failed",
                    f"no documented {flow.value} status could be checked: {reason}",
                    title,
                    flow=flow.value,
                    details=details,
                )
            ]
        message = f"{checked} documented status row(s) map as the facts say"
        if unexercised:
            message += f"; {len(unexercised)} not exercised (no recorded response to start from)"
        return [_result(check_id, "passed", message, title, flow=flow.value, details=details)]

    return run


def status_flows(session: ConnectorSession) -> list[Flow]:
    """The flows the connector implements that the facts give status tables for."""
    facts = session.facts
    connector = session.workspace.connector
    return [f for f in FLOW_ORDER if connector.supports(f) and facts.status_tables(f)]


def recorded_from_runs(runs: list[Any]) -> list[Recorded]:
    """Successful, handled exchanges of replayed scenario runs, in catalog order."""
    recorded: list[Recorded] = []
    for run in runs:
        for execution in run.executions:
            response, request = execution.response, execution.request
            if response is None or request is None or not response.ok or not execution.ok:
                continue
            body = response.decoded()
            if not isinstance(body, dict | list):
                continue
            router_request = getattr(execution.router_data, "request", None)
            recorded.append(
                Recorded(
                    flow=execution.flow,
                    method=request.method.value,
                    path=urlsplit(request.url).path,
                    status_code=response.status_code,
                    body=body,
                    capture_method=getattr(router_request, "capture_method", None),
                    router_data=execution.router_data,
                )
            )
    return recorded


# ------------------------------------------------------------------ outcomes of recorded exchanges


def context_of(request: Any) -> dict[str, str]:
    """The router-data context a status row may depend on: capture method, partial or full capture."""
    context: dict[str, str] = {}
    method = getattr(request, "capture_method", None)
    if method is not None:
        context["capture_method"] = str(getattr(method, "value", method)).lower()
    partial = getattr(request, "is_partial", None)
    if isinstance(partial, bool):
        context["capture"] = "partial" if partial else "full"
    return context


def _context_holds(row: StatusRow, context: dict[str, str]) -> bool:
    return all(
        key == "http_status" or str(wanted).lower() == context.get(key) for key, wanted in row.context.items()
    )


def _condition_holds(body: Any, field: str, wanted: Any) -> bool:
    found = encoding.get_path(body, field)
    if wanted == PRESENT:
        return found is not encoding.MISSING and found is not None
    if wanted == ABSENT:
        return found is encoding.MISSING or found is None
    return found is not encoding.MISSING and value_matches(wanted, found)


@dataclass(frozen=True)
class StatusReading:
    """What the facts make of a recorded body: the UCS status, and the raw value it was read from."""

    means: str
    field: str
    value: Any


def status_reading(
    facts: Facts, flow: Flow, body: Any, path: str, context: dict[str, str]
) -> StatusReading | None:
    """The first status table of the flow that reads this body, with its first matching row; None
    when no table reads it. A value the facts do not document reads as "Pending"."""
    for table in facts.status_tables(flow):
        if table.endpoint and not _endpoint_matches(
            table.endpoint, Recorded(flow, table.endpoint.partition(" ")[0], path, 200, body, None, None)
        ):
            continue
        value = encoding.get_path(body, table.field)
        if value is encoding.MISSING or isinstance(value, dict | list):
            continue
        if not all(_condition_holds(body, f, w) for f, w in table.when.items()):
            continue
        for row in table.rows:
            if not row.matches(value) or not _context_holds(row, context):
                continue
            if not all(_condition_holds(body, f, w) for f, w in row.when.items()):
                continue
            return StatusReading(row.means, table.field, value)
        if any(n.value == value or value_matches(n.value, value) for n in table.not_returned):
            continue
        return StatusReading("Pending", table.field, value)
    return None


def status_values(facts: Facts, flow: Flow, body: Any, path: str) -> dict[str, str]:
    """Each documented status field of the flow's tables (of this endpoint) that the body carries,
    keyed by its value."""
    held: dict[str, str] = {}
    for table in facts.status_tables(flow):
        if table.endpoint and not _endpoint_matches(
            table.endpoint, Recorded(flow, table.endpoint.partition(" ")[0], path, 200, body, None, None)
        ):
            continue
        value = encoding.get_path(body, table.field)
        if value is not encoding.MISSING and value is not None and not isinstance(value, dict | list):
            held.setdefault(str(value), table.field)
    return held


def expected_status(facts: Facts, flow: Flow, body: Any, path: str, context: dict[str, str]) -> str | None:
    """The UCS status the facts give a recorded 2xx body (first matching row), None when no table
    of the flow reads this body, "Pending" for a value the facts do not document."""
    reading = status_reading(facts, flow, body, path, context)
    return reading.means if reading is not None else None


def expected_error_fields(facts: Facts, flow: Flow, body: Any, ok: bool) -> dict[str, Any]:
    """code, message, reason, decline code and payment id of an error answer, read where the facts
    say they live."""
    errors = facts.errors
    if errors is None or not isinstance(body, dict | list):
        return {}
    paths: dict[str, str | None]
    if ok:
        entry = next(
            (
                e
                for e in errors.in_success
                if e.flow is flow and all(_condition_holds(body, f, w) for f, w in e.when.items())
            ),
            None,
        )
        if entry is None:
            return {}
        paths = {
            "code": entry.code,
            "message": entry.message,
            "reason": entry.reason,
            "decline_code": entry.decline_code,
            "transaction_id": entry.transaction_id,
        }
    else:
        shape = errors.shape_for(flow)
        paths = {
            "code": shape.code,
            "message": shape.message,
            "reason": shape.reason,
            "decline_code": shape.decline_code,
            "transaction_id": shape.transaction_id,
        }
    found: dict[str, Any] = {}
    for name, path in paths.items():
        if not path:
            continue
        value = encoding.get_path(body, path)
        if name == "reason" and isinstance(value, list):  # a list of reasons (error codes): each is kept
            found[name] = [str(v) for v in value if v not in (None, "")] or None
        elif value is not encoding.MISSING and value not in (None, ""):
            found[name] = str(value)
    for name in ("code", "decline_code"):  # a documented code: its meaning must reach the outcome
        documented = errors.meaning_of(found[name]) if isinstance(found.get(name), str) else None
        if documented is not None:
            found["meaning"] = documented
            break
    return {k: v for k, v in found.items() if v is not None}


def _refused_outcome(
    facts: Facts, flow: Flow, body: Any, path: str, context: dict[str, str]
) -> tuple[str, str] | None:
    """Where an error body embeds the resource (a declined PaymentIntent) on a flow whose error
    carries the outcome of the call, that path and the status the facts give it; else None."""
    errors = facts.errors
    if errors is None or not errors.resource or flow not in errors.resource_flows:
        return None
    resource = encoding.get_path(body, errors.resource)
    if not isinstance(resource, dict):
        return None
    status = expected_status(facts, flow, resource, path, context)
    return (errors.resource, status) if status is not None else None


def error_problems(
    result: ErrorResponse, expected: dict[str, Any], status_code: int, where: str
) -> list[str]:
    """Where the connector's ErrorResponse drops or changes what the recorded error answer says."""
    problems: list[str] = []
    if result.status_code != status_code:
        problems.append(
            f"{where}: error HTTP status {result.status_code}, the recorded answer's is {status_code}"
        )
    if "code" in expected and result.code != expected["code"]:
        problems.append(f"{where}: error code {result.code!r}, the recorded answer says {expected['code']!r}")
    # a connector may compose a fuller message, but the provider's own words must be in it
    if "message" in expected and expected["message"] not in (result.message or ""):
        said = expected["message"]
        problems.append(f"{where}: error message {result.message!r}, the recorded one is {said!r}")
    reasons = expected.get("reason")
    for reason in [reasons] if isinstance(reasons, str) else reasons or []:
        if not any(v and reason in v for v in (result.reason, result.network_error_message)):
            problems.append(f"{where}: the error reason {reason!r} of the recorded answer was dropped")
    decline = expected.get("decline_code")
    kept = (result.code, result.reason, result.network_decline_code, result.message)
    if decline is not None and not any(decline == v or (v and decline in v) for v in kept):
        problems.append(f"{where}: the decline code {decline!r} of the recorded answer was dropped")
    problems.extend(meaning_problems(result, expected, where))
    payment = expected.get("transaction_id")
    if payment is not None and result.connector_transaction_id != payment:
        problems.append(
            f"{where}: the error names payment {result.connector_transaction_id!r}, the recorded answer "
            f"{payment!r}"
        )
    return problems


def meaning_problems(result: ErrorResponse, expected: dict[str, Any], where: str) -> list[str]:
    """A code the facts document ([[errors.meanings]]) says why the payment failed: that meaning is
    the error's reason, and its message too when the answer has no message of its own."""
    documented = expected.get("meaning")
    if not isinstance(documented, CodeMeaning):
        return []
    meaning, code = documented.meaning, documented.code
    source = documented.source
    said = f"the documented meaning {meaning!r} of code {code!r} (facts [[errors.meanings]], {source})"
    problems: list[str] = []
    if not any(v and meaning in v for v in (result.reason, result.network_error_message)):
        problems.append(f"{where}: the error reason {result.reason!r} does not carry {said}")
    if "message" not in expected and meaning not in (result.message or ""):
        problems.append(
            f"{where}: the error message {result.message!r} does not carry {said}; the answer has no "
            "message of its own"
        )
    return problems


def success_problems(
    facts: Facts, execution: Any, body: Any, path: str, context: dict[str, str], where: str
) -> list[str]:
    """A 2xx answer: the status the facts give it, and its raw status value kept as sent."""
    reading = status_reading(facts, execution.flow, body, path, context)
    result = execution.result
    if reading is None or result is None:
        return []
    problems: list[str] = []
    got = _outcome(result)
    if got != reading.means:
        problems.append(f"{where}: read as {got}; the facts make the recorded answer {reading.means}")
    raw = getattr(result, "raw_status", None)
    # a body may carry several documented statuses (an order and its authorization): keep any one
    held = status_values(facts, execution.flow, body, path)
    if raw is not None and held and raw not in held:
        said = ", ".join(f"{field} is {value!r}" for value, field in held.items())
        problems.append(f"{where}: raw status {raw!r}, the recorded answer's {said}")
    return problems


def outcome_problems(facts: Facts, runs: list[Any]) -> list[str]:
    """Where the connector's reading of a recorded answer differs from what the facts make of it."""
    problems: list[str] = []
    for run in runs:
        for index, execution in enumerate(run.executions, start=1):
            response, request = execution.response, execution.request
            if response is None or request is None or execution.crash is not None:
                continue
            body = response.decoded()
            result = execution.result
            where = f"{run.scenario.id} step {index} ({execution.flow.value})"
            expected = expected_error_fields(facts, execution.flow, body, response.ok)
            path = urlsplit(request.url).path
            context = context_of(execution.router_data.request)
            got = _outcome(result) if result is not None else None
            if response.ok:
                problems.extend(success_problems(facts, execution, body, path, context, where))
            elif isinstance(result, ErrorResponse):
                refused = _refused_outcome(facts, execution.flow, body, path, context)
                if refused is not None and got != refused[1]:
                    resource, status = refused
                    problems.append(
                        f"{where}: read as {got}; the facts make the {resource} "
                        f"of the recorded error {status}"
                    )
            if not expected:
                continue
            if not isinstance(result, ErrorResponse):
                problems.append(
                    f"{where}: the recorded answer is an error (code {expected.get('code')!r}) by the facts, "
                    f"but the connector read it as {got if result is not None else 'nothing'}"
                )
                continue
            problems.extend(error_problems(result, expected, response.status_code, where))
    return problems


def outcome_check(scenario_id: str) -> Any:
    def run(session: ConnectorSession) -> list[CheckResult]:
        from harness.certify.catalog import SCENARIOS
        from harness.certify.runner import ScenarioRun

        check_id = f"facts:outcome:{scenario_id}"
        title = f"Each answer of {scenario_id} is read as the facts read the recorded body"
        outcome = session.scenario_run(SCENARIOS[scenario_id])
        if not isinstance(outcome, ScenarioRun):
            return [_result(check_id, "skipped", "the scenario did not run", title, scenario=scenario_id)]
        problems = outcome_problems(session.facts, [outcome])
        if problems:
            return [
                _result(
                    check_id,
                    "failed",
                    "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""),
                    title,
                    scenario=scenario_id,
                    details={"problems": problems},
                )
            ]
        steps = len(outcome.executions)
        return [
            _result(
                check_id, "passed", f"{steps} answer(s) read as the facts say", title, scenario=scenario_id
            )
        ]

    return run


# ------------------------------------------------------------------ the plan of the family


def facts_against_spec_check(session: ConnectorSession) -> list[CheckResult]:
    title = "Every status value the published spec documents is in the provider facts"
    problems = check_facts_against_spec(session.spec, session.workspace.facts_path)
    if problems:
        message = f"{len(problems)} documented value(s) missing from the facts: " + "; ".join(problems[:4])
        details = {"problems": problems}
        return [check_result("facts:spec", "facts", "failed", message, title=title, details=details)]
    return [
        check_result("facts:spec", "facts", "passed", "every documented status is in the facts", title=title)
    ]


def facts_file_specs(session: ConnectorSession) -> list[CheckSpec]:
    """The connector's tables against the provider facts; without a facts file, one failing check."""
    try:
        flows = status_flows(session)
    except FactsError as error:
        # missing: the connector is not certified; malformed: the harness cannot do its job (exit 2)
        status = "error" if session.workspace.facts_path.is_file() else "failed"
        message = error.one_line()

        def unusable(_: ConnectorSession) -> list[CheckResult]:
            return [check_result("facts:file", "facts", status, message, title="Provider facts file")]

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
            currencies_check,
        ),
    ]
    for scenario_id in session.workspace.certification.scenarios.supported:
        specs.append(
            CheckSpec(
                f"facts:outcome:{scenario_id}",
                "facts",
                f"Answers of {scenario_id} read as the facts read the recorded bodies",
                outcome_check(scenario_id),
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
                statuses_check(flow),
                flow=flow.value,
            )
        )
    return specs


def specs(session: ConnectorSession) -> list[CheckSpec]:
    specs = facts_file_specs(session)
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
    return specs
