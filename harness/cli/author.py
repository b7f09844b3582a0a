"""The connector author's tools: `certify list`, `certify probe`, `certify parse`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from harness.certify.workspace import config_dir_of
from harness.cli import app, fail
from harness.cli.webhook_forms import is_webhook_form, parse_webhook, probe_webhook
from harness.domain import (
    FLOW_ORDER,
    AccessTokenResponseData,
    AttemptStatus,
    CaptureMethod,
    ConnectorError,
    Currency,
    ErrorResponse,
    Flow,
    HarnessError,
    InvalidDataError,
    MinorUnit,
    NotImplementedFlowError,
    PaymentsResponseData,
    RefundsResponseData,
    Secret,
)
from harness.execution.config import load_env, resolve_placeholders
from harness.execution.executor import build_http_request, handle_http_response
from harness.execution.factory import make_router_data, placeholder_auth
from harness.integration import registry
from harness.integration.connector import ConnectorV2
from harness.integration.http import HttpResponse

ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        help="Folder holding development/sandbox/production.toml (default: config/, or the installed "
        "connector's own).",
    ),
]


@app.command("list", epilog="Example: certify list --flows (also: certify list --format json)")
def list_connectors(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    endpoints: Annotated[
        bool, typer.Option("--flows", help="one line per flow: its HTTP method and path template")
    ] = False,
) -> None:
    """Connectors x flows: which flows each registered connector implements."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for name in registry.names():
        try:
            cls = registry.load(name)
        except HarnessError as error:
            problems.append(error.one_line())
            rows.append({"connector": name, "error": error.message, "flows": {}})
            continue
        flows = {flow.value: flow_state(cls, flow) for flow in FLOW_ORDER}
        rows.append(
            {
                "connector": name,
                "auth_type": cls.auth.type.auth_type,
                "amount_converter": cls.amount_converter.kind,
                "flows": flows,
                "endpoints": {
                    flow.value: f"{cls.flows[flow].method.value} {cls.flows[flow].path or '/'}"
                    for flow in FLOW_ORDER
                    if flow in cls.flows
                },
                # the table lists every flow; "yes" in flows means its transforms are written
            }
        )
    if fmt == "table" and endpoints:
        table = Table(title="Flows: method and path template (relative to the base URL)")
        for column in ("connector", "flow", "method", "path"):
            table.add_column(column)
        for row in rows:
            for flow_name, endpoint in row.get("endpoints", {}).items():
                method, _, path = endpoint.partition(" ")
                table.add_row(row["connector"], flow_name, method, path)
        Console(width=140).print(table)
    elif fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
    elif fmt == "table":
        table = Table(title="Connectors x flows", show_lines=False)
        table.add_column("connector")
        for flow in FLOW_ORDER:
            table.add_column(flow.value, justify="center")
        marks = {"yes": "✓", "not supported": "—", "no": "·"}
        for row in rows:
            if "error" in row:
                table.add_row(row["connector"], f"error: {row['error'][:60]}", *[""] * (len(FLOW_ORDER) - 1))
            else:
                table.add_row(row["connector"], *[marks[row["flows"][f.value]] for f in FLOW_ORDER])
        Console(width=140).print(table)
        typer.echo("✓ implemented   — not supported (the provider has no such operation)   · not implemented")
    else:
        raise fail(f"--format must be table or json, not {fmt!r}")
    if problems:
        for problem in problems:
            typer.echo(f"certify: {problem}", err=True)
        raise typer.Exit(2)


JSON = "application/json"


def written(cls: type[ConnectorV2], flow: Flow) -> bool:
    """Whether the flow's transforms are written: a scaffolded one raises NotImplementedFlowError
    when it builds a request or reads an answer (any other outcome means someone wrote it)."""
    connector = cls()
    try:
        router_data = _router_data(
            connector,
            flow,
            amount=MinorUnit(1000),
            currency=Currency.USD,
            reference="certify_list_ref",
            connector_transaction_id="txn_list",
            connector_refund_id="refund_list",
        )
    except (typer.Exit, HarnessError, ValueError):
        return True  # the probe data does not fit this flow: nothing says it is unwritten
    steps = (
        lambda: connector.build_request(router_data, "https://certify.invalid/"),
        lambda: connector.handle_response(
            router_data, HttpResponse(status_code=200, body=b"{}", headers={"Content-Type": JSON})
        ),
    )
    for step in steps:
        try:
            step()
        except NotImplementedFlowError:
            return False
        except Exception:  # any other refusal is the answer of written code
            continue
    return True


