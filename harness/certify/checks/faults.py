"""Transport faults on every write flow: the outcome stays unknown, and the retry keeps its key.

Each write flow (Authorize, Capture, Void, Refund) runs against a transport that answers 500, 502
(an HTML page from a proxy), 503 (empty, Retry-After), 429 (Retry-After), times out, or resets the
connection. UCS semantics: the outcome of such a call is unknown, so the result is an
`ErrorResponse` whose attempt/refund status is absent (the payment keeps its status) or
non-terminal; never Failure (the merchant would retry as a new payment: a double charge) and never
Charged/Authorized/Success. The same operation is then retried with the same router data; where the
facts' `[idempotency]` names a header for the flow, the retry carries the first attempt's key
(compared on the wire, by the facts' header name: the connector's own declaration is not the oracle).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from harness.certify.checks.amounts import property_result
from harness.certify.facts import Facts, FactsError
from harness.certify.results import CheckResult
from harness.domain.flows import Flow
from harness.domain.router_data import ErrorResponse, PaymentsResponseData, RefundsResponseData
from harness.execution.executor import Execution, execute
from harness.execution.transport import ConnectionLost, TransportError, TransportTimeout
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse

WRITE_FLOWS = (Flow.AUTHORIZE, Flow.CAPTURE, Flow.VOID, Flow.REFUND)
RETRY_KEY = "certify-retry-key-0001"  # the router data's request id: what an idempotency key is made from
FAMILY = "property"


@dataclass(frozen=True)
class Fault:
    name: str
    response: HttpResponse | None = None
    error: TransportError | None = None

    def answer(self) -> HttpResponse:
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


FAULTS = (
    Fault(
        "HTTP 500",
        HttpResponse(500, b'{"message": "Internal Server Error"}', {"Content-Type": "application/json"}),
    ),
    Fault(
        "HTTP 502",
        HttpResponse(
            502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {"Content-Type": "text/html"}
        ),
    ),
    Fault("HTTP 503", HttpResponse(503, b"", {"Retry-After": "30"})),
    Fault(
        "HTTP 429",
        HttpResponse(
            429, b'{"message": "Too many requests"}', {"Content-Type": "application/json", "Retry-After": "2"}
        ),
    ),
    Fault("timeout", error=TransportTimeout("no answer within 30s (a timeout the certification injected)")),
    Fault("connection reset", error=ConnectionLost("connection failed (ConnectionResetError, injected)")),
)


def error_tree(paths: dict[str, str]) -> dict[str, Any]:
    """A body with a value at each dotted path (digits index lists): the provider's error object."""
    tree: dict[str, Any] = {}
    for dotted, value in paths.items():
        node: Any = tree
        parts = dotted.split(".")
        for part, following in pairwise(parts):
            child: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                while len(node) <= int(part):
                    node.append(child)
                node = node[int(part)]
            else:
                node = node.setdefault(part, child)
        if isinstance(node, list):
            node.append(value)
        else:
            node[parts[-1]] = value
    return tree


def provider_shaped_faults(facts: Facts) -> tuple[Fault, ...]:
    """A 500 and a 429 carrying the provider's own error object, shaped by the facts' [errors] paths."""
    errors = facts.errors
    if errors is None or not errors.code:
        return ()
    paths = {errors.code: "certify_fault"}
    if errors.message:
        paths[errors.message] = "An error the certification injected"
    if errors.reason:
        paths[errors.reason] = "certify_fault_reason"
    body = json.dumps(error_tree(paths)).encode()
    json_type = {"Content-Type": "application/json"}
    return (
        Fault("HTTP 500 with the provider's error object", HttpResponse(500, body, json_type)),
        Fault(
            "HTTP 429 with the provider's error object",
            HttpResponse(429, body, {**json_type, "Retry-After": "2"}),
        ),
    )


