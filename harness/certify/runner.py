"""Run one catalog scenario against a connector: chain the steps, check each outcome."""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from harness.certify.cassettes.scrubbing import scrub_headers, scrub_tree
from harness.certify.catalog import AmountFrom, Expect, Scenario, Step, Target
from harness.certify.certification import Certification
from harness.domain.auth import ConnectorAuthType
from harness.domain.errors import ConnectorError, InvalidDataError, MissingRequiredFieldError
from harness.domain.flows import Flow
from harness.domain.money import MinorUnit
from harness.domain.router_data import (
    AccessTokenResponseData,
    ErrorResponse,
    PaymentsResponseData,
    RefundsResponseData,
)
from harness.domain.sensitive import plain_uuid4
from harness.domain.status import AttemptStatus, CaptureMethod, RefundStatus
from harness.execution.executor import Execution, execute
from harness.execution.factory import make_router_data
from harness.execution.redact import Redactor
from harness.execution.tokens import AccessTokenCache
from harness.execution.transport import Transport
from harness.integration.connector import ConnectorV2
from harness.integration.http import HttpResponse

# Typed errors that are a correct answer to a must-fail step when raised before anything is sent.
PRE_REQUEST_REFUSALS = (InvalidDataError, MissingRequiredFieldError)  # amount_not_representable included


@dataclass
class StepTrace:
    step: str
    flow: str
    outcome: dict[str, Any] = field(default_factory=dict)
    expected: str = ""
    problems: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    execution: Execution | None = None

    # The masked request and scrubbed response are rendered when a report asks for them, once.
    @cached_property
    def request(self) -> dict[str, Any] | None:
        execution = self.execution
        return execution.request.masked() if execution is not None and execution.request is not None else None

    @cached_property
    def response(self) -> dict[str, Any] | None:
        return describe_response(self.execution.response) if self.execution is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "flow": self.flow,
            "expected": self.expected,
            "outcome": self.outcome,
            "problems": self.problems,
            "request": self.request,
            "response": self.response,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


@dataclass
class ScenarioRun:
    scenario: Scenario
    steps: list[StepTrace] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@functools.lru_cache(maxsize=8192)
def _replay_request_id(connector: str, scenario: str, step: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"certify:{connector}/{scenario}/{step}"))


@dataclass
class Chain:
    """What the steps so far produced, for the steps after them."""

    transaction_id: str | None = None
    connector_metadata: dict[str, Any] = field(default_factory=dict)
    authorized: MinorUnit | None = None
    captured: MinorUnit | None = None
    refund_ids: list[str] = field(default_factory=list)
    refunded: list[MinorUnit] = field(default_factory=list)


def scenario_reference(scenario_id: str, step_name: str, limit: int | None = None) -> str:
    """The reference a scenario step sends: `<scenario>_<step>`, or a deterministic form that fits.

    A router chooses references the provider accepts (Authorize.net's refId takes 20 characters);
    the connector then sends the reference unchanged. Too long, it becomes a readable prefix and
    8 hex digits of its SHA-256, so that every step keeps its own reference and replay matches.
    """
    reference = f"{scenario_id}_{step_name}"
    if limit is None or len(reference) <= limit:
        return reference
    digest = hashlib.sha256(reference.encode()).hexdigest()
    if limit < 10:
        return digest[:limit]
    return f"{reference[: limit - 9]}_{digest[:8]}"


def describe_outcome(execution: Execution) -> dict[str, Any]:
    result = execution.result
    outcome: dict[str, Any] = {}
    if execution.error is not None:
        outcome["error"] = {"kind": execution.error.kind, "message": str(execution.error)}
    if execution.crash is not None:
        outcome["crash"] = execution.crash.describe()
    if execution.harness_error is not None:
        outcome["harness_error"] = execution.harness_error.one_line()
    if isinstance(result, ErrorResponse):
        status = result.attempt_status or result.refund_status
        outcome.update(
            status=status.value if status else None,
            error={"code": result.code, "message": result.message, "reason": result.reason},
            connector_transaction_id=result.connector_transaction_id,
            http_status=result.status_code,
        )
    elif isinstance(result, PaymentsResponseData):
        outcome.update(
            status=result.status.value,
            raw_status=result.raw_status,
            connector_transaction_id=result.connector_transaction_id,
            amount=result.amount.value if result.amount is not None else None,
            currency=result.currency.value if result.currency else None,
        )
    elif isinstance(result, RefundsResponseData):
        outcome.update(
            status=result.refund_status.value,
            raw_status=result.raw_status,
            connector_refund_id=result.connector_refund_id,
            amount=result.amount.value if result.amount is not None else None,
            currency=result.currency.value if result.currency else None,
        )
    elif isinstance(result, AccessTokenResponseData):
        outcome.update(status="TokenIssued", expires_in=result.expires_in)
    return outcome


def describe_response(response: HttpResponse | None) -> dict[str, Any] | None:
    if response is None:
        return None
    body = response.decoded()
    return {
        "status_code": response.status_code,
        "headers": scrub_headers(dict(response.headers)),
        "body": scrub_tree(body) if not isinstance(body, str) else body[:2000],
    }


