"""A sync is about the object it is given: PSync the payment named by connector_transaction_id,
RSync the refund named by connector_refund_id.

Two syncs that differ only in that id must differ in the request sent (the id reaches the
provider) or, where the request names only the payment, in the outcome read from the same
recorded answer (the connector picks the refund out of it). A connector that syncs another object
(the payment for the refund, the merchant reference for the payment) reports that object's state,
and no replay notices when the scenarios always pass the ids a connector keeps in its metadata.
PSync is asked without metadata: a payment synced by its id alone (created elsewhere) is common.
Where a recorded sync addressed the payment by that very id, the sync by the id alone must ask the
same endpoint (the recorded exchange is the oracle): one that guesses another resource from the
router data (a capture for an authorization) reads nothing, or the wrong object. Capture, Void and
Refund are held to the same (`property:id_alone`): a caller that kept only the payment's id must
capture, void or refund that payment, not one named by another field.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.results import CheckResult
from harness.domain.errors import ConnectorError
from harness.domain.flows import Flow
from harness.execution.executor import crash_from
from harness.integration.encoding import dumps_exact
from harness.integration.http import HttpResponse

# flow -> (the router data field naming what it syncs, what that is, whether the metadata is dropped)
SUBJECTS: dict[Flow, tuple[str, str, bool]] = {
    Flow.PSYNC: ("connector_transaction_id", "payment", True),
    Flow.RSYNC: ("connector_refund_id", "refund", False),
}
OTHER_ID = "certify_other_id"  # a second id, never a provider's


def check_id(flow: Flow) -> str:
    return f"property:sync_subject:{flow.value}"


def title(flow: Flow) -> str:
    field, subject, _ = SUBJECTS[flow]
    return f"{flow.value} syncs the {subject} named by {field}"


def _with(router_data: Any, **update: Any) -> Any:
    request = router_data.request.model_copy(update=update)
    return dataclasses.replace(router_data, request=request, response=None)


def _sent(session: ConnectorSession, router_data: Any) -> tuple[str, str, bytes | None] | str:
    connector, base_url = session.workspace.connector, session.property_context.base_url
    try:
        request = connector.build_request(router_data, base_url)
    except ConnectorError as error:
        return f"{error.kind}: {error.message}"
    except Exception as exc:  # a crash is an answer too: the flow cannot be asked this way
        return crash_from(exc).describe()
    return str(request.method), request.url, request.wire_body()


def _read(session: ConnectorSession, router_data: Any, status_code: int, body: Any) -> str:
    response = HttpResponse(status_code, dumps_exact(body).encode(), {"Content-Type": "application/json"})
    try:
        return repr(session.workspace.connector.handle_response(router_data, response))
    except ConnectorError as error:
        return f"{error.kind}: {error.message}"


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def named_by(answer: Any, field: str) -> str | None:
    """The id in `field` when the recorded request's path names the payment by it, else None."""
    given = str(getattr(answer.router_data.request, field, "") or "")
    return given if given and given in answer.path.split("/") else None


def elsewhere_without_metadata(session: ConnectorSession, recorded: list[Any], field: str) -> list[str]:
    """Recorded exchanges whose URL names the payment's id, asked again with that id alone and no
    metadata: where the request goes elsewhere (the recorded method and path are the oracle)."""
    wrong: list[str] = []
    for answer in recorded:
        given = named_by(answer, field)
        if given is None:
            continue  # the recorded request named the payment by another id (its metadata): no oracle
        alone = _with(answer.router_data, connector_metadata={})
        sent = _sent(session, alone)
        flow = answer.flow.value
        if isinstance(sent, str):
            wrong.append(f"{flow} of {given!r} alone could not be built: {sent}")
            continue
        method, path = sent[0].upper(), _path(sent[1])
        if (method, path) != (answer.method.upper(), answer.path.rstrip("/")):
            wrong.append(
                f"{flow} of {given!r} alone is sent as {method} {path}; the recorded {flow} of that "
                f"payment is {answer.method} {answer.path}"
            )
    return wrong


