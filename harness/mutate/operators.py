"""Mutation operators that model real connector bugs (not generic `+` -> `-` flips).

Each operator reads one source file of a connector package (or its environment config) and yields
`Mutant`s: the same file with one realistic bug put in, as a text edit of the original (so the diff
reads like the bug a person would write). Families:

* `status-table`: one entry of a status table moved to another status class;
* `currency-row`: a currency rule's exponent off by one, its multiple, minimum or maximum dropped, a
  currency dropped from a group of deviating currencies or from the supported set;
* `amount-source`, `id-source`: an amount or id taken from the wrong field of the router data;
* `condition`: a condition negated in a response, status, decline or error branch;
* `header`: a header dropped or its value fixed;
* `error-field`: code and message swapped, the reason dropped, in an error parser;
* `converter`: the declared converter bypassed (the plain minor amount sent);
* `capture-method`: manual and automatic capture swapped;
* `declaration`: a flow's amount fields, status field, path, reference limit or headers changed;
* `config`: the production base URL set to the sandbox one.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness.lint.source import dotted

FAMILIES = (
    "status-table",
    "currency-row",
    "amount-source",
    "id-source",
    "condition",
    "header",
    "error-field",
    "converter",
    "capture-method",
    "declaration",
    "config",
)

STATUS_CLASSES = {
    "AttemptStatus": ("CHARGED", "AUTHORIZED", "PENDING", "FAILURE"),
    "RefundStatus": ("SUCCESS", "PENDING", "FAILURE"),
}
AMOUNT_SWAPS = {"amount_to_capture": "payment_amount", "refund_amount": "payment_amount"}
ID_SWAPS = {
    "connector_transaction_id": "connector_request_reference_id",
    "connector_refund_id": "connector_transaction_id",
    "connector_request_reference_id": "payment_id",
    "refund_id": "connector_transaction_id",
}
RESPONSE_WORDS = ("response", "status", "decline", "error", "refusal", "outcome", "failed")


@dataclass(frozen=True)
class Mutant:
    family: str
    file: str  # path relative to the project root (or of the config file)
    line: int
    description: str
    original: str = field(repr=False)
    mutated: str = field(repr=False)

    @property
    def key(self) -> str:
        """Content hash: the same mutant of the same file always has the same key."""
        digest = hashlib.sha256(f"{self.file}\0{self.description}\0{self.mutated}".encode()).hexdigest()
        return digest[:16]

    def diff(self) -> str:
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True),
            self.mutated.splitlines(keepends=True),
            fromfile=f"a/{self.file}",
            tofile=f"b/{self.file}",
            n=1,
        )
        return "".join(lines)


class _Source:
    """A file's text with AST positions turned into offsets, for span replacements."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree = ast.parse(text)
        self._starts = [0]
        for line in text.splitlines(keepends=True):
            self._starts.append(self._starts[-1] + len(line))

    def span(self, node: ast.AST) -> tuple[int, int]:
        lineno: int = getattr(node, "lineno", 1)
        start = self._starts[lineno - 1] + _col(
            self.text, self._starts[lineno - 1], getattr(node, "col_offset", 0)
        )
        end_line: int = getattr(node, "end_lineno", None) or lineno
        end_col: int = getattr(node, "end_col_offset", None) or 0
        end = self._starts[end_line - 1] + _col(self.text, self._starts[end_line - 1], end_col)
        return start, end

    def replace(self, node: ast.AST, text: str) -> str:
        start, end = self.span(node)
        return self.text[:start] + text + self.text[end:]

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def remove_keyword(self, call: ast.Call, keyword: ast.keyword) -> str:
        start, end = self.span(keyword)
        # swallow the comma after (or before) the keyword
        rest = self.text[end:]
        match = re.match(r"\s*,", rest)
        if match:
            end += match.end()
        else:
            before = self.text[:start]
            comma = before.rstrip().rfind(",")
            if comma != -1 and not before[comma + 1 :].strip():
                start = comma
        return self.text[:start] + self.text[end:]

    def remove_element(self, node: ast.AST) -> str:
        start, end = self.span(node)
        rest = self.text[end:]
        match = re.match(r"\s*,", rest)
        if match:
            end += match.end()
        return self.text[:start] + self.text[end:]


def _col(text: str, line_start: int, col_bytes: int) -> int:
    """AST columns count UTF-8 bytes; turn them into characters of the line."""
    line_end = text.find("\n", line_start)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return len(line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))


def _attr_chain(node: ast.AST) -> str:
    return dotted(node) or ""


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            yield node


def _status_value(node: ast.AST) -> tuple[str, str] | None:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in STATUS_CLASSES
    ):
        return node.value.id, node.attr
    return None


Operator = Callable[[str, _Source], Iterator[tuple[int, str, str]]]  # (line, description, mutated text)


