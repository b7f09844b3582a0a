"""No unwrap equivalents (UNW): what would be `.unwrap()` or `.expect()` in the Rust connector.

A bare `except`, an `except ...: pass`, an `assert`, a `# type: ignore` without a reason and a
direct `x["field"]` into an untyped decoded response all either hide an error or raise an
untyped one (KeyError) when the provider omits a field. Errors are typed `ConnectorError`s
that name the field; optional fields are read with `.get()` or declared in a model.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import FuncNode, Package, Project, SourceFile

UNW001 = rule(
    "UNW001",
    "critical",
    "bare except",
    "catch the specific exception and turn it into a typed ConnectorError naming the field",
)
UNW002 = rule(
    "UNW002",
    "critical",
    "exception swallowed (except ...: pass)",
    "handle the error or let it propagate as a typed ConnectorError",
)
UNW003 = rule(
    "UNW003",
    "critical",
    "assert in a connector",
    "asserts vanish under -O and raise an untyped AssertionError: raise a typed error instead",
)
UNW004 = rule(
    "UNW004",
    "warning",
    "# type: ignore without a reason",
    "say why after it: # type: ignore[code]  # reason",
)
UNW005 = rule(
    "UNW005",
    "critical",
    "direct indexing into an untyped response dict",
    "declare the field in a response model, or read it with .get() and handle its absence",
)

TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(.*)$")
DECODERS = frozenset({"json.loads", "yaml.safe_load", "xmltodict.parse", "orjson.loads", "ujson.loads"})
DECODE_METHODS = frozenset({"decoded", "json"})
UNTYPED = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "Any", "object", "JsonDict", "JSON"})


def check(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    for f in pkg.files:
        for handler in f.of(ast.ExceptHandler):
            if handler.type is None:
                yield f.finding(
                    UNW001, handler, "bare `except:` catches everything, KeyboardInterrupt included"
                )
            if all(
                isinstance(s, ast.Pass | ast.Continue)
                or (
                    isinstance(s, ast.Expr)
                    and isinstance(s.value, ast.Constant)
                    and s.value.value is Ellipsis
                )
                for s in handler.body
            ):
                caught = ast.unparse(handler.type) if handler.type else "everything"
                yield f.finding(UNW002, handler, f"`except {caught}` swallows the error")
        for call in f.of(ast.Call):
            if project.qualname(f, call.func) == "contextlib.suppress":
                yield f.finding(UNW002, call, f"`{ast.unparse(call)}` swallows the error")
        for node in f.of(ast.Assert):
            yield f.finding(UNW003, node, f"`assert {ast.unparse(node.test)[:50]}`")
        if "type:" in f.text:
            for number, line in enumerate(f.lines, start=1):
                if "ignore" not in line:
                    continue
                match = TYPE_IGNORE.search(line)
                if match and not match.group(2).lstrip(" #").strip():
                    yield f.finding(
                        UNW004, None, "`# type: ignore` gives no reason", line=number, col=match.start() + 1
                    )
        yield from _indexing(project, f)


def _annotation_untyped(annotation: ast.AST | None) -> bool:
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id in UNTYPED:
            return True
        if isinstance(node, ast.Attribute) and node.attr in UNTYPED:
            return True
    return False


def _param(func: FuncNode | None, name: str) -> ast.arg | None:
    if func is None:
        return None
    args = func.args
    return next((a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg == name), None)


def _untyped(project: Project, f: SourceFile, func: FuncNode | None, expr: ast.AST, depth: int = 0) -> bool:
    """Whether `expr` is a decoded body or a dict/Any field of a response model."""
    if depth > 6:
        return False
    if isinstance(expr, ast.Call):
        qualified = project.qualname(f, expr.func) or ""
        if qualified in DECODERS:
            return True
        if isinstance(expr.func, ast.Attribute):
            if expr.func.attr in DECODE_METHODS and not expr.args:
                return True
            if expr.func.attr == "get":
                return _untyped(project, f, func, expr.func.value, depth + 1)
        return False
    if isinstance(expr, ast.Subscript):
        return _untyped(project, f, func, expr.value, depth + 1)
    if isinstance(expr, ast.Name):
        key = (func, expr.id)
        if key in f.local_values:
            return any(_untyped(project, f, func, v, depth + 1) for v in f.local_values[key])
        param = _param(func, expr.id)
        return param is not None and _annotation_untyped(param.annotation)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        param = _param(func, expr.value.id)
        if param is None or param.annotation is None:
            return False
        annotation = param.annotation
        if isinstance(annotation, ast.BinOp):
            annotation = annotation.left
        model = project.class_of(f, annotation)
        if model is None or not project.is_model(*model):
            return False
        field = project.model_fields(*model).get(expr.attr)
        return field is not None and _annotation_untyped(field[1].annotation)
    return False


def _indexing(project: Project, f: SourceFile) -> Iterator[Finding]:
    for sub in f.of(ast.Subscript):
        if not isinstance(sub.ctx, ast.Load):
            continue
        key = sub.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        func = f.func_of.get(sub)
        inner = sub.value
        if isinstance(inner, ast.Subscript) and _untyped(project, f, func, inner.value):
            continue  # the inner index is reported
        if _untyped(project, f, func, inner):
            what = ast.unparse(inner)[:40]
            yield f.finding(
                UNW005,
                sub,
                f"`{ast.unparse(sub)[:60]}` raises KeyError when the provider omits {key.value!r}"
                f" ({what} is untyped)",
            )
