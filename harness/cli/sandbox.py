"""`certify sandbox`: serve a connector's simulated sandbox on 127.0.0.1; `certify author`: write
its cassettes from that sandbox (provenance `authored-from-docs`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer

from harness.certify.authoring import author_cassettes, check_sources, load_sandbox, sandbox_path
from harness.certify.recording import scenarios_to_record
from harness.certify.workspace import Workspace
from harness.cli import app, fail
from harness.execution.sandbox_server import serve
from harness.integration import registry

DEFAULT_PORT = 8080  # the README's `certify record NAME --base-url http://127.0.0.1:8080/`


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _workspace(name: str | None, command: str) -> Workspace:
    if not name:
        raise fail(f"give the connector to {command}; registered: {', '.join(registry.names())}")
    if name not in registry.names():
        raise fail(f"unknown connector {name!r}; registered: {', '.join(registry.names())}")
    return Workspace.for_registered(name, root=Path.cwd())


@app.command(
    "sandbox",
    epilog="Example: certify sandbox stripe --port 8080   "
    "(then: certify record stripe --base-url http://127.0.0.1:8080/)",
)
def sandbox(
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="Connector whose sandbox to serve.")
    ] = None,
    port: Annotated[
        int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port, printed).")
    ] = DEFAULT_PORT,
) -> None:
    """Serve the connector's simulated sandbox (connectors/NAME/sandbox.py) on 127.0.0.1 until
    interrupted, for `certify record NAME --base-url`."""
    if not 0 <= port <= 65535:
        raise fail(f"--port must be between 0 and 65535, not {port}")
    workspace = _workspace(name, "serve")
    cls = load_sandbox(workspace)
    try:
        server = serve(cls(), max_requests=None, port=port)
        url = server.__enter__()
    except OSError as error:
        raise fail(
            f"--port {port}: cannot listen on 127.0.0.1 ({error.strerror}); choose another port"
        ) from None
    try:
        variables = " ".join(f"{variable}=..." for variable in workspace.connector_cls.auth.env.values())
        typer.echo(f"serving {_shown(sandbox_path(workspace), workspace.root)} on {url} (Ctrl-C stops it)")
        typer.echo(
            f"record against it: {variables + ' ' if variables else ''}certify record {workspace.name} "
            f"--base-url {url}   (the values it accepts: `credentials` in the sandbox file)"
        )
        threading.Event().wait()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.__exit__(None, None, None)


@app.command("author", epilog="Example: certify author stripe --scenario refund_full")
def author(
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="Connector to author cassettes for.")
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="Author only this scenario (repeatable); all supported by default."),
    ] = None,
) -> None:
    """Write the connector's cassettes from its simulated sandbox (connectors/NAME/sandbox.py), with
    provenance authored-from-docs and the sandbox's documentation sources.

    Exit 0 when every requested cassette was written, 1 when some were refused (the scenario failed
    against the sandbox, or a leak), 2 on bad input.
    """
    workspace = _workspace(name, "author")
    workspace.ensure_editable("certify author")
    cls = load_sandbox(workspace)
    check_sources(workspace, cls)
    root = workspace.root
    if not scenarios_to_record(workspace, scenario):  # unknown or unclaimed: exit 2 before any run
        raise fail(
            f"{workspace.name} supports no scenario yet, so there is nothing to author: list the scenarios "
            f"under [scenarios] supported in {_shown(workspace.certification_path, root)}, then author again"
        )
    outcomes = author_cassettes(workspace, cls, scenario)
    width = max(len(o.scenario) for o in outcomes)
    refused = 0
    for outcome in outcomes:
        if outcome.written and outcome.path is not None:
            plural = "" if outcome.interactions == 1 else "s"
            typer.echo(
                f"{outcome.scenario:{width}}  written {_shown(outcome.path, root)} "
                f"({outcome.interactions} interaction{plural})"
            )
        else:
            refused += 1
            typer.echo(f"{outcome.scenario:{width}}  refused: {' '.join(outcome.reason.split())}")
    raise typer.Exit(1 if refused else 0)