def flow_state(cls: type[ConnectorV2], flow: Flow) -> str:
    """yes (written), no (in the table but raising NotImplementedFlowError, or absent), not supported."""
    if flow in cls.unsupported:
        return "not supported"
    if flow not in cls.flows:
        return "no"
    return "yes" if written(cls, flow) else "no"


def _connector(name: str) -> ConnectorV2:
    return registry.load(name)()


def _flow(name: str) -> Flow:
    try:
        return Flow.parse(name)
    except ValueError as error:
        raise fail(str(error)) from None


def _currency(code: str) -> Currency:
    try:
        return Currency.parse(code, field="--currency")
    except InvalidDataError as error:
        raise fail(error.message) from None


def _capture(value: str) -> CaptureMethod:
    try:
        return CaptureMethod(value.lower())
    except ValueError:
        raise fail(f"--capture-method must be manual or automatic, not {value!r}") from None


def _amount(value: int, option: str = "--amount") -> MinorUnit:
    try:
        return MinorUnit(value, field=option)
    except InvalidDataError as error:
        raise fail(error.message) from None


def _meta(pairs: list[str] | None, option: str = "--meta") -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"{option} takes key=value, not {pair!r}")
        out[key] = value
    return out


def _router_data(connector: ConnectorV2, flow: Flow, **options: Any) -> Any:
    token = None
    spec = connector.flows.get(flow)
    if spec is not None and spec.needs_access_token:
        token = AccessTokenResponseData(access_token=Secret("probe_access_token"), expires_in=3600)
    try:
        return make_router_data(
            flow, auth=placeholder_auth(connector.auth.type), access_token=token, **options
        )
    except ValidationError as error:  # the flow's own rules (an authorization above zero, ...)
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        field, sep, rest = message.partition(": ")
        if not (sep and field in options):  # the message names no option: take pydantic's location
            field, rest = (str(first["loc"][-1]) if first["loc"] else ""), message
        option = f"--{field.replace('_', '-')}" if field in options else f"{flow.value}"
        raise fail(f"{option}: {rest}") from None


@app.command(
    "probe",
    epilog="Example: certify probe stripe Authorize --amount 1000 --currency JPY --capture-method manual",
)
def probe(
    name: Annotated[str, typer.Argument(help="Connector name, as in `certify list`.")],
    flow_name: Annotated[
        str, typer.Argument(metavar="FLOW", help="Authorize, Capture, Void, Refund, PSync, RSync...")
    ],
    amount: Annotated[int, typer.Option(help="Amount in ISO 4217 minor units.")] = 1000,
    currency: Annotated[str, typer.Option(help="ISO 4217 code.")] = "USD",
    capture_method: Annotated[str, typer.Option(help="manual or automatic.")] = "automatic",
    reference: Annotated[str, typer.Option(help="connector_request_reference_id.")] = "certify_probe_ref",
    connector_transaction_id: Annotated[
        str, typer.Option(help="For flows on an existing payment.")
    ] = "txn_probe",
    connector_refund_id: Annotated[str, typer.Option(help="For RSync.")] = "refund_probe",
    payment_amount: Annotated[
        int | None, typer.Option(help="Authorized/captured amount (defaults to --amount).")
    ] = None,
    env: Annotated[str, typer.Option(help="sandbox, production or development.")] = "sandbox",
    meta: Annotated[
        list[str] | None, typer.Option(help="Per-merchant setting key=value (URL placeholders).")
    ] = None,
    connector_metadata: Annotated[
        list[str] | None,
        typer.Option(help="key=value an earlier flow's answer left for this one (a card's last four...)."),
    ] = None,
    config_dir: ConfigDir = None,
) -> None:
    """The HTTP request the connector would send for FLOW, with every secret masked, as JSON.

    FLOW `Webhook`: how the connector verifies and answers the provider's notifications."""
    connector = _connector(name)
    if is_webhook_form(flow_name):
        return probe_webhook(connector, name)
    config_dir = config_dir or config_dir_of(name, Path.cwd())
    flow = _flow(flow_name)
    metadata = _meta(meta)
    base_url = resolve_placeholders(
        load_env(config_dir, env).base_url(connector.config_key()), metadata, connector=name
    )
    router_data = _router_data(
        connector,
        flow,
        amount=_amount(amount),
        currency=_currency(currency),
        reference=reference,
        capture_method=_capture(capture_method),
        connector_transaction_id=connector_transaction_id,
        connector_refund_id=connector_refund_id,
        payment_amount=_amount(payment_amount, "--payment-amount") if payment_amount is not None else None,
        metadata=metadata,
        connector_metadata=_meta(connector_metadata, "--connector-metadata"),
    )
    try:
        request = build_http_request(connector, router_data, base_url)
    except ConnectorError as error:
        typer.echo(json.dumps({"connector": name, "flow": flow.value, "error": _error(error)}, indent=2))
        raise typer.Exit(1) from None
    typer.echo(json.dumps({"connector": name, "flow": flow.value, **request.masked()}, indent=2, default=str))


