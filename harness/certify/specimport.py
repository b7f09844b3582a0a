"""`certify specs import`: a provider's published OpenAPI document cut down to a connector's contract.

Keeps the operations the connector's flow table uses (matched by method and path shape, not by
placeholder name) and the components they reach, drops the prose, reads OpenAPI 3.0 idioms as
3.1 (the contract checks validate with JSON Schema 2020-12), and records where it came from.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from harness.certify.contracts import SpecError

# Keys that carry prose or tooling hints, never a constraint the contract checks read.
PROSE_KEYS = frozenset(
    {"description", "summary", "example", "examples", "externalDocs", "tags", "title", "deprecated"}
)
# Keys whose value maps names (of properties, paths, status codes, media types...) to nodes:
# inside them a key named "description" is a field, not prose.
NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "paths",
        "responses",
        "content",
        "headers",
        "schemas",
        "requestBodies",
        "parameters",
        "securitySchemes",
        "links",
        "callbacks",
        "mapping",
        "variables",
        "encoding",
    }
)
COMPONENT_REF = re.compile(r"^#/components/([^/]+)/(.+)$")


@dataclass(frozen=True)
class UsedOperation:
    """One request the connector sends: its flow, method and path template (relative to the base URL)."""

    flow: str
    method: str
    template: str


@dataclass(frozen=True)
class Provenance:
    repository: str
    version: str
    license: str
    path: str = ""
    note: str = ""


def segments(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


def _is_placeholder(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def server_paths(document: Mapping[str, Any]) -> list[list[str]]:
    paths = [segments(urlsplit(str(s.get("url", ""))).path) for s in document.get("servers") or []]
    return paths or [[]]


def template_matches(
    template: str, spec_path: str, prefixes: Iterable[list[str]], *, exact: bool = False
) -> bool:
    """True when the connector's template can produce the spec path (under one of the server paths).

    A connector placeholder matches any spec segment ("v2/{api}/{collection}/{id}" produces
    several spec paths); a spec placeholder only matches a connector placeholder.
    """
    wanted = segments(template)
    given = segments(spec_path)
    for prefix in prefixes:
        full = prefix + given
        if len(full) != len(wanted):
            continue
        if all(
            (_is_placeholder(mine) and (not exact or _is_placeholder(theirs)))
            or (not _is_placeholder(theirs) and mine == theirs)
            for mine, theirs in zip(wanted, full, strict=True)
        ):
            return True
    return False


def used_operations_of(connector_cls: Any) -> list[UsedOperation]:
    return [
        UsedOperation(flow.value, spec.method.value.upper(), spec.path)
        for flow, spec in connector_cls.flows.items()
    ]


def load_document(path: Path) -> dict[str, Any]:
    """A published OpenAPI document, JSON or YAML; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"unreadable ({type(error).__name__})", path=str(path)) from None
    try:
        document = (
            json.loads(text)
            if path.suffix == ".json"
            else yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        )
    except (ValueError, yaml.YAMLError) as error:
        raise SpecError(
            f"not valid {'JSON' if path.suffix == '.json' else 'YAML'} ({type(error).__name__})",
            path=str(path),
            hint="pass the provider's OpenAPI document (.json or .yaml)",
        ) from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise SpecError(
            "not an OpenAPI 3 document (no openapi: 3.x key)",
            path=str(path),
            hint="pass the provider's OpenAPI 3 document; Swagger 2 documents are not read",
        )
    return document


# ------------------------------------------------------------------ normalisation


