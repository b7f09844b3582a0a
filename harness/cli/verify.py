"""`certify verify`: run the scenario chains live against the sandbox and compare with the cassettes.

Exit 0 when every live answer agrees with its cassette, 1 on a difference (each one listed), 2 on
bad input (one line). The cassettes are only read.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from harness.certify.atomic import write_atomically
from harness.certify.catalog import SCENARIOS
from harness.certify.contracts import load_spec
from harness.certify.recording import Rerouted, credentials_from_env, credentials_from_file
from harness.certify.verify import ConnectorVerification, LiveCheck, prepare, verify_connector
from harness.certify.workspace import Workspace
from harness.cli import app, fail
from harness.defaults import RECORD_TIMEOUT_S
from harness.domain.errors import HarnessError
from harness.execution.config import check_url
from harness.execution.redact import process_redactor
from harness.execution.transport import LiveTransport, Transport
from harness.integration import registry


def _routed(live: LiveTransport, sandbox_url: str, base_url: str | None) -> Transport:
    return Rerouted(live, sandbox_url, base_url) if base_url else live


class VerifyFormat(StrEnum):
    text = "text"
    json = "json"


def _render_text(verifications: list[ConnectorVerification]) -> str:
    lines = [d.text() for v in verifications for d in v.differences]
    lines.extend(v.summary() for v in verifications)
    return "\n".join(lines) + "\n" if lines else ""


def _render_json(verifications: list[ConnectorVerification], errors: list[str]) -> str:
    document = {
        "agrees": all(v.agrees for v in verifications) and not errors,
        "differences": sum(len(v.differences) for v in verifications),
        "connectors": [v.as_json() for v in verifications],
        "errors": errors,
    }
    return json.dumps(document, indent=2) + "\n"


@app.command(
    "verify",
    epilog="Example: STRIPE_API_KEY=sk_test_... certify verify stripe --format json --output verify.json",
)
def verify(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME...", help="Connectors to verify against their sandboxes."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Send the requests here instead of the sandbox (one NAME only)."),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="Verify only this scenario (repeatable); all supported by default."),
    ] = None,
    form: Annotated[VerifyFormat, typer.Option("--format", help="text or json")] = VerifyFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report here instead of stdout.")
    ] = None,
    creds: Annotated[
        Path | None,
        typer.Option(
            "--creds", help="UCS-style creds.json; by default each connector's environment variables."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each answer.")
    ] = RECORD_TIMEOUT_S,
) -> None:
    """Run the supported scenarios live against the sandbox (credentials from the environment or
    --creds, as `certify record` reads them) and compare every answer with its cassette: HTTP status, parsed
    outcome, the body fields' types and status/code values, and the spec. Writes no cassette."""
    selected = list(dict.fromkeys(names or []))
    if not selected:
        raise fail(f"give the connector(s) to verify; registered: {', '.join(registry.names())}")
    unknown = [n for n in selected if n not in registry.names()]
    if unknown:
        raise fail(f"unknown connector(s): {', '.join(unknown)}; registered: {', '.join(registry.names())}")
    if base_url is not None:
        check_url(base_url, path="--base-url", key="--base-url")
        if len(selected) > 1:
            raise fail("--base-url routes one connector's requests: give one NAME with it")
    if not timeout > 0:
        raise fail("--timeout must be a positive number of seconds")
    unknown_scenarios = [s for s in scenario or [] if s not in SCENARIOS]
    if unknown_scenarios:
        raise fail(
            f"--scenario: unknown scenario(s) {', '.join(unknown_scenarios)} (see harness/certify/catalog.py)"
        )
    if output is not None and output.is_dir():
        raise fail(f"--output {output} is a folder; pass a file name for the report")
    if output is not None and not output.parent.is_dir():
        raise fail(f"--output {output}: the folder {output.parent} does not exist; create it first")
    root = Path.cwd()

    # Everything is loaded and checked before the first request: a connector that cannot be
    # verified is named in one line and the others are still verified.
    errors: list[str] = []
    checks: list[tuple[LiveCheck, str]] = []
    for name in selected:
        try:
            workspace = Workspace.for_registered(name, root=root)
            wanted = [s for s in scenario or [] if s in workspace.certification.scenarios.supported]
            if scenario and not wanted:
                raise HarnessError(
                    f"{name} claims none of {', '.join(scenario)}",
                    path=str(workspace.certification_path),
                )
            cls = workspace.connector_cls
            auth = credentials_from_file(cls, creds) if creds else credentials_from_env(cls, os.environ)
            spec = load_spec(workspace.spec_path, exemptions=workspace.certification.contract_exempt)
            checks.append((prepare(workspace, wanted or None, auth, spec), workspace.base_url("sandbox")))
        except HarnessError as error:
            errors.append(process_redactor()(error.one_line()))
    for line in errors:
        typer.echo(f"certify: {line}", err=True)

    verifications: list[ConnectorVerification] = []
    for check, sandbox_url in checks:
        with LiveTransport(timeout=timeout) as live:
            verifications.append(
                verify_connector(check, partial(_routed, live, sandbox_url, base_url), base_url=sandbox_url)
            )

    text = _render_json(verifications, errors) if form is VerifyFormat.json else _render_text(verifications)
    if output is not None:
        write_atomically(output, text)
        typer.echo("".join(f"{v.summary()}\n" for v in verifications), nl=False)
    else:
        typer.echo(text, nl=False)
    if errors:
        raise typer.Exit(2)
    raise typer.Exit(0 if all(v.agrees for v in verifications) else 1)
