"""Reference ids from router data (REF): the provider receives the merchant's reference unchanged.

`rd.resource_common_data.connector_request_reference_id` goes out as it is: no literal, uuid,
clock- or f-string-built reference, and no `upper()`, `lower()`, `replace()`, slicing or
concatenation of it. A connector never generates ids (replay and idempotency depend on it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import Leaf, Package, Project, SourceFile, const_str, last_segment, name_tokens

REF001 = rule(
    "REF001",
    "critical",
    "reference id not taken from the router data",
    "send rd.resource_common_data.connector_request_reference_id unchanged",
)
REF002 = rule(
    "REF002",
    "critical",
    "id generated in a connector (uuid, random, secrets)",
    "ids come from the router data; a generated id breaks replay and idempotency",
)
REF003 = rule(
    "REF003",
    "warning",
    "clock read in a connector",
    "connectors never read the clock; take times from the router data",
)
REF004 = rule(
    "REF004",
    "critical",
    "connector_request_reference_id mutated",
    "send the reference unchanged: no upper(), lower(), replace(), slicing, concatenation or f-string",
)

REFERENCE = "connector_request_reference_id"
GENERATORS = ("uuid.", "random.", "secrets.", "os.urandom", "nanoid", "shortuuid", "ulid")
CLOCK = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.perf_counter",
        "time.localtime",
        "time.gmtime",
        "time.strftime",
        "time.ctime",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
    }
)
REFERENCE_NAMES = frozenset(
    {
        "order_id",
        "merchant_order_id",
        "order_number",
        "invoice_number",
        "invoice_id",
        "orderid",
        "merchant_transaction_id",
        "client_reference_id",
    }
)
# a reference-named key is made of these words only (shopperReference, networkReference... are not ours)
REFERENCE_WORDS = frozenset(
    {"merchant", "reference", "ref", "id", "order", "client", "request", "payment", "txn"}
)
SAFE_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isascii",
        "isdecimal",
        "count",
        "find",
        "index",
    }
)


def _generated(project: Project, f: SourceFile, call: ast.Call) -> str | None:
    qualified = project.qualname(f, call.func) or ""
    if qualified.startswith(GENERATORS) or qualified in ("uuid4", "uuid1"):
        return "generated"
    if qualified in CLOCK:
        return "clock"
    return None


def _reference_name(name: str | None, declared: set[str]) -> bool:
    if not name:
        return False
    if name in declared or name.lower() in REFERENCE_NAMES:
        return True
    tokens = set(name_tokens(name))
    return bool(tokens & {"reference", "ref"}) and tokens <= REFERENCE_WORDS


def _mentions_reference(expr: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Attribute) and n.attr == REFERENCE)
        or (isinstance(n, ast.Name) and n.id == REFERENCE)
        for n in ast.walk(expr)
    )


def _bad_value(project: Project, f: SourceFile, expr: ast.AST) -> str | None:
    """Why a value cannot be the router data's reference, or None when it may be."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str) and expr.value:
        return f"the literal {expr.value[:30]!r}"
    if isinstance(expr, ast.JoinedStr) and not _mentions_reference(expr):
        return "an f-string"
    if isinstance(expr, ast.BinOp) and not _mentions_reference(expr):
        values = [n for n in ast.walk(expr) if isinstance(n, ast.Constant | ast.JoinedStr | ast.Call)]
        if values:
            return f"`{ast.unparse(expr)[:40]}`"
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            kind = _generated(project, f, node)
            if kind:
                return f"a {kind} value `{ast.unparse(node)[:40]}`"
    return None