ID_ALONE = "property:id_alone"
ID_ALONE_FLOWS = (Flow.CAPTURE, Flow.VOID, Flow.REFUND)
ID_ALONE_TITLE = "Capture, Void and Refund by the payment's id alone ask what their recorded exchange asked"


def id_alone_check(session: ConnectorSession) -> list[CheckResult]:
    field = "connector_transaction_id"
    recorded = [r for r in session.recorded_responses() if r.flow in ID_ALONE_FLOWS and not r.borrowed]
    asked = [r for r in recorded if named_by(r, field) is not None]
    wrong = elsewhere_without_metadata(session, asked, field)
    if wrong:
        more = f" (+{len(wrong) - 1} more)" if len(wrong) > 1 else ""
        message = f"without metadata, another payment or resource is asked: {wrong[0]}{more}"
        return [check_result(ID_ALONE, "property", "failed", message, title=ID_ALONE_TITLE)]
    if not asked:  # nothing recorded, or every request names the payment in its body: no oracle
        where = "names the payment's id in its path" if recorded else "was recorded"
        message = f"no Capture, Void or Refund of a replayed scenario {where}: nothing to ask again"
        return [check_result(ID_ALONE, "property", "skipped", message, title=ID_ALONE_TITLE)]
    message = f"{len(asked)} recorded exchange(s) asked again by the payment's id alone, each as recorded"
    return [check_result(ID_ALONE, "property", "passed", message, title=ID_ALONE_TITLE)]


def sync_subject_check(flow: Flow) -> Any:
    field, subject, without_metadata = SUBJECTS[flow]

    def result(status: str, message: str) -> list[CheckResult]:
        return [check_result(check_id(flow), "property", status, message, flow=flow.value, title=title(flow))]

    def run(session: ConnectorSession) -> list[CheckResult]:
        recorded = [r for r in session.recorded_responses() if r.flow is flow and not r.borrowed]
        if recorded:  # the ids of a replayed sync: its answer holds that object
            base = dataclasses.replace(recorded[0].router_data, response=None)
        else:
            base = session.property_context.router_data(flow)
        if without_metadata:
            base = _with(base, connector_metadata={})
        given = str(getattr(base.request, field))
        other = _with(base, **{field: OTHER_ID})
        sent, sent_other = _sent(session, base), _sent(session, other)
        if isinstance(sent, str):
            return result("failed", f"{flow.value} could not build its request for {field} {given!r}: {sent}")
        if without_metadata:
            wrong = elsewhere_without_metadata(session, recorded, field)
            if wrong:
                more = f" (+{len(wrong) - 1} more)" if len(wrong) > 1 else ""
                return result(
                    "failed",
                    f"{flow.value} by {field} without metadata asks another resource: {wrong[0]}{more}",
                )
        if sent != sent_other:
            return result("passed", f"the {subject}'s id reaches the request")
        if recorded:
            answer = recorded[0]
            read = _read(session, base, answer.status_code, answer.body)
            if read != _read(session, other, answer.status_code, answer.body):
                return result("passed", f"the {field} picks the {subject} out of the answer")
        where = "and reads the same outcome from the recorded answer" if recorded else "(none recorded)"
        return result(
            "failed",
            f"{flow.value} sends the same request for {field} {given!r} and {OTHER_ID!r} {where}: the "
            f"{subject}'s id never decides what is synced (is another id sent instead?)",
        )

    return run


def specs(session: ConnectorSession) -> list[CheckSpec]:
    connector = session.workspace.connector
    specs = [
        CheckSpec(check_id(flow), "property", title(flow), sync_subject_check(flow), flow=flow.value)
        for flow in SUBJECTS
        if connector.supports(flow)
    ]
    if any(connector.supports(flow) for flow in ID_ALONE_FLOWS):
        specs.append(CheckSpec(ID_ALONE, "property", ID_ALONE_TITLE, id_alone_check))
    return specs
