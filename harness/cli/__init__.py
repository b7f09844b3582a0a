"""The `certify` command."""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from pathlib import Path
from typing import NoReturn

import click
import typer

from harness.cli.help import CertifyTyper
from harness.domain.errors import HarnessError

app = CertifyTyper(
    name="certify",
    help="Certify payment connectors: replayed scenarios, property-based money, contracts and lint.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _commands() -> None:
    # keeps `certify` a group of commands when only one is registered (see _register): typer would
    # otherwise make that one command the whole program, and `certify run stripe` read "run" as a name
    pass


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    typer.echo(f"certify: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def _project_first() -> None:
    """Import connectors/ from the project in the current directory, where the suite reads its
    certification data, cassettes and config too (and where `certify new` registers)."""
    cwd = Path.cwd()
    if (cwd / "connectors" / "__init__.py").is_file() and str(cwd) not in sys.path:
        sys.path.insert(0, str(cwd))


# the module that registers each command: a run imports only its own (half a second of imports
# saved on every `certify run`); help, an unknown word or no command imports them all
COMMAND_MODULES = {
    "list": "author", "probe": "author", "parse": "author",
    "run": "run", "watch": "watch", "report": "report", "verify": "verify",
    "lint": "lint", "mutate": "mutate", "new": "new",
    "record": "record", "cassettes": "record", "sandbox": "sandbox", "author": "sandbox",
    "specs": "specs",
}  # fmt: skip


def _register(argv: list[str] | None = None) -> None:
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    wanted = COMMAND_MODULES.get(words[0]) if words else None
    for module in [wanted] if wanted else sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"harness.cli.{module}")  # registers its commands on `app`


def _is_click_error(error: Exception) -> bool:
    # typer may vendor its own click: recognise its exceptions by shape, not by import
    return hasattr(error, "format_message") and hasattr(error, "exit_code")


def main(argv: list[str] | None = None) -> int:
    _project_first()
    _register(argv)
    try:
        # with standalone_mode=False click returns the code of a raised Exit instead of exiting
        code = app(args=argv, standalone_mode=False)
    except (typer.Exit, click.exceptions.Exit) as exit_:
        return int(exit_.exit_code or 0)
    except (typer.Abort, click.Abort):
        typer.echo("certify: aborted", err=True)
        return 130
    except HarnessError as error:
        typer.echo(f"certify: {error.one_line()}", err=True)
        return 2
    except OSError as error:
        # the machine refused (disk full, file too large, permission): one line naming the file
        where = f"{error.filename}: " if error.filename else ""
        typer.echo(f"certify: {where}{error.strerror or type(error).__name__}", err=True)
        return 2
    except Exception as error:
        if not _is_click_error(error):
            raise
        if type(error).__name__ == "NoArgsIsHelpError":
            typer.echo(error.format_message())  # type: ignore[attr-defined]  # checked by _is_click_error
            return 0
        ctx = getattr(error, "ctx", None)
        command = ctx.command_path if ctx is not None else "certify"
        message = " ".join(error.format_message().split())  # type: ignore[attr-defined]  # checked above
        message = message.removesuffix(".")  # one sentence with the pointer below, not two
        typer.echo(f"certify: {message} (see `{command} --help`)", err=True)
        return int(error.exit_code)  # type: ignore[attr-defined]  # checked above
    return int(code) if isinstance(code, int) else 0


def console() -> NoReturn:
    """The `certify` command: `main`, then the process ends at once, its cleanup done first (the
    threads it must wait for joined, the atexit handlers run, the output flushed). A run of 100
    connectors holds ~1 GB of objects, which the interpreter would otherwise free one by one before
    exiting: ~3.7 s of every such run on this machine, after its last line."""
    code = main()
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's, as the interpreter calls it
    if run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
