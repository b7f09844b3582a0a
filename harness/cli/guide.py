"""What `certify run` prints under a connector that is not certified: the author's next steps.

The steps come in the order an author works: write the first unimplemented flow (the function
and the file), then the provider facts, then the cassettes, then declare the scenarios. The
other failures follow, identical messages grouped with a count. On a terminal lines wrap at word
boundaries; nothing is ever cut.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from harness.certify.results import CheckResult, ConnectorResult
from harness.domain import FLOW_ORDER

# the message NotImplementedFlowError carries in a scaffold (harness/cli/scaffold/transformers.py.j2)
NOT_IMPLEMENTED = re.compile(
    r"\b(?P<flow>\w+) is not implemented yet: write (?P<function>\w+) in (?P<file>\S+)"
)
UNDECLARED = " is neither supported nor exempt in certification.toml"
NO_CASSETTE = "no cassette at "
WAITS_ON_CASSETTES = ": no recorded "  # a facts check with nothing recorded to check a fact on
MAX_GROUPS = 10  # other failures shown by message; the rest are counted, never dropped silently
MAX_IDS = 6  # check ids named under a grouped message


@dataclass(frozen=True)
class Missing:
    flow: str
    function: str
    file: str


def _flow_rank(flow: str) -> int:
    order = [f.value for f in FLOW_ORDER]
    return order.index(flow) if flow in order else len(order)


def unimplemented(checks: Iterable[CheckResult]) -> list[Missing]:
    """Every (flow, function) the checks found unwritten, in flow order, first function first."""
    found: dict[tuple[str, str], Missing] = {}
    for check in checks:
        for match in NOT_IMPLEMENTED.finditer(check.message):
            flow, function = match["flow"], match["function"]
            found.setdefault((flow, function), Missing(flow, function, match["file"].rstrip(";,.)")))
    ordered = sorted(found.values(), key=lambda m: (_flow_rank(m.flow), not m.function.endswith("_request")))
    return ordered


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS])
    return shown + (f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else "")


def next_steps(connector: ConnectorResult) -> tuple[list[str], list[str]]:
    """(the next steps in working order, the other failures grouped by message)."""
    # a connector in error has its message printed once, on stderr, by `certify run`
    said = connector.message
    failing = [c for c in connector.checks if c.failing and not (said and c.message and c.message in said)]
    waiting = [c for c in connector.checks if c.failing or c.status == "skipped"]
    missing = unimplemented(waiting)
    steps: list[str] = []
    explained: set[str] = set()
    if missing:
        first = missing[0]
        blocked = [c for c in failing if NOT_IMPLEMENTED.search(c.message)]
        explained.update(c.id for c in blocked)
        step = f"{first.flow} is not implemented yet: write {first.function} in {first.file}"
        if blocked:
            step += f" ({len(blocked)} failing checks wait on unwritten flows)"
        later = list(dict.fromkeys(m.function for m in missing[1:]))
        if later:
            step += f"; then {_names(later)}"
        steps.append(step)
    facts = [c for c in failing if c.family == "facts"]
    # a documented status is checked on a recorded answer: without cassettes it waits on them
    waiting_on_cassettes = [c for c in facts if WAITS_ON_CASSETTES in c.message]
    for check in (c for c in facts if c not in waiting_on_cassettes):
        explained.add(check.id)
        steps.append(f"facts: {check.message}")
    cassettes = [c for c in failing if c.message.startswith(NO_CASSETTE)]
    if cassettes:
        explained.update(c.id for c in cassettes)
        ids = [c.scenario or c.id for c in cassettes]
        steps.append(
            f"{len(cassettes)} supported scenario(s) have no cassette in cassettes/{connector.name}/: "
            f"record them with `certify record {connector.name}`, or author them from "
            f"connectors/{connector.name}/sandbox.py with `certify author {connector.name}` ({_names(ids)})"
        )
    undeclared = [c for c in failing if UNDECLARED in c.message]
    if undeclared:
        explained.update(c.id for c in undeclared)
        ids = [c.scenario or c.id for c in undeclared]
        steps.append(
            f"{len(undeclared)} scenario(s) are neither supported nor exempt in "
            f"connectors/{connector.name}/certification.toml: list each under [scenarios] supported "
            f"(with a cassette) or under [exempt] with the reason ({_names(ids)})"
        )
    if waiting_on_cassettes:
        explained.update(c.id for c in waiting_on_cassettes)
        steps.append(
            f"{len(waiting_on_cassettes)} facts check(s) wait on cassettes: they check the documented "
            f"statuses on recorded answers, so record those first "
            f"({_names([c.id for c in waiting_on_cassettes])})"
        )
    return steps, grouped([c for c in failing if c.id not in explained])


def grouped(checks: list[CheckResult]) -> list[str]:
    """One line per distinct message: `status xN: message (ids)`, the most frequent first."""
    groups: dict[tuple[str, str], list[str]] = {}
    for check in checks:
        groups.setdefault((check.status, check.message), []).append(check.id)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    lines = []
    for (status, message), ids in ordered[:MAX_GROUPS]:
        count = f" x{len(ids)}" if len(ids) > 1 else ""
        lines.append(f"{status}{count}: {_names(ids)}: {message}")
    rest = sum(len(ids) for _, ids in ordered[MAX_GROUPS:])
    if rest:
        lines.append(f"... and {rest} more failing check(s) with other messages (see the report)")
    return lines


def wrap(text: str, indent: str, width: int | None) -> list[str]:
    """On a terminal: wrapped at word boundaries, continuation lines indented further, a long word
    whole. Elsewhere (CI logs, pipes): one whole line, for grep."""
    text = " ".join(text.split())
    if width is None:
        return [indent + text]
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def terminal_width() -> int:
    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 120))


def guide_lines(connector: ConnectorResult, width: int | None = None) -> list[str]:
    """Lines under a not-certified connector's summary line: next steps, then other failures
    (wrapped to `width` when given)."""
    steps, others = next_steps(connector)
    lines: list[str] = []
    if steps:
        lines.append(f"  next steps for {connector.name}:")
        for number, step in enumerate(steps, 1):
            lines += wrap(f"{number}. {step}", "    ", width)
    if others:
        lines.append("  other failures:" if steps else "  failures:")
        for line in others:
            lines += wrap(line, "    ", width)
    return lines