def status_table(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for node in ast.walk(src.tree):
        if not isinstance(node, ast.Dict) or not node.values:
            continue
        values = [_status_value(v) for v in node.values]
        if not all(values):
            continue
        for key, value_node, status in zip(node.keys, node.values, values, strict=True):
            assert status is not None
            kind, current = status
            label = src.segment(key) if key is not None else "**"
            for other in STATUS_CLASSES[kind]:
                if other != current:
                    yield (
                        value_node.lineno,
                        f"{label}: {kind}.{current} -> {kind}.{other}",
                        src.replace(value_node, f"{kind}.{other}"),
                    )


def currency_row(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Call) and _attr_chain(node.func).endswith("CurrencyRule"):
            for keyword in node.keywords:
                if keyword.arg == "exponent" and isinstance(keyword.value, ast.Constant):
                    value = keyword.value.value
                    if isinstance(value, int):
                        for changed in (value - 1, value + 1):
                            if 0 <= changed <= 4:
                                yield (
                                    node.lineno,
                                    f"CurrencyRule exponent {value} -> {changed}",
                                    src.replace(keyword.value, str(changed)),
                                )
                if keyword.arg in ("multiple_of", "minimum", "maximum"):
                    yield (
                        node.lineno,
                        f"CurrencyRule {keyword.arg} dropped",
                        src.remove_keyword(node, keyword),
                    )
        # a currency dropped from a module-level group (a deviating group, or the supported set)
        if isinstance(node, ast.Tuple | ast.List) and len(node.elts) >= 1:
            currencies = [e for e in node.elts if _attr_chain(e).startswith("Currency.")]
            if currencies and len(currencies) == len(node.elts):
                picks = {currencies[0], currencies[len(currencies) // 2], currencies[-1]}
                for element in sorted(picks, key=lambda e: (e.lineno, e.col_offset)):
                    yield (
                        element.lineno,
                        f"{_attr_chain(element)} dropped from its currency group",
                        src.remove_element(element),
                    )


def amount_source(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    yield from _attribute_swaps(src, AMOUNT_SWAPS, "amount")


def id_source(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    yield from _attribute_swaps(src, ID_SWAPS, "id")


def _attribute_swaps(src: _Source, swaps: dict[str, str], what: str) -> Iterator[tuple[int, str, str]]:
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Attribute) and node.attr in swaps and isinstance(node.ctx, ast.Load):
            base = src.segment(node.value)
            yield (
                node.lineno,
                f"{what} {base}.{node.attr} read from {base}.{swaps[node.attr]}",
                src.replace(node, f"{base}.{swaps[node.attr]}"),
            )


def condition(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for function in _functions(src.tree):
        if not any(word in function.name for word in RESPONSE_WORDS):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.If | ast.IfExp):
                test = node.test
                yield (
                    test.lineno,
                    f"condition negated in {function.name}: {src.segment(test)[:60]}",
                    src.replace(test, f"not ({src.segment(test)})"),
                )


def header(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for function in _functions(src.tree):
        if "header" not in function.name:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.List):
                for element in node.elts:
                    if isinstance(element, ast.Tuple) and element.elts:
                        name = src.segment(element.elts[0])
                        yield (
                            element.lineno,
                            f"header {name} dropped in {function.name}",
                            src.remove_element(element),
                        )
                        if len(element.elts) == 2:
                            value = element.elts[1]
                            if isinstance(value, ast.Call) and value.args:
                                yield (
                                    element.lineno,
                                    f"header {name} value fixed in {function.name}",
                                    src.replace(value.args[0], '"certify-mutant-fixed"'),
                                )


def error_field(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for function in _functions(src.tree):
        if "error" not in function.name and "refusal" not in function.name and "decline" not in function.name:
            continue
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and _attr_chain(node.func).endswith("ErrorResponse")):
                continue
            keywords = {k.arg: k for k in node.keywords if k.arg}
            code, message = keywords.get("code"), keywords.get("message")
            if code is not None and message is not None:
                swapped = src.text
                first, second = sorted((code, message), key=lambda k: src.span(k.value)[0])
                a_start, a_end = src.span(first.value)
                b_start, b_end = src.span(second.value)
                a_text, b_text = src.text[a_start:a_end], src.text[b_start:b_end]
                swapped = src.text[:a_start] + b_text + src.text[a_end:b_start] + a_text + src.text[b_end:]
                yield node.lineno, f"error code and message swapped in {function.name}", swapped
            for name in ("reason", "network_decline_code"):
                if name in keywords:
                    yield (
                        node.lineno,
                        f"error {name} dropped in {function.name}",
                        src.replace(keywords[name].value, "None"),
                    )


def converter(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for node in ast.walk(src.tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "amount"
            and _attr_chain(node.func.value) == "ctx"
            and node.args
        ):
            amount = src.segment(node.args[0])
            yield (
                node.lineno,
                f"converter bypassed: {amount}.value sent",
                src.replace(node, f"{amount}.value"),
            )


def capture_method(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    swap = {"MANUAL": "AUTOMATIC", "AUTOMATIC": "MANUAL"}
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Attribute) and _attr_chain(node) in (
            "CaptureMethod.MANUAL",
            "CaptureMethod.AUTOMATIC",
        ):
            yield (
                node.lineno,
                f"CaptureMethod.{node.attr} -> CaptureMethod.{swap[node.attr]}",
                src.replace(node, f"CaptureMethod.{swap[node.attr]}"),
            )


def declaration(file: str, src: _Source) -> Iterator[tuple[int, str, str]]:
    for node in ast.walk(src.tree):
        if not (isinstance(node, ast.Call) and _attr_chain(node.func).endswith("FlowSpec")):
            continue
        flow = src.segment(node.args[0]) if node.args else "?"
        for keyword in node.keywords:
            if keyword.arg in (
                "amount_fields",
                "status_field",
                "reference_max_length",
                "headers",
                "currency_field",
            ):
                yield node.lineno, f"{flow} {keyword.arg} removed", src.remove_keyword(node, keyword)
            if keyword.arg == "reference_max_length" and isinstance(keyword.value, ast.Constant):
                yield (
                    node.lineno,
                    f"{flow} reference_max_length {keyword.value.value!r} -> +10",
                    src.replace(keyword.value, f"{src.segment(keyword.value)} + 10"),
                )
        if (
            len(node.args) >= 3
            and isinstance(node.args[2], ast.Constant)
            and isinstance(node.args[2].value, str)
        ):
            path = node.args[2].value
            if "/" in path:
                changed = path.rsplit("/", 1)[0]
                yield (
                    node.lineno,
                    f"{flow} path {path!r} -> {changed!r}",
                    src.replace(node.args[2], repr(changed)),
                )


OPERATORS: dict[str, Operator] = {
    "status-table": status_table,
    "currency-row": currency_row,
    "amount-source": amount_source,
    "id-source": id_source,
    "condition": condition,
    "header": header,
    "error-field": error_field,
    "converter": converter,
    "capture-method": capture_method,
    "declaration": declaration,
}


def source_mutants(path: Path, display: str, families: tuple[str, ...] = FAMILIES) -> list[Mutant]:
    text = path.read_text(encoding="utf-8")
    src = _Source(text)
    lines = text.splitlines(keepends=True)
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for family in families:
        operator = OPERATORS.get(family)
        if operator is None:
            continue
        for line, description, mutated in operator(display, src):
            if mutated == text or mutated in seen:
                continue
            try:
                if same_code(src.tree, lines, mutated):
                    continue  # only formatting changed
            except SyntaxError:
                continue  # an edit that does not parse is no realistic bug
            seen.add(mutated)
            mutants.append(Mutant(family, display, line, description, text, mutated))
    return mutants


def same_code(tree: ast.Module, lines: list[str], mutated: str) -> bool:
    """Whether `mutated` is the module of `tree` (source `lines`) with only its formatting changed.

    Compares top-level statements, and dumps only those whose text differs (dumping a whole module
    for each mutant cost ~15 ms); raises SyntaxError when `mutated` does not parse."""
    changed = ast.parse(mutated)
    if len(changed.body) != len(tree.body):
        return False
    changed_lines = mutated.splitlines(keepends=True)
    for before, after in zip(tree.body, changed.body, strict=True):
        if _text(before, lines) == _text(after, changed_lines):
            continue
        if ast.dump(before) != ast.dump(after):
            return False
    return True


def _text(node: ast.stmt, lines: list[str]) -> str:
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "".join(lines[start - 1 : node.end_lineno])


def config_mutants(config_dir: Path, config_key: str, display_root: Path) -> list[Mutant]:
    """production.toml's base URL for the connector set to the sandbox one."""
    production, sandbox = config_dir / "production.toml", config_dir / "sandbox.toml"
    if not (production.is_file() and sandbox.is_file()):
        return []
    import tomllib

    try:
        sandbox_url = tomllib.loads(sandbox.read_text())["connectors"][config_key]["base_url"]
        production_url = tomllib.loads(production.read_text())["connectors"][config_key]["base_url"]
    except (KeyError, TypeError, tomllib.TOMLDecodeError):
        return []
    text = production.read_text()
    if sandbox_url == production_url or production_url not in text:
        return []
    mutated = text.replace(f'"{production_url}"', f'"{sandbox_url}"', 1)
    line = text[: text.find(production_url)].count("\n") + 1
    try:
        display = str(production.relative_to(display_root))
    except ValueError:
        display = str(production)
    return [Mutant("config", display, line, "production base URL set to the sandbox one", text, mutated)]
