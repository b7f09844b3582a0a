"""`certify WORD` imports only the module that registers WORD: the map must name the right one."""

from __future__ import annotations

import subprocess
import sys

from harness.cli import COMMAND_MODULES, _register, app


def defining_modules() -> dict[str, set[str]]:
    """Each registered command or group, with the modules its callbacks are defined in."""
    _register(["--help"])  # every command module
    found = {c.name or "": {c.callback.__module__} for c in app.registered_commands if c.callback}
    for group in app.registered_groups:
        sub = group.typer_instance
        assert sub is not None
        found[group.name or ""] = {c.callback.__module__ for c in sub.registered_commands if c.callback}
    return found


def test_every_command_is_registered_by_the_module_the_map_names():
    found = defining_modules()
    assert set(found) == set(COMMAND_MODULES), "a command is missing from COMMAND_MODULES (or named wrong)"
    for word, modules in found.items():
        assert modules == {f"harness.cli.{COMMAND_MODULES[word]}"}, word


def test_a_run_imports_only_its_own_command_module():
    show = "import sys; from harness.cli import _register; _register(['run']); print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, timeout=60)
    loaded = {m for m in done.stdout.split("'") if m.startswith("harness.cli.")}
    assert "harness.cli.run" in loaded and not loaded & {"harness.cli.mutate", "harness.cli.specs"}, loaded
