"""Cassettes authored from a connector's documented-behaviour sandbox (`certify author`).

The connector's `sandbox.py` simulates the provider's sandbox from its public documentation; the
scenario chains run against it in process and the passing ones are written, scrubbed and
leak-checked like recorded ones, with provenance `authored-from-docs` and the sandbox's sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from harness.certify.cassettes.provenance import Provenance
from harness.certify.leaks import LeakScanner, certification_cards, values_in_use
from harness.certify.recording import RecordOutcome, record_scenarios
from harness.certify.workspace import Workspace
from harness.domain.errors import HarnessError
from harness.integration import registry
from harness.integration.sandbox import (
    SANDBOX_MODULE,
    Sandbox,
    SandboxTransport,
    find_sandbox_class,
    sandbox_module,
)


def sandbox_path(workspace: Workspace) -> Path:
    return workspace.source_dir / f"{SANDBOX_MODULE}.py"


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_sandbox(workspace: Workspace) -> type[Sandbox]:
    """The Sandbox subclass of the connector's sandbox.py; a HarnessError naming the file otherwise."""
    path = sandbox_path(workspace)
    shown = _shown(path, workspace.root)
    module = sandbox_module(registry.source(workspace.name, workspace.root).module)
    if not path.is_file():
        raise HarnessError(
            f"{workspace.name} has no simulated sandbox",
            path=shown,
            hint="write one from the provider's documentation (`certify new` scaffolds it)",
        )
    try:
        found = find_sandbox_class(module)
    except Exception as error:  # the author's module: any error is theirs to fix, named in one line
        raise HarnessError(
            f"the sandbox does not load: {type(error).__name__}: {error}", path=shown
        ) from error
    if found is None:
        raise HarnessError(
            "defines no Sandbox subclass", path=shown, hint="subclass harness.integration.sandbox.Sandbox"
        )
    return found


def check_sources(workspace: Workspace, sandbox_cls: type[Sandbox]) -> None:
    """An authored cassette's provenance is its documentation: refuse a sandbox that names none."""
    shown = _shown(sandbox_path(workspace), workspace.root)
    sources = [str(source) for source in sandbox_cls.sources]
    if not sources or any("TODO" in source or not source.strip() for source in sources):
        raise HarnessError(
            f"{sandbox_cls.__name__}.sources must name the documentation page of each simulated "
            "behaviour (a TODO is left or it is empty)",
            path=shown,
            hint="replace the scaffold's TODOs with what the provider's docs say",
        )


def author_cassettes(
    workspace: Workspace, sandbox_cls: type[Sandbox], scenario_ids: Iterable[str] | None = None
) -> list[RecordOutcome]:
    """Run the scenarios against one instance of the sandbox; write those that pass."""
    shown = _shown(sandbox_path(workspace), workspace.root)
    check_sources(workspace, sandbox_cls)
    provenance = Provenance(
        kind="authored-from-docs",
        date=dt.datetime.now(dt.UTC).replace(microsecond=0),
        api_version=sandbox_cls.api_version,
        sources=tuple(sandbox_cls.sources),
        note=f"responses built by {shown} from the documented behaviour",
    )
    auth = workspace.connector_cls.auth.type.from_values(sandbox_cls.credentials)
    in_use = values_in_use([workspace.name], workspace.root)
    for field, value in zip(auth.field_names(), auth.secret_values(), strict=False):
        in_use[value] = f"the {workspace.name} sandbox credential {field}"
    scanner = LeakScanner(in_use, allowed_cards=certification_cards(workspace.root))
    sandbox = sandbox_cls()
    return record_scenarios(
        workspace,
        lambda: SandboxTransport(sandbox),
        provenance=provenance,
        scenario_ids=scenario_ids,
        auth=auth,
        check=scanner.check,
    )
