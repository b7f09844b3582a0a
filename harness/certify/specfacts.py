"""Status enums of the spec cross-checked against the provider facts (`specs/<name>.facts.toml`).

Every value the spec's enum documents for a status field must be in the facts: mapped by a row,
or marked "not returned by this flow" with a source. The enum is found where the facts say they
read it (`values_source = "spec:<repository>@<version>#<pointer>"`), in the connector's spec.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from harness.certify.contracts import Spec
from harness.certify.tomlfiles import read_toml


def _enum_values(spec: Spec, node: Any, seen: frozenset[int] = frozenset()) -> list[Any] | None:
    """The enum a schema documents, through `$ref`s and the alternatives of oneOf/anyOf/allOf."""
    node = spec.resolve(node)
    if not isinstance(node, Mapping) or id(node) in seen:
        return None
    if isinstance(node.get("enum"), list):
        return [value for value in node["enum"] if value is not None]
    values: list[Any] | None = None
    for combinator in ("allOf", "oneOf", "anyOf"):
        for option in node.get(combinator) or []:
            found = _enum_values(spec, option, seen | {id(node)})
            if found is not None:
                values = [*(values or []), *(v for v in found if v not in (values or []))]
    return values


def spec_pointer(values_source: str) -> tuple[str, str] | None:
    """("owner/name", "/json/pointer") of a `spec:owner/name@version#/pointer` source."""
    if not values_source.startswith("spec:") or "#" not in values_source:
        return None
    where, pointer = values_source[len("spec:") :].split("#", 1)
    return where.split("@", 1)[0], pointer


def resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _covered(table: Mapping[str, Any]) -> tuple[set[str], list[str]]:
    """Values the facts account for, and problems with not_returned entries that lack a source."""
    accounted = {str(row.get("value")) for row in table.get("rows") or []}
    problems = []
    for entry in table.get("not_returned") or []:
        if str(entry.get("source", "")).strip():
            accounted.add(str(entry.get("value")))
        else:
            problems.append(f"{entry.get('value')!r} is marked not returned without a source")
    return accounted, problems


def check_facts_against_spec(spec: Spec, facts_path: Path) -> list[str]:
    """Problems, one line each: a status value the spec documents and the facts leave out.

    Only `[[statuses]]` tables whose `values_source` points into the repository the spec was
    imported from are checked (a facts table read from other documentation has no enum here)."""
    try:
        facts = read_toml(facts_path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return [f"{facts_path}: unreadable facts file ({type(error).__name__}); fix it (see specs/FACTS.md)"]
    provenance = spec.document.get("x-provenance") or {}
    repository = str(provenance.get("repository", "")).lower()
    problems: list[str] = []
    for table in _status_tables(facts):
        where = f"{facts_path.name}: {table.get('flow')} {table.get('field')}"
        source = spec_pointer(str(table.get("values_source", "")))
        if source is None or not repository or source[0].lower() != repository:
            continue
        node = resolve_pointer(spec.document, source[1])
        if node is None:
            problems.append(
                f"{where}: values_source {source[1]} is not in {spec.path.name}; "
                "point it at the imported spec's status enum"
            )
            continue
        enum = _enum_values(spec, node)
        if enum is None:
            problems.append(f"{where}: {source[1]} in {spec.path.name} documents no enum")
            continue
        accounted, entry_problems = _covered(table)
        problems.extend(f"{where}: {problem}" for problem in entry_problems)
        for value in enum:
            if str(value) not in accounted:
                problems.append(
                    f"{where}: {value!r} is documented by {spec.path.name}#{source[1]} but the facts "
                    "neither map it nor mark it not returned by this flow (with a source)"
                )
    return problems


def _status_tables(facts: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    tables = facts.get("statuses") or []
    return [table for table in tables if isinstance(table, Mapping)]
