"""`certify verify`: run the scenario chains live against the sandbox and compare with the cassettes.

Each supported scenario runs twice through the same connector: replayed from its cassette (the
recorded answers) and live (the sandbox's answers today). Step by step the two must agree on the
HTTP status, the parsed outcome (status, provider status, error code, message and reason, amount,
currency), the shape of the body the connector reads (every non-volatile leaf of the recorded body
that the live body also has keeps its JSON type, and enum-like fields such as `status` and `code`
keep their value), and the live answer must validate against specs/<name>.yaml wherever the
recorded one did. Nothing is written: the cassettes are only read. Every value shown is masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.matching import MONEY_KEYS
from harness.certify.cassettes.replay import ReplayTransport, load_cassette
from harness.certify.cassettes.scrubbing import SECRET_KEYS
from harness.certify.catalog import Scenario
from harness.certify.contracts import Spec
from harness.certify.recording import scenarios_to_record
from harness.certify.runner import ScenarioRun, ScenarioRunner, StepTrace
from harness.certify.workspace import Workspace
from harness.domain.auth import ConnectorAuthType
from harness.domain.secret import MASK
from harness.execution.executor import Execution
from harness.execution.redact import Redactor
from harness.execution.transport import Transport
from harness.integration import registry
from harness.integration.http import HttpResponse

# Fields compared by value: the words a connector maps to a status or an error (lower-cased keys).
ENUM_KEYS = frozenset(
    {
        "status", "code", "decline_code", "declinecode", "type", "object", "state", "intent", "issue",
        "result_code", "resultcode", "response_code", "responsecode", "error_code", "errorcode",
        "currency",
    }
)  # fmt: skip
# Volatile by name: ids and references, timestamps, links; a new run gets new ones.
_VOLATILE_WORD = re.compile(
    r"(^|_)(id|ids|reference|ref|key|href|url|links?|created|updated|date|time|timestamp|at)$"
    r"|^(expires|expiry|idempotency|network)|^psp_?reference$|^trans_?id$|^auth_?code$",
    re.IGNORECASE,
)
_VOLATILE_CAMEL = re.compile(r"[a-z0-9](Id|ID|Ids|Reference|Ref|Key|Url|At|Date|Time)$")  # transId, createdAt
# Outcome fields the connector derives from the answer, in the order they are reported.
OUTCOME_FIELDS = (
    "status", "raw_status", "error.kind", "error.code", "error.message", "error.reason",
    "amount", "currency", "crash", "harness_error",
)  # fmt: skip


def is_volatile(key: str) -> bool:
    """Ids, timestamps, links and secrets: their values (and often their presence) change per run."""
    lowered = key.lower()
    if lowered in ENUM_KEYS or lowered in MONEY_KEYS:
        return False
    return lowered in SECRET_KEYS or bool(_VOLATILE_WORD.search(key) or _VOLATILE_CAMEL.search(key))


@dataclass(frozen=True)
class Difference:
    """One way a live answer disagrees with the recorded one; `recorded` and `live` are masked."""

    connector: str
    scenario: str
    step: str
    field: str
    recorded: str
    live: str

    def as_json(self) -> dict[str, str]:
        return {
            "connector": self.connector,
            "scenario": self.scenario,
            "step": self.step,
            "field": self.field,
            "recorded": self.recorded,
            "live": self.live,
        }

    def text(self) -> str:
        return (
            f"{self.connector}  {self.scenario}  {self.step}  {self.field}: "
            f"recorded {self.recorded}, live {self.live}"
        )


@dataclass
class ScenarioVerification:
    scenario: str
    steps: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.differences


@dataclass
class ConnectorVerification:
    connector: str
    scenarios: list[ScenarioVerification] = field(default_factory=list)

    @property
    def differences(self) -> list[Difference]:
        return [d for s in self.scenarios for d in s.differences]

    @property
    def agrees(self) -> bool:
        return not self.differences

    def as_json(self) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "agrees": self.agrees,
            "scenarios": [
                {
                    "scenario": s.scenario,
                    "steps": s.steps,
                    "agrees": s.agrees,
                    "differences": [d.as_json() for d in s.differences],
                }
                for s in self.scenarios
            ],
        }

    def summary(self) -> str:
        count = len(self.scenarios)
        if self.agrees:
            return (
                f"{self.connector}: {count} scenario(s) verified live; every answer agrees with its cassette"
            )
        disagreeing = sum(not s.agrees for s in self.scenarios)
        return (
            f"{self.connector}: {count} scenario(s) verified live; {disagreeing} disagree with their "
            f"cassettes ({len(self.differences)} difference(s)): re-record them with `certify record "
            f"{self.connector} --scenario ...` once the change is understood"
        )


# ------------------------------------------------------------------ comparing one answer


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _leaves(tree: Any, path: str = "$", key: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every node under a key that is not volatile; volatile subtrees are
    skipped. A list's items carry the list's key (`statuses[0]` is a status)."""
    if isinstance(tree, Mapping):
        for name, value in tree.items():
            if is_volatile(str(name)):
                continue
            child = f"{path}.{name}"
            yield child, str(name), value
            yield from _leaves(value, child, str(name))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            child = f"{path}[{index}]"
            yield child, key, value
            yield from _leaves(value, child, key)


