"""The README's tutorial as data: its commands, their shown output and its code edits, read from
the fenced blocks that follow `<!-- tutorial:... -->` markers, and applied to a project folder.

Markers (each followed by one fenced block):

* `<!-- tutorial:run -->`: a console block; `$ ` lines are commands (a leading `VAR=value` sets the
  environment, a trailing `&` keeps the command running in the background until the tutorial ends),
  the lines under a command are its output as shown: a line `[...]` stands for lines left out, and
  `[...]` within a line for text left out there (a path that differs, the end of a long line).
* `<!-- tutorial:edit PATH -->`: a Python block merged into PATH by name: each top-level function,
  class or assignment replaces the one of the same name; of a class already in the file only the
  members shown are replaced (or added); a name the file lacks is inserted before the next name of
  the block that the file has (else at the end); a `from X import ...` replaces the file's import
  from X.
* `<!-- tutorial:write PATH -->`: the block is PATH's whole new content.
"""

from __future__ import annotations

import ast
import os
import queue
import re
import shlex
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MARKER = re.compile(r"^<!-- tutorial:(?P<kind>run|edit|write)(?: (?P<path>\S+))? -->$")
FENCE = re.compile(r"^```")
LEFT_OUT = "[...]"


@dataclass
class Command:
    argv: list[str]
    env: dict[str, str]
    background: bool
    shown: list[str] = field(default_factory=list)  # the output lines the README shows

    @property
    def is_run(self) -> bool:
        return self.argv[:2] == ["certify", "run"]


@dataclass
class Edit:
    kind: str  # "edit" (merge by name) or "write" (whole file)
    path: str
    text: str

    def functions(self) -> set[str]:
        """The top-level functions the block defines (what a "write FUNCTION" next step names)."""
        if not self.path.endswith(".py"):
            return set()
        return {node.name for node in ast.parse(self.text).body if isinstance(node, ast.FunctionDef)}


Step = Command | Edit


def _fenced(lines: list[str], start: int, where: str) -> tuple[list[str], int]:
    """The lines of the fenced block at or after `start`, and the index after its closing fence."""
    opening = start
    while opening < len(lines) and not lines[opening].strip():
        opening += 1
    if opening >= len(lines) or not FENCE.match(lines[opening]):
        raise ValueError(f"{where}: a tutorial marker must be followed by a fenced block")
    closing = opening + 1
    while closing < len(lines) and not FENCE.match(lines[closing]):
        closing += 1
    if closing >= len(lines):
        raise ValueError(f"{where}: the fenced block is not closed")
    return lines[opening + 1 : closing], closing + 1


def _commands(block: list[str]) -> list[Command]:
    commands: list[Command] = []
    for line in block:
        if line.startswith("$ "):
            words = shlex.split(line[2:])
            env: dict[str, str] = {}
            while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            background = bool(words) and words[-1] == "&"
            commands.append(Command(words[:-1] if background else words, env, background))
        elif commands and line.strip():
            commands[-1].shown.append(line.rstrip())
    return commands


def read_tutorial(readme: Path) -> list[Step]:
    """Every step of the tutorial, in the README's order."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    steps: list[Step] = []
    index = 0
    while index < len(lines):
        match = MARKER.match(lines[index].strip())
        if match is None:
            index += 1
            continue
        where = f"{readme.name}:{index + 1}"
        block, index = _fenced(lines, index + 1, where)
        kind, path = match["kind"], match["path"]
        if kind == "run":
            steps.extend(_commands(block))
        elif path is None:
            raise ValueError(f"{where}: tutorial:{kind} needs the file's path")
        else:
            steps.append(Edit(kind, path, "\n".join(block) + "\n"))
    return steps


def shown_lines_missing(shown: list[str], output: str) -> list[str]:
    """The lines the README shows for a command that its real output does not have (spacing
    aside; `[...]` within a line stands for any text)."""
    actual = [" ".join(line.split()) for line in output.splitlines()]
    missing = []
    for line in shown:
        if line.strip() == LEFT_OUT:
            continue
        parts = " ".join(line.split()).split(LEFT_OUT)
        pattern = re.compile(".*".join(re.escape(part) for part in parts))
        if not any(pattern.fullmatch(have) for have in actual):
            missing.append(line)
    return missing


# ------------------------------------------------------------------ merging Python by name


def _name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.ImportFrom):
        return f"from {'.' * node.level}{node.module}"
    return None


def _span(node: ast.stmt, lines: list[str], *, comments: bool) -> tuple[int, int]:
    """0-based [start, end) of a statement with its decorators and, if asked, the comment lines
    right above it."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
    if comments:
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
    assert node.end_lineno is not None
    return start, node.end_lineno


def _reindent(piece: list[str], indent: int) -> list[str]:
    widths = [len(line) - len(line.lstrip()) for line in piece if line.strip()]
    cut = min(widths) if widths else 0
    return [" " * indent + line[cut:] if line.strip() else "" for line in piece]


def _scope(tree: ast.Module, owner: str | None) -> tuple[list[ast.stmt], int, int | None]:
    """The statements of the file (owner None) or of its class `owner`, their indent, and where
    the class ends (0-based line index after it)."""
    if owner is None:
        return tree.body, 0, None
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner)
    return cls.body, cls.body[0].col_offset, cls.end_lineno


