"""What a connector leaves unexercised, and whether the provider facts excuse it.

A scenario or flow check may be skipped for free only for a reason the provider facts give, cited
in the skip: the flow is listed under `[[absent_operations]]` (the provider has no such operation),
the scenario under `[[inapplicable_scenarios]]` (a documented behaviour rules it out), or the
scenario's currency is not in `currencies.supported`. A scenario the connector declares supported
that the facts rule out fails: a fact must not hide a scenario the connector could run. Anything
else left unexercised (an `[exempt]` scenario, a flow the connector declares
unsupported that the facts do not list as absent) is a *gap*: skipped, never blocking, but it
costs score (`results.GAP_PENALTY`) and results.json lists it under `gaps`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from harness.certify.catalog import Scenario
from harness.certify.facts import AbsentOperation, Facts, FactsError
from harness.certify.results import GAP_PENALTY, CheckResult
from harness.domain.flows import Flow

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession

COST = f"costs {GAP_PENALTY} points"
GAP_NOTE = f"gap, {COST}: no reason from the provider facts or the spec"


class Excused(str):
    """A skip reason taken from the provider facts or the spec: the skip costs nothing."""


def provider_facts(session: ConnectorSession) -> Facts | None:
    """The facts, or None when they are missing or malformed (facts:file reports that on its own)."""
    try:
        return session.facts
    except FactsError:
        return None


def absent_at_provider(session: ConnectorSession, flows: Iterable[Flow]) -> list[AbsentOperation]:
    facts = provider_facts(session)
    if facts is None:
        return []
    return [fact for flow in flows if (fact := facts.absent_operation(flow)) is not None]


def facts_backed(absent: list[AbsentOperation], session: ConnectorSession) -> tuple[str, dict[str, Any]]:
    """The message and details of a free skip: the facts' reason and its documentation source."""
    where = session.relative_facts_path
    reasons = "; ".join(f"{fact.reason} (source: {fact.source})" for fact in absent)
    details = {
        "facts": where,
        "reason": "; ".join(fact.reason for fact in absent),
        "source": [fact.source for fact in absent] if len(absent) > 1 else absent[0].source,
    }
    return f"not offered by the provider ({where} [[absent_operations]]): {reasons}", details


def ruled_out_by_facts(session: ConnectorSession, scenario: Scenario) -> tuple[str, dict[str, Any]] | None:
    """Why the provider facts rule the scenario out at the provider (message, details), if they do."""
    facts = provider_facts(session)
    if facts is None:
        return None
    where = session.relative_facts_path
    if scenario.currency is not None and not facts.supports_currency(scenario.currency):
        code = scenario.currency.value
        source = facts.currencies.source
        reason = f"the provider does not support {code}"
        return (
            f"{reason} ({where} currencies.supported does not list it; source: {source})",
            {"facts": where, "reason": reason, "source": source, "currency": code},
        )
    fact = facts.inapplicable_scenario(scenario.id)
    if fact is not None:
        return (
            f"inapplicable at the provider ({where} [[inapplicable_scenarios]]): {fact.reason} "
            f"(source: {fact.source})",
            {"facts": where, "reason": fact.reason, "source": fact.source},
        )
    return None


def unbacked(flows: Iterable[Flow], session: ConnectorSession) -> str:
    """Why a flow the connector does not implement costs score: the facts do not say it is absent."""
    names = ", ".join(sorted(flow.value for flow in flows))
    return (
        f"gap, {COST}: {session.relative_facts_path} does not list {names} under [[absent_operations]], "
        "so the provider offers it and the connector could implement it"
    )


def unexercised_scenario(session: ConnectorSession, scenario: Scenario) -> CheckResult | None:
    """The skip (free or a gap) or failure of a scenario the connector does not run; None to run it."""
    ws = session.workspace
    cert = ws.certification
    connector = ws.connector
    check_id = f"scenario:{scenario.id}"
    missing = [f for f in scenario.flows if not connector.supports(f)]
    common: dict[str, Any] = {
        "scenario": scenario.id,
        "flow": scenario.main_flow.value,
        "title": scenario.title,
    }
    ruled_out = ruled_out_by_facts(session, scenario)
    if ruled_out is not None:
        message, details = ruled_out
        if scenario.id in cert.scenarios.supported:
            return CheckResult(
                id=check_id,
                family="scenario",
                status="failed",
                message=f"facts/connector disagreement: certification.toml declares {scenario.id} supported, "
                f"but {message}; correct the fact or take the scenario out of [scenarios] supported",
                details=details,
                **common,
            )
        if scenario.id in cert.exempt:
            details["exempt"] = cert.exempt[scenario.id]
        return CheckResult(
            id=check_id, family="scenario", status="skipped", message=message, details=details, **common
        )
    if scenario.id not in cert.scenarios.supported:
        absent = absent_at_provider(session, missing)
        if absent:
            message, details = facts_backed(absent, session)
            if scenario.id in cert.exempt:
                details["exempt"] = cert.exempt[scenario.id]
            return CheckResult(
                id=check_id, family="scenario", status="skipped", message=message, details=details, **common
            )
    if scenario.id in cert.exempt:
        reason = cert.exempt[scenario.id]
        return CheckResult(
            id=check_id,
            family="scenario",
            status="skipped",
            message=f"exempt: {reason} (gap, {COST}: an exemption is not a fact of the provider)",
            exempt=True,
            gap=True,
            details={"reason": reason},
            **common,
        )
    if not missing:
        return None
    reasons = "; ".join(
        f"{f.value}: {connector.unsupported.get(f, 'not implemented')}" for f in sorted(missing)
    )
    if scenario.id in cert.scenarios.supported:
        return CheckResult(
            id=check_id,
            family="scenario",
            status="failed",
            message=f"declared supported but needs flows the connector does not implement ({reasons})",
            **common,
        )
    return CheckResult(
        id=check_id,
        family="scenario",
        status="skipped",
        message=f"not supported: {reasons} ({unbacked(missing, session)})",
        gap=True,
        details={"reason": reasons},
        **common,
    )


def not_supported_outcome(session: ConnectorSession, flow: Flow, reason: str, error: str) -> CheckResult:
    """A flow that answers with a typed not-supported error: free when the facts back it, else a gap."""
    check_id = f"not_supported:{flow.value}"
    title = f"{flow.value} answers with a typed not-supported error"
    absent = absent_at_provider(session, [flow])
    if absent:
        message, details = facts_backed(absent, session)
        details.update(declared=reason, error=error)
        return CheckResult(
            id=check_id,
            family="scenario",
            status="skipped",
            message=message,
            flow=flow.value,
            title=title,
            details=details,
        )
    return CheckResult(
        id=check_id,
        family="scenario",
        status="skipped",
        message=f"not supported: {reason} ({unbacked([flow], session)})",
        flow=flow.value,
        title=title,
        gap=True,
        details={"reason": reason, "error": error},
    )