def _lookup(tree: Any, path: str) -> tuple[bool, Any]:
    node = tree
    for token in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:]):
        key, index = token
        if key and isinstance(node, Mapping) and key in node:
            node = node[key]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return False, None
    return True, node


def body_differences(recorded: Any, live: Any) -> list[tuple[str, Any, Any, str]]:
    """(path, recorded, live, what) for the leaves of the recorded body that the live body has with
    another JSON type, or, for an enum-like key, another value. A null on either side says nothing
    about the type (providers null what does not apply), and a masked recorded value is a secret."""
    if not isinstance(recorded, Mapping | list) or not isinstance(live, Mapping | list):
        if _type_of(recorded) != _type_of(live):
            return [("$", recorded, live, "type")]
        return []
    found: list[tuple[str, Any, Any, str]] = []
    for path, key, value in _leaves(recorded):
        present, other = _lookup(live, path)
        if not present or value is None or other is None or value == MASK:
            continue
        if _type_of(value) != _type_of(other):
            found.append((path, value, other, "type"))
        elif key.lower() in ENUM_KEYS and not isinstance(value, Mapping | list) and value != other:
            found.append((path, value, other, "value"))
    return found


def _outcome_value(outcome: Mapping[str, Any], name: str) -> Any:
    head, _, tail = name.partition(".")
    value = outcome.get(head)
    if tail:
        return value.get(tail) if isinstance(value, Mapping) else None
    return value


def _http_status(execution: Execution | None) -> int | None:
    response = execution.response if execution is not None else None
    return response.status_code if response is not None else None


def _body(response: HttpResponse | None) -> Any:
    return response.decoded() if response is not None else None


class Comparison:
    """Collects the differences of one scenario, every shown value masked and cut short."""

    def __init__(self, connector: str, scenario: str, redact: Redactor) -> None:
        self.connector = connector
        self.scenario = scenario
        self.redact = redact
        self.differences: list[Difference] = []

    def show(self, value: Any) -> str:
        if value is None:
            return "nothing"
        text = repr(value) if not isinstance(value, Mapping | list) else _type_of(value)
        text = self.redact(text)
        return text if len(text) <= 80 else text[:77] + "..."

    def add(self, step: str, name: str, recorded: Any, live: Any, *, shown: bool = True) -> None:
        self.differences.append(
            Difference(
                self.connector,
                self.scenario,
                step,
                name,
                self.show(recorded) if shown else str(recorded),
                self.show(live) if shown else str(live),
            )
        )

    def exchange(
        self, step: str, recorded: Execution | None, live: Execution | None, spec: Spec | None
    ) -> None:
        """HTTP status, body shape and enum values, and the contract, of one request's answers."""
        recorded_status, live_status = _http_status(recorded), _http_status(live)
        if recorded_status != live_status:
            self.add(step, "http_status", recorded_status, live_status)
        recorded_response = recorded.response if recorded is not None else None
        live_response = live.response if live is not None else None
        if recorded_response is None or live_response is None:
            return
        for path, before, after, what in body_differences(_body(recorded_response), _body(live_response)):
            if what == "type":
                self.add(step, f"body {path} (type)", _type_of(before), _type_of(after), shown=False)
            else:
                self.add(step, f"body {path}", before, after)
        if spec is not None and live is not None and live.request is not None and recorded is not None:
            assert recorded.request is not None  # a recorded response answers a request
            known = {str(v) for v in spec.validate_response(recorded.request, recorded_response, self.redact)}
            for violation in spec.validate_response(live.request, live_response, self.redact):
                if str(violation) not in known:
                    where = violation.pointer or "/"
                    self.add(step, f"spec {where}", "valid", self.redact(violation.message), shown=False)

    def step(self, recorded: StepTrace, live: StepTrace, spec: Spec | None) -> None:
        name = recorded.step
        before, after = recorded.execution, live.execution
        if before is not None and after is not None and (before.token_execution or after.token_execution):
            self.exchange(f"{name}/access_token", before.token_execution, after.token_execution, spec)
        self.exchange(name, before, after, spec)
        for key in OUTCOME_FIELDS:
            was, now = _outcome_value(recorded.outcome, key), _outcome_value(live.outcome, key)
            if was != now:
                self.add(name, f"outcome.{key}", was, now)


