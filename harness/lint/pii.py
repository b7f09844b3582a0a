"""PII and credentials in Secret (PII).

Model fields for card number, CVC, expiry, holder name, email, phone, address lines, API
keys, passwords, tokens and client secrets are `Secret[...]`, so they are masked in every
log, report and cassette; a credential goes into a header only through `Maskable.masked`;
an exposed secret never reaches an exception message or a log call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import Package, Project, SourceFile, dotted, last_segment, name_tokens

PII001 = rule(
    "PII001",
    "critical",
    "sensitive field not typed Secret",
    "type it Secret[str] (Secret[str] | None when optional): it is masked everywhere but on the wire",
)
PII002 = rule(
    "PII002",
    "critical",
    "credential in an unmasked header",
    "build authentication headers with Maskable.masked(...)",
)
PII003 = rule(
    "PII003",
    "critical",
    "exposed secret in an exception message or log call",
    "never put .expose() in a message; name the field instead",
)
PII004 = rule(
    "PII004",
    "warning",
    "print or logging call in a connector",
    "connectors return data; the harness logs it masked",
)

EXACT = {
    "pan": "card number",
    "cvc": "CVC",
    "cvv": "CVC",
    "cvv2": "CVC",
    "cvc2": "CVC",
    "csc": "CVC",
    "cvn": "CVC",
    "email": "email",
    "phone": "phone",
    "telephone": "phone",
    "mobile": "phone",
    "password": "password",
    "passwd": "password",
    "passphrase": "password",
    "pin": "PIN",
    "token": "token",
    "secret": "secret",
    "line1": "address line",
    "line2": "address line",
    "line3": "address line",
    "address1": "address line",
    "address2": "address line",
    "address3": "address line",
    "street": "address line",
    "iban": "bank account",
    "expiry": "expiry",
    "card_expiry": "expiry",
    "security_code": "CVC",
}
TOKEN_SETS: list[tuple[frozenset[str], str]] = [
    (frozenset({"card", "number"}), "card number"),
    (frozenset({"cardnumber"}), "card number"),
    (frozenset({"account", "number"}), "account number"),
    (frozenset({"security", "code"}), "CVC"),
    (frozenset({"exp", "month"}), "expiry"),
    (frozenset({"exp", "year"}), "expiry"),
    (frozenset({"expiry"}), "expiry"),
    (frozenset({"expiration"}), "expiry"),
    (frozenset({"exp", "date"}), "expiry"),
    (frozenset({"holder"}), "holder name"),
    (frozenset({"cardholder"}), "holder name"),
    (frozenset({"name", "on", "card"}), "holder name"),
    (frozenset({"first", "name"}), "person name"),
    (frozenset({"last", "name"}), "person name"),
    (frozenset({"full", "name"}), "person name"),
    (frozenset({"email"}), "email"),
    (frozenset({"phone"}), "phone"),
    (frozenset({"telephone"}), "phone"),
    (frozenset({"address", "line"}), "address line"),
    (frozenset({"street"}), "address line"),
    (frozenset({"house", "number"}), "address line"),
    (frozenset({"api", "key"}), "API key"),
    (frozenset({"apikey"}), "API key"),
    (frozenset({"secret", "key"}), "API key"),
    (frozenset({"private", "key"}), "API key"),
    (frozenset({"access", "key"}), "API key"),
    (frozenset({"transaction", "key"}), "API key"),
    (frozenset({"merchant", "key"}), "API key"),
    (frozenset({"signing", "key"}), "API key"),
    (frozenset({"hmac", "key"}), "API key"),
    (frozenset({"password"}), "password"),
    (frozenset({"token"}), "token"),
    (frozenset({"secret"}), "client secret"),
]
NOT_SENSITIVE = frozenset(
    {
        "type",
        "id",
        "ids",
        "expires",
        "expiry",
        "url",
        "count",
        "last4",
        "brand",
        "status",
        "country",
        "length",
        "at",
        "check",
        "verified",
        "present",
        "provided",
        "required",
        "fingerprint",
        "method",
    }
)
CARD_OWNERS = frozenset({"card", "source", "instrument", "method", "pan"})
AUTH_OWNERS = frozenset({"authentication", "auth", "credential", "credentials", "login"})
PERSON_OWNERS = frozenset(
    {"billing", "holder", "customer", "shipping", "address", "payer", "shopper", "person"}
)
LEAF_TYPES = frozenset(
    {"str", "int", "bytes", "Any", "object", "None", "Optional", "Union", "SecretStr", "constr"}
)
CREDENTIAL_ATTRS = frozenset(
    {"api_key", "key1", "key2", "api_secret", "secret", "password", "token", "access_token", "client_secret"}
)
LOG_CALLS = frozenset(
    {"print", "logging.info", "logging.debug", "logging.warning", "logging.error", "logging.exception"}
)


@lru_cache(maxsize=8192)
def sensitive(name: str, owner: str = "") -> str | None:
    """What kind of sensitive value a field name denotes (card number, CVC, token...), or None."""
    lower = name.lower()
    if lower in EXACT:
        return EXACT[lower]
    tokens = name_tokens(name)
    if not tokens:
        return None
    owner_tokens = set(name_tokens(owner))
    if name == "number" and owner_tokens & CARD_OWNERS:
        return "card number"
    if name == "name" and owner_tokens & (PERSON_OWNERS | {"card"}):
        return "holder name"
    if name in ("name", "login", "user", "username") and owner_tokens & AUTH_OWNERS:
        return "API login"
    last = tokens[-1]
    if last in NOT_SENSITIVE or (last == "code" and "security" not in tokens):
        return None  # token_type, card_id, expires_at, card_last4, phone_country_code...
    token_set = frozenset(t.rstrip("0123456789") or t for t in tokens)
    return next((kind for needed, kind in TOKEN_SETS if needed <= token_set), None)


def _is_secret(annotation: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == "Secret")
        or (isinstance(n, ast.Attribute) and n.attr == "Secret")
        for n in ast.walk(annotation)
    )


def _is_leaf(annotation: ast.AST) -> bool:
    """A plain value (str, int, Any...), not a nested model: only leaves hold the raw data."""
    names = {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(annotation) if isinstance(n, ast.Attribute)}
    if any(isinstance(n, ast.Constant) and n.value is None for n in ast.walk(annotation)):
        names.add("None")
    return bool(names) and names <= LEAF_TYPES | {"list", "Literal", "Annotated", "Field"}


def check(pkg: Package) -> Iterator[Finding]:
    project = pkg.project
    for f, cls in pkg.model_classes:
        for statement in cls.body:
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
                continue
            name = statement.target.id
            kind = sensitive(name, cls.name) or _alias_kind(statement, cls.name)
            if kind and not _is_secret(statement.annotation) and _is_leaf(statement.annotation):
                yield f.finding(
                    PII001,
                    statement,
                    f"{cls.name}.{name} ({kind}) is typed {ast.unparse(statement.annotation)}, not Secret",
                )
    for f in pkg.files:
        yield from _headers_and_messages(project, f)


def _alias_kind(statement: ast.AnnAssign, owner: str) -> str | None:
    value = statement.value
    if isinstance(value, ast.Call) and last_segment(dotted(value.func)) == "Field":
        for kw in value.keywords:
            text = kw.value.value if isinstance(kw.value, ast.Constant) else None
            if kw.arg in ("alias", "serialization_alias") and isinstance(text, str):
                return sensitive(text, owner)
    return None


def _exposes(expr: ast.AST) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "expose":
            return True
    return False


def _credential(expr: ast.AST) -> bool:
    return _exposes(expr) or any(
        isinstance(n, ast.Attribute) and n.attr in CREDENTIAL_ATTRS for n in ast.walk(expr)
    )


def _headers_and_messages(project: Project, f: SourceFile) -> Iterator[Finding]:
    for call in f.of(ast.Call):
        qualified = project.qualname(f, call.func) or ""
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "normal"
            and last_segment(project.qualname(f, call.func.value)) == "Maskable"
        ):
            if any(_credential(a) for a in call.args):
                yield f.finding(PII002, call, f"`{ast.unparse(call)[:60]}` sends a credential unmasked")
        elif qualified in LOG_CALLS or (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in ("info", "debug", "warning", "error", "exception", "critical")
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in ("logger", "log", "LOGGER", "LOG", "logging")
        ):
            if any(_exposes(a) for a in [*call.args, *(k.value for k in call.keywords)]):
                yield f.finding(PII003, call, f"`{ast.unparse(call)[:60]}` logs an exposed secret")
            else:
                yield f.finding(PII004, call, f"`{ast.unparse(call)[:60]}`")
    for node in f.of(ast.Raise):
        if node.exc is not None and _exposes(node.exc):
            yield f.finding(PII003, node, "an exception message carries an exposed secret")
