"""`certify record`: record cassettes against a provider sandbox; `certify cassettes check`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from harness.certify.cassettes.provenance import Provenance
from harness.certify.leaks import LeakScanner, certification_cards, values_in_use
from harness.certify.recording import (
    CassetteProblem,
    Rerouted,
    audit_cassettes,
    credentials_from_env,
    credentials_from_file,
    record_scenarios,
    scenarios_to_record,
)
from harness.certify.workspace import Workspace
from harness.cli import app, fail
from harness.cli.help import CertifyTyper
from harness.defaults import CASSETTE_MAX_AGE_DAYS, RECORD_TIMEOUT_S
from harness.domain.errors import HarnessError
from harness.execution.config import check_url
from harness.execution.transport import LiveTransport, Transport
from harness.integration import registry
from harness.integration.connector import ConnectorV2

RECORD_ENVIRONMENTS = ("sandbox", "development")  # never production: recording sends real requests


def credentials_table() -> str:
    """The README table of the environment variables `certify record` reads, from the registry."""
    rows = ["| connector | auth type | environment variables (auth field) |", "| --- | --- | --- |"]
    for name in registry.names():
        try:
            cls = registry.load(name)
        except HarnessError:
            continue
        variables = ", ".join(f"`{variable}` ({field})" for field, variable in cls.auth.env.items())
        rows.append(f"| {name} | {cls.auth.type.auth_type} | {variables or 'none'} |")
    return "\n".join(rows)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _provenance(cls: type[ConnectorV2], sandbox_url: str, override: str | None) -> Provenance:
    note = f"recorded by `certify record` from {sandbox_url}"
    if override:
        note += f" (requests routed to {override} by --base-url)"
    return Provenance(
        kind="recorded-sandbox",
        date=dt.datetime.now(dt.UTC).replace(microsecond=0),
        api_version=cls.api_version,
        sources=(cls.docs_url,) if cls.docs_url else (),
        note=note,
    )


@app.command(
    "record",
    epilog="Example: STRIPE_API_KEY=sk_test_... certify record stripe --scenario refund_full",
)
def record(
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="Connector to record.")] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario", help="Re-record only this scenario (repeatable); all supported by default."
        ),
    ] = None,
    creds: Annotated[
        Path | None,
        typer.Option(
            "--creds", help="UCS-style creds.json; by default the connector's environment variables."
        ),
    ] = None,
    env: Annotated[
        str, typer.Option("--env", help="Which config/<env>.toml gives the base URL.")
    ] = "sandbox",
    config_dir: Annotated[
        Path | None, typer.Option("--config-dir", help="Folder of the environment configs (default config/).")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Send the requests here instead; cassettes keep the configured URL."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each answer.")
    ] = RECORD_TIMEOUT_S,
    list_credentials: Annotated[
        bool, typer.Option("--list-credentials", help="Print the credential variables of every connector.")
    ] = False,
) -> None:
    """Run the scenario chain live against the provider's sandbox and write scrubbed cassettes.

    Exit 0 when every requested cassette was written, 1 when some were refused (failed run, 5xx,
    transport error, leak), 2 on bad input.
    """
    if list_credentials:
        typer.echo(credentials_table())
        return
    if not name:
        raise fail(f"give the connector to record; registered: {', '.join(registry.names())}")
    if name not in registry.names():
        raise fail(f"unknown connector {name!r}; registered: {', '.join(registry.names())}")
    if env not in RECORD_ENVIRONMENTS:
        raise fail(f"--env must be one of {', '.join(RECORD_ENVIRONMENTS)} (recording never uses {env!r})")
    if not timeout > 0:
        raise fail("--timeout must be a positive number of seconds")
    root = Path.cwd()
    workspace = Workspace.for_registered(name, root=root, config_dir=config_dir)
    workspace.ensure_editable("certify record")
    cls = workspace.connector_cls
    if not scenarios_to_record(workspace, scenario):  # unknown or unclaimed: exit 2 before any request
        raise fail(
            f"{name} supports no scenario yet, so there is nothing to record: list the scenarios its "
            f"provider offers under [scenarios] supported in {_relative(workspace.certification_path, root)} "
            f"(`certify run {name}` names them), then record again"
        )
    sandbox_url = workspace.base_url(env)
    if base_url is not None:
        try:
            check_url(base_url, path="--base-url", key="--base-url")
        except HarnessError as error:  # the option is named once, not as a path and again as a key
            raise fail(f"{error.message} ({error.hint})" if error.hint else error.message) from None
    auth = credentials_from_file(cls, creds) if creds is not None else credentials_from_env(cls, os.environ)

    in_use = values_in_use([name], root)
    for field, value in zip(auth.field_names(), auth.secret_values(), strict=False):
        in_use[value] = f"the {name} credential {field}"
    scanner = LeakScanner(in_use, allowed_cards=certification_cards(root))
    live = LiveTransport(timeout=timeout)
    transport: Transport = Rerouted(live, sandbox_url, base_url) if base_url else live
    with transport:
        outcomes = record_scenarios(
            workspace,
            lambda: transport,
            provenance=_provenance(cls, sandbox_url, base_url),
            scenario_ids=scenario,
            base_url=sandbox_url,
            auth=auth,
            check=scanner.check,
        )
    width = max(len(o.scenario) for o in outcomes) if outcomes else 0
    refused = 0
    for outcome in outcomes:
        if outcome.written and outcome.path is not None:
            plural = "" if outcome.interactions == 1 else "s"
            typer.echo(
                f"{outcome.scenario:{width}}  written {_relative(outcome.path, root)} "
                f"({outcome.interactions} interaction{plural})"
            )
        else:
            refused += 1
            typer.echo(f"{outcome.scenario:{width}}  refused: {_one_line(outcome.reason)}")
    raise typer.Exit(1 if refused else 0)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


cassettes_app = CertifyTyper(
    name="cassettes",
    help="Audit the cassettes: expiry, orphans, missing ones, leaks.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(cassettes_app, name="cassettes")


@cassettes_app.command("check", epilog="Example: certify cassettes check stripe --max-age-days 90")
def check(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME]...", help="Connectors (all by default).")
    ] = None,
    max_age_days: Annotated[
        int, typer.Option("--max-age-days", help="A cassette older than this (by provenance) is expired.")
    ] = CASSETTE_MAX_AGE_DAYS,
) -> None:
    """One line per problem (expired, orphan, missing, leak); exit 1 on any, 0 on none, 2 if unreadable."""
    if max_age_days < 0:
        raise fail("--max-age-days must be 0 or more")
    selected = list(dict.fromkeys(names or registry.names()))
    unknown = [n for n in selected if n not in registry.names()]
    if unknown:
        raise fail(f"unknown connector(s): {', '.join(unknown)}; registered: {', '.join(registry.names())}")
    root = Path.cwd()
    allowed = certification_cards(root)
    problems: list[CassetteProblem] = []
    unreadable = False
    checked = 0
    for name in selected:
        try:
            workspace = Workspace.for_registered(name, root=root)
            workspace.certification  # noqa: B018  # load and validate now
        except HarnessError as error:
            typer.echo(f"certify: {error.one_line()}", err=True)
            unreadable = True
            continue
        scanner = LeakScanner(values_in_use([name], root), allowed_cards=allowed)  # its own values
        found = audit_cassettes(workspace, scanner, max_age_days=max_age_days)
        unreadable = unreadable or any(p.kind == "unreadable" for p in found)
        problems.extend(found)
        checked += len(workspace.certification.scenarios.supported)
    if not names:
        folder = root / "cassettes"
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.name not in registry.names():
                problems.append(
                    CassetteProblem(
                        _relative(path, root), "orphan", "no registered connector of that name uses it"
                    )
                )
    for problem in problems:
        typer.echo(problem.describe())
    if unreadable:
        raise typer.Exit(2)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"cassettes: {checked} checked for {len(selected)} connector(s), no problem found")