# a missing field formatted into a message ("None: ", "code None"): the user sees Python, not the error
SHOWN_NONE = re.compile(r"(?:^|[\s:(\[])None(?:$|[\s:,.)\]])")

# UCS states in which no money has been captured yet: an outcome in one reports no amount captured
NOTHING_CAPTURED = frozenset(
    {
        AttemptStatus.STARTED,
        AttemptStatus.AUTHENTICATION_PENDING,
        AttemptStatus.AUTHENTICATION_SUCCESSFUL,
        AttemptStatus.AUTHENTICATION_FAILED,
        AttemptStatus.AUTHORIZING,
        AttemptStatus.AUTHORIZED,
        AttemptStatus.PARTIALLY_AUTHORIZED,
        AttemptStatus.AUTHORIZATION_FAILED,
        AttemptStatus.VOIDED,
        AttemptStatus.PAYMENT_METHOD_AWAITED,
        AttemptStatus.CONFIRMATION_AWAITED,
        AttemptStatus.DEVICE_DATA_COLLECTION_PENDING,
    }
)


def not_a_business_failure(error: ErrorResponse) -> bool:
    """401 and 5xx say nothing about the payment; a 403 counts only when the connector read it as
    a failed operation (some providers answer "void not allowed" with a bare 403)."""
    if error.status_code == 401 or error.status_code >= 500:
        return True
    if error.status_code == 403:
        failed_attempt = error.attempt_status is not None and error.attempt_status.is_failure
        failed_refund = error.refund_status in (RefundStatus.FAILURE, RefundStatus.TRANSACTION_FAILURE)
        return not (failed_attempt or failed_refund)
    return False


def check_step(step: Step, execution: Execution) -> list[str]:
    """What is wrong with a step's outcome, in words an author can act on."""
    expect: Expect = step.expect
    result = execution.result
    if execution.harness_error is not None:
        return [execution.harness_error.message]
    if execution.crash is not None:
        return [execution.crash.describe()]
    if expect.error:
        if isinstance(result, ErrorResponse):
            if not_a_business_failure(result):
                return [
                    f"expected {expect.describe()}, got HTTP {result.status_code} {result.code}: an "
                    "authentication or server error is not the outcome this scenario tests"
                ]
            if not result.code:
                return ["the ErrorResponse has no code"]
            if SHOWN_NONE.search(result.message or ""):
                return [f"the error message {result.message!r} shows a missing value as None"]
            return []
        if execution.error is not None:
            if execution.request is None and isinstance(execution.error, PRE_REQUEST_REFUSALS):
                return []
            return [f"expected a provider error, got a {execution.error.kind} error: {execution.error}"]
        if isinstance(result, PaymentsResponseData) and result.status.is_failure:
            return []
        status = getattr(result, "status", None) or getattr(result, "refund_status", None)
        return [f"expected {expect.describe()}, got status {getattr(status, 'value', status)}"]
    if execution.error is not None:
        return [f"expected {expect.describe()}, got a {execution.error.kind} error: {execution.error}"]
    if isinstance(result, ErrorResponse):
        return [f"expected {expect.describe()}, got error {result.code}: {result.message}"]
    if expect.token:
        if not isinstance(result, AccessTokenResponseData) or not result.access_token.expose():
            return ["expected an access token"]
        return [] if result.expires_in is not None else ["the access token has no expiry (expires_in)"]
    problems: list[str] = []
    if isinstance(result, PaymentsResponseData):
        if expect.statuses and result.status.value not in expect.statuses:
            problems.append(
                f"expected {expect.describe()}, got {result.status.value} "
                f"(provider status {result.raw_status!r})"
            )
        if expect.ids and not result.connector_transaction_id:
            problems.append("no connector transaction id in the response")
        captured = result.amount_captured
        if captured is not None and captured.value > 0 and result.status in NOTHING_CAPTURED:
            problems.append(
                f"{result.status.value} with amount_captured {captured.value}: nothing is captured in "
                "that state (is the authorized amount reported as captured?)"
            )
    elif isinstance(result, RefundsResponseData):
        if expect.statuses and result.refund_status.value not in expect.statuses:
            problems.append(
                f"expected {expect.describe()}, got {result.refund_status.value} "
                f"(provider status {result.raw_status!r})"
            )
        if expect.ids and not result.connector_refund_id:
            problems.append("no connector refund id in the response")
    else:
        problems.append(f"expected {expect.describe()}, got no result")
    return problems


