"""`--help` of every command through the console script: plain placeholders, full summaries in
workflow order, an example per command, one cassette age limit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.defaults import CASSETTE_MAX_AGE_DAYS

CERTIFY = str(Path(sys.executable).parent / "certify")
COMMANDS = [
    ["new"], ["list"], ["probe"], ["parse"], ["author"], ["sandbox"], ["record"], ["run"], ["watch"],
    ["report"], ["report", "merge"], ["cassettes", "check"], ["lint"], ["specs", "import"],
    ["specs", "drift"], ["mutate"],
]  # fmt: skip


def help_of(*command: str) -> str:
    result = subprocess.run(
        [CERTIFY, *command, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_command_list_is_whole_and_in_workflow_order():
    text = help_of()
    commands = text.split("Commands:\n", 1)[1]
    names = re.findall(r"^  (\w+) ", commands, flags=re.M)
    assert names == ["new", "list", "probe", "parse", "author", "sandbox", "record", "run", "watch",
                     "report", "cassettes", "lint", "specs", "mutate", "verify"]  # fmt: skip
    assert "..." not in commands and "…" not in commands
    assert "exit 0 only if all are certified." in " ".join(commands.split())


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_uses_plain_placeholders_and_gives_an_example(command):
    text = help_of(*command)
    usage = text.splitlines()[0]
    assert "{" not in usage and "[[" not in usage and "...]..." not in usage, usage
    typer_types = r"<(?:int|str|float|path|bool|list\[[^>]*\]|\w+ range|\w+(?:\|\w+)+)>"
    assert not re.search(typer_types, text), text  # no <list[str]>, <int range>, <text|json>
    assert "list[" not in text
    assert "Example" in text, text


def test_run_usage_reads_name_and_the_age_limit_is_one_value():
    assert help_of("run").splitlines()[0] == "Usage: certify run [OPTIONS] [NAME]..."
    assert help_of("report", "merge").splitlines()[0] == "Usage: certify report merge [OPTIONS] RESULTS..."
    for command in (["run"], ["report"], ["report", "merge"], ["cassettes", "check"]):
        text = " ".join(help_of(*command).split())
        assert re.search(rf"\[default: {CASSETTE_MAX_AGE_DAYS}\b", text), (command, text)