def compare_runs(
    connector: str, recorded: ScenarioRun, live: ScenarioRun, spec: Spec | None, redact: Redactor
) -> ScenarioVerification:
    comparison = Comparison(connector, recorded.scenario.id, redact)
    for before, after in zip(recorded.steps, live.steps, strict=False):
        comparison.step(before, after, spec)
    if len(recorded.steps) != len(live.steps):
        shorter = live if len(live.steps) < len(recorded.steps) else recorded
        last = shorter.steps[-1].step if shorter.steps else "the start"
        comparison.add(
            "-",
            "steps",
            f"{len(recorded.steps)} step(s)",
            f"{len(live.steps)} step(s) (the {'live' if shorter is live else 'recorded'} chain "
            f"stopped after {last})",
            shown=False,
        )
    return ScenarioVerification(
        recorded.scenario.id, max(len(recorded.steps), len(live.steps)), comparison.differences
    )


# ------------------------------------------------------------------ one connector


@dataclass
class LiveCheck:
    """What verifying one connector needs, prepared (and so validated) before anything is sent."""

    workspace: Workspace
    scenarios: list[Scenario]
    auth: ConnectorAuthType
    spec: Spec | None
    redactor: Redactor


def prepare(
    workspace: Workspace, scenario_ids: Iterable[str] | None, auth: ConnectorAuthType, spec: Spec | None
) -> LiveCheck:
    """Raises `HarnessError` (one line, naming the file) for an unknown or unclaimed scenario."""
    redactor = Redactor(
        [*auth.secret_values(), *workspace.auth.secret_values(), *workspace.certification.secret_values()],
        key_prefixes=registry.key_prefixes(),
    )
    return LiveCheck(workspace, scenarios_to_record(workspace, scenario_ids), auth, spec, redactor)


def verify_connector(
    check: LiveCheck, transport_factory: Callable[[], Transport], *, base_url: str
) -> ConnectorVerification:
    """Every scenario replayed from its cassette and run live through a fresh transport; a
    missing cassette or an unreadable one is a difference (there is nothing to agree with)."""
    workspace = check.workspace
    name = workspace.name
    replay_runner = ScenarioRunner(
        workspace.connector, workspace.certification, workspace.auth, base_url,
        redactor=check.redactor, replay=True,
    )  # fmt: skip
    live_runner = ScenarioRunner(
        workspace.connector, workspace.certification, check.auth, base_url, redactor=check.redactor
    )
    verification = ConnectorVerification(name)
    for scenario in check.scenarios:
        path = workspace.cassette_path(scenario.id)
        try:
            loaded = load_cassette(path, volatile=workspace.connector_cls.volatile_fields)
        except (CassetteError, FileNotFoundError) as error:
            problem = (
                error.message
                if isinstance(error, CassetteError)
                else f"no cassette: record it with `certify record {name} --scenario {scenario.id}`"
            )
            verification.scenarios.append(
                ScenarioVerification(
                    scenario.id,
                    0,
                    [Difference(name, scenario.id, "-", "cassette", check.redactor(problem), "not compared")],
                )
            )
            continue
        recorded = replay_runner.run(scenario, ReplayTransport(loaded))
        live = live_runner.run(scenario, transport_factory())
        verification.scenarios.append(compare_runs(name, recorded, live, check.spec, check.redactor))
    return verification
