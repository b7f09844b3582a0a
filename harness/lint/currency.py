"""Currency as the Currency enum (CUR) wherever the domain meets the connector.

A provider's currency string becomes a `Currency` only through `Currency.parse(...)` (a typed
error names the field otherwise); no connector falls back to a hard-coded currency; the
response data the domain receives carries a `Currency`, never the raw wire string.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import (
    Leaf,
    Package,
    Project,
    SourceFile,
    const_str,
    dotted,
    last_segment,
    name_tokens,
)

CUR001 = rule(
    "CUR001",
    "critical",
    "raw currency string parsed other than with Currency.parse",
    "use Currency.parse(code, field='currency'): any case, and a typed error naming the field",
)
CUR002 = rule(
    "CUR002",
    "critical",
    "hard-coded currency",
    "take the currency from the router data (request.currency); never default to one",
)
CUR003 = rule(
    "CUR003",
    "critical",
    "raw provider currency string handed to the domain",
    "convert it with Currency.parse(value, field='currency') before it reaches response data or amount_back",
)

CODE = re.compile(r"^[A-Za-z]{3}$")
DOMAIN_DATA = frozenset({"PaymentsResponseData", "RefundsResponseData", "ErrorResponse"})
MEMBER_ACCESS = frozenset({"__members__", "_value2member_map_", "_member_map_", "__getitem__"})


def _currency_name(name: str | None) -> bool:
    if not name:
        return False
    tokens = name_tokens(name)
    return "currency" in tokens or "ccy" in tokens or name.lower() in ("cur", "curr", "currencies")


def _mentions_currency(expr: ast.AST) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and _currency_name(node.id):
            return True
        if isinstance(node, ast.Attribute) and _currency_name(node.attr):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _currency_name(node.value):
            return True
    return False


def _is_enum(project: Project, f: SourceFile, expr: ast.AST) -> bool:
    return last_segment(project.qualname(f, expr)) == "Currency"


def _hard_coded(project: Project, f: SourceFile, expr: ast.AST | None) -> bool:
    """A currency literal: an ISO-looking code or a Currency member."""
    if expr is None:
        return False
    text = const_str(expr)
    if text is not None:
        return bool(CODE.match(text))
    if isinstance(expr, ast.Attribute) and expr.attr.isupper() and len(expr.attr) == 3:
        return _is_enum(project, f, expr.value)
    if isinstance(expr, ast.Call) and last_segment(dotted(expr.func)) == "Field":
        default = (
            expr.args[0] if expr.args else next((k.value for k in expr.keywords if k.arg == "default"), None)
        )
        return _hard_coded(project, f, default)
    return False


def check(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    for f in pkg.files:
        yield from _parsing(project, f)
        yield from _defaults(project, f)
        yield from _domain(project, pkg, f)


def _parsing(project: Project, f: SourceFile) -> Iterator[Finding]:
    for call in f.of(ast.Call):
        if _is_enum(project, f, call.func):
            yield f.finding(CUR001, call, f"`{ast.unparse(call)[:60]}` parses a raw string")
        elif project.qualname(f, call.func) == "getattr" and call.args and _is_enum(project, f, call.args[0]):
            yield f.finding(CUR001, call, f"`{ast.unparse(call)[:60]}` looks a currency up by name")
        elif (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "parse"
            and _is_enum(project, f, call.func.value)
            and call.args
            and _hard_coded(project, f, call.args[0])
        ):
            yield f.finding(CUR002, call, f"`{ast.unparse(call)[:60]}` hard-codes a currency")
    for sub in f.of(ast.Subscript):
        if _is_enum(project, f, sub.value):
            yield f.finding(CUR001, sub, f"`{ast.unparse(sub)[:60]}` looks a currency up by name")
    for attribute in f.of(ast.Attribute):
        if attribute.attr in MEMBER_ACCESS and _is_enum(project, f, attribute.value):
            yield f.finding(CUR001, attribute, f"`{ast.unparse(attribute)}` bypasses Currency.parse")


def _defaults(project: Project, f: SourceFile) -> Iterator[Finding]:
    for ann in f.of(ast.AnnAssign):  # model fields and class attributes
        if (
            isinstance(ann.target, ast.Name)
            and _currency_name(ann.target.id)
            and ann.value is not None
            and _hard_coded(project, f, ann.value)
        ):
            yield f.finding(CUR002, ann.value, f"{ann.target.id} defaults to {ast.unparse(ann.value)[:40]}")
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda] = [
        *f.of(ast.FunctionDef),
        *f.of(ast.AsyncFunctionDef),
        *f.of(ast.Lambda),
    ]
    for func in functions:
        args = func.args
        positional = [*args.posonlyargs, *args.args]
        pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
        for arg, default in pairs:
            if _currency_name(arg.arg) and _hard_coded(project, f, default):
                yield f.finding(CUR002, default, f"parameter {arg.arg} defaults to {ast.unparse(default)}")
    for call in f.of(ast.Call):
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in ("get", "pop", "setdefault")
            and len(call.args) == 2
            and _currency_name(const_str(call.args[0]))
            and _hard_coded(project, f, call.args[1])
        ):
            yield f.finding(CUR002, call.args[1], f"`{ast.unparse(call)[:60]}` falls back to a currency")
        for keyword in call.keywords:
            if _currency_name(keyword.arg) and _hard_coded(project, f, keyword.value):
                yield f.finding(
                    CUR002, keyword.value, f"{keyword.arg}={ast.unparse(keyword.value)} is hard-coded"
                )
    for boolop in f.of(ast.BoolOp):
        if (
            isinstance(boolop.op, ast.Or)
            and _hard_coded(project, f, boolop.values[-1])
            and any(_mentions_currency(v) for v in boolop.values[:-1])
        ):
            yield f.finding(
                CUR002, boolop.values[-1], f"`{ast.unparse(boolop)[:60]}` falls back to a currency"
            )
    for ifexp in f.of(ast.IfExp):
        for branch in (ifexp.body, ifexp.orelse):
            if _hard_coded(project, f, branch) and _mentions_currency(ifexp.test):
                yield f.finding(CUR002, branch, f"`{ast.unparse(ifexp)[:60]}` falls back to a currency")
    for dictionary in f.of(ast.Dict):
        for key, value in zip(dictionary.keys, dictionary.values, strict=True):
            if (
                _currency_name(const_str(key))
                and const_str(value) is not None
                and _hard_coded(project, f, value)
            ):
                yield f.finding(CUR002, value, f"{const_str(key)!r}: {ast.unparse(value)} is hard-coded")


def _raw_wire(project: Project, leaf: Leaf) -> bool:
    """A value read from a provider model (a parameter typed with a wire model) or a literal string."""
    expr = leaf.expr
    if const_str(expr) is not None:
        return True
    if isinstance(expr, ast.Subscript):
        return True
    if not isinstance(expr, ast.Attribute):
        return False
    root: ast.AST = expr
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or leaf.func is None or isinstance(leaf.func, ast.Lambda):
        return False
    args = leaf.func.args
    param = next((a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg == root.id), None)
    if param is None or param.annotation is None:
        return False
    annotation = param.annotation
    if isinstance(annotation, ast.BinOp):  # Model | None
        annotation = annotation.left
    model = project.class_of(leaf.file, annotation)
    return bool(model and project.is_model(*model))


def _domain(project: Project, pkg: Package, f: SourceFile) -> Iterator[Finding]:
    for call in f.of(ast.Call):
        targets: list[ast.expr] = []
        name = last_segment(project.qualname(f, call.func))
        if name in DOMAIN_DATA:
            targets = [k.value for k in call.keywords if k.arg == "currency"]
        elif isinstance(call.func, ast.Attribute) and call.func.attr in ("amount_back", "amount"):
            targets = call.args[1:2] + [k.value for k in call.keywords if k.arg == "currency"]
        for target in targets:
            for leaf in project.expand(Leaf(f, f.function_of(call), target)):
                if _raw_wire(project, leaf) and not _hard_coded(project, leaf.file, leaf.expr):
                    yield f.finding(
                        CUR003,
                        target,
                        f"`{ast.unparse(target)[:50]}` is the provider's string, not a Currency",
                    )
                    break