def _error(error: ConnectorError) -> dict[str, Any]:
    return {"kind": error.kind, "message": str(error)}


def describe_result(result: Any) -> dict[str, Any]:
    """What `certify parse` prints for a handled response."""
    if isinstance(result, ErrorResponse):
        status = result.attempt_status or result.refund_status
        return {
            "status": status.value if status else None,
            "connector_transaction_id": result.connector_transaction_id,
            "error": {"code": result.code, "message": result.message, "reason": result.reason},
        }
    if isinstance(result, PaymentsResponseData):
        return {
            "status": result.status.value,
            "connector_transaction_id": result.connector_transaction_id,
            "raw_status": result.raw_status,
            "amount": result.amount.value if result.amount is not None else None,
            "currency": result.currency.value if result.currency else None,
            "error": None,
        }
    if isinstance(result, RefundsResponseData):
        return {
            "status": result.refund_status.value,
            "connector_refund_id": result.connector_refund_id,
            "raw_status": result.raw_status,
            "amount": result.amount.value if result.amount is not None else None,
            "currency": result.currency.value if result.currency else None,
            "error": None,
        }
    if isinstance(result, AccessTokenResponseData):
        return {
            "status": "TokenIssued",
            "access_token": str(result.access_token),
            "expires_in": result.expires_in,
        }
    return {"status": AttemptStatus.UNKNOWN.value, "error": None}


