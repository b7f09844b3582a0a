"""`certify specs drift`: what a newer provider document changes for the operations a connector uses.

Compares the connector's imported spec with the newer document cut down the same way: status enum
values of the fields the facts map, new required request fields, removed or retyped response
fields, and the shipped cassettes that would no longer validate.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.replay import load_cassette
from harness.certify.contracts import Spec, pointer_of
from harness.certify.specfacts import _enum_values, resolve_pointer, spec_pointer
from harness.certify.specimport import Provenance, UsedOperation, build_contract
from harness.execution.redact import Redactor
from harness.integration import encoding
from harness.integration.http import ContentType, HttpRequest, HttpResponse, Method, RequestBody

MAX_DEPTH = 12  # response schemas recurse (a payment has a customer has a payment...)


@dataclass(frozen=True)
class Change:
    kind: str  # enum_added, enum_removed, required_added, field_removed, field_retyped, cassette_invalid
    operation: str  # "POST /v1/payment_intents" (the newer document's path)
    where: str  # a JSON pointer into the body, or the cassette file
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "operation": self.operation, "where": self.where, "detail": self.detail}

    def text(self) -> str:
        return f"{self.kind:16} {self.operation}  {self.where or '/'}: {self.detail}"


@dataclass
class DriftReport:
    connector: str
    current: str  # the imported spec's provenance version
    newer: str  # the newer documents' info.version
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return bool(self.changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "current": self.current,
            "newer": self.newer,
            "breaking": self.breaking,
            "changes": [change.as_json() for change in self.changes],
        }


# ------------------------------------------------------------------ schema walking


def _types(spec: Spec, schema: Any) -> set[str]:
    schema = spec.resolve(schema)
    if not isinstance(schema, Mapping):
        return set()
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    found: set[str] = set()
    for combinator in ("allOf", "oneOf", "anyOf"):
        for option in schema.get(combinator) or []:
            found |= _types(spec, option)
    return found


def _properties(spec: Spec, schema: Any) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names of an object schema, merged over allOf/oneOf/anyOf."""
    schema = spec.resolve(schema)
    if not isinstance(schema, Mapping):
        return {}, set()
    properties = dict(schema.get("properties") or {})
    required = set(schema.get("required") or [])
    for combinator in ("allOf", "oneOf", "anyOf"):
        for option in schema.get(combinator) or []:
            more, more_required = _properties(spec, option)
            for name, sub in more.items():
                properties.setdefault(name, sub)
            if combinator == "allOf":
                required |= more_required
    return properties, required


def _items(spec: Spec, schema: Any) -> Any:
    schema = spec.resolve(schema)
    if isinstance(schema, Mapping) and "items" in schema:
        return schema["items"]
    for combinator in ("allOf", "oneOf", "anyOf"):
        for option in (schema or {}).get(combinator) or [] if isinstance(schema, Mapping) else []:
            found = _items(spec, option)
            if found is not None:
                return found
    return None


def _walk_pairs(
    old: Spec, old_schema: Any, new: Spec, new_schema: Any, path: tuple[str, ...], seen: set[tuple[int, int]]
) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """(pointer path, old schema, new schema) of every field both documents reach, depth-first."""
    key = (id(old.resolve(old_schema)), id(new.resolve(new_schema)))
    if key in seen or len(path) > MAX_DEPTH:
        return
    seen.add(key)
    yield path, old_schema, new_schema
    old_props, _ = _properties(old, old_schema)
    new_props, _ = _properties(new, new_schema)
    for name, sub in old_props.items():
        if name in new_props:
            yield from _walk_pairs(old, sub, new, new_props[name], (*path, name), seen)
    old_items, new_items = _items(old, old_schema), _items(new, new_schema)
    if old_items is not None and new_items is not None:
        yield from _walk_pairs(old, old_items, new, new_items, (*path, "0"), seen)


def request_changes(old: Spec, old_schema: Any, new: Spec, new_schema: Any, operation: str) -> list[Change]:
    changes = []
    for path, old_sub, new_sub in _walk_pairs(old, old_schema, new, new_schema, (), set()):
        _, old_required = _properties(old, old_sub)
        _, new_required = _properties(new, new_sub)
        for name in sorted(new_required - old_required):
            changes.append(
                Change(
                    "required_added", operation, pointer_of([*path, name]), "the newer document requires it"
                )
            )
    return changes


