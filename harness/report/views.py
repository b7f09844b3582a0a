"""Views derived from results.json for every report format: the matrix, per-check details, the diff.

Each function walks the results once (linear in the number of checks): the reports are
benchmarked on 100 connectors x every scenario.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from harness.certify.checks.registry import REPORT_ORDER, TITLES
from harness.certify.results import CheckResult, ConnectorResult, Results
from harness.defaults import CASSETTE_MAX_AGE_DAYS
from harness.domain.flows import FLOW_ORDER
from harness.report.wirediff import WireDiff, wire_diff

FLOWS: tuple[str, ...] = tuple(flow.value for flow in FLOW_ORDER)
DEFAULT_CASSETTE_MAX_AGE_DAYS = CASSETTE_MAX_AGE_DAYS

# What a reader filters on: a failing check is `failed` or `error`; an exempt one is skipped with a reason.
CheckState = Literal["passed", "failed", "error", "skipped", "exempt"]
CellState = Literal["pass", "fail", "exempt", "not-supported", "skipped", "none"]

FAMILY_TITLES = TITLES
FAMILY_ORDER = REPORT_ORDER
VERDICT_RANK = {"certified": 0, "not_certified": 1, "error": 2}


def check_state(check: CheckResult) -> CheckState:
    if check.status == "skipped" and check.exempt:
        return "exempt"
    return check.status


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0  # failed or error
    skipped: int = 0  # not exempt
    exempt: int = 0

    @classmethod
    def of(cls, checks: Iterable[CheckResult]) -> Counts:
        tally = Counter(check_state(c) for c in checks)
        return cls(
            passed=tally["passed"],
            failed=tally["failed"] + tally["error"],
            skipped=tally["skipped"],
            exempt=tally["exempt"],
        )

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped + self.exempt

    def text(self) -> str:
        parts = [f"{self.passed} passed", f"{self.failed} failed", f"{self.skipped} skipped"]
        if self.exempt:
            parts.append(f"{self.exempt} exempt")
        return ", ".join(parts)


# ------------------------------------------------------------------ the matrix


@dataclass(frozen=True)
class Cell:
    flow: str
    state: CellState
    counts: Counts
    note: str  # why: the reason for not-supported or exempt, the failing check ids, the counts

    @property
    def label(self) -> str:
        return {
            "pass": f"pass {self.counts.passed}",
            "fail": f"fail {self.counts.failed}",
            "exempt": "exempt",
            "not-supported": "n/s",
            "skipped": "skipped",
            "none": "-",
        }[self.state]


@dataclass(frozen=True)
class MatrixRow:
    connector: ConnectorResult
    counts: Counts
    cells: list[Cell]


def by_flow(checks: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    grouped: dict[str, list[CheckResult]] = {}
    for check in checks:
        if check.flow:
            grouped.setdefault(check.flow, []).append(check)
    return grouped


def flow_cell(connector: ConnectorResult, flow: str, checks: list[CheckResult]) -> Cell:
    """One matrix cell, from the checks of that flow and what the connector declares for it."""
    counts = Counts.of(checks)
    declared = connector.flows.get(flow)
    failing = [c.id for c in checks if c.failing]
    if failing:
        shown = ", ".join(failing[:5]) + (f" and {len(failing) - 5} more" if len(failing) > 5 else "")
        return Cell(flow, "fail", counts, f"failing: {shown}")
    # a flow the provider facts do not list as absent costs score: say so where the reader hovers
    unbacked = " (a gap: the provider facts do not list it as absent)" if any(c.gap for c in checks) else ""
    if declared == "not_supported":
        reason = connector.not_supported.get(flow, "not supported")
        return Cell(flow, "not-supported", counts, reason + unbacked)
    if declared == "missing":
        reason = "not implemented (no FlowSpec, not declared unsupported)"
        return Cell(flow, "not-supported", counts, reason + unbacked)
    if counts.passed:
        return Cell(flow, "pass", counts, counts.text())
    if counts.exempt:
        reasons = sorted({c.message.removeprefix("exempt: ") for c in checks if check_state(c) == "exempt"})
        return Cell(flow, "exempt", counts, "; ".join(reasons))
    if counts.skipped:
        return Cell(flow, "skipped", counts, counts.text())
    return Cell(flow, "none", counts, "no check for this flow")


def matrix(results: Results) -> list[MatrixRow]:
    rows = []
    for connector in results.connectors:
        grouped = by_flow(connector.checks)
        cells = [flow_cell(connector, flow, grouped.get(flow, [])) for flow in FLOWS]
        rows.append(MatrixRow(connector, Counts.of(connector.checks), cells))
    return rows


# ------------------------------------------------------------------ per-check details

VIOLATION = re.compile(
    r"^(?:step (?P<step>\S+): )?(?P<where>request|response) (?P<pointer>/\S*): (?P<message>.*)$"
)


@dataclass(frozen=True)
class Violation:
    step: str
    where: str
    pointer: str  # JSON pointer into the body
    message: str


def violations(check: CheckResult) -> list[Violation]:
    out = []
    for item in check.details.get("violations") or []:
        text = str(item)
        match = VIOLATION.match(text)
        if match:
            out.append(Violation(match["step"] or "", match["where"], match["pointer"], match["message"]))
        else:
            out.append(Violation("", "", "", text))
    return out


@dataclass(frozen=True)
class StepView:
    step: str
    flow: str
    expected: str
    outcome: str  # one line: status, error code and message
    problems: list[str]
    request: dict[str, Any] | None
    response: dict[str, Any] | None
    full_outcome: dict[str, Any]


def outcome_line(outcome: dict[str, Any]) -> str:
    parts = []
    if outcome.get("status"):
        parts.append(str(outcome["status"]))
    error = outcome.get("error")
    if isinstance(error, dict):
        described = " ".join(str(error[k]) for k in ("kind", "code", "message") if error.get(k))
        if described:
            parts.append(f"error {described}")
    for key in ("crash", "harness_error"):
        if outcome.get(key):
            parts.append(f"{key.replace('_', ' ')}: {outcome[key]}")
    if outcome.get("amount") is not None:
        parts.append(f"{outcome['amount']} {outcome.get('currency') or ''}".strip())
    return "; ".join(parts) or "no result"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _wire_request(request: Any) -> dict[str, Any] | None:
    """The masked request without its encoded body when the decoded body is there (one payload, once)."""
    if not isinstance(request, dict):
        return None
    if request.get("body") is not None and "encoded_body" in request:
        return {k: v for k, v in request.items() if k != "encoded_body"}
    return request


def steps(check: CheckResult) -> list[StepView]:
    out = []
    for raw in check.details.get("steps") or []:
        if not isinstance(raw, dict):
            continue
        outcome = _mapping(raw.get("outcome"))
        out.append(
            StepView(
                step=str(raw.get("step", "")),
                flow=str(raw.get("flow", "")),
                expected=str(raw.get("expected", "")),
                outcome=outcome_line(outcome),
                problems=[str(p) for p in raw.get("problems") or []],
                request=_wire_request(raw.get("request")),
                response=raw.get("response") if isinstance(raw.get("response"), dict) else None,
                full_outcome=outcome,
            )
        )
    return out


@dataclass(frozen=True)
class LintView:
    rule: str
    path: str
    line: int
    source_line: str
    hint: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


def lint_view(check: CheckResult) -> LintView | None:
    if check.family != "lint" or "rule" not in check.details:
        return None
    details = check.details
    return LintView(
        rule=str(details.get("rule", "")),
        path=str(details.get("path", "")),
        line=int(details.get("line") or 1),
        source_line=str(details.get("source_line") or ""),
        hint=str(details.get("hint") or ""),
    )


# A flow its author has not written yet (NotImplementedFlowError, as harness/cli/scaffold writes it):
# a minimized example of that failure says nothing the message does not.
NOT_IMPLEMENTED = re.compile(r"\bnot_implemented\b|\bis not implemented yet\b")


def minimized_example(check: CheckResult) -> str:
    """The property's smallest failing case, unless the failure is a flow not written yet."""
    example = str(check.details.get("minimized_example") or "")
    return "" if not example or NOT_IMPLEMENTED.search(check.message) else example


