"""RSync is about the refund it is given: the connector refund id decides what is synced.

Two syncs that differ only in `connector_refund_id` must differ in the request sent (the id reaches
the provider) or, where the request names only the payment, in the outcome read from the same
recorded answer (the connector picks that refund out of it). A connector that syncs the payment
instead reports the payment's state as the refund's, and no replay without a recorded refund sync
would notice.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.results import CheckResult
from harness.domain.errors import ConnectorError
from harness.domain.flows import Flow
from harness.integration.encoding import dumps_exact
from harness.integration.http import HttpResponse

CHECK_ID = "property:refund_id:RSync"
TITLE = "RSync syncs the refund named by connector_refund_id, not the payment"
OTHER_REFUND_ID = "certify_other_refund_id"  # a second refund id, never a provider's


def _with_refund_id(router_data: Any, refund_id: str) -> Any:
    request = router_data.request.model_copy(update={"connector_refund_id": refund_id})
    return dataclasses.replace(router_data, request=request, response=None)


def _sent(session: ConnectorSession, router_data: Any) -> tuple[str, bytes | None] | str:
    connector, base_url = session.workspace.connector, session.property_context.base_url
    try:
        request = connector.build_request(router_data, base_url)
    except ConnectorError as error:
        return f"{error.kind}: {error.message}"
    return request.url, request.wire_body()


def _read(session: ConnectorSession, router_data: Any, status_code: int, body: Any) -> str:
    response = HttpResponse(status_code, dumps_exact(body).encode(), {"Content-Type": "application/json"})
    try:
        return repr(session.workspace.connector.handle_response(router_data, response))
    except ConnectorError as error:
        return f"{error.kind}: {error.message}"


def refund_id_check(session: ConnectorSession) -> list[CheckResult]:
    recorded = [r for r in session.recorded_responses() if r.flow is Flow.RSYNC and not r.borrowed]
    if recorded:  # the ids of a replayed refund sync: its answer holds that refund
        base = dataclasses.replace(recorded[0].router_data, response=None)
    else:
        base = session.property_context.router_data(Flow.RSYNC)
    given = str(base.request.connector_refund_id)
    other = _with_refund_id(base, OTHER_REFUND_ID)
    sent, sent_other = _sent(session, base), _sent(session, other)
    if isinstance(sent, str):
        message = f"RSync could not build its request for refund {given!r}: {sent}"
        return [check_result(CHECK_ID, "property", "failed", message, flow=Flow.RSYNC.value, title=TITLE)]
    if sent != sent_other:
        message = "the refund id reaches the request"
        return [check_result(CHECK_ID, "property", "passed", message, flow=Flow.RSYNC.value, title=TITLE)]
    if recorded:
        answer = recorded[0]
        read = _read(session, base, answer.status_code, answer.body)
        if read != _read(session, other, answer.status_code, answer.body):
            message = "the request names the payment; the refund id picks the refund out of the answer"
            return [check_result(CHECK_ID, "property", "passed", message, flow=Flow.RSYNC.value, title=TITLE)]
    where = "and reads the same outcome from the recorded answer" if recorded else "(no recorded RSync)"
    message = (
        f"RSync sends the same request for refund ids {given!r} and {OTHER_REFUND_ID!r} {where}: the "
        "refund id never decides what is synced (is the payment's id sent instead of the refund's?)"
    )
    return [check_result(CHECK_ID, "property", "failed", message, flow=Flow.RSYNC.value, title=TITLE)]


def specs(session: ConnectorSession) -> list[CheckSpec]:
    if not session.workspace.connector.supports(Flow.RSYNC):
        return []
    return [CheckSpec(CHECK_ID, "property", TITLE, refund_id_check, flow=Flow.RSYNC.value)]
