"""Amount limits and partial amounts, with expected values from the facts file and ISO 4217.

Limits: a zero capture or refund and an amount above the facts' maximum are refused with a typed
error before any request is sent (the transport sees nothing); the documented maximum itself is
sent. A negative amount cannot reach a connector: `MinorUnit` refuses it when router data is built,
and a zero authorization is refused the same way (`PaymentsAuthorizeData`).

Partial amounts: a capture of a third of the authorization, a refund of a third of the capture, and
a refund after a partial capture put the *requested* amount on the wire, in the provider's unit as
the facts and ISO 4217 give it (a refund that sends the payment amount is refused).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.certify.facts import FactsError
from harness.certify.properties import PropertyFailure, expected_units, read_wire_amount, wire_tree
from harness.certify.results import CheckResult
from harness.domain.amounts import CurrencyTable
from harness.domain.currency import Currency
from harness.domain.errors import ConnectorError, InvalidDataError
from harness.domain.flows import Flow
from harness.domain.money import MAX_MINOR_UNITS, MinorUnit
from harness.execution.executor import execute
from harness.integration import encoding
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession

FAMILY = "property"
LIMIT_FLOWS = (Flow.AUTHORIZE, Flow.CAPTURE, Flow.REFUND)
PARTIAL_FLOWS = (Flow.CAPTURE, Flow.REFUND)
REFUSALS = InvalidDataError  # and its AmountNotRepresentableError
UNIT_CANDIDATES = (1000, 3000, 10000, 30000, 100000, 300000)  # a third of 3k that every rule accepts


class NoRequestTransport(BaseTransport):
    """Counts what reaches it: a refused amount must never get here."""

    def __init__(self) -> None:
        self.requests: list[HttpRequest] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return HttpResponse(500, b'{"message": "certify: this request should never have been sent"}')


def maximum_cases(table: CurrencyTable, currency: Currency) -> tuple[MinorUnit | None, MinorUnit | None]:
    """The documented maximum in ISO minor units (when it is one) and the smallest amount above it."""
    maximum = table.rule(currency).maximum
    if maximum is None:
        return None, None
    shift = table.provider_exponent(currency) - currency.exponent
    if shift >= 0:
        at, above = (maximum // 10**shift if maximum % 10**shift == 0 else None), maximum // 10**shift + 1
    else:
        at, above = maximum * 10**-shift, (maximum + 1) * 10**-shift
    return (
        MinorUnit(at) if at is not None and 0 < at <= MAX_MINOR_UNITS else None,
        MinorUnit(above) if above <= MAX_MINOR_UNITS else None,
    )


def limit_currency(session: ConnectorSession, table: CurrencyTable) -> Currency:
    """The certification's currency when the facts give it a maximum, else a supported one that has one."""
    default = session.workspace.certification.currency
    if table.rule(default).maximum is not None:
        return default
    for currency in table.supported_currencies():
        if table.rule(
            currency
        ).maximum is not None and session.workspace.connector.amount_converter.table.is_supported(currency):
            return currency
    return default


def amount_limits_check(flow: Flow) -> Callable[[ConnectorSession], list[CheckResult]]:
    def run(session: ConnectorSession) -> list[CheckResult]:
        check_id = f"{FAMILY}:amount_limits:{flow.value}"
        title = f"{flow.value} refuses a zero amount and one above the facts' maximum before sending anything"
        ctx = session.property_context
        try:
            table = session.facts.currency_table
        except FactsError as error:
            return [
                property_result(
                    check_id,
                    "skipped",
                    f"no facts to read the maximum from ({error.one_line()})",
                    flow,
                    title,
                )
            ]
        currency = limit_currency(session, table)
        at_max, above_max = maximum_cases(table, currency)
        refuse: list[tuple[str, MinorUnit]] = []
        if flow is not Flow.AUTHORIZE:  # a zero authorization cannot even be built (PaymentsAuthorizeData)
            refuse.append(("zero", MinorUnit(0)))
        notes = ["negative: MinorUnit refuses it before router data exists"]
        if above_max is not None:
            refuse.append((f"above the facts' maximum ({above_max.value} {currency.value})", above_max))
        else:
            notes.append(f"the facts document no maximum for {currency.value} below the 64-bit range")
        problems: list[str] = []
        for label, amount in refuse:
            router_data = ctx.router_data(flow, amount=amount, payment_amount=amount, currency=currency)
            transport = NoRequestTransport()
            execution = execute(ctx.connector, router_data, transport, ctx.base_url)
            if transport.requests:
                problems.append(
                    f"a {label} amount was sent to the provider: it must be refused with a typed error"
                )
            elif execution.crash is not None:
                problems.append(f"a {label} amount: {execution.crash.describe()}")
            elif execution.error is None or not isinstance(execution.error, REFUSALS):
                got = execution.error.kind if execution.error is not None else "no error"
                problems.append(
                    f"a {label} amount was refused with {got}, not invalid_data/amount_not_representable"
                )
        if at_max is not None and expected_units(at_max, currency, table) is not None:
            router_data = ctx.router_data(flow, amount=at_max, payment_amount=at_max, currency=currency)
            try:
                ctx.build(router_data)
            except (ConnectorError, PropertyFailure) as error:
                problems.append(
                    f"the facts' maximum itself ({at_max.value} {currency.value}) was refused ({error}); "
                    f"see {session.relative_facts_path}"
                )
        details = {"currency": currency.value, "cases": [label for label, _ in refuse], "notes": notes}
        if not refuse and not problems:
            message = "nothing to refuse: " + "; ".join(notes)
            return [property_result(check_id, "skipped", message, flow, title, details)]
        if problems:
            return [property_result(check_id, "failed", "; ".join(problems), flow, title, details)]
        message = f"refused {', '.join(label for label, _ in refuse)} before any request; " + "; ".join(notes)
        return [property_result(check_id, "passed", message, flow, title, details)]

    return run


