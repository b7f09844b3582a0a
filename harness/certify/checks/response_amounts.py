"""The amounts an outcome reports are the ones the provider's answer states.

For each `[[response_amounts]]` fact (a field of a flow's success answer and the outcome field that
reports it), every replayed answer of the flow that carries the field is compared with the
outcome the connector made of it: the amount converted to ISO 4217 minor units with the facts'
currency table (never the connector's converter) must be the outcome's, and an outcome that drops
it (None) is refused too. A connector that reports the requested amount, or none, where the
provider says it authorized or captured something else fails here even when the status is right.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from harness.certify.catalog import CATALOG
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.facts import ABSENT, PRESENT, Facts, ResponseAmount, value_matches
from harness.certify.results import CheckResult
from harness.certify.runner import ScenarioRun
from harness.domain.currency import Currency
from harness.domain.router_data import PaymentsResponseData, RefundsResponseData
from harness.integration import encoding

CHECK_ID = "facts:response_amounts"
TITLE = "Every amount the provider's answer states is the amount the outcome reports"


def _applies(fact: ResponseAmount, body: Any) -> bool:
    for path, wanted in fact.when.items():
        value = encoding.get_path(body, path)
        missing = value is encoding.MISSING or value is None
        if wanted == ABSENT:
            if not missing:
                return False
        elif wanted == PRESENT:
            if missing:
                return False
        elif missing or not value_matches(wanted, value):
            return False
    return True


def stated_minor_units(fact: ResponseAmount, facts: Facts, value: Any, currency: Currency) -> int | None:
    """The answer's amount in ISO 4217 minor units (None when it is no whole minor amount)."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    if fact.unit == "major":
        shifted = number.scaleb(currency.exponent)
    else:
        shifted = number.scaleb(currency.exponent - facts.currency_table.provider_exponent(currency))
    return int(shifted) if shifted == shifted.to_integral_value() else None


def _currency(fact: ResponseAmount, body: Any, router_data: Any) -> Currency | None:
    if fact.currency_field:
        code = encoding.get_path(body, fact.currency_field)
        try:
            return Currency(str(code).upper())
        except ValueError:
            return None
    currency = getattr(getattr(router_data, "request", None), "currency", None)
    return currency if isinstance(currency, Currency) else None


def response_amounts_check(session: ConnectorSession) -> list[CheckResult]:
    facts = session.facts
    wrong: list[str] = []
    compared = 0
    for scenario in CATALOG:
        if scenario.id not in session.workspace.certification.scenarios.supported:
            continue
        run = session.scenario_run(scenario)
        if not isinstance(run, ScenarioRun):
            continue
        for index, execution in enumerate(run.executions, start=1):
            result, response = execution.result, execution.response
            if not isinstance(result, PaymentsResponseData | RefundsResponseData) or response is None:
                continue
            body = response.decoded()
            for fact in facts.response_amounts:
                if fact.flow is not execution.flow or not _applies(fact, body):
                    continue
                value = encoding.get_path(body, fact.field)
                currency = _currency(fact, body, execution.router_data)
                if value is encoding.MISSING or value is None or currency is None:
                    continue
                expected = stated_minor_units(fact, facts, value, currency)
                where = f"{scenario.id} step {index} ({fact.flow.value}): the answer's {fact.field}={value}"
                if expected is None:
                    wrong.append(f"{where} is no whole amount of {currency.value}")
                    continue
                compared += 1
                reported = getattr(result, fact.reports, None)
                if reported is None:
                    wrong.append(f"{where} ({expected} minor units) is dropped: {fact.reports} is None")
                elif reported.value != expected:
                    wrong.append(f"{where} is {expected} minor units; {fact.reports} says {reported.value}")
    details: dict[str, Any] = {"facts": session.relative_facts_path, "compared": compared}
    if wrong:
        details["wrong"] = wrong
        more = f" (+{len(wrong) - 2} more)" if len(wrong) > 2 else ""
        message = f"{len(wrong)} reported amount(s) differ from the answer: {'; '.join(wrong[:2])}{more}"
        return [check_result(CHECK_ID, "facts", "failed", message, title=TITLE, details=details)]
    if not compared:
        message = "no replayed answer carries an amount the facts' [[response_amounts]] name"
        return [check_result(CHECK_ID, "facts", "failed", message, title=TITLE, details=details)]
    message = f"{compared} stated amount(s) reported as the answer states"
    return [check_result(CHECK_ID, "facts", "passed", message, title=TITLE, details=details)]


def specs(session: ConnectorSession) -> list[CheckSpec]:
    """Only where the facts name response amounts: a provider without them has nothing to compare."""
    try:
        named = bool(session.facts.response_amounts)
    except Exception:  # an unreadable facts file is the facts file check's failure, reported there
        return []
    return [CheckSpec(CHECK_ID, "facts", TITLE, response_amounts_check)] if named else []