def _headers(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition(":")
        if not sep or not key.strip():
            raise fail(f"--header takes Name:value, not {pair!r}")
        out[key.strip()] = value.strip()
    return out


def id_in_body(body: bytes, field: str | None) -> str | None:
    """The id at the error's field (a dotted path) of a JSON body; a link gives its last segment."""
    if not field:
        return None
    try:
        node: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    for part in field.split("."):
        if isinstance(node, list):  # a list of links: the one named by the last part
            node = next((n.get("href") for n in node if isinstance(n, dict) and n.get("rel") == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    if not isinstance(node, str) or not node.strip():
        return None
    return node.rstrip("/").rsplit("/", 1)[-1] if "://" in node else node


def _reads_with(handle: Any, payment_id: str) -> bool:
    try:
        handle(payment_id)
    except (ConnectorError, RecursionError):
        return False
    return True


@app.command(
    "parse",
    epilog="Example: certify parse stripe Authorize --status-code 200 --body pi.json --capture-method manual",
)
def parse(
    name: Annotated[str, typer.Argument(help="Connector name.")],
    flow_name: Annotated[str, typer.Argument(metavar="FLOW", help="The flow the response answers.")],
    body: Annotated[Path, typer.Option("--body", help="File holding the provider's response body.")],
    status_code: Annotated[int, typer.Option("--status-code", help="HTTP status of the response.")] = 200,
    header: Annotated[list[str] | None, typer.Option(help="Response header Name:value (repeatable).")] = None,
    capture_method: Annotated[str, typer.Option(help="Context: manual or automatic.")] = "automatic",
    amount: Annotated[int | None, typer.Option(help="Context: the requested amount (minor units).")] = None,
    currency: Annotated[str | None, typer.Option(help="Context: the requested currency.")] = None,
    connector_transaction_id: Annotated[str, typer.Option(help="Context: the payment's id.")] = "",
    connector_refund_id: Annotated[str, typer.Option(help="Context: the refund's id.")] = "",
    reference: Annotated[
        str, typer.Option(help="Context: connector_request_reference_id.")
    ] = "certify_probe_ref",
    secret_env: Annotated[
        str | None, typer.Option(help="Webhook: the environment variable holding the signing secret.")
    ] = None,
    certificate: Annotated[
        Path | None, typer.Option(help="Webhook: the provider's PEM certificate (certificate schemes).")
    ] = None,
    webhook_id: Annotated[str | None, typer.Option(help="Webhook: the listener's webhook id.")] = None,
    now: Annotated[
        int | None, typer.Option(help="Webhook: the time to verify at, Unix seconds (default: now).")
    ] = None,
) -> None:
    """What the connector makes of a provider response (status, ids, error, amount), as JSON.

    FLOW `Webhook`: the events the connector reads from a notification (--body, --header), the
    source verified when --secret-env or --certificate/--webhook-id is given."""
    connector = _connector(name)
    if is_webhook_form(flow_name):
        return parse_webhook(
            connector, name, body=body, headers=_headers(header), secret_env=secret_env,
            certificate=certificate, webhook_id=webhook_id, now=now,
        )  # fmt: skip
    flow = _flow(flow_name)
    if not (200 <= status_code <= 599 or 100 <= status_code < 200):
        raise fail(f"--status-code {status_code} is not an HTTP status")
    if not body.is_file():
        raise fail(f"{body}: no such file (pass the response body with --body FILE)")
    if (amount is None) != (currency is None):
        raise fail("--amount and --currency go together (the integrity check needs both)")
    headers = {"Content-Type": "application/json", **_headers(header)}
    response = HttpResponse(status_code=status_code, body=body.read_bytes(), headers=headers)

    def handle(payment_id: str) -> Any:
        router_data = _router_data(
            connector,
            flow,
            amount=_amount(amount) if amount is not None else MinorUnit(1),
            currency=_currency(currency) if currency is not None else Currency.USD,
            reference=reference,
            capture_method=_capture(capture_method),
            connector_transaction_id=payment_id,
            connector_refund_id=connector_refund_id,
            with_expected_amount=amount is not None,
        )
        # without --amount the requested amount is unknown, so the integrity comparison is skipped
        if amount is None:
            return connector.handle_response(router_data, response)
        return handle_http_response(connector, router_data, response)

    note = None
    try:
        try:
            result = handle(connector_transaction_id)
        except ConnectorError as error:
            claimed = id_in_body(response.body, error.field)
            # an answer the connector reads once given the id it names was refused for that id alone
            if claimed is None or claimed == connector_transaction_id or not _reads_with(handle, claimed):
                raise
            if connector_transaction_id:
                error.message += (
                    f": the response's {error.field} is {claimed}, "
                    f"--connector-transaction-id is {connector_transaction_id}"
                )
                raise
            result = handle(claimed)
            note = (
                f"no --connector-transaction-id given: the response's {error.field} ({claimed}) "
                "was not compared with a payment id"
            )
    except RecursionError:
        raise fail(f"--body {body}: nested too deeply to parse (no provider sends this)") from None
    except ConnectorError as error:
        typer.echo(
            json.dumps(
                {"connector": name, "flow": flow.value, "status": None, "error": _error(error)}, indent=2
            )
        )
        raise typer.Exit(1) from None
    described = {"connector": name, "flow": flow.value, **describe_result(result)}
    if note:
        described["note"] = note
    typer.echo(json.dumps(described, indent=2))