def check(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    declared: set[str] = set()
    for spec in pkg.flow_specs:
        field = spec.value("reference_field")
        if isinstance(field, str):
            declared.add(field.rsplit(".", 1)[-1])
    for f in pkg.files:
        for call in f.of(ast.Call):
            kind = _generated(project, f, call)
            if kind == "generated":
                yield f.finding(REF002, call, f"`{ast.unparse(call)[:60]}` generates an id")
            elif kind == "clock":
                yield f.finding(REF003, call, f"`{ast.unparse(call)[:60]}` reads the clock")
        yield from _named(project, f, declared)
        yield from _mutations(f)
    yield from _traced(pkg)


def _named(project: Project, f: SourceFile, declared: set[str]) -> Iterator[Finding]:
    """Reference-named keywords, dict keys and model defaults that hold a made-up value."""
    for keyword in f.of(ast.keyword):
        if _reference_name(keyword.arg, declared):
            why = _bad_value(project, f, keyword.value)
            if why:
                yield f.finding(REF001, keyword.value, f"{keyword.arg} is {why}")
    for dictionary in f.of(ast.Dict):
        for key, value in zip(dictionary.keys, dictionary.values, strict=True):
            if key is not None and _reference_name(const_str(key), declared):
                why = _bad_value(project, f, value)
                if why:
                    yield f.finding(REF001, value, f"{const_str(key)!r} is {why}")
    for ann in f.of(ast.AnnAssign):
        if (
            isinstance(ann.target, ast.Name)
            and ann.value is not None
            and _reference_name(ann.target.id, declared)
        ):
            why = _bad_value(project, f, ann.value)
            if why:
                yield f.finding(REF001, ann.value, f"{ann.target.id} defaults to {why}")


def _aliases(f: SourceFile) -> set[tuple[object, str]]:
    """(function, name) pairs bound to the reference (`ref = rd.resource_common_data.<reference>`)."""
    aliases: set[tuple[object, str]] = set()
    for (func, name), values in f.local_values.items():
        if any(
            (isinstance(v, ast.Attribute) and v.attr == REFERENCE)
            or (isinstance(v, ast.Name) and (func, v.id) in aliases)
            for v in values
        ):
            aliases.add((func, name))
    return aliases


def _in_url_path(f: SourceFile, node: ast.AST) -> bool:
    """An f-string building a URL path (FlowSpec path=lambda ..., a *_path/*_url helper) is no mutation."""
    for ancestor in f.ancestors(node):
        if isinstance(ancestor, ast.keyword) and ancestor.arg in ("path", "url"):
            return True
        if isinstance(ancestor, ast.FunctionDef) and (
            {"path", "url", "endpoint"} & set(name_tokens(ancestor.name))
        ):
            return True
        if isinstance(ancestor, ast.Call) and last_segment(ast.unparse(ancestor.func)) == "FlowSpec":
            return True
    return False


def _mutations(f: SourceFile) -> Iterator[Finding]:
    uses: list[ast.AST] = [
        a for a in f.of(ast.Attribute) if a.attr == REFERENCE and isinstance(a.ctx, ast.Load)
    ]
    aliases = _aliases(f) if f.of(ast.Name) else set()
    if aliases:
        uses += [
            n for n in f.of(ast.Name) if isinstance(n.ctx, ast.Load) and (f.func_of.get(n), n.id) in aliases
        ]
    for use in uses:
        parent = f.parent.get(use)
        what = None
        if isinstance(parent, ast.Attribute) and parent.value is use:
            grand = f.parent.get(parent)
            if isinstance(grand, ast.Call) and grand.func is parent and parent.attr not in SAFE_METHODS:
                what = f".{parent.attr}()"
                parent = grand
        elif isinstance(parent, ast.Subscript) and parent.value is use:
            what = "slicing" if isinstance(parent.slice, ast.Slice) else "indexing"
        elif isinstance(parent, ast.BinOp):
            what = "concatenation" if isinstance(parent.op, ast.Add) else "formatting"
        elif isinstance(parent, ast.FormattedValue) and not _in_url_path(f, parent):
            what = "an f-string"
        elif (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Attribute)
            and parent.func.attr
            in (
                "format",
                "join",
            )
        ):
            what = f".{parent.func.attr}()"
        if what:
            node = parent if parent is not None else use
            yield f.finding(REF004, node, f"the reference is changed by {what}: `{ast.unparse(node)[:60]}`")


def _traced(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    mine = {id(f) for f in pkg.files}
    for spec in pkg.flow_specs:
        path = spec.value("reference_field")
        build = spec.args.get("build_request")
        if not isinstance(path, str) or build is None:
            continue
        function = project.function(*build)
        if function is None or (id(function[0]) not in mine and id(spec.file) not in mine):
            continue
        build_file, build_func = function
        for returned in build_file.returns(build_func):
            for leaf in project.trace(build_file, build_func, returned, tuple(path.split("."))):
                for expanded in project.expand(leaf):
                    yield from _judge(project, spec.flow, path, expanded, mine, spec.file, spec.node)


def _judge(
    project: Project,
    flow: str,
    path: str,
    leaf: Leaf,
    mine: set[int],
    spec_file: SourceFile,
    spec_node: ast.AST,
) -> Iterator[Finding]:
    if _mentions_reference(leaf.expr):
        return
    why = _bad_value(project, leaf.file, leaf.expr)
    if why is None:
        return
    message = f"{flow}: reference field {path!r} is {why}"
    if id(leaf.file) in mine:
        yield leaf.file.finding(REF001, leaf.expr, message)
    elif id(spec_file) in mine:
        yield spec_file.finding(REF001, spec_node, message)
