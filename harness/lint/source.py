"""Connector source as the rule families see it: each file parsed and walked once.

`SourceFile` holds one file's tree, its nodes by type, each node's parent and enclosing
function, its top-level definitions and imports. `Package` is the files of one connector and
`Project` resolves names across them (and into other connectors a test double imports, e.g.
`from connectors.stripe.connector import Stripe`), reads a connector class's attributes
through its bases, its flow table (`flow_table(FlowSpec(...), ...)`, or a table derived with
`{**Base.flows, Flow.X: replace(Base.flows[Flow.X], ...)}`) and traces a wire field of the
request a `build_request` function returns back to the expression that fills it.

Everything here is an approximation of Python's semantics that errs towards "unknown": a rule
only reports what it could resolve, so that the shipped connectors carry no false positives.
"""

from __future__ import annotations

import ast
import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from harness.domain.flows import Flow
from harness.integration.connector import FlowSpec
from harness.lint.findings import Finding, suppressions_in
from harness.lint.rules import Rule

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
FUNC_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
N = TypeVar("N", bound=ast.AST)
Symbol = tuple["SourceFile", ast.AST]

# read from the code, never copied: `Flow.PSYNC` in a flow table is the flow "PSync"
FLOW_NAMES = {flow.name: flow.value for flow in Flow}
# FlowSpec's dataclass fields in declaration order (positional arguments map onto them)
FLOWSPEC_FIELDS = tuple(spec_field.name for spec_field in dataclasses.fields(FlowSpec))
COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
)
# pydantic's bases, and the shared wire-model bases of harness/integration/wire.py (outside the
# connector's package, so the lint cannot follow them to BaseModel)
MODEL_BASES = frozenset(
    {"BaseModel", "RootModel", "DomainModel"}
    | {"WireRequest", "CamelWireRequest", "WireResponse", "CamelWireResponse"}
)
CONNECTOR_BASES = frozenset({"ConnectorV2"})
MAX_DEPTH = 6


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is inside it (as ruff prints it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=4096)
def _is_package_dir(directory: Path) -> bool:
    return (directory / "__init__.py").is_file()


def module_name(path: Path) -> tuple[str, Path]:
    """The dotted module name of a file and the directory its top package lives in."""
    path = path.resolve()
    parts: list[str] = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while _is_package_dir(directory) and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts) or path.stem, directory


@lru_cache(maxsize=16384)
def name_tokens(name: str) -> tuple[str, ...]:
    """`cardHolderName` and `card_holder_name` both give ("card", "holder", "name")."""
    out: list[str] = []
    word = ""
    for i, ch in enumerate(name):
        if ch in "_-. ":
            if word:
                out.append(word.lower())
            word = ""
        elif (
            ch.isupper()
            and word
            and (not word[-1].isupper() or (i + 1 < len(name) and name[i + 1].islower()))
        ):
            out.append(word.lower())
            word = ch
        else:
            word += ch
    if word:
        out.append(word.lower())
    return tuple(out)


def last_segment(qualified: str | None) -> str:
    return qualified.rsplit(".", 1)[-1] if qualified else ""


