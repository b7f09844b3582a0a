"""Status mapping (STS): an unknown provider status never becomes a terminal one.

Status tables map known provider values; anything else goes through
`status_from_table(..., unknown=<a pending status>)` and the raw value is kept. No
`.get(x, AttemptStatus.CHARGED)`, no `else: return Charged`, no `case _:` to a terminal
status. A refund never changes the parent payment's status: refund transforms produce
`RefundsResponseData` and `RefundStatus`, never `PaymentsResponseData` or `AttemptStatus`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import Package, Project, SourceFile, last_segment, name_tokens

STS001 = rule(
    "STS001",
    "critical",
    "status_from_table maps unknown statuses to a terminal status",
    "pass unknown=AttemptStatus.PENDING (RefundStatus.PENDING for refunds) and keep raw_status",
)
STS002 = rule(
    "STS002",
    "critical",
    "status lookup falls back to a terminal status",
    "look up with status_from_table(raw, TABLE, unknown=<pending>)",
)
STS003 = rule(
    "STS003",
    "critical",
    "catch-all branch maps an unknown provider status to a terminal status",
    "map the provider's documented values explicitly; let anything else be pending",
)
STS004 = rule(
    "STS004",
    "critical",
    "refund transform produces a payment status",
    "refund flows return RefundsResponseData with a RefundStatus; the payment's status is not theirs",
)

# terminal members by enum (harness/domain/status.py: AttemptStatus.is_terminal, RefundStatus.is_terminal)
TERMINAL = {
    "AttemptStatus": frozenset(
        {
            "AUTHENTICATION_FAILED",
            "ROUTER_DECLINED",
            "AUTHORIZATION_FAILED",
            "CAPTURE_FAILED",
            "VOID_FAILED",
            "FAILURE",
            "EXPIRED",
            "AUTHORIZED",
            "PARTIALLY_AUTHORIZED",
            "CHARGED",
            "PARTIAL_CHARGED",
            "PARTIAL_CHARGED_AND_CHARGEABLE",
            "VOIDED",
            "VOIDED_POST_CAPTURE",
            "AUTO_REFUNDED",
        }
    ),
    "RefundStatus": frozenset({"FAILURE", "SUCCESS", "TRANSACTION_FAILURE"}),
}
PAYMENT_SIDE = frozenset({"PaymentsResponseData", "AttemptStatus"})
SETTING_WORDS = frozenset(
    {
        "capture",
        "method",
        "mode",
        "type",
        "kind",
        "flow",
        "currency",
        "country",
        "env",
        "environment",
        "version",
    }
)
ERROR_WORDS = frozenset({"error", "errors", "decline", "declined", "refusal", "refused", "failure", "failed"})


def _error_context(f: SourceFile, node: ast.AST) -> bool:
    """Inside an error parser, or filling an ErrorResponse's status: a failure there is no catch-all."""
    func = f.function_of(node)
    while func is not None:
        if not isinstance(func, ast.Lambda) and set(name_tokens(func.name)) & ERROR_WORDS:
            return True
        func = f.function_of(func)
    return any(
        isinstance(a, ast.keyword) and a.arg in ("attempt_status", "refund_status") for a in f.ancestors(node)
    )


def terminal(project: Project, f: SourceFile, expr: ast.AST | None) -> str | None:
    """`AttemptStatus.CHARGED` -> "AttemptStatus.CHARGED" when the member is terminal."""
    if not isinstance(expr, ast.Attribute):
        return None
    enum = last_segment(project.qualname(f, expr.value))
    if expr.attr in TERMINAL.get(enum, ()):
        return f"{enum}.{expr.attr}"
    return None


def _setting(expr: ast.AST) -> bool:
    """A comparand that is a setting (capture method, flow, type...), not a provider status."""
    return any(
        set(name_tokens(n.id if isinstance(n, ast.Name) else n.attr)) & SETTING_WORDS
        for n in ast.walk(expr)
        if isinstance(n, ast.Name | ast.Attribute)
    )


def _compares_strings(test: ast.AST) -> bool:
    """`status == "x"`, `status in ("a", "b")`: a test on a provider's raw value."""
    for node in ast.walk(test):
        if isinstance(node, ast.Compare):
            if any(_setting(c) for c in [node.left, *node.comparators]):
                continue
            for comparator in [node.left, *node.comparators]:
                if isinstance(comparator, ast.Constant) and isinstance(comparator.value, str):
                    return True
                if isinstance(comparator, ast.Tuple | ast.List | ast.Set) and any(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in comparator.elts
                ):
                    return True
    return False


def _yields_terminal(project: Project, f: SourceFile, body: list[ast.stmt]) -> tuple[ast.AST, str] | None:
    for statement in body:
        value = None
        if isinstance(statement, ast.Return | ast.Assign | ast.AnnAssign):
            value = statement.value
        if value is not None:
            found = terminal(project, f, value)
            if found:
                return value, found
    return None