def third_unit(table: CurrencyTable, currency: Currency) -> int | None:
    """A unit k such that k, 2k and 3k are each sent exactly under the provider's rules."""
    for k in UNIT_CANDIDATES:
        if all(expected_units(MinorUnit(n * k), currency, table) is not None for n in (1, 2, 3)):
            return k
    return None


def partial_amounts_check(flow: Flow) -> Callable[[ConnectorSession], list[CheckResult]]:
    def run(session: ConnectorSession) -> list[CheckResult]:
        check_id = f"{FAMILY}:partial_amounts:{flow.value}"
        title = f"A partial {flow.value} sends the requested amount, not the payment's"
        ctx = session.property_context
        spec = ctx.connector.flows[flow]
        if not spec.amount_fields:
            return [
                property_result(
                    check_id,
                    "failed",
                    f"{flow.value} declares no amount_fields: nothing to check",
                    flow,
                    title,
                )
            ]
        try:
            table = session.facts.currency_table
        except FactsError as error:
            return [property_result(check_id, "skipped", f"no facts ({error.one_line()})", flow, title)]
        currency = session.workspace.certification.currency
        k = third_unit(table, currency)
        if k is None:
            return [
                property_result(
                    check_id,
                    "skipped",
                    f"no partial amounts in {currency.value} that the facts accept",
                    flow,
                    title,
                )
            ]
        if flow is Flow.CAPTURE:
            cases = [("a third of the authorization", MinorUnit(k), MinorUnit(3 * k))]
        else:
            cases = [
                ("a third of the capture", MinorUnit(k), MinorUnit(3 * k)),
                ("half of a partial capture (2/3 of the authorization)", MinorUnit(k), MinorUnit(2 * k)),
            ]
        exponent = table.provider_exponent(currency)
        problems: list[str] = []
        for label, requested, limit in cases:
            router_data = ctx.router_data(flow, amount=requested, payment_amount=limit, currency=currency)
            try:
                tree = wire_tree(ctx.build(router_data))
            except (ConnectorError, PropertyFailure) as error:
                problems.append(f"{label}: refused ({error})")
                continue
            expected = expected_units(requested, currency, table)
            for field in spec.amount_fields:
                value = encoding.get_path(tree, field)
                if value is encoding.MISSING:
                    problems.append(f"{label}: declared amount field {field} is not in the request")
                    continue
                try:
                    units = read_wire_amount(value, ctx.connector.amount_converter.kind, exponent, field)
                except PropertyFailure as error:
                    problems.append(f"{label}: {error}")
                    continue
                if units != expected:
                    sent = (
                        "the payment amount"
                        if units == expected_units(limit, currency, table)
                        else f"{units}"
                    )
                    problems.append(
                        f"{label}: {field} carries {sent}, not the requested {requested.value} "
                        f"{currency.value} ({expected} in the provider's unit per "
                        f"{session.relative_facts_path} and ISO 4217)"
                    )
        details = {
            "currency": currency.value,
            "cases": [f"{label}: {r.value} of {lim.value}" for label, r, lim in cases],
        }
        if problems:
            return [property_result(check_id, "failed", "; ".join(problems), flow, title, details)]
        return [
            property_result(
                check_id, "passed", f"{len(cases)} partial amount(s) sent as requested", flow, title, details
            )
        ]

    return run


def amount_flows(connector: Any, flows: tuple[Flow, ...]) -> list[Flow]:
    return [flow for flow in flows if connector.supports(flow)]


def property_result(
    check_id: str, status: str, message: str, flow: Flow, title: str, details: dict[str, Any] | None = None
) -> CheckResult:
    return CheckResult(
        id=check_id,
        family=FAMILY,
        status=status,
        message=message,
        title=title,
        flow=flow.value,
        details=details or {},
    )