def dotted(expr: ast.AST) -> str | None:
    """`a.b.c` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return None


def const_str(expr: ast.AST | None) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def literal(expr: ast.AST | None) -> Any:
    if expr is None:
        return None
    try:
        return ast.literal_eval(expr)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


class SourceFile:
    """One parsed file with the indexes every family reads."""

    def __init__(self, path: Path, text: str, *, display: str | None = None, connector: str | None = None):
        self.path = path
        self.text = text
        self.display = display or display_path(path)
        self.connector = connector
        self.module, self.root = module_name(path)
        self.is_init = path.name == "__init__.py"
        self.tree = ast.parse(text, filename=str(path))
        self.lines = text.splitlines()
        self.parent: dict[ast.AST, ast.AST] = {}
        self.func_of: dict[ast.AST, FuncNode | None] = {}
        self.nodes: dict[type, list[Any]] = defaultdict(list)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.assigns: dict[str, ast.expr] = {}
        self.imports: dict[str, str] = {}
        self._index()
        self.suppressions = suppressions_in(text)

    # ------------------------------------------------------------ indexes

    def _index(self) -> None:
        parent, func_of, nodes = self.parent, self.func_of, self.nodes
        iter_children = ast.iter_child_nodes
        stack: list[tuple[ast.AST, FuncNode | None]] = [(self.tree, None)]
        while stack:
            node, func = stack.pop()
            nodes[type(node)].append(node)
            func_of[node] = func
            inner = node if isinstance(node, FUNC_TYPES) else func
            for child in iter_children(node):
                parent[child] = node
                stack.append((child, inner))
        for statement in self._top_level(self.tree.body):
            if isinstance(statement, DEF_TYPES):
                self.functions[statement.name] = statement
            elif isinstance(statement, ast.ClassDef):
                self.classes[statement.name] = statement
            elif isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        self.assigns[target.id] = statement.value
            elif (
                isinstance(statement, ast.AnnAssign)
                and statement.value is not None
                and isinstance(statement.target, ast.Name)
            ):
                self.assigns[statement.target.id] = statement.value
        package = self.module if self.is_init else self.module.rpartition(".")[0]
        for node in self.of(ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
        for node in self.of(ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                if node.level > 1:
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name

    @staticmethod
    def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
        for statement in body:
            if isinstance(statement, ast.If | ast.Try):
                yield from SourceFile._top_level(statement.body)
                yield from SourceFile._top_level(statement.orelse)
                if isinstance(statement, ast.Try):
                    for handler in statement.handlers:
                        yield from SourceFile._top_level(handler.body)
            else:
                yield statement

    def of(self, kind: type[N]) -> list[N]:
        return self.nodes.get(kind, [])

    def function_of(self, node: ast.AST) -> FuncNode | None:
        return self.func_of.get(node)

    def statement_of(self, node: ast.AST) -> ast.AST:
        while not isinstance(node, ast.stmt) and node in self.parent:
            node = self.parent[node]
        return node

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parent:
            node = self.parent[node]
            yield node

    @cached_property
    def local_values(self) -> dict[tuple[FuncNode | None, str], list[ast.expr]]:
        """Every value assigned to a plain name, by (enclosing function, name)."""
        values: dict[tuple[FuncNode | None, str], list[ast.expr]] = defaultdict(list)
        for node in self.of(ast.Assign):
            func = self.func_of.get(node)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[(func, target.id)].append(node.value)
        for ann in self.of(ast.AnnAssign):
            if isinstance(ann.target, ast.Name) and ann.value is not None:
                values[(self.func_of.get(ann), ann.target.id)].append(ann.value)
        for aug in self.of(ast.AugAssign):
            if isinstance(aug.target, ast.Name):
                combined = ast.BinOp(left=ast.Name(aug.target.id, ast.Load()), op=aug.op, right=aug.value)
                ast.copy_location(combined, aug)
                values[(self.func_of.get(aug), aug.target.id)].append(combined)
        for named in self.of(ast.NamedExpr):
            values[(self.func_of.get(named), named.target.id)].append(named.value)
        return values

    @cached_property
    def unknown_bindings(self) -> set[tuple[FuncNode | None, str]]:
        """Names bound by loops, with-statements, imports or handlers: their value is unknown here."""
        bound: set[tuple[FuncNode | None, str]] = set()
        loops: list[ast.For | ast.AsyncFor | ast.comprehension] = [
            *self.of(ast.For),
            *self.of(ast.AsyncFor),
            *self.of(ast.comprehension),
        ]
        for node in loops:
            for name in ast.walk(node.target):
                if isinstance(name, ast.Name):
                    bound.add((self.func_of.get(node), name.id))
        for item in self.of(ast.withitem):
            if item.optional_vars is not None:
                for name in ast.walk(item.optional_vars):
                    if isinstance(name, ast.Name):
                        bound.add((self.func_of.get(item), name.id))
        return bound

    def returns(self, func: FuncNode) -> list[ast.expr]:
        if isinstance(func, ast.Lambda):
            return [func.body]
        return [r.value for r in self.of(ast.Return) if r.value is not None and self.func_of.get(r) is func]

    @staticmethod
    def params(func: FuncNode | None) -> list[str]:
        if func is None:
            return []
        a = func.args
        names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
        if a.vararg:
            names.append(a.vararg.arg)
        if a.kwarg:
            names.append(a.kwarg.arg)
        return names

    @staticmethod
    def positional(func: FuncNode) -> list[ast.arg]:
        params = [*func.args.posonlyargs, *func.args.args]
        if params and params[0].arg in ("self", "cls") and not isinstance(func, ast.Lambda):
            params = params[1:]
        return params

    # ------------------------------------------------------------ findings

    def source_line(self, line: int) -> str | None:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else None

    def finding(
        self,
        rule: Rule,
        node: ast.AST | None,
        message: str | None = None,
        *,
        hint: str | None = None,
        line: int | None = None,
        col: int | None = None,
    ) -> Finding:
        lineno: int = line or getattr(node, "lineno", None) or 1
        column: int = col or (getattr(node, "col_offset", None) or 0) + 1
        if col is None and 0 < lineno <= len(self.lines) and not self.lines[lineno - 1].isascii():
            # the AST counts UTF-8 bytes; findings (and SARIF) count characters
            column = len(self.lines[lineno - 1].encode("utf-8")[: column - 1].decode("utf-8", "ignore")) + 1
        end = None
        if isinstance(node, ast.expr):  # a suppression may sit on any later line of its statement
            statement = self.statement_of(node)
            simple = not isinstance(statement, COMPOUND) and isinstance(statement, ast.stmt)
            end = (getattr(statement, "end_lineno", None) if simple else None) or node.end_lineno
        return rule.finding(
            self.display,
            lineno,
            column,
            message=message,
            hint=hint,
            connector=self.connector,
            source_line=self.source_line(lineno),
            end_line=end if end and end != lineno else None,
        )


# ------------------------------------------------------------ files from other packages

_EXTERNAL: dict[Path, tuple[int, int, SourceFile | None]] = {}


def load_external(path: Path) -> SourceFile | None:
    """A file outside the linted package (a connector a test double derives from), cached."""
    try:
        stat = path.stat()
        cached = _EXTERNAL.get(path)
        if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
        loaded: SourceFile | None = SourceFile(path, path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        loaded = None
        stat = os.stat_result((0,) * 10)
    _EXTERNAL[path] = (stat.st_mtime_ns, stat.st_size, loaded)
    return loaded


@dataclass
class FlowSpecInfo:
    """One FlowSpec of a connector's table, its arguments by field name (with the file they live in)."""

    flow: str
    file: SourceFile
    node: ast.AST
    args: dict[str, tuple[SourceFile, ast.expr]] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        found = self.args.get(name)
        return literal(found[1]) if found else None