def check(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    for f in pkg.files:
        for call in f.of(ast.Call):
            name = last_segment(project.qualname(f, call.func))
            if name == "status_from_table":
                unknown = next((k.value for k in call.keywords if k.arg == "unknown"), None)
                found = terminal(project, f, unknown)
                if found:
                    yield f.finding(STS001, unknown, f"unknown provider statuses become {found}")
            elif (
                isinstance(call.func, ast.Attribute)
                and call.func.attr in ("get", "pop")
                and len(call.args) == 2
            ):
                found = terminal(project, f, call.args[1])
                if found and not _error_context(f, call):
                    yield f.finding(STS002, call, f"`{ast.unparse(call)[:60]}` falls back to {found}")
            elif name == "defaultdict" and call.args and isinstance(call.args[0], ast.Lambda):
                found = terminal(project, f, call.args[0].body)
                if found:
                    yield f.finding(STS002, call, f"a defaultdict falls back to {found}")
        for boolop in f.of(ast.BoolOp):
            found = terminal(project, f, boolop.values[-1])
            if isinstance(boolop.op, ast.Or) and found and not _error_context(f, boolop):
                yield f.finding(STS002, boolop, f"`{ast.unparse(boolop)[:60]}` falls back to {found}")
        yield from _catch_alls(project, f)
    yield from _refunds(pkg)


def _catch_alls(project: Project, f: SourceFile) -> Iterator[Finding]:
    for node in f.of(ast.If):
        parent = f.parent.get(node)
        if isinstance(parent, ast.If) and parent.orelse == [node]:
            continue  # an elif: handled from the head of its chain
        chain_tests: list[ast.AST] = []
        current = node
        while True:
            chain_tests.append(current.test)
            if len(current.orelse) == 1 and isinstance(current.orelse[0], ast.If):
                current = current.orelse[0]
                continue
            break
        if not current.orelse or not all(_compares_strings(t) for t in chain_tests):
            continue
        found = _yields_terminal(project, f, current.orelse)
        if found and not _error_context(f, node):
            yield f.finding(STS003, found[0], f"`else:` maps every other provider status to {found[1]}")
    for ifexp in f.of(ast.IfExp):
        member = terminal(project, f, ifexp.orelse)
        if member and _compares_strings(ifexp.test) and not _error_context(f, ifexp):
            yield f.finding(
                STS003, ifexp.orelse, f"`... else {member}` maps every other provider status to it"
            )
    defs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [*f.of(ast.FunctionDef), *f.of(ast.AsyncFunctionDef)]
    for func in defs:  # if raw == "a": return X ... then a final `return <terminal>` for everything else
        body = func.body
        if len(body) < 2 or not isinstance(body[-1], ast.Return):
            continue
        member = terminal(project, f, body[-1].value)
        guards = [s for s in body[:-1] if isinstance(s, ast.If) and _compares_strings(s.test)]
        returning = [g for g in guards if any(isinstance(n, ast.Return) for n in ast.walk(g))]
        if member and returning and not _error_context(f, body[-1]):
            yield f.finding(
                STS003, body[-1].value, f"the final `return {member}` maps every other provider status to it"
            )
    for match in f.of(ast.Match):
        for case in match.cases:
            pattern = case.pattern
            if isinstance(pattern, ast.MatchAs) and pattern.pattern is None and case.guard is None:
                found = _yields_terminal(project, f, case.body)
                if found:
                    yield f.finding(
                        STS003, found[0], f"`case _:` maps every other provider status to {found[1]}"
                    )


def _refunds(pkg: Package) -> Iterator[Finding]:
    """Functions that handle refunds: named so, or wired to the Refund/RSync flows."""
    project = pkg.project
    mine = {id(f) for f in pkg.files}
    functions: dict[int, tuple[SourceFile, ast.AST]] = {}
    for f in pkg.files:
        defs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
            *f.of(ast.FunctionDef),
            *f.of(ast.AsyncFunctionDef),
        ]
        for func in defs:
            if {"refund", "refunds"} & set(name_tokens(func.name)):
                functions[id(func)] = (f, func)
    for spec in pkg.flow_specs:
        if spec.flow not in ("Refund", "RSync"):
            continue
        for key in ("build_request", "handle_response"):
            if key in spec.args:
                found = project.function(*spec.args[key])
                if found and id(found[0]) in mine:
                    functions[id(found[1])] = found
    for f, body in functions.values():
        for node in ast.walk(body):
            if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
                name = node.id if isinstance(node, ast.Name) else node.attr
                if name in PAYMENT_SIDE and last_segment(project.qualname(f, node)) in PAYMENT_SIDE:
                    yield f.finding(STS004, node, f"a refund function uses {name}")
                    break