def failure_detail(check: CheckResult) -> str:
    """The first useful detail of a failing check in one line (JUnit, Markdown)."""
    found = violations(check)
    if found:
        first = found[0]
        return f"{first.where} {first.pointer}: {first.message}".strip()
    example = minimized_example(check)
    if example:
        return f"minimized example: {example}"
    lint = lint_view(check)
    if lint is not None:
        return f"{lint.location}: {lint.source_line.strip()}"
    for step in steps(check):
        if step.problems:
            return f"step {step.step}: {'; '.join(step.problems)}"
    return ""


# ------------------------------------------------------------------ cassettes


@dataclass(frozen=True)
class CassetteView:
    scenario: str
    path: str
    kind: str
    date: str
    api_version: str
    age_days: int | None
    old: bool
    problem: str  # missing or unreadable


def _provenance_date(provenance: dict[str, Any]) -> dt.datetime | None:
    value = provenance.get("recorded_at") or provenance.get("authored_at")
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def cassettes(
    connector: ConnectorResult, *, max_age_days: int, now: dt.datetime
) -> tuple[list[CassetteView], list[str]]:
    """Each cassette with its age as of `now`, and the documentation sources once per connector."""
    views = []
    sources: dict[str, None] = {}
    for entry in connector.cassettes:
        provenance = _mapping(entry.get("provenance"))
        for source in provenance.get("sources") or []:
            sources[str(source)] = None
        date = _provenance_date(provenance)
        age: int | None
        if date is not None:
            age = max((now - date).days, 0)
        elif isinstance(entry.get("age_days"), int):
            age = entry["age_days"]
        else:
            age = None
        problem = "missing" if entry.get("missing") else str(entry.get("error") or "")
        views.append(
            CassetteView(
                scenario=str(entry.get("scenario", "")),
                path=str(entry.get("path", "")),
                kind=str(provenance.get("kind", "")),
                date=date.date().isoformat() if date else "",
                api_version=str(provenance.get("api_version") or ""),
                age_days=age,
                old=age is not None and age > max_age_days,
                problem=problem,
            )
        )
    return views, list(sources)


