"""Idempotency and request-id headers, checked on the requests the connector sends in replay.

Part of the facts family: the expected headers come from `[idempotency]` and `[request_id]` of
specs/<name>.facts.toml, never from the connector's declaration.

* `facts:idempotency`: every request of a flow the facts list carries the header; two distinct
  operations (authorize and capture, capture and refund, two partial refunds) never share a key;
  the same operation built again from the same router data (a retry) carries the same key.
* `facts:request_id`: every request of a flow the facts list carries the request-id header.

A provider that accepts a key and gets none, or gets one key for two operations, charges twice on
a retry after a timeout or answers a refund with the capture it remembers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.certify.facts import FactsError, HeaderFacts
from harness.certify.results import CheckResult
from harness.domain.errors import ConnectorError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.integration.http import HttpRequest
from harness.integration.idempotency import idempotency_key_of

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession

FAMILY = "facts"
IDEMPOTENCY_TITLE = "Idempotency keys as the provider facts say: sent, one per operation, kept on retry"
REQUEST_ID_TITLE = "The request-id header the provider facts name is sent"


@dataclass(frozen=True)
class SentRequest:
    """One request the connector sent in a replayed scenario, and the router data it came from."""

    scenario: str
    step: str
    flow: Flow
    request: HttpRequest
    router_data: Any

    @property
    def where(self) -> str:
        return f"{self.scenario}/{self.step} ({self.flow.value})"


def sent_requests(session: ConnectorSession) -> list[SentRequest]:
    """The requests of every supported scenario, with the headers left unjudged: replay stops at a
    header mismatch, and this check needs every step of the chain (the second refund too) to see
    which keys they carry. The scenario check's own run serves where it passed with every request
    answered by the interaction recorded in its place (a replay without the header matcher would
    pick the same ones); any other scenario is replayed again without it. Made once a connector."""
    if "sent_requests" not in session.memo:
        session.memo["sent_requests"] = _sent_requests(session)
    return list(session.memo["sent_requests"])


def _sent_requests(session: ConnectorSession) -> list[SentRequest]:
    from harness.certify.cassettes.format import CassetteError
    from harness.certify.cassettes.replay import ReplayTransport, load_cassette
    from harness.certify.catalog import CATALOG
    from harness.certify.runner import ScenarioRun

    workspace = session.workspace
    supported = workspace.certification.scenarios.supported
    out: list[SentRequest] = []
    for scenario in CATALOG:
        if scenario.id not in supported:
            continue
        run = session.scenario_run(scenario)
        if not (isinstance(run, ScenarioRun) and run.passed and scenario.id in session.replayed_in_order):
            try:
                loaded = load_cassette(
                    workspace.cassette_path(scenario.id),
                    volatile=workspace.connector_cls.volatile_fields,
                    compare_headers=False,
                )
            except (FileNotFoundError, CassetteError):
                continue  # the scenario check reports the cassette
            run = session.runner.run(scenario, ReplayTransport(loaded))
        for execution, trace in zip(run.executions, run.steps, strict=False):
            if execution.request is not None:
                out.append(
                    SentRequest(
                        scenario.id, trace.step, execution.flow, execution.request, execution.router_data
                    )
                )
    return out


def _fact_name(session: ConnectorSession, table: str, fact: HeaderFacts) -> str:
    return (
        f"{session.relative_facts_path} [{table}] header {fact.header} ({fact.source or 'no source given'})"
    )


def missing_header_problems(fact: HeaderFacts, sent: list[SentRequest]) -> list[str]:
    """Requests of a listed flow that carry no value in the fact's header."""
    return [
        f"{s.where} sends no {fact.header} header"
        for s in sent
        if s.flow in fact.flows and not idempotency_key_of(s.request, fact.header)
    ]


def shared_key_problems(fact: HeaderFacts, sent: list[SentRequest]) -> list[str]:
    """Keys that two distinct operations (scenario steps) both carry."""
    operations: dict[str, list[SentRequest]] = defaultdict(list)
    for s in sent:
        key = idempotency_key_of(s.request, fact.header)
        if key and s.flow in fact.flows:
            operations[key].append(s)
    problems = []
    for key, users in operations.items():
        distinct = {(u.scenario, u.step) for u in users}
        if len(distinct) > 1:
            names = ", ".join(u.where for u in users[:3])
            problems.append(f"{fact.header} {key!r} is shared by distinct operations: {names}")
    return problems


