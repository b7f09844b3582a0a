"""V2 interface only (V2I): flows declared through the framework; no I/O in a connector.

A connector is a `ConnectorV2` subclass whose flows are one `flow_table(FlowSpec(...), ...)`;
the executor does every request. So a connector never imports an HTTP client or a socket,
never reads files, processes or the environment, and never overrides the generic methods
that interpret its table.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import CONNECTOR_BASES, Package, last_segment

V2I001 = rule(
    "V2I001",
    "critical",
    "network client import in a connector",
    "connectors never do I/O: declare the request in a FlowSpec and let the executor send it",
)
V2I002 = rule(
    "V2I002",
    "critical",
    "connector not declared as a ConnectorV2 subclass",
    "declare `class X(ConnectorV2)` with id, auth, amount_converter and flows = flow_table(...)",
)
V2I003 = rule(
    "V2I003",
    "critical",
    "flows not declared through flow_table(FlowSpec(...))",
    "write flows = flow_table(FlowSpec(Flow.AUTHORIZE, ...), ...): one FlowSpec per flow",
)
V2I004 = rule(
    "V2I004",
    "warning",
    "connector overrides a generic method of the V2 interface",
    "declare the behaviour in the FlowSpec (path, headers, build_request, handle_response, parse_error)",
)
V2I005 = rule(
    "V2I005",
    "critical",
    "file, process or environment access in a connector",
    "connectors are pure: credentials come through AuthSpec, settings through config and metadata",
)

NETWORK_MODULES = frozenset(
    {
        "requests",
        "httpx",
        "urllib",
        "urllib.request",
        "urllib.error",
        "urllib2",
        "urllib3",
        "aiohttp",
        "socket",
        "ssl",
        "http.client",
        "httplib",
        "httplib2",
        "pycurl",
        "treq",
        "grequests",
        "tornado.httpclient",
        "websocket",
        "websockets",
        "ftplib",
        "smtplib",
        "telnetlib",
        "xmlrpc.client",
        "asyncio.streams",
        "zeep",
        "suds",
        "grpc",
        "boto3",
        "botocore",
        "niquests",
        "curl_cffi",
        "vcr",
    }
)
# The harness layers above the integration interface: the same list as pyproject.toml's import-linter
# contract "Connectors import only the domain and the integration interface" (tests/test_layers.py)
HARNESS_ABOVE_INTEGRATION = frozenset(
    {
        "harness.execution",
        "harness.certify",
        "harness.lint",
        "harness.report",
        "harness.mutate",
        "harness.cli",
    }
)
IO_MODULES = frozenset({"subprocess", "shutil", "tempfile", "sqlite3", "pickle", "multiprocessing"})
IO_CALLS = frozenset(
    {
        "open",
        "os.system",
        "os.popen",
        "os.getenv",
        "os.putenv",
        "os.environ.get",
        "os.remove",
        "os.unlink",
        "io.open",
        "time.sleep",
        "asyncio.open_connection",
        "asyncio.sleep",
    }
)
PATH_IO = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir"})
FRAMEWORK_METHODS = frozenset(
    {
        "get_url",
        "get_headers",
        "get_request_body",
        "build_request",
        "handle_response",
        "get_error_response",
        "flow_spec",
        "request_context",
        "response_context",
        "execute",
        "send",
    }
)


def _network(module: str) -> bool:
    if module == "urllib.parse" or module.startswith("urllib.parse."):
        return False  # URL encoding, no I/O
    parts = module.split(".")
    prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
    return bool(prefixes & (NETWORK_MODULES | HARNESS_ABOVE_INTEGRATION))


def check(pkg: Package) -> Iterator[Finding]:
    yield from check_imports(pkg)
    yield from _io(pkg)
    yield from _declaration(pkg)


def check_imports(pkg: Package) -> Iterator[Finding]:
    """The network-import rule alone: it holds for every file under connectors/, the registry too."""
    project = pkg.project
    for f in pkg.files:
        for node in f.of(ast.Import):
            for alias in node.names:
                if _network(alias.name):
                    yield f.finding(V2I001, node, f"import of {alias.name}: a connector never sends requests")
        for imported in f.of(ast.ImportFrom):
            if imported.level:
                continue
            module = imported.module or ""
            names = [f"{module}.{a.name}" for a in imported.names]
            hit = next((n for n in [module, *names] if _network(n)), None)
            if hit and not (module == "urllib" and all(a.name == "parse" for a in imported.names)):
                yield f.finding(V2I001, imported, f"import from {module}: a connector never sends requests")
        for call in f.of(ast.Call):
            qualified = project.qualname(f, call.func) or ""
            if qualified in ("importlib.import_module", "__import__") and call.args:
                target = call.args[0]
                if (
                    isinstance(target, ast.Constant)
                    and isinstance(target.value, str)
                    and _network(target.value)
                ):
                    yield f.finding(V2I001, call, f"dynamic import of {target.value}")


def _io(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    for f in pkg.files:
        for node in f.of(ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in IO_MODULES:
                    yield f.finding(V2I005, node, f"import of {alias.name}: a connector does no I/O")
        for imported in f.of(ast.ImportFrom):
            if not imported.level and (imported.module or "").split(".")[0] in IO_MODULES:
                yield f.finding(V2I005, imported, f"import from {imported.module}: a connector does no I/O")
        for call in f.of(ast.Call):
            qualified = project.qualname(f, call.func) or ""
            if qualified in IO_CALLS:
                yield f.finding(V2I005, call, f"{qualified}() in a connector")
            elif isinstance(call.func, ast.Attribute) and call.func.attr in PATH_IO:
                yield f.finding(V2I005, call, f".{call.func.attr}() in a connector")
        for sub in f.of(ast.Subscript):
            if project.qualname(f, sub.value) == "os.environ":
                yield f.finding(V2I005, sub, "os.environ read in a connector")


def _declaration(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    declared = pkg.connector_classes
    connectors = {id(cls) for _, cls in declared}
    for f in pkg.files:  # a class that declares like a connector (flows, amount_converter) but is none
        for cls in f.classes.values():
            if (
                id(cls) not in connectors
                and cls.name not in CONNECTOR_BASES  # the framework's own base class
                and not project.is_model(f, cls)  # a pydantic model with a `flows` field is data
                and (project.declares(cls, "flows") or project.declares(cls, "amount_converter"))
            ):
                yield f.finding(
                    V2I002,
                    cls,
                    f"class {cls.name} declares flows or a converter but does not derive from ConnectorV2",
                    line=cls.lineno,
                )
    for f, cls in declared:
        flows = project.declares(cls, "flows")
        if flows is not None and project.flow_table(f, cls) is None:
            yield f.finding(V2I003, flows, f"{cls.name}.flows is not a flow_table(FlowSpec(...), ...)")
        for item in cls.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in FRAMEWORK_METHODS:
                yield f.finding(
                    V2I004,
                    item,
                    f"{cls.name}.{item.name} overrides the framework's generic {item.name}",
                    line=item.lineno,
                )
    for f in pkg.files:  # a FlowSpec outside any table is a flow the framework never sees
        for call in f.of(ast.Call):
            if last_segment(project.qualname(f, call.func)) == "flow_table":
                for arg in call.args:
                    if isinstance(arg, ast.Starred):
                        yield f.finding(V2I003, arg, "flow_table(*...) hides the flows from the declaration")
