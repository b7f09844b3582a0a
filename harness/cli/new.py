"""`certify new NAME`: scaffold a connector that `certify list` shows and `certify run` fails clearly.

Writes connectors/NAME/{__init__,connector,transformers}.py and certification.toml,
specs/NAME.yaml, cassettes/NAME/.gitkeep (the registry lists connectors/NAME/ at once) and adds
placeholder base URLs (production distinct from sandbox) to config/{development,sandbox,production}.toml.
Every flow raises NotImplementedFlowError until its author writes it. Everything is checked
before anything is written, so a refused name leaves the project untouched.
"""

from __future__ import annotations

import ast
import importlib.util
import keyword
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

import typer
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from harness.cli import app, fail
from harness.integration import registry

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 40  # becomes a folder, a class, an env-var prefix and a report heading
ENVIRONMENTS = ("development", "sandbox", "production")


def placeholder_url(name: str, env: str) -> str:
    """Unresolvable hosts (RFC 2606 `.invalid`) the author must replace; production differs."""
    return f"https://api.{name}.invalid/" if env == "production" else f"https://sandbox.{name}.invalid/"


@dataclass(frozen=True)
class Plan:
    files: dict[Path, str]  # new files and their text
    edits: dict[Path, str]  # existing files and their new text


class Refused(Exception):
    pass


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(SCAFFOLD)),
        autoescape=False,  # Python, TOML and YAML sources, not HTML
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def check_name(name: str, root: Path) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise Refused(
            f"connector name of {len(name)} characters: use at most {MAX_NAME_LENGTH}, for example acme_pay"
        )
    if not (NAME.match(name) and name.isidentifier() and not keyword.iskeyword(name)):
        raise Refused(
            f"{name!r} is not a valid connector name: use a lowercase Python identifier (letters, digits, "
            "underscores), for example acme_pay"
        )
    if not (root / "connectors" / "__init__.py").is_file():
        raise Refused("no connectors/__init__.py here: run `certify new` from the project root")
    found = registry.read_registry(root)
    if name in found.names():
        where = found.sources[name].origin if name in found.sources else "claimed by two sources"
        raise Refused(f"connector {name!r} already exists ({where})")
    shadowed = shadows(name, root)
    if shadowed:
        raise Refused(
            f"connector name {name!r} would shadow {shadowed}: choose another, for example {name}_pay"
        )
    for path in (
        root / "connectors" / name,
        root / "specs" / f"{name}.yaml",
        root / "cassettes" / name,
    ):
        if path.exists():
            raise Refused(f"{path.relative_to(root)} already exists: connector {name!r} is taken")


def shadows(name: str, root: Path) -> str | None:
    """What a subpackage connectors/NAME would hide or be confused with, or None.

    Importing connectors.NAME binds NAME on the connectors package, replacing the package's own
    `registry`, `os`, `load`...; a name equal to a standard or installed module invites the same
    confusion in every connector that imports it.
    """
    if name in _package_names(root):
        return f"`{name}` of connectors/__init__.py (the subpackage would replace it)"
    if name in sys.stdlib_module_names or name in sys.builtin_module_names:
        return f"the standard library module `{name}`"
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        return f"the installed module `{name}`"
    return None


def _package_names(root: Path) -> set[str]:
    """Every name connectors/__init__.py defines or imports."""
    names: set[str] = set()
    path = root / "connectors" / "__init__.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def config_edit(text: str, path: Path, name: str, url: str) -> str:
    """Add `name.base_url = url` at the end of the [connectors] table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise Refused(f"{path}: malformed TOML ({error})") from None
    table = data.get("connectors")
    if not isinstance(table, dict):
        raise Refused(f"{path}: no [connectors] table")
    if name in table:
        raise Refused(f"{path} already has {name}.base_url")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "[connectors]")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
        len(lines),
    )
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    if end and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    entry = f'{name}.base_url = "{url}" # TODO(certify new): the provider\'s documented base URL\n'
    edited = "".join([*lines[:end], entry, *lines[end:]])
    if tomllib.loads(edited).get("connectors", {}).get(name, {}).get("base_url") != url:
        raise Refused(f"{path}: could not add {name}.base_url (unexpected layout)")
    return edited


def plan(name: str, root: Path, display_name: str | None = None) -> Plan:
    check_name(name, root)
    class_name = "".join(part.capitalize() for part in name.split("_") if part) or name.capitalize()
    context = {
        "name": name,
        "display": display_name or " ".join(part.capitalize() for part in name.split("_") if part),
        "class_name": class_name,
        "env_prefix": name.upper(),
        "const_prefix": name.upper(),
    }
    templates = _templates()
    package = root / "connectors" / name
    files = {
        package / "__init__.py": templates.get_template("__init__.py.j2").render(context),
        package / "connector.py": templates.get_template("connector.py.j2").render(context),
        package / "transformers.py": templates.get_template("transformers.py.j2").render(context),
        package / "sandbox.py": templates.get_template("sandbox.py.j2").render(context),
        package / "certification.toml": templates.get_template("certification.toml.j2").render(context),
        root / "specs" / f"{name}.yaml": templates.get_template("spec.yaml.j2").render(context),
        root / "cassettes" / name / ".gitkeep": "",
    }
    edits: dict[Path, str] = {}
    for env in ENVIRONMENTS:
        path = root / "config" / f"{env}.toml"
        if not path.is_file():
            raise Refused(f"config/{env}.toml not found: run `certify new` from the project root")
        edits[path] = config_edit(path.read_text(encoding="utf-8"), path, name, placeholder_url(name, env))
    return Plan(files, edits)


def apply(scaffold: Plan) -> None:
    for path, text in scaffold.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # never overwrite
            handle.write(text)
    for path, text in scaffold.edits.items():
        path.write_text(text, encoding="utf-8")


@app.command(
    "new",
    epilog="Example: certify new acme_pay --display-name 'Acme Pay'   "
    "(then: certify list; certify run acme_pay)",
)
def new(
    name: Annotated[str, typer.Argument(help="The connector's name: a lowercase Python identifier.")],
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="How reports name it (default: from NAME).")
    ] = None,
) -> None:
    """Scaffold a connector: code, simulated sandbox, certification.toml, spec stub, cassette folder,
    registry, config."""
    root = Path.cwd()
    try:
        scaffold = plan(name, root, display_name)
    except Refused as refusal:
        raise fail(str(refusal)) from None
    apply(scaffold)
    for path in scaffold.files:
        typer.echo(f"created  {path.relative_to(root)}")
    for path in scaffold.edits:
        typer.echo(f"updated  {path.relative_to(root)}")
    typer.echo(
        f"next: write connectors/{name}/transformers.py and connector.py, sandbox.py (the provider's "
        f"documented sandbox, for `certify author {name}`), specs/{name}.yaml and "
        f"certification.toml from the provider's docs; replace the placeholder base URLs in config/; "
        f"record or author cassettes into cassettes/{name}/; then `certify run {name}`"
    )