def response_changes(old: Spec, old_schema: Any, new: Spec, new_schema: Any, operation: str) -> list[Change]:
    changes = []
    for path, old_sub, new_sub in _walk_pairs(old, old_schema, new, new_schema, (), set()):
        old_props, _ = _properties(old, old_sub)
        new_props, _ = _properties(new, new_sub)
        for name in sorted(set(old_props) - set(new_props)):
            changes.append(
                Change("field_removed", operation, pointer_of([*path, name]), "no longer documented")
            )
        if path:
            old_types, new_types = _types(old, old_sub), _types(new, new_sub)
            if old_types and new_types and not new_types & old_types:
                changes.append(
                    Change(
                        "field_retyped",
                        operation,
                        pointer_of(path),
                        f"{'/'.join(sorted(old_types))} -> {'/'.join(sorted(new_types))}",
                    )
                )
    return changes


# ------------------------------------------------------------------ the comparison


def _request_schema(operation: Mapping[str, Any], spec: Spec) -> Any:
    body = spec.resolve(operation.get("requestBody") or {})
    content = body.get("content") or {} if isinstance(body, Mapping) else {}
    for media in ("application/json", "application/x-www-form-urlencoded"):
        if media in content:
            return content[media].get("schema")
    return None


def _success_schemas(operation: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    found = {}
    for status, response in (operation.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        content = spec.resolve(response).get("content") or {}
        if "application/json" in content:
            found[str(status)] = content["application/json"].get("schema")
    return found


def _operations(spec: Spec) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {(op.method, op.template): op.definition for op in spec.operations}


def _mapped_enums(facts_path: Path) -> list[tuple[str, str, str]]:
    """(flow, field, spec pointer) of the facts' status tables read from a published spec."""
    if not facts_path.is_file():
        return []
    facts = tomllib.loads(facts_path.read_text(encoding="utf-8"))
    mapped = []
    for table in facts.get("statuses") or []:
        source = spec_pointer(str(table.get("values_source", "")))
        if source is not None:
            mapped.append((str(table.get("flow")), str(table.get("field")), source[1]))
    return mapped


def enum_changes(old: Spec, new: Spec, facts_path: Path) -> list[Change]:
    changes = []
    done: set[str] = set()
    for flow, field_name, pointer in _mapped_enums(facts_path):
        if pointer in done:
            continue
        done.add(pointer)
        old_node, new_node = resolve_pointer(old.document, pointer), resolve_pointer(new.document, pointer)
        if old_node is None:
            continue
        where = f"{flow} {field_name}"
        if new_node is None:
            changes.append(Change("field_removed", where, pointer, "the status field's schema is gone"))
            continue
        old_values = _enum_values(old, old_node) or []
        new_values = _enum_values(new, new_node) or []
        for value in new_values:
            if value not in old_values:
                changes.append(Change("enum_added", where, pointer, f"new value {value!r}"))
        for value in old_values:
            if value not in new_values:
                changes.append(Change("enum_removed", where, pointer, f"value {value!r} removed"))
    return changes


def recorded_exchanges(cassette_dir: Path) -> Iterator[tuple[str, HttpRequest, HttpResponse]]:
    for path in sorted(cassette_dir.glob("*.yaml")):
        try:
            cassette = load_cassette(path)
        except (CassetteError, FileNotFoundError):
            continue  # an unreadable cassette is `certify cassettes check`'s business
        for recorded, response in cassette.recorded_exchanges():
            content_type = str(recorded.header("Content-Type") or "").split(";")[0].strip()
            body = None
            if recorded.body:
                kind = ContentType(content_type) if content_type in set(ContentType) else None
                if kind is not None:
                    body = RequestBody(kind, encoding.decode_body(content_type, recorded.body))
            yield path.name, HttpRequest(Method(recorded.method.upper()), recorded.uri, body=body), response


def cassette_changes(old: Spec, new: Spec, cassette_dir: Path) -> list[Change]:
    """Recorded exchanges that validate against the imported spec and not against the newer one."""
    redact = Redactor([])
    changes = []
    for name, request, response in recorded_exchanges(cassette_dir):
        before = {
            str(v)
            for v in [*old.validate_request(request), *old.validate_response(request, response, redact)]
        }
        after = [
            v
            for v in [*new.validate_request(request), *new.validate_response(request, response, redact)]
            if str(v) not in before
        ]
        for violation in after:
            changes.append(
                Change(
                    "cassette_invalid",
                    f"{request.method.value} {request.url.split('?')[0]}",
                    name,
                    str(violation),
                )
            )
    return changes


def compare(
    current: Spec,
    newer_documents: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    facts_path: Path,
    cassette_dir: Path,
) -> DriftReport:
    """The newer documents cut to the imported spec's operations (matched by path under the
    documents' own servers, so v71 -> v72 of a versioned base path compares like with like)."""
    provenance = current.document.get("x-provenance") or {}
    hand_written = set(provenance.get("hand_written_operations") or [])
    used = [
        UsedOperation("", op.method, op.template)
        for op in current.operations
        if f"{op.method} {op.template.lstrip('/')}" not in hand_written
    ]
    unserved = [({**document, "servers": []}) for _, document in newer_documents]
    stems = [stem for stem, _ in newer_documents]
    newer = build_contract(
        list(zip(stems, unserved, strict=True)),
        used,
        connector=str(current.path.stem),
        provenance=Provenance(
            str(provenance.get("repository", "")), "newer", str(provenance.get("license", ""))
        ),
        imported_on=dt.date.today(),
        previous=current.document,
    )
    # the recorded URLs carry the current base path: validate them under the current servers
    newer.document["servers"] = current.document.get("servers") or []
    new_spec = Spec(current.path.with_name(current.path.stem + ".newer.yaml"), newer.document)
    report = DriftReport(
        connector=current.path.stem,
        current=str(provenance.get("version", current.document.get("info", {}).get("version", ""))),
        newer=", ".join(str(document.get("info", {}).get("version", "?")) for _, document in newer_documents),
    )
    gone = {f"{op.method} {op.template}" for op in used} & set(newer.hand_written)
    new_ops = {
        (method, _shape(template)): definition
        for (method, template), definition in _operations(new_spec).items()
    }
    # every operation of the imported spec is one the connector uses (the import kept no other)
    for (method, template), definition in _operations(current).items():
        label = f"{method} {template}"
        new_definition = new_ops.get((method, _shape(template)))
        if label in gone or new_definition is None:
            report.changes.append(Change("field_removed", label, "", "the operation is gone"))
            continue
        old_body, new_body = _request_schema(definition, current), _request_schema(new_definition, new_spec)
        if old_body is not None and new_body is not None:
            report.changes.extend(request_changes(current, old_body, new_spec, new_body, label))
        new_success = _success_schemas(new_definition, new_spec)
        for status, schema in _success_schemas(definition, current).items():
            if status in new_success:
                report.changes.extend(response_changes(current, schema, new_spec, new_success[status], label))
    report.changes = _unique(report.changes)
    report.changes.extend(enum_changes(current, new_spec, facts_path))
    report.changes.extend(cassette_changes(current, new_spec, cassette_dir))
    return report


def _shape(template: str) -> str:
    """A path template with its placeholder names erased: a renamed placeholder is the same path."""
    return re.sub(r"\{[^}]*\}", "{}", template)


def _unique(changes: list[Change]) -> list[Change]:
    seen: set[Change] = set()
    kept = []
    for change in changes:
        if change not in seen:
            seen.add(change)
            kept.append(change)
    return kept


# ------------------------------------------------------------------ rendering


def render_text(report: DriftReport) -> str:
    head = f"{report.connector}: {report.current} -> {report.newer}: "
    if not report.changes:
        return head + "nothing the connector relies on changed\n"
    lines = [head + f"{len(report.changes)} change(s) the connector relies on"]
    lines.extend("  " + change.text() for change in report.changes)
    return "\n".join(lines) + "\n"


def render_html(report: DriftReport) -> str:
    """A `<section>` for the HTML report (self-contained: it can be read on its own)."""
    rows = "".join(
        f"<tr><td>{html.escape(c.kind)}</td><td>{html.escape(c.operation)}</td>"
        f"<td><code>{html.escape(c.where or '/')}</code></td><td>{html.escape(c.detail)}</td></tr>"
        for c in report.changes
    )
    verdict = (
        "changes the connector relies on" if report.breaking else "nothing the connector relies on changed"
    )
    return (
        f'<section class="spec-drift" id="spec-drift-{html.escape(report.connector)}">'
        f"<h2>Spec drift: {html.escape(report.connector)}</h2>"
        f"<p>{html.escape(report.current)} &rarr; {html.escape(report.newer)}: {verdict}</p>"
        + (
            "<table><thead><tr><th>change</th><th>operation</th><th>where</th><th>detail</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            if rows
            else ""
        )
        + "</section>\n"
    )
