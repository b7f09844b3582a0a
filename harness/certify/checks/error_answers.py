"""Recorded error answers no catalog scenario reaches (a refused token exchange), read as the facts read them.

Each cassette under `cassettes/<name>/errors/` holds one failed exchange of one flow; its file name
starts with the flow in snake case (`create_access_token_invalid_client.yaml`). The flow is run on
router data made from certification.toml and replayed from that cassette: the outcome must be an
error whose code, message, reason and HTTP status are the ones the facts locate in the recorded
body ([errors], or the flow's own `[[errors.by_flow]]` shape). One check per cassette,
`facts:error_answer:<file stem>`; a connector without the folder plans none.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.replay import ReplayTransport, load_cassette
from harness.certify.checks.facts import error_problems, expected_error_fields
from harness.certify.checks.interface import CheckSpec, check_result
from harness.certify.checks.session import ConnectorSession
from harness.certify.facts import FactsError
from harness.certify.results import CheckResult
from harness.domain.errors import HarnessError
from harness.domain.flows import FLOW_ORDER, Flow
from harness.domain.router_data import ErrorResponse
from harness.execution.executor import execute
from harness.execution.factory import make_router_data
from harness.execution.tokens import AccessTokenCache

TITLE = "A recorded error answer is read as the facts read it"


def snake(flow: Flow) -> str:
    """CreateAccessToken -> create_access_token, PSync -> psync (as the catalog names them)."""
    return re.sub(r"(?<=[a-z])([A-Z])", r"_\1", flow.value).lower()


def flow_of(path: Path) -> Flow | None:
    """The flow a cassette's name starts with (the longest match: `psync` is not `p`)."""
    named = [
        flow for flow in FLOW_ORDER if path.stem == snake(flow) or path.stem.startswith(f"{snake(flow)}_")
    ]
    return max(named, key=lambda flow: len(snake(flow)), default=None)


def error_answer_check(path: Path) -> Callable[[ConnectorSession], list[CheckResult]]:
    check_id = f"facts:error_answer:{path.stem}"

    def result(
        status: str, message: str, flow: Flow | None = None, problems: list[str] | None = None
    ) -> list[CheckResult]:
        flow_name = flow.value if flow else None
        details: dict[str, Any] = {"problems": problems} if problems else {}
        return [
            check_result(check_id, "facts", status, message, title=TITLE, flow=flow_name, details=details)
        ]

    def run(session: ConnectorSession) -> list[CheckResult]:
        ws = session.workspace
        where = session.relative(path)
        flow = flow_of(path)
        if flow is None:
            names = ", ".join(snake(f) for f in FLOW_ORDER)
            return result(
                "error", f"{where}: the file name starts with no flow; start it with one of {names}"
            )
        if not ws.connector.supports(flow):
            return result(
                "failed", f"{where} records a {flow.value} answer, a flow the connector lacks", flow
            )
        try:
            facts = session.facts
            loaded = load_cassette(
                path,
                volatile=ws.connector_cls.volatile_fields,
                volatile_headers=ws.connector_cls.volatile_headers,
            )
        except (CassetteError, FactsError) as error:
            return result("error", error.one_line(), flow)
        cert = ws.certification
        router_data = make_router_data(
            flow,
            auth=ws.auth,
            amount=cert.amount,
            currency=cert.currency,
            reference=f"error_answer_{path.stem}"[:40],
            connector_transaction_id=cert.unknown_payment.connector_transaction_id,
            request_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"certify:{ws.name}/errors/{path.stem}")),
            metadata=cert.metadata,
        )
        execution = execute(
            ws.connector,
            router_data,
            ReplayTransport(loaded),
            ws.base_url("sandbox"),
            tokens=AccessTokenCache(),
        )
        answered = execution.token_execution if execution.response is None else execution
        response = answered.response if answered is not None else None
        if response is None:
            said = execution.harness_error or execution.crash or execution.error
            return result("failed", f"{where}: {flow.value} got no recorded answer: {said}", flow)
        outcome = execution.result
        if response.ok:
            return result(
                "error", f"{where}: the recorded answer is HTTP {response.status_code}, no error", flow
            )
        if not isinstance(outcome, ErrorResponse):
            read = type(outcome).__name__ if outcome is not None else (execution.crash or "nothing")
            return result(
                "failed",
                f"{where}: HTTP {response.status_code} error answer read as {read}, not an error",
                flow,
            )
        expected = expected_error_fields(facts, flow, response.decoded(), ok=False)
        if not expected:
            return result(
                "failed",
                f"the facts locate no error field in {where}'s answer: document {flow.value}'s error shape "
                f"({session.relative_facts_path} [errors] or [[errors.by_flow]])",
                flow,
            )
        problems = error_problems(outcome, expected, response.status_code, f"{where} ({flow.value})")
        if problems:
            return result("failed", "; ".join(problems[:3]), flow, problems=problems)
        fields = ", ".join(sorted(k for k in expected if k != "meaning"))
        return result("passed", f"{flow.value} error read as the facts read it ({fields})", flow)

    return run


def error_answer_paths(session: ConnectorSession) -> list[Path]:
    folder = session.workspace.error_answers_dir
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def specs(session: ConnectorSession) -> list[CheckSpec]:
    """One check per recorded error answer; none without the folder."""
    try:
        paths = error_answer_paths(session)
    except (OSError, HarnessError):
        return []
    return [
        CheckSpec(
            f"facts:error_answer:{path.stem}", "facts", TITLE, error_answer_check(path), flow=flow.value
        )
        if (flow := flow_of(path)) is not None
        else CheckSpec(f"facts:error_answer:{path.stem}", "facts", TITLE, error_answer_check(path))
        for path in paths
    ]