@dataclass
class Leaf:
    """An expression that fills a traced field, in its file and function."""

    file: SourceFile
    func: FuncNode | None
    expr: ast.expr


class Project:
    """Name resolution across the linted files and the connector modules they import."""

    def __init__(self, files: list[SourceFile]):
        self.files = files
        self.by_module: dict[str, SourceFile | None] = {f.module: f for f in files}
        self.roots = list(dict.fromkeys(f.root for f in files))
        self._subclass: dict[tuple[int, frozenset[str]], bool] = {}
        self._tables: dict[int, dict[str, FlowSpecInfo] | None] = {}

    def module(self, name: str, near: SourceFile) -> SourceFile | None:
        if name in self.by_module:
            return self.by_module[name]
        found: SourceFile | None = None
        if name and not name.startswith(("harness.", "pydantic", "typing")) and name != "harness":
            # the top package's parent, then the folders above the file (namespace packages)
            for root in dict.fromkeys([near.root, *self.roots, *list(near.path.resolve().parents)[:4]]):
                base = root.joinpath(*name.split("."))
                for candidate in (base.parent / f"{base.name}.py", base / "__init__.py"):
                    if candidate.is_file():
                        found = load_external(candidate)
                        break
                if found:
                    break
        self.by_module[name] = found
        return found

    # ------------------------------------------------------------ names

    def qualname(self, file: SourceFile, expr: ast.AST) -> str | None:
        if isinstance(expr, ast.Name):
            name = expr.id
            if name in file.imports:
                return file.imports[name]
            if name in file.functions or name in file.classes or name in file.assigns:
                return f"{file.module}.{name}"
            return name
        if isinstance(expr, ast.Attribute):
            base = self.qualname(file, expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    def resolve(self, file: SourceFile, expr: ast.AST, depth: int = 0) -> Symbol | None:
        """The definition (function, class, or assigned value) a name or attribute chain denotes."""
        if isinstance(expr, ast.Name) and expr.id not in file.imports:
            node = file.functions.get(expr.id) or file.classes.get(expr.id) or file.assigns.get(expr.id)
            return (file, node) if node is not None else None
        qualified = self.qualname(file, expr)
        return self.resolve_qualified(qualified, file, depth) if qualified else None

    def resolve_qualified(self, qualified: str, near: SourceFile, depth: int = 0) -> Symbol | None:
        parts = qualified.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:i]), near)
            if module is None:
                continue
            rest = parts[i:]
            name = rest[0]
            node = module.functions.get(name) or module.classes.get(name) or module.assigns.get(name)
            if node is not None:
                if len(rest) == 1:
                    return (module, node)
                if isinstance(node, ast.ClassDef) and len(rest) == 2:
                    return self.class_attr(module, node, rest[1])
                return None
            if name in module.imports and depth < MAX_DEPTH:
                return self.resolve_qualified(".".join([module.imports[name], *rest[1:]]), module, depth + 1)
            return None
        return None

    def class_of(self, file: SourceFile, expr: ast.AST) -> tuple[SourceFile, ast.ClassDef] | None:
        found = self.resolve(file, expr)
        if found and isinstance(found[1], ast.ClassDef):
            return found[0], found[1]
        return None

    # ------------------------------------------------------------ classes

    def class_attr(
        self, file: SourceFile, cls: ast.ClassDef, name: str, depth: int = 0
    ) -> tuple[SourceFile, ast.expr] | None:
        """The value a class (or the first base that has it) assigns to `name`."""
        for statement in cls.body:
            if isinstance(statement, ast.Assign):
                if any(isinstance(t, ast.Name) and t.id == name for t in statement.targets):
                    return file, statement.value
            elif (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id == name
                and statement.value is not None
            ):
                return file, statement.value
        if depth >= MAX_DEPTH:
            return None
        for base in cls.bases:
            found = self.class_of(file, base)
            if found:
                value = self.class_attr(found[0], found[1], name, depth + 1)
                if value:
                    return value
        return None

    def declares(self, cls: ast.ClassDef, name: str) -> ast.stmt | None:
        for statement in cls.body:
            targets = statement.targets if isinstance(statement, ast.Assign) else []
            if isinstance(statement, ast.AnnAssign):
                targets = [statement.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return statement
        return None

    def is_subclass(self, file: SourceFile, cls: ast.ClassDef, roots: frozenset[str], depth: int = 0) -> bool:
        key = (id(cls), roots)
        if key in self._subclass:
            return self._subclass[key]
        self._subclass[key] = False  # cycles
        result = False
        for base in cls.bases:
            if isinstance(base, ast.Subscript):
                base = base.value  # Generic[T], RootModel[list[X]]
            if last_segment(self.qualname(file, base)) in roots:
                result = True
                break
            found = self.class_of(file, base) if depth < MAX_DEPTH else None
            if found and self.is_subclass(found[0], found[1], roots, depth + 1):
                result = True
                break
        self._subclass[key] = result
        return result

    def is_model(self, file: SourceFile, cls: ast.ClassDef) -> bool:
        return self.is_subclass(file, cls, MODEL_BASES)

    def is_connector(self, file: SourceFile, cls: ast.ClassDef) -> bool:
        return self.is_subclass(file, cls, CONNECTOR_BASES)

    def model_fields(
        self, file: SourceFile, cls: ast.ClassDef, depth: int = 0
    ) -> dict[str, tuple[SourceFile, ast.AnnAssign]]:
        """Annotated fields of a model, inherited ones first."""
        fields: dict[str, tuple[SourceFile, ast.AnnAssign]] = {}
        if depth < MAX_DEPTH:
            for base in cls.bases:
                found = self.class_of(file, base)
                if found:
                    fields.update(self.model_fields(found[0], found[1], depth + 1))
        for statement in cls.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and not statement.target.id.startswith("_")
                and "ClassVar" not in ast.unparse(statement.annotation)
            ):
                fields[statement.target.id] = (file, statement)
        return fields

    def field_names_for(self, file: SourceFile, cls: ast.ClassDef, wire: str) -> set[str]:
        """Python field names of a model that serialize as `wire` (by name, alias or camelCase)."""
        names = {wire}
        for name, (_, statement) in self.model_fields(file, cls).items():
            value = statement.value
            if isinstance(value, ast.Call) and last_segment(dotted(value.func)) == "Field":
                for kw in value.keywords:
                    if kw.arg in ("alias", "serialization_alias") and const_str(kw.value) == wire:
                        names.add(name)
            tokens = name_tokens(name)
            camel = tokens[0] + "".join(t.title() for t in tokens[1:]) if tokens else name
            if wire in (camel, camel[:1].upper() + camel[1:]):
                names.add(name)
        return names

    # ------------------------------------------------------------ the flow table

    def flow_table(self, file: SourceFile, cls: ast.ClassDef) -> dict[str, FlowSpecInfo] | None:
        """The connector's FlowSpecs by flow name, or None when the table is not a recognised form."""
        key = id(cls)
        if key not in self._tables:
            self._tables[key] = None
            found = self.class_attr(file, cls, "flows")
            self._tables[key] = self._table(found[0], found[1], 0) if found else None
        return self._tables[key]

    def _table(self, file: SourceFile, value: ast.expr, depth: int) -> dict[str, FlowSpecInfo] | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(value, ast.Call) and last_segment(self.qualname(file, value.func)) == "flow_table":
            table: dict[str, FlowSpecInfo] = {}
            for arg in value.args:
                spec = self._spec(file, arg, depth + 1)
                if spec is None:
                    return None
                table[spec.flow] = spec
            return table
        if isinstance(value, ast.Dict):
            table = {}
            for key, item in zip(value.keys, value.values, strict=True):
                if key is None:
                    inner = self._table_of_expr(file, item, depth + 1)
                    if inner is None:
                        return None
                    table.update(inner)
                    continue
                spec = self._spec(file, item, depth + 1)
                if spec is None:
                    return None
                table[spec.flow] = spec
            return table
        if isinstance(value, ast.Name | ast.Attribute):
            return self._table_of_expr(file, value, depth + 1)
        return None

    def _table_of_expr(self, file: SourceFile, expr: ast.expr, depth: int) -> dict[str, FlowSpecInfo] | None:
        """The table `Base.flows` (or a module-level name bound to a table) stands for."""
        if isinstance(expr, ast.Attribute) and expr.attr == "flows":
            found = self.class_of(file, expr.value)
            return self.flow_table(found[0], found[1]) if found else None
        found_value = self.resolve(file, expr)
        if found_value and isinstance(found_value[1], ast.expr):
            return self._table(found_value[0], found_value[1], depth + 1)
        return None

    def _spec(self, file: SourceFile, expr: ast.expr, depth: int) -> FlowSpecInfo | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Call):
            callee = last_segment(self.qualname(file, expr.func))
            if callee == "FlowSpec":
                args = {
                    FLOWSPEC_FIELDS[i]: (file, a) for i, a in enumerate(expr.args[: len(FLOWSPEC_FIELDS)])
                }
                args.update({kw.arg: (file, kw.value) for kw in expr.keywords if kw.arg})
                flow = args.get("flow")
                if flow is None:
                    return None
                return FlowSpecInfo(self._flow_name(flow[1]), file, expr, args)
            if callee == "replace" and expr.args:
                base = self._spec(file, expr.args[0], depth + 1)
                if base is None:
                    return None
                args = dict(base.args)
                args.update({kw.arg: (file, kw.value) for kw in expr.keywords if kw.arg})
                return FlowSpecInfo(base.flow, file, expr, args)
            return None
        if isinstance(expr, ast.Subscript):  # Base.flows[Flow.AUTHORIZE]
            table = self._table_of_expr(file, expr.value, depth + 1)
            return table.get(self._flow_name(expr.slice)) if table else None
        if isinstance(expr, ast.Name):
            found = self.resolve(file, expr)
            if found and isinstance(found[1], ast.expr):
                return self._spec(found[0], found[1], depth + 1)
        return None

    @staticmethod
    def _flow_name(expr: ast.AST) -> str:
        if isinstance(expr, ast.Attribute):
            return FLOW_NAMES.get(expr.attr, expr.attr)
        return const_str(expr) or ast.unparse(expr)

    def function(self, file: SourceFile, expr: ast.expr) -> tuple[SourceFile, FuncNode] | None:
        """The function a FlowSpec argument names (or the lambda it is)."""
        if isinstance(expr, ast.Lambda):
            return file, expr
        found = self.resolve(file, expr)
        if found and isinstance(found[1], DEF_TYPES):
            return found[0], found[1]
        if found and isinstance(found[1], ast.Lambda):
            return found[0], found[1]
        return None

    # ------------------------------------------------------------ tracing a wire field

    def trace(
        self, file: SourceFile, func: FuncNode | None, expr: ast.expr, path: tuple[str, ...], depth: int = 0
    ) -> list[Leaf]:
        """The expressions that fill `path` of the value `expr` builds; [] where that is unknown."""
        if depth > 3 * MAX_DEPTH:
            return []
        if isinstance(expr, ast.IfExp):
            return self.trace(file, func, expr.body, path, depth + 1) + self.trace(
                file, func, expr.orelse, path, depth + 1
            )
        if isinstance(expr, ast.Name):
            key = (func, expr.id)
            values = file.local_values.get(key)
            if values and key not in file.unknown_bindings:
                return [leaf for v in values for leaf in self.trace(file, func, v, path, depth + 1)]
            if expr.id in file.params(func) or key in file.unknown_bindings:
                return []
            found = self.resolve(file, expr)
            if found and isinstance(found[1], ast.expr):
                return self.trace(found[0], None, found[1], path, depth + 1)
            return [] if path else [Leaf(file, func, expr)]
        if isinstance(expr, ast.Call):
            callee = expr.func
            called = self.function(file, callee) if isinstance(callee, ast.Name | ast.Attribute) else None
            if called:  # a helper of the connector: what it returns
                return [
                    leaf
                    for r in called[0].returns(called[1])
                    for leaf in self.trace(*called, r, path, depth + 1)
                ]
        if not path:
            return [Leaf(file, func, expr)]
        head, rest = path[0], path[1:]
        if isinstance(expr, ast.Dict):
            for item_key, value in zip(expr.keys, expr.values, strict=True):
                if item_key is not None and const_str(item_key) == head:
                    return self.trace(file, func, value, rest, depth + 1)
            return []
        if isinstance(expr, ast.Call):
            callee = expr.func
            if isinstance(callee, ast.Attribute) and callee.attr == "model_copy":
                for kw in expr.keywords:
                    if kw.arg == "update" and isinstance(kw.value, ast.Dict):
                        for item_key, value in zip(kw.value.keys, kw.value.values, strict=True):
                            if item_key is not None and const_str(item_key) == head:
                                return self.trace(file, func, value, rest, depth + 1)
                return self.trace(file, func, callee.value, path, depth + 1)
            if isinstance(callee, ast.Name) and callee.id == "dict":
                for kw in expr.keywords:
                    if kw.arg == head:
                        return self.trace(file, func, kw.value, rest, depth + 1)
                return []
            model = self.class_of(file, callee)
            if model:
                names = self.field_names_for(model[0], model[1], head)
                for kw in expr.keywords:
                    if kw.arg in names:
                        return self.trace(file, func, kw.value, rest, depth + 1)
        return []

    def expand(self, leaf: Leaf, depth: int = 0) -> list[Leaf]:
        """A leaf with names, conditionals and helper calls followed to the expressions behind them."""
        return self.trace(leaf.file, leaf.func, leaf.expr, (), depth)


@dataclass
class Package:
    """The files of one connector (or of one directory, for files outside connectors/)."""

    name: str | None
    files: list[SourceFile]
    project: Project
    is_connector: bool = True

    @cached_property
    def connector_classes(self) -> list[tuple[SourceFile, ast.ClassDef]]:
        return [
            (f, cls)
            for f in self.files
            for cls in f.classes.values()
            if self.project.is_connector(f, cls) and not cls.name.startswith("_")
        ]

    @cached_property
    def model_classes(self) -> list[tuple[SourceFile, ast.ClassDef]]:
        return [(f, cls) for f in self.files for cls in f.of(ast.ClassDef) if self.project.is_model(f, cls)]

    @cached_property
    def flow_specs(self) -> list[FlowSpecInfo]:
        """The FlowSpecs of every connector class of the package (each spec once)."""
        specs: dict[int, FlowSpecInfo] = {}
        for f, cls in self.connector_classes:
            table = self.project.flow_table(f, cls) or {}
            for spec in table.values():
                specs.setdefault(id(spec.node), spec)
        return list(specs.values())
