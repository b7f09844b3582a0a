"""Amounts as MinorUnit (AMT): no float, Decimal or hand-rolled scaling in a money path.

An amount-like field of a wire model is typed as the declared converter's output (`int` for
MinorUnitConverter, `str` for the string converters) or `MinorUnit`, never `float` or
`Decimal`. A function that handles amounts never holds a float literal, calls `float()` or
`round()`, or scales by hand (`/ 100`, `* 100`, `10 ** n`, `Decimal.scaleb`): the converter
and its currency table do that, exactly.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterator
from functools import lru_cache

from harness.lint.converter import package_output
from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import FuncNode, Package, Project, SourceFile, last_segment, name_tokens

AMT001 = rule(
    "AMT001",
    "critical",
    "amount typed float or Decimal",
    "type it as the converter's output (int or str) on the wire, MinorUnit in the domain",
)
AMT002 = rule(
    "AMT002",
    "critical",
    "amount field typed differently from the declared converter's output",
    "a MinorUnitConverter gives int, a String*UnitConverter gives str: type the field accordingly",
)
AMT003 = rule(
    "AMT003",
    "critical",
    "float literal in a money path",
    "keep amounts as integers in minor units; let the converter produce the provider's form",
)
AMT004 = rule(
    "AMT004",
    "critical",
    "float() in a money path",
    "never convert an amount to float; use ctx.amount(...) / ctx.amount_back(...)",
)
AMT005 = rule(
    "AMT005",
    "critical",
    "hand-rolled amount scaling in a money path",
    "the converter scales by the currency's exponent (currency table); never divide or multiply by 10^n",
)
AMT006 = rule(
    "AMT006",
    "critical",
    "rounding in a money path",
    "an amount that cannot be sent exactly is an AmountNotRepresentableError, never a rounding",
)

AMOUNT_TOKENS = frozenset(
    {"amount", "amounts", "price", "total", "subtotal", "fee", "fees", "tax", "surcharge", "tip", "gratuity"}
)
NOT_AMOUNT_TOKENS = frozenset(
    {
        "currency",
        "count",
        "type",
        "code",
        "id",
        "ids",
        "details",
        "detail",
        "status",
        "pages",
        "items",
        "number",
        "rate",
        "percent",
        "percentage",
        "key",
        "name",
        "description",
        "url",
        "reason",
        "indicator",
        "included",
        "exempt",
        "behavior",
        "category",
        "country",
        "mode",
        "method",
        "at",
        "date",
        "time",
        "version",
        "format",
        "descriptor",
        "field",
        "fields",
        "flag",
        "enabled",
        "breakdown",
        "transaction",
    }
)
FLOAT_TYPES = frozenset(
    {
        "float",
        "Decimal",
        "confloat",
        "condecimal",
        "PositiveFloat",
        "NegativeFloat",
        "NonNegativeFloat",
        "FiniteFloat",
    }
)
INT_TYPES = frozenset({"int", "conint", "PositiveInt", "NonNegativeInt", "StrictInt"})
STR_TYPES = frozenset({"str", "constr", "StrictStr"})
NEUTRAL_TYPES = frozenset({"None", "Optional", "Union", "MinorUnit", "Annotated", "Field"})
ROUNDING = frozenset({"round", "math.floor", "math.ceil", "math.trunc"})
DECIMAL_METHODS = frozenset(
    {"scaleb", "quantize", "shift", "to_integral_value", "to_integral", "to_integral_exact"}
)


@lru_cache(maxsize=8192)
def amount_like(name: str, owner: str = "") -> bool:
    tokens = set(name_tokens(name))
    if not tokens or tokens & NOT_AMOUNT_TOKENS:
        return False
    if tokens & AMOUNT_TOKENS or tokens == {"minor", "unit"}:
        return True
    return name in ("value", "minor_units", "units") and bool(
        {"amount", "money", "price"} & set(name_tokens(owner))
    )


def _type_names(annotation: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and node.value is None:
            names.add("None")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):  # a string annotation
            with contextlib.suppress(SyntaxError):
                names |= _type_names(ast.parse(node.value, mode="eval").body)
    return names


def check(pkg: Package) -> Iterator[Finding]:
    output = package_output(pkg)
    project = pkg.project
    for f, cls in pkg.model_classes:
        for statement in cls.body:
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            name = statement.target.id
            if not amount_like(name, cls.name):
                continue
            types = _type_names(statement.annotation)
            if types & FLOAT_TYPES:
                yield f.finding(
                    AMT001, statement, f"{cls.name}.{name} is typed {ast.unparse(statement.annotation)}"
                )
                continue
            if output is None or not types or not types <= (INT_TYPES | STR_TYPES | NEUTRAL_TYPES):
                continue
            wrong = STR_TYPES if output == "int" else INT_TYPES
            if types & wrong:
                yield f.finding(
                    AMT002,
                    statement,
                    f"{cls.name}.{name} is typed {ast.unparse(statement.annotation)} but the converter "
                    f"gives {output}",
                )
    for f in pkg.files:
        yield from _money_paths(project, f)


def _money_functions(f: SourceFile) -> set[FuncNode | None]:
    """Functions (and module-level statements, as None) that mention an amount."""
    money: set[FuncNode | None] = set()
    for node in f.of(ast.Name):
        if amount_like(node.id) or node.id == "MinorUnit":
            money.add(f.func_of.get(node))
    for attribute in f.of(ast.Attribute):
        if amount_like(attribute.attr) or attribute.attr == "MinorUnit":
            money.add(f.func_of.get(attribute))
    for keyword in f.of(ast.keyword):
        if keyword.arg and amount_like(keyword.arg):
            money.add(f.func_of.get(keyword))
    for arg in f.of(ast.arg):
        if amount_like(arg.arg):
            money.add(f.func_of.get(arg))  # an argument's enclosing function is its own
    money.discard(None)
    return money


def _in_money_path(f: SourceFile, node: ast.AST, money: set[FuncNode | None]) -> bool:
    func = f.func_of.get(node)
    while func is not None:
        if func in money:
            return True
        func = f.func_of.get(func)
    statement = f.statement_of(node)
    for inner in ast.walk(statement):
        if isinstance(inner, ast.Name) and (amount_like(inner.id) or inner.id == "MinorUnit"):
            return True
        if isinstance(inner, ast.Attribute) and amount_like(inner.attr):
            return True
        if isinstance(inner, ast.keyword) and inner.arg and amount_like(inner.arg):
            return True
    return False


def _power_of_ten(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        value = node.value
        if isinstance(value, int) and value >= 10:
            while value % 10 == 0:
                value //= 10
            return value == 1
        if isinstance(value, float) and 0 < value < 1:
            return value in (0.1, 0.01, 0.001, 0.0001)
        return False
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and _is_ten(node.left)


def _is_ten(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 10 and not isinstance(node.value, bool)


def _scaling(node: ast.BinOp) -> bool:
    if isinstance(node.op, ast.Pow):
        return _is_ten(node.left)
    if isinstance(node.op, ast.Mult | ast.Div | ast.FloorDiv):
        return _power_of_ten(node.left) or _power_of_ten(node.right)
    return False


def _money_paths(project: Project, f: SourceFile) -> Iterator[Finding]:
    candidates = bool(f.of(ast.BinOp) or f.of(ast.Call) or f.of(ast.Constant))
    if not candidates:
        return
    money = _money_functions(f)
    for constant in f.of(ast.Constant):
        if isinstance(constant.value, float) and _in_money_path(f, constant, money):
            parent = f.parent.get(constant)
            if isinstance(parent, ast.BinOp) and _scaling(parent):
                continue  # reported as scaling
            yield f.finding(AMT003, constant, f"float literal {constant.value!r} in a money path")
    for binop in f.of(ast.BinOp):
        if not _scaling(binop):
            continue
        parent = f.parent.get(binop)
        if isinstance(parent, ast.BinOp) and _scaling(parent):
            continue  # the outer expression is reported
        if _in_money_path(f, binop, money):
            yield f.finding(AMT005, binop, f"hand-rolled scaling `{ast.unparse(binop)[:60]}` in a money path")
    for call in f.of(ast.Call):
        qualified = project.qualname(f, call.func) or ""
        name = call.func.attr if isinstance(call.func, ast.Attribute) else last_segment(qualified)
        if qualified == "float":
            if _in_money_path(f, call, money):
                yield f.finding(AMT004, call, f"`{ast.unparse(call)[:60]}` in a money path")
        elif qualified in ROUNDING or (
            isinstance(call.func, ast.Attribute) and name.startswith("to_integral")
        ):
            if _in_money_path(f, call, money):
                yield f.finding(AMT006, call, f"`{ast.unparse(call)[:60]}` rounds in a money path")
        elif (
            name == "Decimal"
            or (isinstance(call.func, ast.Attribute) and name in DECIMAL_METHODS)
            or (qualified == "divmod" and len(call.args) == 2 and _power_of_ten(call.args[1]))
        ) and _in_money_path(f, call, money):
            yield f.finding(AMT005, call, f"`{ast.unparse(call)[:60]}` converts amounts by hand")
    for arg in f.of(ast.arg):
        if arg.annotation is not None and amount_like(arg.arg) and _type_names(arg.annotation) & FLOAT_TYPES:
            yield f.finding(AMT001, arg, f"parameter {arg.arg} is typed {ast.unparse(arg.annotation)}")
    defs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [*f.of(ast.FunctionDef), *f.of(ast.AsyncFunctionDef)]
    for func in defs:
        if func.returns is not None and amount_like(func.name) and _type_names(func.returns) & FLOAT_TYPES:
            yield f.finding(
                AMT001, func, f"{func.name}() returns {ast.unparse(func.returns)}", line=func.lineno
            )
