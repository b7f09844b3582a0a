"""The wire diff against a baseline: per connector and flow, what each scenario step sends (the
masked request: method, path, headers, body) and what the connector understood (the parsed
outcome: status, ids, amount, currency, error code), before and after.

Both sides come from results.json (the `steps` of each scenario check). Every value is masked
again here, by key (card data, credentials, tokens), by header name and by the redactor's
structural rules, before it is compared or shown: a baseline file may come from anywhere.
Transport headers (User-Agent, Content-Length, ...) say nothing about the connector and are
left out; the connector's declared volatile headers and body fields are compared by presence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from harness.certify.cassettes.matching import TRANSPORT_HEADERS
from harness.certify.cassettes.scrubbing import recorded_url, scrub_headers, scrub_tree
from harness.certify.results import ConnectorResult, Results
from harness.domain.flows import FLOW_ORDER
from harness.execution.redact import Redactor, process_redactor

FLOWS: tuple[str, ...] = tuple(flow.value for flow in FLOW_ORDER)
VALUE_CHARS = 200  # a field's value as shown; a longer one (an XML body) is cut with "..."
VARIES = "(varies)"  # a volatile field's value: compared by presence only

ChangeKind = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class FieldChange:
    field: str  # request.body.amount, request.headers.stripe-version, outcome.status, ...
    before: str | None  # None: absent in the baseline
    after: str | None  # None: absent now

    @property
    def kind(self) -> ChangeKind:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"


@dataclass(frozen=True)
class StepChange:
    scenario: str
    step: str  # the step's name, `#2` appended to a second step of the same name
    flow: str
    kind: ChangeKind  # changed: on both sides; added / removed: on one side only
    fields: tuple[FieldChange, ...]

    @property
    def where(self) -> str:
        return f"{self.scenario}/{self.step}"


@dataclass(frozen=True)
class FlowWire:
    flow: str
    compared: int  # steps of this flow on either side
    steps: list[StepChange]  # empty: no change

    def groups(self) -> list[tuple[tuple[FieldChange, ...], list[StepChange]]]:
        """Steps with exactly the same changes together (a renamed amount field changes every
        Authorize step the same way), in the order they first appear."""
        grouped: dict[tuple[tuple[FieldChange, ...], str], list[StepChange]] = {}
        for step in self.steps:
            grouped.setdefault((step.fields, step.kind), []).append(step)
        return [(fields, steps) for (fields, _), steps in grouped.items()]


@dataclass(frozen=True)
class ConnectorWire:
    connector: str
    flows: list[FlowWire]
    note: str = ""  # why nothing was compared (not in the baseline)

    @property
    def changed_steps(self) -> int:
        return sum(len(f.steps) for f in self.flows)

    @property
    def changed_flows(self) -> list[str]:
        return [f.flow for f in self.flows if f.steps]


@dataclass
class WireDiff:
    connectors: list[ConnectorWire] = field(default_factory=list)

    @property
    def changed_steps(self) -> int:
        return sum(c.changed_steps for c in self.connectors)

    @property
    def compared_steps(self) -> int:
        return sum(f.compared for c in self.connectors for f in c.flows)


@dataclass(frozen=True)
class _Masking:
    redact: Redactor
    volatile_fields: frozenset[str]
    volatile_headers: frozenset[str]

    def text(self, value: Any, *, typed: bool = False) -> str:
        """Masked, one line, bounded; `typed`: as JSON, so that "1000" and 1000 differ on the page."""
        if typed or not isinstance(value, str):
            shown = json.dumps(value, ensure_ascii=False, default=str)
        else:
            shown = value
        shown = " ".join(self.redact(shown).split())
        return shown if len(shown) <= VALUE_CHARS else shown[: VALUE_CHARS - 3] + "..."


def _flatten(tree: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted path, leaf) for every leaf; an empty dict or list is a leaf of its own."""
    if isinstance(tree, Mapping) and tree:
        for key, value in tree.items():
            yield from _flatten(value, f"{prefix}.{key}")
    elif isinstance(tree, list) and tree:
        for index, value in enumerate(tree):
            yield from _flatten(value, f"{prefix}[{index}]")
    else:
        yield prefix, tree


def _volatile(path: str, volatile: frozenset[str]) -> bool:
    return any(path == v or path.startswith(f"{v}.") or path.startswith(f"{v}[") for v in volatile)