def _merge(source: str, node: ast.stmt, block_lines: list[str], later: list[str], owner: str | None) -> str:
    name = _name(node)
    if name is None:
        raise ValueError(f"tutorial edit: block line {node.lineno}: a statement without a name to merge by")
    lines = source.splitlines()
    body, indent, class_end = _scope(ast.parse(source), owner)
    existing = {_name(n): n for n in body}
    start, end = _span(node, block_lines, comments=True)
    piece = _reindent(block_lines[start:end], indent)
    target = existing.get(name)
    if isinstance(node, ast.ClassDef) and isinstance(target, ast.ClassDef) and owner is None:
        members = [m for m in node.body if _name(m) is not None]
        for position, member in enumerate(members):
            following = [n for n in map(_name, members[position + 1 :]) if n]
            source = _merge(source, member, block_lines, following, owner=name)
        return source
    if target is not None:
        t_start, t_end = _span(target, lines, comments=False)
        lines[t_start:t_end] = piece
    elif isinstance(node, ast.ImportFrom | ast.Import):
        imports = [n for n in body if isinstance(n, ast.ImportFrom | ast.Import)]
        at = _span(imports[-1], lines, comments=False)[1] if imports else 0
        lines[at:at] = piece
    else:
        blank = [""] * (2 if owner is None else 1)
        before = next((existing[n] for n in later if n in existing), None)
        if before is not None:
            at = _span(before, lines, comments=True)[0]
            lines[at:at] = piece + blank
        else:
            at = class_end if class_end is not None else len(lines)
            lines[at:at] = blank + piece
    return "\n".join(lines) + "\n"


def merge_python(source: str, block: str) -> str:
    """`source` with every named top-level statement of `block` merged in (see the module doc)."""
    block_lines = block.splitlines()
    nodes = ast.parse(block).body
    for position, node in enumerate(nodes):
        later = [n for n in map(_name, nodes[position + 1 :]) if n]
        source = _merge(source, node, block_lines, later, owner=None)
    ast.parse(source)  # the merged file must still be Python
    return source


def apply_edit(root: Path, edit: Edit) -> None:
    path = root / edit.path
    if edit.kind == "write":
        path.write_text(edit.text, encoding="utf-8")
        return
    path.write_text(merge_python(path.read_text(encoding="utf-8"), edit.text), encoding="utf-8")


# ------------------------------------------------------------------ running it

PROJECT_FOLDERS = ("connectors", "config", "specs", "cassettes")
SANDBOX_PORT = "8765"  # the port the README shows; a run replaces it with a free one
FIRST_STEP = "  next steps for "
NOT_IMPLEMENTED = re.compile(r"\b\w+ is not implemented yet: write (?P<function>\w+) in (?P<file>\S+)")


def copy_project(source: Path, root: Path) -> Path:
    """The project's connector, config, spec and cassette folders copied into `root`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".certify-cache")
    for name in PROJECT_FOLDERS:
        shutil.copytree(source / name, root / name, ignore=ignore)
    return root


def first_next_step(stdout: str) -> str | None:
    """The first line of `certify run`'s next steps (without its number), None when it has none."""
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(FIRST_STEP) and index + 1 < len(lines):
            return " ".join(lines[index + 1].split()).removeprefix("1. ")
    return None


def names_the_next_edit(step: str, edit: Edit) -> str | None:
    """Why `step` (the first next step) does not lead to `edit`, or None when it does: it names
    the edit's file and, where it asks for a function, one the edit writes."""
    if edit.path not in step:
        return f"the first next step does not name {edit.path}: {step}"
    wanted = NOT_IMPLEMENTED.search(step)
    if wanted is not None and wanted["function"] not in edit.functions():
        written = sorted(edit.functions())
        return f"the first next step asks for {wanted['function']}, the tutorial's edit writes {written}"
    return None


@dataclass
class Played:
    command: Command
    argv: list[str]
    returncode: int | None  # None: still running in the background
    output: str


class Tutorial:
    """Plays the steps in a project folder through the console script `certify`."""

    def __init__(self, root: Path, certify: str, port: int) -> None:
        self.root = root
        self.certify = certify
        self.port = str(port)
        self.background: list[subprocess.Popen[str]] = []

    def env(self, command: Command) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if k != "CERTIFY_EXTRA_CONNECTORS"}
        return {**base, "COLUMNS": "100", **command.env}

    def argv(self, command: Command) -> list[str]:
        argv = [word.replace(SANDBOX_PORT, self.port) for word in command.argv]
        if argv[0] != "certify":
            raise ValueError(f"the tutorial runs only certify commands, not {argv[0]}")
        return [self.certify, *argv[1:]]

    def run(self, command: Command, timeout: float = 300) -> Played:
        argv = self.argv(command)
        if command.background:
            return self._start(command, argv, timeout=30)
        done = subprocess.run(
            argv, cwd=self.root, capture_output=True, text=True, timeout=timeout, env=self.env(command)
        )
        return Played(command, argv, done.returncode, done.stdout + done.stderr)

    def _start(self, command: Command, argv: list[str], timeout: float) -> Played:
        process = subprocess.Popen(
            argv,
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env(command),
        )
        self.background.append(process)
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        # the server says where it listens, then how to record against it: wait for both lines, read
        # by a thread so that a server that prints nothing costs the timeout, never a hang
        arrived: queue.Queue[str] = queue.Queue()
        stream = process.stdout
        threading.Thread(target=lambda: [arrived.put(line) for line in stream], daemon=True).start()
        expected = len([line for line in command.shown if line.strip() != LEFT_OUT])
        while len(lines) < expected and (left := deadline - time.monotonic()) > 0:
            try:
                lines.append(arrived.get(timeout=left).rstrip("\n"))
            except queue.Empty:
                break
        return Played(command, argv, process.poll(), "\n".join(lines))

    def stop(self) -> None:
        for process in self.background:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