class FaultTransport(BaseTransport):
    """Answers every request with one fault and keeps what it was sent."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.requests: list[HttpRequest] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.fault.answer()


def idempotency_header(facts: Facts, flow: Flow) -> str | None:
    """The header the facts say keys a retry of `flow` (None when the provider documents none)."""
    rule = facts.idempotency
    if rule is None or flow not in rule.flows or rule.retry_keeps_key is False:
        return None
    return rule.header


def outcome_problems(fault: Fault, execution: Execution) -> list[str]:
    """What is wrong with how the connector read the fault: anything but an unknown, non-terminal outcome."""
    if execution.crash is not None:
        return [f"{fault.name}: {execution.crash.describe()}"]
    if execution.error is not None:
        return [
            f"{fault.name}: raised {execution.error.kind} ({execution.error.message}) instead of an "
            "ErrorResponse that leaves the payment's status unknown"
        ]
    if execution.harness_error is not None and not isinstance(execution.harness_error, TransportError):
        return [f"{fault.name}: {execution.harness_error.one_line()}"]
    result = execution.result
    problems = []
    if isinstance(result, PaymentsResponseData) and result.status.is_terminal:
        problems.append(f"{fault.name} read as {result.status.value}: the provider never answered that")
    elif isinstance(result, RefundsResponseData) and result.refund_status.is_terminal:
        problems.append(f"{fault.name} read as refund {result.refund_status.value}")
    elif isinstance(result, ErrorResponse):
        for status in (result.attempt_status, result.refund_status):
            if status is not None and status.is_terminal:
                problems.append(
                    f"{fault.name} read as {status.value}: the outcome is unknown (a retry as a new payment "
                    "would charge twice); leave the status unset or non-terminal"
                )
    elif result is None:
        problems.append(f"{fault.name}: no result at all")
    status = getattr(execution.router_data.resource_common_data, "status", None)
    if not problems and status is not None and status.is_terminal:
        problems.append(f"{fault.name} left the payment {status.value}")
    return problems


def key_of(request: HttpRequest, header: str) -> str | None:
    value = request.header(header)
    return value.expose() if value is not None else None


def transport_faults_check(flow: Flow) -> Callable[[Any], list[CheckResult]]:
    def run(session: Any) -> list[CheckResult]:
        check_id = f"{FAMILY}:transport_faults:{flow.value}"
        title = f"{flow.value}: a 5xx, a 429, a timeout and a reset stay unknown; a retry keeps its key"
        ctx = session.property_context
        faults: tuple[Fault, ...] = FAULTS
        try:
            header = idempotency_header(session.facts, flow)
            faults += provider_shaped_faults(session.facts)
        except FactsError:
            header = None  # no facts: the facts checks fail the connector; the outcome is still checked
        problems: list[str] = []
        seen: dict[str, str] = {}
        for fault in faults:
            router_data = ctx.router_data(flow, request_id=RETRY_KEY)
            transport = FaultTransport(fault)
            first = execute(ctx.connector, router_data, transport, ctx.base_url)
            problems.extend(outcome_problems(fault, first))
            retry = execute(ctx.connector, router_data, transport, ctx.base_url)
            problems.extend(f"retry after {p}" for p in outcome_problems(fault, retry))
            if first.request is None or retry.request is None:
                continue
            if header is None:
                seen[fault.name] = "sent"
                continue
            first_key, retry_key = key_of(first.request, header), key_of(retry.request, header)
            if first_key != retry_key:
                problems.append(
                    f"the retry after {fault.name} sent "
                    + ("no " if retry_key is None else "a different ")
                    + f"{header} than the first attempt"
                    + (" (which had none)" if first_key is None else "")
                    + f": the facts' [idempotency] says a retry keeps its key ({session.relative_facts_path})"
                )
            seen[fault.name] = f"{header} kept" if first_key is not None else f"no {header} sent"
        details: dict[str, Any] = {"faults": [f.name for f in faults], "retries": seen}
        if header is not None:
            details["idempotency_header"] = header
        if problems:
            return [
                property_result(
                    check_id, "failed", "; ".join(problems[:4]), flow, title, details | {"problems": problems}
                )
            ]
        keys = ""
        if header is not None:
            kept = any("kept" in v for v in seen.values())
            keys = f"; each retry kept its {header}" if kept else f"; no {header} sent, so none to keep"
        message = f"{len(faults)} faults read as unknown, never terminal{keys}"
        return [property_result(check_id, "passed", message, flow, title, details)]

    return run


def fault_flows(connector: Any) -> list[Flow]:
    return [flow for flow in WRITE_FLOWS if connector.supports(flow)]