def wire_fields(step: Mapping[str, Any], masking: _Masking) -> dict[str, str]:
    """One step as masked `field -> value` strings: the request that matters, the parsed outcome,
    the HTTP status the connector read it from."""
    fields: dict[str, str] = {}
    request = step.get("request")
    if isinstance(request, Mapping):
        fields["request.method"] = masking.text(request.get("method", ""))
        url = recorded_url(str(request.get("url", "")))
        parts = urlsplit(url)
        fields["request.path"] = masking.text(parts.path + (f"?{parts.query}" if parts.query else ""))
        headers = request.get("headers")
        if isinstance(headers, Mapping):
            for name, value in scrub_headers({str(k): str(v) for k, v in headers.items()}).items():
                lowered = name.lower()
                if lowered in TRANSPORT_HEADERS:
                    continue
                shown = VARIES if lowered in masking.volatile_headers else masking.text(value)
                fields[f"request.headers.{masking.text(lowered)}"] = shown
        body = request.get("body")
        if body not in (None, "", {}):
            for path, value in _flatten(scrub_tree(body), "body"):
                shown = (
                    VARIES
                    if _volatile(path[len("body.") :], masking.volatile_fields)
                    else masking.text(value, typed=True)
                )
                fields[f"request.{masking.text(path)}"] = shown
    outcome = step.get("outcome")
    if isinstance(outcome, Mapping):
        for path, value in _flatten(scrub_tree(dict(outcome)), "outcome"):
            fields[masking.text(path)] = masking.text(value, typed=True)
    response = step.get("response")
    if isinstance(response, Mapping) and response.get("status_code") is not None:
        fields["response.status_code"] = masking.text(response["status_code"])
    return fields


def _steps(connector: ConnectorResult) -> dict[tuple[str, str], tuple[str, Mapping[str, Any]]]:
    """(scenario, step) -> (flow, step) for every step of every scenario check."""
    found: dict[tuple[str, str], tuple[str, Mapping[str, Any]]] = {}
    for check in connector.checks:
        steps = check.details.get("steps") if check.family == "scenario" else None
        if not isinstance(steps, list):
            continue
        scenario = check.scenario or check.id.removeprefix("scenario:")
        seen: dict[str, int] = {}
        for step in steps:
            if not isinstance(step, Mapping):
                continue
            name = str(step.get("step", "?"))
            seen[name] = seen.get(name, 0) + 1
            key = name if seen[name] == 1 else f"{name}#{seen[name]}"
            found.setdefault((scenario, key), (str(step.get("flow") or check.flow or "?"), step))
    return found


def _declared(connector: ConnectorResult | None, name: str) -> set[str]:
    values = connector.declaration.get(name) if connector is not None else None
    return {str(v) for v in values} if isinstance(values, list) else set()


def _compare(before: dict[str, str], after: dict[str, str]) -> tuple[FieldChange, ...]:
    names = [*before, *(n for n in after if n not in before)]
    return tuple(
        FieldChange(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    )


def connector_wire(now: ConnectorResult, was: ConnectorResult, redact: Redactor) -> ConnectorWire:
    masking = _Masking(
        redact,
        frozenset(_declared(now, "volatile_fields") | _declared(was, "volatile_fields")),
        frozenset(h.lower() for h in _declared(now, "volatile_headers") | _declared(was, "volatile_headers")),
    )
    old, new = _steps(was), _steps(now)
    by_flow: dict[str, list[StepChange]] = {}
    compared: dict[str, int] = {}
    for key in [*old, *(k for k in new if k not in old)]:
        flow = (new.get(key) or old[key])[0]
        compared[flow] = compared.get(flow, 0) + 1
        before = wire_fields(old[key][1], masking) if key in old else None
        after = wire_fields(new[key][1], masking) if key in new else None
        changes = _compare(before or {}, after or {})
        if not changes and before is not None and after is not None:
            continue
        kind: ChangeKind = (
            "changed"
            if before is not None and after is not None
            else ("added" if before is None else "removed")
        )
        by_flow.setdefault(flow, []).append(StepChange(key[0], key[1], flow, kind, changes))
    order = [f for f in FLOWS if f in compared] + sorted(f for f in compared if f not in FLOWS)
    return ConnectorWire(now.name, [FlowWire(f, compared[f], by_flow.get(f, [])) for f in order])


def wire_diff(current: Results, baseline: Results, redact: Redactor | None = None) -> WireDiff:
    """The wire diff of every connector in `current`; one absent from the baseline says so (a
    connector only in the baseline was not run here, which is not a change of its wire)."""
    redact = redact or process_redactor()
    before = {c.name: c for c in baseline.connectors}
    out = WireDiff()
    for connector in current.connectors:
        was = before.get(connector.name)
        if was is None:
            out.connectors.append(ConnectorWire(connector.name, [], note="not in the baseline"))
        else:
            out.connectors.append(connector_wire(connector, was, redact))
    return out
