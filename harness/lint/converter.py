"""Amount converter (CNV): declared, not empty, and used for every amount a request carries.

Every `FlowSpec.amount_fields` entry must be filled through `ctx.amount(...)` (the declared
converter, applying the provider's currency table); every amount read back goes through
`ctx.amount_back(...)`, never a hand-built `MinorUnit`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import Leaf, Package, Project, SourceFile, const_str, last_segment

CNV001 = rule(
    "CNV001",
    "critical",
    "connector declares no amount_converter",
    "declare amount_converter = MinorUnitConverter(table) (or the String(Minor|Major)UnitConverter)",
)
CNV002 = rule(
    "CNV002",
    "critical",
    "amount_converter is empty or not one of the framework's converters",
    "use MinorUnitConverter, StringMinorUnitConverter or StringMajorUnitConverter with the currency table",
)
CNV003 = rule(
    "CNV003",
    "critical",
    "an amount field of the request is not built through ctx.amount(...)",
    "fill every FlowSpec.amount_fields entry with ctx.amount(amount, currency, field=...)",
)
CNV004 = rule(
    "CNV004",
    "warning",
    "amount converter built without the provider's currency table",
    "pass table_for(..., source=DOC_URL) with the provider's deviations from ISO 4217",
)
CNV005 = rule(
    "CNV005",
    "suggestion",
    "currency table without the documentation it comes from",
    "add source='https://...' (the provider's currency page) to table_for(...)",
)
CNV006 = rule(
    "CNV006",
    "critical",
    "MinorUnit built by hand from a provider value",
    "read amounts back with ctx.amount_back(value, currency, field=...), which applies the currency table",
)

CONVERTERS = {
    "MinorUnitConverter": "int",
    "StringMinorUnitConverter": "str",
    "StringMajorUnitConverter": "str",
}
TABLE_BUILDERS = frozenset({"table_for", "CurrencyTable"})


@dataclass
class Converter:
    state: str  # ok | missing | empty | unknown
    kind: str | None = None
    output: str | None = None  # int | str: what ctx.amount returns
    file: SourceFile | None = None
    call: ast.Call | None = None
    described: str = ""


def resolve_converter(project: Project, file: SourceFile, cls: ast.ClassDef) -> Converter:
    found = project.class_attr(file, cls, "amount_converter")
    if found is None:
        return Converter("missing")
    where, value = found
    for _ in range(8):
        if isinstance(value, ast.Call):
            kind = last_segment(project.qualname(where, value.func))
            if kind in CONVERTERS:
                return Converter("ok", kind, CONVERTERS[kind], where, value)
            if kind.endswith("Converter"):
                return Converter("unknown", kind, None, where, value)
            return Converter("empty", described=ast.unparse(value)[:60])
        if isinstance(value, ast.Name | ast.Attribute):
            target = project.resolve(where, value)
            if target is None or not isinstance(target[1], ast.expr):
                return Converter("unknown", described=ast.unparse(value)[:60])
            where, value = target[0], target[1]
            continue
        return Converter("empty", described=ast.unparse(value)[:60])
    return Converter("unknown")


def package_output(pkg: Package) -> str | None:
    """The wire type of the package's converter when every connector class agrees on one."""
    outputs = {resolve_converter(pkg.project, f, cls).output for f, cls in pkg.connector_classes}
    return outputs.pop() if len(outputs) == 1 else None


def check(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    mine = {id(f) for f in pkg.files}
    for f, cls in pkg.connector_classes:
        converter = resolve_converter(project, f, cls)
        statement = project.declares(cls, "amount_converter")
        if converter.state == "missing":
            yield f.finding(CNV001, cls, f"{cls.name} declares no amount_converter", line=cls.lineno)
        elif converter.state == "empty":
            yield f.finding(
                CNV002,
                statement or cls,
                f"{cls.name}.amount_converter is {converter.described or 'empty'}",
                line=(statement or cls).lineno,
            )
        elif converter.state == "ok" and converter.call is not None and converter.file is not None:
            call, where = converter.call, converter.file
            if id(where) in mine:
                yield from _table(project, where, call)
    for f in pkg.files:
        for call in f.of(ast.Call):
            if last_segment(project.qualname(f, call.func)) == "MinorUnit":
                yield f.finding(CNV006, call, f"MinorUnit built by hand: {ast.unparse(call)[:60]}")
    yield from _amount_fields(pkg, mine)


def _table(project: Project, where: SourceFile, call: ast.Call) -> Iterator[Finding]:
    table = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "table"), None)
    if table is None or (isinstance(table, ast.Constant) and table.value is None):
        yield where.finding(CNV004, call, f"{ast.unparse(call.func)}() has no currency table")
        return
    table_file, table_expr = where, table
    if isinstance(table, ast.Name | ast.Attribute):
        found = project.resolve(where, table)
        if found is None or not isinstance(found[1], ast.expr):
            return
        table_file, table_expr = found[0], found[1]
    if isinstance(table_expr, ast.Call) and last_segment(project.qualname(table_file, table_expr.func)) in (
        TABLE_BUILDERS
    ):
        source = next((k.value for k in table_expr.keywords if k.arg == "source"), None)
        if source is None or const_str(source) == "":
            yield table_file.finding(CNV005, table_expr, "currency table states no source")


def _is_converter_call(leaf: Leaf) -> bool:
    expr = leaf.expr
    if not (
        isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "amount"
    ):
        return False
    receiver = expr.func.value
    return isinstance(receiver, ast.Name) and (
        receiver.id in leaf.file.params(leaf.func) or receiver.id == "ctx"
    )


def bypasses(leaf: Leaf) -> bool:
    """A value that is certainly not the converter's output (unknown calls give the benefit of the doubt)."""
    expr = leaf.expr
    if isinstance(expr, ast.Constant):
        return expr.value is not None
    if isinstance(expr, ast.BinOp | ast.UnaryOp | ast.Attribute | ast.Subscript | ast.JoinedStr):
        return True
    if isinstance(expr, ast.Call):
        name = last_segment(ast.unparse(expr.func)) if isinstance(expr.func, ast.Name | ast.Attribute) else ""
        wraps_converter = any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "amount"
            for arg in expr.args
            for n in ast.walk(arg)
        )
        return (
            name in ("int", "str", "float", "round", "Decimal", "format", "abs", "expose")
            and not wraps_converter
        )
    return False


def _amount_fields(pkg: Package, mine: set[int]) -> Iterator[Finding]:
    project = pkg.project
    for spec in pkg.flow_specs:
        fields = spec.value("amount_fields")
        build = spec.args.get("build_request")
        if not fields or build is None or not isinstance(fields, tuple | list):
            continue
        function = project.function(*build)
        if function is None:
            continue
        build_file, build_func = function
        if id(build_file) not in mine and id(spec.file) not in mine:
            continue
        for path in fields:
            if not isinstance(path, str):
                continue
            leaves = [
                expanded
                for returned in build_file.returns(build_func)
                for leaf in project.trace(build_file, build_func, returned, tuple(path.split(".")))
                for expanded in project.expand(leaf)
            ]
            for leaf in leaves:
                if _is_converter_call(leaf) or not bypasses(leaf):
                    continue
                text = ast.unparse(leaf.expr)[:60]
                message = f"{spec.flow}: amount field {path!r} is filled from `{text}`, not ctx.amount(...)"
                if id(leaf.file) in mine:
                    yield leaf.file.finding(CNV003, leaf.expr, message)
                elif id(spec.file) in mine:
                    yield spec.file.finding(CNV003, spec.node, message)
