"""Author cassettes from a documented-behaviour sandbox: `python -m tests.sandboxes.author stripe`.

The cassettes get provenance `authored-from-docs` with the sandbox module's sources. Only
scenarios whose run passes are written, atomically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from pathlib import Path

from harness.certify.cassettes import Provenance
from harness.certify.recording import record_scenarios
from harness.certify.workspace import Workspace
from tests.sandboxes import Sandbox, SandboxTransport


def sandbox_class(name: str) -> type[Sandbox]:
    """The Sandbox subclass defined in tests/sandboxes/<name>.py."""
    module = importlib.import_module(f"tests.sandboxes.{name}")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, Sandbox) and value is not Sandbox:
            return value
    raise SystemExit(f"tests/sandboxes/{name}.py defines no Sandbox subclass")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("connector", help="a connector with a sandbox in tests/sandboxes/<name>.py")
    parser.add_argument("--scenario", action="append", default=None)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    cls = sandbox_class(args.connector)
    workspace = Workspace.for_registered(args.connector, root=args.root)
    provenance = Provenance(
        kind="authored-from-docs",
        date=dt.datetime.now(dt.UTC).replace(microsecond=0),
        api_version=cls.api_version,
        sources=cls.sources,
        note=f"responses built by tests/sandboxes/{args.connector}.py from the documented behaviour",
    )
    sandbox = cls()
    auth = workspace.connector_cls.auth.type.from_values(cls.credentials)
    outcomes = record_scenarios(
        workspace,
        lambda: SandboxTransport(sandbox),
        provenance=provenance,
        scenario_ids=args.scenario,
        auth=auth,
    )
    failed = 0
    for outcome in outcomes:
        print(
            f"{outcome.scenario:32} "
            + (f"written {outcome.path}" if outcome.written else f"NOT written: {outcome.reason}")
        )
        failed += not outcome.written
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
