"""`certify WORD` imports only the module that registers WORD: the map must name the right one."""

from __future__ import annotations

import json
import subprocess
import sys

from harness.cli import COMMAND_MODULES

SHOW = """
import json, sys
from harness.cli import _register, app
_register(sys.argv[1:])
names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
print(json.dumps(sorted(names)))
"""


def registered(*argv: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", SHOW, *argv], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_every_command_is_registered_by_the_module_the_map_names():
    everything = registered("--help")
    assert everything == set(COMMAND_MODULES), "a command is missing from COMMAND_MODULES (or named wrong)"
    for word in COMMAND_MODULES:
        assert word in registered(word, "--help"), f"`certify {word}` is not registered by its module"


def test_an_unknown_word_registers_every_command_for_the_error_message():
    assert registered("frobnicate") == set(COMMAND_MODULES)