# ------------------------------------------------------------------ the diff against a baseline


@dataclass(frozen=True)
class CheckChange:
    connector: str
    check_id: str
    before: str | None  # status in the baseline, None when absent
    after: str | None  # status now, None when absent
    message: str


@dataclass(frozen=True)
class VerdictChange:
    connector: str
    before: str | None
    after: str | None
    score_before: int | None
    score_after: int | None

    @property
    def worse(self) -> bool:
        if self.before is None or self.after is None:
            return False
        return VERDICT_RANK[self.after] > VERDICT_RANK[self.before]


@dataclass
class Diff:
    regressed: list[CheckChange] = field(
        default_factory=list
    )  # failing now; passing, skipped or absent before
    fixed: list[CheckChange] = field(default_factory=list)  # failing before; present and not failing now
    new: list[CheckChange] = field(default_factory=list)  # absent before, not failing now
    removed: list[CheckChange] = field(default_factory=list)  # present before, absent now
    verdicts: list[VerdictChange] = field(default_factory=list)  # connectors whose verdict changed
    still_failing: int = 0
    wire: WireDiff | None = None  # what each scenario step sends and understood, before and after

    @property
    def has_regression(self) -> bool:
        return bool(self.regressed) or any(v.worse for v in self.verdicts)

    def connectors_with_regressions(self) -> list[str]:
        names = dict.fromkeys(
            [c.connector for c in self.regressed] + [v.connector for v in self.verdicts if v.worse]
        )
        return list(names)

    def summary(self) -> str:
        worse = sum(v.worse for v in self.verdicts)
        return (
            f"{len(self.regressed)} regressed, {len(self.fixed)} fixed, {len(self.new)} new, "
            f"{len(self.removed)} removed check(s); {worse} verdict(s) worse, "
            f"{len(self.verdicts) - worse} other verdict change(s); {self.still_failing} still failing"
            + (
                f"; wire: {self.wire.changed_steps} of {self.wire.compared_steps} scenario step(s) changed"
                if self.wire is not None
                else ""
            )
        )


def _failing(status: str | None) -> bool:
    return status in ("failed", "error")


def _checks(results: Results) -> Iterator[tuple[str, CheckResult]]:
    for connector in results.connectors:
        for check in connector.checks:
            yield connector.name, check


def diff(current: Results, baseline: Results) -> Diff:
    before = {(name, check.id): check for name, check in _checks(baseline)}
    seen: set[tuple[str, str]] = set()
    out = Diff()
    for name, check in _checks(current):
        key = (name, check.id)
        if key in seen:  # a check id twice in one connector: compare the first
            continue
        seen.add(key)
        old = before.get(key)
        old_status = old.status if old is not None else None
        change = CheckChange(name, check.id, old_status, check.status, check.message)
        if check.failing and not _failing(old_status):
            out.regressed.append(change)
        elif check.failing:
            out.still_failing += 1
        elif _failing(old_status):
            out.fixed.append(change)
        elif old is None:
            out.new.append(change)
    for key, old in before.items():
        if key not in seen:
            out.removed.append(CheckChange(key[0], key[1], old.status, None, old.message))
    old_connectors = {c.name: c for c in baseline.connectors}
    new_connectors = {c.name: c for c in current.connectors}
    for name in [*new_connectors, *(n for n in old_connectors if n not in new_connectors)]:
        was, now = old_connectors.get(name), new_connectors.get(name)
        if was is not None and now is not None and was.verdict == now.verdict:
            continue
        out.verdicts.append(
            VerdictChange(
                name,
                was.verdict if was else None,
                now.verdict if now else None,
                was.score if was else None,
                now.score if now else None,
            )
        )
    out.wire = wire_diff(current, baseline)
    return out