def unexpanded(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A field the provider marks expandable (Stripe's `x-expansionResources`) as it is returned
    when the request does not ask for expansion: the id string alternative only."""
    options = schema.get("anyOf")
    if "x-expansionResources" not in schema or not isinstance(options, list):
        return schema
    ids = [option for option in options if isinstance(option, Mapping) and "$ref" not in option]
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "x-expansionResources")}
    return {**rest, "anyOf": ids} if ids else schema


def strip_prose(node: Any, *, in_map: bool = False) -> Any:
    if isinstance(node, dict):
        if not in_map:
            node = unexpanded(node)
        kept: dict[str, Any] = {}
        for key, value in node.items():
            if not in_map and (key in PROSE_KEYS or key.startswith("x-")):
                continue
            kept[key] = strip_prose(value, in_map=not in_map and key in NAME_MAPS and isinstance(value, dict))
        return kept
    if isinstance(node, list):
        return [strip_prose(item) for item in node]
    return node


def to_31(node: Any, *, in_map: bool = False) -> Any:
    """OpenAPI 3.0 schema idioms as JSON Schema 2020-12: `nullable`, boolean exclusive bounds."""
    if isinstance(node, list):
        return [to_31(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: to_31(value, in_map=not in_map and key in NAME_MAPS and isinstance(value, dict))
        for key, value in node.items()
    }
    if in_map:
        return out
    if out.pop("nullable", False) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
        elif kind is None and isinstance(out.get("anyOf"), list):
            out["anyOf"] = [*out["anyOf"], {"type": "null"}]
        elif kind is None:
            # a nullable $ref or oneOf: null or the schema as documented
            out = {"anyOf": [out, {"type": "null"}]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        # 3.0's boolean flag on a bound is 3.1's numeric exclusive bound
        if isinstance(out.get(bound), bool) and out.pop(bound) and limit in out:
            out[bound] = out.pop(limit)
    return out


def refs_in(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        discriminator = node.get("discriminator")
        if isinstance(discriminator, Mapping):
            # a discriminator names its schemas by reference string, not by $ref
            yield from (v for v in (discriminator.get("mapping") or {}).values() if isinstance(v, str))
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_in(item)


def reachable_components(document: Mapping[str, Any], roots: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The components the roots reach through `$ref`, transitively."""
    components = document.get("components") or {}
    kept: dict[str, dict[str, Any]] = {}
    pending = [ref for root in roots for ref in refs_in(root)]
    while pending:
        ref = pending.pop()
        match = COMPONENT_REF.match(ref)
        if match is None:
            raise SpecError(f"only local component $refs are supported, not {ref!r}")
        kind, name = match.group(1), match.group(2).replace("~1", "/").replace("~0", "~")
        if name in kept.get(kind, {}):
            continue
        try:
            node = components[kind][name]
        except (KeyError, TypeError):
            raise SpecError(f"the document's $ref {ref!r} points at nothing") from None
        kept.setdefault(kind, {})[name] = node
        pending.extend(refs_in(node))
    return kept


# ------------------------------------------------------------------ selection


def select_operations(
    document: Mapping[str, Any], used: Iterable[UsedOperation]
) -> tuple[dict[str, dict[str, Any]], list[UsedOperation]]:
    """The path items cut down to the used operations, and the used operations the document lacks."""
    prefixes = server_paths(document)
    paths: dict[str, dict[str, Any]] = {}
    missing: list[UsedOperation] = []
    for operation in used:
        method = operation.method.lower()
        matches = [
            spec_path
            for spec_path, item in (document.get("paths") or {}).items()
            if isinstance(item, Mapping)
            and method in item
            and template_matches(operation.template, spec_path, prefixes)
        ]
        # "payments/{id}" means the spec's "payments/{paymentId}", not its "payments/search";
        # a template whose placeholders stand for literal segments (PayPal's PSync) keeps them all
        exact = [p for p in matches if template_matches(operation.template, p, prefixes, exact=True)]
        for spec_path in exact or matches:
            item = document["paths"][spec_path]
            kept = paths.setdefault(spec_path, {})
            kept[method] = item[method]
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
        if not matches:
            missing.append(operation)
    return paths, missing


def cut_document(
    document: Mapping[str, Any], used: Iterable[UsedOperation]
) -> tuple[dict[str, Any], list[UsedOperation]]:
    """The part of one document the connector uses: paths, reachable components, servers."""
    paths, missing = select_operations(document, used)
    components = reachable_components(document, paths.values())
    cut: dict[str, Any] = {"servers": document.get("servers") or [], "paths": paths}
    if components:
        cut["components"] = components
    return copy.deepcopy(cut), missing


def _rename_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                renames.get(value, value)
                if key == "$ref" and isinstance(value, str)
                else _rename_refs(value, renames)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item, renames) for item in node]
    return node


