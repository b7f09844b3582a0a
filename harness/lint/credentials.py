"""No hard-coded credentials (CRD).

Credentials reach a connector only through its AuthSpec (the environment in `certify record`,
placeholders in replay). A literal that looks like a key is a leak waiting for a commit:
provider prefixes (sk_live_, sk_test_, rk_..., pk_live_, whsec_, Adyen's AQE...), Basic or
Bearer values, long base64 or hex secrets, or a credential-named value set from a literal.
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from collections.abc import Iterator

from harness.lint.findings import Finding
from harness.lint.rules import rule
from harness.lint.source import Package, SourceFile, const_str, last_segment, name_tokens

CRD001 = rule(
    "CRD001",
    "critical",
    "provider key or authorization value in the source",
    "remove it (and rotate it): credentials come from the environment through AuthSpec(env=...)",
)
CRD002 = rule(
    "CRD002",
    "critical",
    "high-entropy secret-looking literal",
    "credentials come from the environment; if this is no secret, exempt the line with the reason",
)
CRD003 = rule(
    "CRD003",
    "critical",
    "credential set from a literal",
    "read credentials from the ConnectorAuthType the harness passes in (auth.api_key.expose())",
)

PREFIXES = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{8,}"
    r"|rk_[0-9A-Za-z]{16,}"
    r"|whsec_[0-9A-Za-z+/=]{16,}"
    r"|AQE[0-9A-Za-z+/=_.\-]{30,}"
    r"|AKIA[0-9A-Z]{16}"
    r"|xox[abprs]-[0-9A-Za-z\-]{10,}"
    r"|gh[pousr]_[0-9A-Za-z]{20,}"
    r"|sq0[a-z]{3}-[0-9A-Za-z_\-]{20,}"
    r"|access_token\$(?:production|sandbox)\$[0-9a-z$]{10,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|EAAA[0-9A-Za-z_\-]{40,}"
    r"|-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----"
    r")"
)
AUTH_VALUE = re.compile(r"^\s*(?:Basic|Bearer|Token)\s+[A-Za-z0-9+/=._~\-]{8,}\s*$")
HEX = re.compile(r"^[A-Fa-f0-9]{32,}$")
BASE64 = re.compile(r"^[A-Za-z0-9+/_\-]{32,}={0,2}$")
CREDENTIAL_NAMES: list[frozenset[str]] = [
    frozenset({"api", "key"}),
    frozenset({"apikey"}),
    frozenset({"secret"}),
    frozenset({"password"}),
    frozenset({"passwd"}),
    frozenset({"token"}),
    frozenset({"private", "key"}),
    frozenset({"transaction", "key"}),
    frozenset({"key1"}),
    frozenset({"key2"}),
]
NOT_CREDENTIAL = frozenset(
    {"type", "url", "name", "env", "field", "header", "description", "prefix", "kind", "id"}
)
PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z0-9_]*|\{\{.*\}\}|<.*>|\*+|x+|replay_.*_placeholder|.*\.\.\.)$")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _secret_looking(text: str) -> bool:
    value = text.strip()
    if any(run in value for run in ("0123456789", "abcdefgh", "ABCDEFGH")):
        return False  # an alphabet, not a key
    if HEX.match(value):
        return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
    if BASE64.match(value):
        classes = sum(
            (
                any(c.islower() for c in value),
                any(c.isupper() for c in value),
                any(c.isdigit() for c in value),
            )
        )
        return classes == 3 and _entropy(value) >= 4.0 and not value.replace("_", "").isalpha()
    return False


def _credential_name(name: str | None) -> bool:
    if not name:
        return False
    tokens = name_tokens(name)
    if not tokens or tokens[-1] in NOT_CREDENTIAL:
        return False
    token_set = frozenset(tokens)
    return any(needed <= token_set for needed in CREDENTIAL_NAMES)


def _literal_credential(expr: ast.AST | None) -> bool:
    text = const_str(expr)
    if not text:
        return False
    value = text.strip()
    return len(value) >= 4 and not PLACEHOLDER.match(value)


def check(pkg: Package) -> Iterator[Finding]:
    for f in pkg.files:
        yield from _literals(f)
        yield from _assignments(f)


def _literals(f: SourceFile) -> Iterator[Finding]:
    flagged: set[int] = set()
    if PREFIXES.search(f.text):  # comments too: a key in a comment is as leaked as one in code
        for number, line in enumerate(f.lines, start=1):
            match = PREFIXES.search(line)
            if match:
                flagged.add(number)
                yield f.finding(
                    CRD001,
                    None,
                    f"key-looking value {match.group(0)[:12]}... in the source",
                    line=number,
                    col=match.start() + 1,
                )
    for constant in f.of(ast.Constant):
        if not isinstance(constant.value, str) or constant.lineno in flagged or len(constant.value) < 12:
            continue
        if AUTH_VALUE.match(constant.value):
            yield f.finding(
                CRD001, constant, f"authorization value {constant.value.split()[0]} <...> in the source"
            )
        elif _secret_looking(constant.value):
            yield f.finding(
                CRD002,
                constant,
                f"secret-looking literal {constant.value[:6]}... ({len(constant.value)} chars)",
            )


def _assignments(f: SourceFile) -> Iterator[Finding]:
    for call in f.of(ast.Call):
        if (
            last_segment(ast.unparse(call.func)) in ("Secret", "masked")
            and call.args
            and _literal_credential(call.args[0])
        ):
            yield f.finding(CRD003, call, f"`{ast.unparse(call)[:40]}` wraps a literal")
    for keyword in f.of(ast.keyword):
        if _credential_name(keyword.arg) and _literal_credential(keyword.value):
            yield f.finding(CRD003, keyword.value, f"{keyword.arg} is set from a literal")
    for assign in f.of(ast.Assign):
        for target in assign.targets:
            name = (
                target.id
                if isinstance(target, ast.Name)
                else target.attr
                if isinstance(target, ast.Attribute)
                else None
            )
            if _credential_name(name) and _literal_credential(assign.value):
                yield f.finding(CRD003, assign.value, f"{name} is set from a literal")
    for dictionary in f.of(ast.Dict):
        for key, value in zip(dictionary.keys, dictionary.values, strict=True):
            if key is not None and _credential_name(const_str(key)) and _literal_credential(value):
                yield f.finding(CRD003, value, f"{const_str(key)!r} is set from a literal")
