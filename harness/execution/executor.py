"""Run one flow end to end: build the request, send it, handle the response, check integrity.

`build_http_request` and `handle_http_response` are pure and are what `certify probe`,
`certify parse` and the property checks call; `execute` adds the transport in between.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from harness.domain.currency import Currency
from harness.domain.errors import ConnectorError, HarnessError, IntegrityCheckError
from harness.domain.flows import Flow
from harness.domain.money import MinorUnit
from harness.domain.router_data import (
    AccessTokenFlowData,
    AccessTokenRequestData,
    AccessTokenResponseData,
    AccessTokenRouterData,
    ErrorResponse,
    FlowOutcome,
    PaymentFlowData,
    PaymentsResponseData,
    RefundFlowData,
    RefundsResponseData,
    RouterDataV2,
)
from harness.execution.tokens import AccessTokenCache
from harness.execution.transport import Transport, TransportError
from harness.integration.connector import AnyRouterData, ConnectorV2
from harness.integration.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class ConnectorCrash:
    """A connector raised something other than a typed `ConnectorError`: a bug to report."""

    exception_type: str
    location: str  # file:line inside the connector's code, when known
    detail: str

    def describe(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"connector raised {self.exception_type}{where}: {self.detail}"


@dataclass
class Execution:
    """The trace of one flow: what was sent, what came back, what it became."""

    flow: Flow
    router_data: AnyRouterData
    request: HttpRequest | None = None
    response: HttpResponse | None = None
    error: ConnectorError | None = None
    crash: ConnectorCrash | None = None
    harness_error: HarnessError | None = None
    elapsed_ms: float = 0.0
    token_execution: Execution | None = None

    @property
    def result(self) -> Any:
        return self.router_data.response

    @property
    def ok(self) -> bool:
        return self.error is None and self.crash is None and self.harness_error is None


def crash_from(exc: BaseException) -> ConnectorCrash:
    frames = traceback.extract_tb(exc.__traceback__)
    location = ""
    for frame in reversed(frames):
        parts = Path(frame.filename).parts
        if "harness" not in parts or "tests" in parts:
            location = f"{Path(frame.filename).name}:{frame.lineno}"
            break
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return ConnectorCrash(type(exc).__name__, location, detail)


def build_http_request(connector: ConnectorV2, router_data: AnyRouterData, base_url: str) -> HttpRequest:
    return connector.build_request(router_data, base_url)


def handle_http_response(
    connector: ConnectorV2, router_data: AnyRouterData, response: HttpResponse
) -> FlowOutcome:
    """Response data or `ErrorResponse`, integrity-checked; raises `ConnectorError` when typed."""
    result = connector.handle_response(router_data, response)
    check_integrity(router_data, result, connector=connector.id)
    return result


def expected_amount(router_data: AnyRouterData) -> tuple[MinorUnit | None, Currency | None]:
    request = router_data.request
    flow = router_data.flow
    amount_attr = {
        Flow.AUTHORIZE: "amount",
        Flow.CAPTURE: "amount_to_capture",
        Flow.REFUND: "refund_amount",
        Flow.PSYNC: "amount",
        Flow.RSYNC: "refund_amount",
        Flow.VOID: "amount",
    }.get(flow)
    if amount_attr is None:
        return None, None
    return getattr(request, amount_attr, None), getattr(request, "currency", None)


def check_integrity(router_data: AnyRouterData, result: Any, *, connector: str) -> None:
    """UCS's integrity check: the response's amount and currency equal the request's."""
    if not isinstance(result, PaymentsResponseData | RefundsResponseData):
        return
    amount, currency = expected_amount(router_data)
    if amount is not None and result.amount is not None and result.amount != amount:
        raise IntegrityCheckError(
            f"response amount {result.amount.value} differs from the requested {amount.value}",
            connector=connector,
            flow=router_data.flow.value,
            field="amount",
        )
    if currency is not None and result.currency is not None and result.currency is not currency:
        raise IntegrityCheckError(
            f"response currency {result.currency.value} differs from the requested {currency.value}",
            connector=connector,
            flow=router_data.flow.value,
            field="currency",
        )