def retry_problems(session: ConnectorSession, fact: HeaderFacts, sent: list[SentRequest]) -> list[str]:
    """Operations whose request, built again from the same router data, carries another key."""
    connector = session.workspace.connector
    base_url = session.workspace.base_url("sandbox")
    problems = []
    for s in sent:
        first = idempotency_key_of(s.request, fact.header)
        if s.flow not in fact.flows or not first:
            continue
        try:
            again = idempotency_key_of(connector.build_request(s.router_data, base_url), fact.header)
        except ConnectorError as error:
            problems.append(f"{s.where}: building the request again (a retry) fails: {error}")
            continue
        if again != first:
            problems.append(
                f"{s.where}: a retry built from the same router data sends {fact.header} {again!r}, "
                f"the first attempt sent {first!r}"
            )
    return problems


def _unexercised(fact: HeaderFacts, session: ConnectorSession, sent: list[SentRequest]) -> list[str]:
    connector = session.workspace.connector
    seen = {s.flow for s in sent}
    return [f.value for f in FLOW_ORDER if f in fact.flows and connector.supports(f) and f not in seen]


def _outcome(
    check_id: str, title: str, fact_name: str, problems: list[str], checked: int, unexercised: list[str]
) -> CheckResult:
    if problems:
        shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        return CheckResult(
            id=check_id,
            family=FAMILY,
            status="failed",
            title=title,
            message=f"{shown}; the fact: {fact_name}",
            details={"problems": problems, "fact": fact_name},
        )
    note = f"; not exercised by any replayed scenario: {', '.join(unexercised)}" if unexercised else ""
    return CheckResult(
        id=check_id,
        family=FAMILY,
        status="passed",
        title=title,
        message=f"{checked} request(s) agree with {fact_name}{note}",
    )


def _facts_or_skip(session: ConnectorSession, check_id: str, title: str) -> Any:
    try:
        return session.facts
    except FactsError:
        # the facts checks report the file itself (missing: failed; malformed: error)
        return CheckResult(
            id=check_id,
            family=FAMILY,
            status="skipped",
            title=title,
            message="no usable facts file (see facts:file)",
        )


def idempotency_check(session: ConnectorSession) -> list[CheckResult]:
    check_id = "facts:idempotency"
    facts = _facts_or_skip(session, check_id, IDEMPOTENCY_TITLE)
    if isinstance(facts, CheckResult):
        return [facts]
    fact = facts.idempotency
    if fact is None:
        message = f"{session.relative_facts_path} documents no idempotency header"
        return [
            CheckResult(id=check_id, family=FAMILY, status="passed", title=IDEMPOTENCY_TITLE, message=message)
        ]
    sent = sent_requests(session)
    problems = missing_header_problems(fact, sent) + shared_key_problems(fact, sent)
    if fact.retry_keeps_key is not False:
        problems += retry_problems(session, fact, sent)
    checked = sum(1 for s in sent if s.flow in fact.flows)
    fact_name = _fact_name(session, "idempotency", fact)
    return [
        _outcome(check_id, IDEMPOTENCY_TITLE, fact_name, problems, checked, _unexercised(fact, session, sent))
    ]


def request_id_check(session: ConnectorSession) -> list[CheckResult]:
    check_id = "facts:request_id"
    facts = _facts_or_skip(session, check_id, REQUEST_ID_TITLE)
    if isinstance(facts, CheckResult):
        return [facts]
    fact = facts.request_id
    if fact is None:
        message = f"{session.relative_facts_path} documents no request-id header the provider reads"
        return [
            CheckResult(id=check_id, family=FAMILY, status="passed", title=REQUEST_ID_TITLE, message=message)
        ]
    sent = sent_requests(session)
    problems = missing_header_problems(fact, sent)
    checked = sum(1 for s in sent if s.flow in fact.flows)
    fact_name = _fact_name(session, "request_id", fact)
    return [
        _outcome(check_id, REQUEST_ID_TITLE, fact_name, problems, checked, _unexercised(fact, session, sent))
    ]