def merge_cuts(cuts: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Several documents' cuts in one: a component two documents define differently is renamed
    `<name>__<document stem>` in the later one, and its refs follow."""
    merged: dict[str, Any] = {"servers": [], "paths": {}, "components": {}}
    for stem, cut in cuts:
        renames: dict[str, str] = {}
        for kind, named in (cut.get("components") or {}).items():
            existing = merged["components"].get(kind, {})
            for name, node in named.items():
                if name in existing and existing[name] != node:
                    renames[f"#/components/{kind}/{name}"] = f"#/components/{kind}/{name}__{stem}"
        cut = _rename_refs(cut, renames)
        for kind, named in (cut.get("components") or {}).items():
            for name, node in named.items():
                new_name = renames.get(f"#/components/{kind}/{name}", f"#/components/{kind}/{name}").rsplit(
                    "/", 1
                )[1]
                merged["components"].setdefault(kind, {})[new_name] = node
        for server in cut.get("servers") or []:
            if server not in merged["servers"]:
                merged["servers"].append(server)
        for spec_path, item in cut["paths"].items():
            if spec_path in merged["paths"]:
                raise SpecError(f"two documents both define {spec_path}: pass each operation's document once")
            merged["paths"][spec_path] = item
    if not merged["components"]:
        del merged["components"]
    return merged


@dataclass
class ImportResult:
    document: dict[str, Any]
    missing: list[UsedOperation]  # used operations no document (nor the kept hand-written spec) covers
    hand_written: list[str]  # operations carried over from the previous hand-written spec


def build_contract(
    documents: Sequence[tuple[str, Mapping[str, Any]]],
    used: list[UsedOperation],
    *,
    connector: str,
    provenance: Provenance,
    imported_on: dt.date,
    previous: Mapping[str, Any] | None = None,
) -> ImportResult:
    """The connector's contract from the provider's documents (and, for an operation none of them
    documents, the previous hand-written spec's operation, marked as such)."""
    documents = [(stem, to_31(strip_prose(document))) for stem, document in documents]
    cuts: list[tuple[str, dict[str, Any]]] = []
    # every document sees every operation: one template may produce paths in several documents
    found_somewhere: set[UsedOperation] = set()
    for stem, document in documents:
        cut, missing = cut_document(document, used)
        found_somewhere.update(op for op in used if op not in missing)
        if cut["paths"]:
            cuts.append((stem, cut))
    still_missing = [op for op in used if op not in found_somewhere]
    hand_written: list[str] = []
    if previous is not None and still_missing:
        cut, missing = cut_document(to_31(strip_prose(previous)), still_missing)
        covered = [op for op in still_missing if op not in missing]
        still_missing = missing
        if cut["paths"]:
            # the hand-written spec may serve the operation under another base path
            cut["servers"] = []
            cuts.append(("handwritten", cut))
            hand_written = [f"{op.method} {op.template}" for op in covered]
    merged = merge_cuts(cuts)
    title_version = ", ".join(str(document.get("info", {}).get("version", "?")) for _, document in documents)
    contract: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": f"{connector}: the operations the connector uses", "version": title_version},
        "x-provenance": {
            "repository": provenance.repository,
            "path": provenance.path,
            "version": provenance.version,
            "license": provenance.license,
            "license_notice": f"specs/LICENSES/{connector}.txt",
            "imported": imported_on.isoformat(),
            "method": "certify specs import: used operations and the components they reach, prose removed, "
            "OpenAPI 3.0 nullable read as 3.1",
            **({"hand_written_operations": hand_written} if hand_written else {}),
            **({"note": provenance.note} if provenance.note else {}),
        },
        **merged,
    }
    return ImportResult(contract, still_missing, hand_written)


def render_contract(document: Mapping[str, Any]) -> str:
    header = (
        "# Imported by `certify specs import` from the provider's published OpenAPI document:\n"
        "# see x-provenance for the source and specs/LICENSES/ for its license. Regenerate, do not edit.\n"
    )
    return header + yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True, width=110)