def apply_result(router_data: AnyRouterData, result: Any) -> None:
    """Store the result and move the flow data's status the way UCS does."""
    router_data.response = result
    data = router_data.resource_common_data
    if isinstance(result, PaymentsResponseData) and isinstance(data, PaymentFlowData):
        update: dict[str, Any] = {"status": result.status}
        if result.amount_captured is not None:
            update["amount_captured"] = result.amount_captured
        router_data.resource_common_data = data.model_copy(update=update)
    elif isinstance(result, RefundsResponseData) and isinstance(data, RefundFlowData):
        router_data.resource_common_data = data.model_copy(
            update={"status": result.refund_status, "refund_id": result.connector_refund_id}
        )
    elif isinstance(result, ErrorResponse) and isinstance(data, PaymentFlowData) and result.attempt_status:
        router_data.resource_common_data = data.model_copy(update={"status": result.attempt_status})
    elif isinstance(result, ErrorResponse) and isinstance(data, RefundFlowData) and result.refund_status:
        router_data.resource_common_data = data.model_copy(update={"status": result.refund_status})


def access_token_router_data(router_data: AnyRouterData) -> AccessTokenRouterData:
    data = router_data.resource_common_data
    return RouterDataV2(
        flow=Flow.CREATE_ACCESS_TOKEN,
        resource_common_data=AccessTokenFlowData(
            request_id=getattr(data, "request_id", None),
            test_mode=getattr(data, "test_mode", None),
            connector_meta_data=dict(getattr(data, "connector_meta_data", {})),
        ),
        connector_auth_type=router_data.connector_auth_type,
        request=AccessTokenRequestData(),
    )


def execute(
    connector: ConnectorV2,
    router_data: AnyRouterData,
    transport: Transport,
    base_url: str,
    *,
    tokens: AccessTokenCache | None = None,
) -> Execution:
    """Run one flow. Typed connector errors and crashes are captured in the `Execution`; a
    `HarnessError` (bad cassette, transport failure) is captured too, for the caller to judge."""
    execution = Execution(flow=router_data.flow, router_data=router_data)
    started = time.perf_counter()
    try:
        spec = connector.flow_spec(router_data.flow)
        if spec.needs_access_token and tokens is not None:
            fetch = partial(fetch_access_token, connector, router_data, transport, base_url)
            token, token_execution = tokens.get_or_fetch(connector, router_data, fetch)
            execution.token_execution = token_execution
            if token is None:
                # the token call's own error (or crash) is the outcome of this flow
                execution.router_data.response = token_execution.result if token_execution else None
                if token_execution is not None:
                    execution.error = token_execution.error
                    execution.crash = token_execution.crash
                    execution.harness_error = token_execution.harness_error
                return execution
            router_data.resource_common_data = router_data.resource_common_data.model_copy(
                update={"access_token": token}
            )
        execution.request = connector.build_request(router_data, base_url)
        execution.response = transport.handle_request(execution.request)
        result = handle_http_response(connector, router_data, execution.response)
        apply_result(router_data, result)
    except ConnectorError as error:
        execution.error = error.with_context(connector=connector.id, flow=router_data.flow.value)
    except TransportError as error:
        # no answer: the connector's failure policy says what the attempt is now (unknown, by default);
        # the transport error stays recorded, so a recording or scenario run still stops on it
        execution.harness_error = error
        try:
            apply_result(router_data, connector.transport_failure_response(router_data, error.message))
        except Exception as exc:
            execution.crash = crash_from(exc)
    except HarnessError as error:
        execution.harness_error = error
    except Exception as exc:  # a connector bug: record it, do not stop the run
        execution.crash = crash_from(exc)
    finally:
        execution.elapsed_ms = (time.perf_counter() - started) * 1000
    return execution


def fetch_access_token(
    connector: ConnectorV2, router_data: AnyRouterData, transport: Transport, base_url: str
) -> tuple[AccessTokenResponseData | None, Execution]:
    """The CreateAccessToken call a flow needs first, and the token it gave (None when it failed)."""
    token_execution = execute(connector, access_token_router_data(router_data), transport, base_url)
    return token_from(token_execution), token_execution


def token_from(execution: Execution) -> AccessTokenResponseData | None:
    result = execution.result
    return result if isinstance(result, AccessTokenResponseData) else None