class ScenarioRunner:
    """Runs scenarios for one connector over one transport (replay, record or live)."""

    def __init__(
        self,
        connector: ConnectorV2,
        certification: Certification,
        auth: ConnectorAuthType,
        base_url: str,
        *,
        redactor: Redactor | None = None,
        replay: bool = False,
    ) -> None:
        self.connector = connector
        self.certification = certification
        self.auth = auth
        self.base_url = base_url
        self.redactor = redactor or Redactor()
        # Replay derives request ids from the scenario and step, so that two runs give the same
        # results; a live run needs fresh ones (providers dedupe on idempotency keys).
        self.replay = replay

    def request_id(self, scenario: Scenario, step: Step) -> str:
        if self.replay:
            return _replay_request_id(self.connector.id, scenario.id, step.name)
        return plain_uuid4()  # it becomes an idempotency key, recorded in the cassette

    def amount_for(self, step: Step, chain: Chain, scenario: Scenario | None = None) -> MinorUnit:
        scenario_amount = (
            MinorUnit(scenario.amount)
            if scenario is not None and scenario.amount is not None
            else self.certification.amount
        )
        base = chain.captured or chain.authorized or scenario_amount
        if step.amount is AmountFrom.SCENARIO:
            profile = self.certification.cards.get(step.card)
            if step.flow is Flow.AUTHORIZE and profile is not None and profile.amount is not None:
                return MinorUnit(profile.amount)
            return scenario_amount
        if step.amount is AmountFrom.FULL:
            return base
        if step.amount is AmountFrom.HALF:
            return base.split(2)
        if step.amount is AmountFrom.THIRD:
            return base.split(3)
        return base + MinorUnit(1)  # ABOVE

    def router_data(self, scenario: Scenario, step: Step, chain: Chain) -> Any:
        cert = self.certification
        amount = self.amount_for(step, chain, scenario)
        if step.flow is Flow.REFUND:
            limit = chain.captured or chain.authorized or amount
        else:
            limit = chain.authorized or amount
        transaction_id = (
            cert.unknown_payment.connector_transaction_id
            if step.target is Target.UNKNOWN
            else chain.transaction_id
        )
        # only an authorization carries the card (and its billing address)
        profile = cert.cards.get(step.card) if step.flow is Flow.AUTHORIZE else None
        spec = self.connector.flows.get(step.flow)
        reference = scenario_reference(scenario.id, step.name, spec.reference_max_length if spec else None)
        return make_router_data(
            step.flow,
            auth=self.auth,
            amount=amount,
            currency=scenario.currency or cert.currency,
            reference=reference,
            capture_method=step.capture_method,
            card=profile.card() if profile is not None else None,
            billing_address=profile.billing_address() if profile is not None else None,
            connector_transaction_id=transaction_id or "",
            connector_refund_id=chain.refund_ids[-1] if chain.refund_ids else "",
            payment_amount=limit,
            refund_id=reference,
            request_id=self.request_id(scenario, step),
            metadata=cert.metadata,
            connector_metadata=chain.connector_metadata,
            with_expected_amount=step.flow is not Flow.RSYNC or bool(chain.refunded),
        )

    def advance(self, step: Step, execution: Execution, chain: Chain) -> None:
        result = execution.result
        request = execution.router_data.request
        if isinstance(result, PaymentsResponseData):
            chain.transaction_id = result.connector_transaction_id or chain.transaction_id
            chain.connector_metadata.update(result.connector_metadata)
            if step.flow is Flow.AUTHORIZE:
                chain.authorized = request.amount
                if step.capture_method is CaptureMethod.AUTOMATIC and result.status in (
                    AttemptStatus.CHARGED,
                    AttemptStatus.CAPTURE_INITIATED,
                ):
                    chain.captured = request.amount
            elif step.flow is Flow.CAPTURE:
                chain.captured = request.amount_to_capture
        elif isinstance(result, RefundsResponseData) and step.flow is Flow.REFUND:
            chain.refund_ids.append(result.connector_refund_id)
            chain.refunded.append(request.refund_amount)

    def run(self, scenario: Scenario, transport: Transport) -> ScenarioRun:
        run = ScenarioRun(scenario)
        chain = Chain()
        tokens = AccessTokenCache()
        for index, step in enumerate(scenario.steps):
            trace = StepTrace(step=step.name, flow=step.flow.value, expected=step.expect.describe())
            try:
                router_data = self.router_data(scenario, step, chain)
            except ConnectorError as error:  # test data the domain refuses
                trace.problems.append(f"cannot build {step.flow.value} data: {error}")
                run.steps.append(trace)
                run.problems.append(f"step {step.name}: {trace.problems[0]}")
                break
            execution = execute(self.connector, router_data, transport, self.base_url, tokens=tokens)
            run.executions.append(execution)
            trace.elapsed_ms = execution.elapsed_ms
            trace.execution = execution
            trace.outcome = describe_outcome(execution)
            if execution.token_execution is not None and execution.token_execution.request is not None:
                trace.outcome["access_token_request"] = execution.token_execution.request.masked()
            trace.problems = check_step(step, execution)
            run.steps.append(trace)
            if trace.problems:
                run.problems.extend(f"step {step.name} ({step.flow.value}): {p}" for p in trace.problems)
                remaining = [s.name for s in scenario.steps[index + 1 :]]
                if remaining:
                    run.problems.append(f"not run after the failure: {', '.join(remaining)}")
                break
            self.advance(step, execution, chain)
        run.problems = [self.redactor(p) for p in run.problems]
        return run
