"""`certify ... --help` in plain words: NAME and PATH placeholders instead of `{name}` and Python
types (`<list[str]>`), every command's summary in full, and the commands in the order an author
uses them."""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# the connector author's workflow: scaffold, inspect, write, author or record, certify, report, audit
WORKFLOW = (
    "new",
    "list",
    "probe",
    "parse",
    "author",
    "sandbox",
    "record",
    "run",
    "watch",
    "report",
    "cassettes",
    "lint",
    "specs",
    "mutate",
)
_TYPE = re.compile(r"<([^<>]*)>")
_PLAIN = {"int": "INTEGER", "float": "NUMBER", "str": "TEXT", "path": "PATH", "Path": "PATH", "bool": ""}


def plain_type(label: str) -> str:
    """typer's `<list[str]>`, `<int range>`, `<text|json>` as a click-style placeholder."""
    label = label.strip()
    if label.startswith("list[") and label.endswith("]"):
        label = label[5:-1]
    if label.endswith(" range"):
        label = label.removesuffix(" range")
    if "|" in label:
        return f"[{label}]"
    return _PLAIN.get(label, label.upper())


def argument_name(param: Any) -> str:
    """NAME, or NAME... when it takes several (a metavar written as `[NAME]...` counts as NAME)."""
    base = str(param.metavar or param.name or "").strip("[]. ").upper()
    return base + "..." if param.nargs != 1 else base


def _usage_pieces(command: Any, ctx: Any) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name != "argument":
            continue
        name = argument_name(param)
        if param.required:
            pieces.append(name)
        else:
            pieces.append(f"[{name.removesuffix('...')}]..." if name.endswith("...") else f"[{name}]")
    return pieces


def _format_options(command: Any, ctx: Any, formatter: Any) -> None:
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        if param.param_type_name == "argument":
            required = "  [required]" if param.required and "[required]" not in (param.help or "") else ""
            arguments.append((argument_name(param), (param.help or "") + required))
        else:
            options.append((_TYPE.sub(lambda m: plain_type(m[1]), record[0]), record[1]))
    if arguments:
        with formatter.section("Arguments"):
            formatter.write_dl(arguments)
    if options:
        with formatter.section("Options"):
            formatter.write_dl(options)


class CertifyCommand(TyperCommand):
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage_pieces(self, ctx)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        _format_options(self, ctx, formatter)


class CertifyGroup(TyperGroup):
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*_usage_pieces(self, ctx), self.subcommand_metavar]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        _format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.commands)
        return sorted(names, key=lambda n: WORKFLOW.index(n) if n in WORKFLOW else len(WORKFLOW))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # each command's first sentence in full, wrapped by the formatter (never cut with "...")
        rows = [
            (name, command.get_short_help_str(limit=400))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class CertifyTyper(typer.Typer):
    """A typer app whose commands and groups print the plain help above."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("cls", CertifyGroup)
        options.setdefault("rich_markup_mode", None)
        super().__init__(**options)

    def command(self, *args: Any, **options: Any) -> Any:
        options.setdefault("cls", CertifyCommand)
        return super().command(*args, **options)
