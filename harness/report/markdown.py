"""summary.md: a pull-request comment. Verdict table, regressions first (with a baseline), then
the failing checks per connector in collapsed sections; kept under GitHub's comment size limit."""

from __future__ import annotations

import html
import re

from harness.certify.results import GAP_PENALTY, ConnectorResult, MutationStrength, Results
from harness.defaults import SUMMARY_COMMENT_LIMIT
from harness.report.views import Counts, Diff, failure_detail
from harness.report.wirediff import ConnectorWire, FieldChange, StepChange, WireDiff

COMMENT_LIMIT = SUMMARY_COMMENT_LIMIT
PER_CONNECTOR = 25
GAPS_SHOWN = 8
SURVIVORS_SHOWN = 10  # per connector; the rest are in index.html
DIFF_LINES = 30
WIRE_FIELDS_SHOWN = 20  # per group of identically changed steps; index.html has them all
WIRE_STEPS_NAMED = 6
WIRE_GROUPS_SHOWN = 4  # per flow: groups of steps with the same changes
MESSAGE_CHARS = 300
MARK = {"certified": "✅", "not_certified": "❌", "error": "⚠️"}
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")  # what could format or break a table cell


def text(value: object, limit: int = MESSAGE_CHARS) -> str:
    """Plain text for a Markdown paragraph or table cell: one line, no markup, bounded."""
    flat = " ".join(str(value).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", html.escape(flat, quote=False))


def code(value: object) -> str:
    """An identifier as inline code, safe in a table cell and in HTML blocks."""
    return f"<code>{html.escape(str(value)).replace('|', '&#124;')}</code>"


def strength_cell(mutation: MutationStrength | None) -> str:
    """The strength as a table cell: never shown as current when it is stale."""
    if mutation is None:
        return "-"
    if mutation.strength is None:
        return "not measured"
    cell = f"{mutation.strength:.1%}"
    if mutation.stale:
        return f"{cell} (stale)"
    return f"{cell} (below {mutation.threshold:.0%})" if mutation.state == "below" else cell


def _verdict_table(results: Results, diff: Diff | None) -> list[str]:
    changed = {v.connector: v for v in diff.verdicts} if diff else {}
    strength = any(c.mutation is not None for c in results.connectors)
    header = "| | connector | verdict | score |" + (" strength |" if strength else "")
    header += " passed | failed | skipped | exempt |"
    lines = [header + (" change |" if diff else ""), "|---" * (8 + strength + bool(diff)) + "|"]
    for connector in results.connectors:
        counts = Counts.of(connector.checks)
        row = f"| {MARK[connector.verdict]} | {code(connector.name)} | {connector.verdict} "
        row += f"| {connector.score} |"
        row += f" {strength_cell(connector.mutation)} |" if strength else ""
        row += f" {counts.passed} | {counts.failed} | {counts.skipped} | {counts.exempt} |"
        if diff:
            change = changed.get(connector.name)
            row += f" {change.before or 'new'} → {change.after} |" if change else " |"
        lines.append(row)
    return lines


def _gaps(results: Results) -> list[str]:
    """Checks that cost score without failing (skipped without a reason from the provider facts),
    within a quarter of the comment budget so that the failing checks keep their room."""
    lines: list[str] = []
    used = omitted = 0
    for connector in results.connectors:
        if not connector.gaps:
            continue
        count = len(connector.gaps)
        shown = [
            f"{code(check_id)} {text(why, 160)}"
            for check_id, why in list(connector.gaps.items())[:GAPS_SHOWN]
        ]
        more = f"; … {count - GAPS_SHOWN} more in index.html" if count > GAPS_SHOWN else ""
        cost = f"{count} gap(s), {count * GAP_PENALTY} points"
        line = f"- {code(connector.name)}: {cost}: {'; '.join(shown)}{more}"
        if used + len(line) > COMMENT_LIMIT // 4:
            omitted += 1
            continue
        used += len(line) + 1
        lines.append(line)
    if omitted:
        lines.append(f"- … {omitted} more connector(s) with gaps: see index.html")
    if not lines:
        return []
    return [
        "",
        f"### Gaps: skipped without a reason from the provider facts ({GAP_PENALTY} points each)",
        "",
        *lines,
    ]


def _regressions(diff: Diff) -> list[str]:
    lines = ["", f"### Regressions since the baseline: {len(diff.regressed)}", ""]
    worse = [v for v in diff.verdicts if v.worse]
    for verdict in worse:
        lines.append(f"- {code(verdict.connector)} verdict {verdict.before} → **{verdict.after}**")
    for change in diff.regressed[:100]:
        lines.append(
            f"- {code(change.connector)} {code(change.check_id)} {change.before or 'absent'} → "
            f"**{change.after}**: {text(change.message)}"
        )
    if len(diff.regressed) > 100:
        lines.append(f"- … and {len(diff.regressed) - 100} more (see index.html)")
    if not worse and not diff.regressed:
        lines.append("None.")
    lines += ["", f"{len(diff.fixed)} fixed, {len(diff.new)} new, {len(diff.removed)} removed check(s)."]
    return lines


def _wire_value(value: str | None) -> str:
    return "(absent)" if value is None else code(value)


def _wire_group(fields: tuple[FieldChange, ...], steps: list[StepChange]) -> list[str]:
    named = ", ".join(code(step.where) for step in steps[:WIRE_STEPS_NAMED])
    if len(steps) > WIRE_STEPS_NAMED:
        named += f" and {len(steps) - WIRE_STEPS_NAMED} more"
    kind = steps[0].kind
    lead = {"added": "added (not in the baseline)", "removed": "removed (only in the baseline)"}.get(kind, "")
    lines = ["", f"{named}{' ' + lead if lead else ''}:", ""]
    if not fields:
        return lines[:-1]
    lines += ["| field | before | after |", "|---|---|---|"]
    for change in fields[:WIRE_FIELDS_SHOWN]:
        lines.append(f"| {code(change.field)} | {_wire_value(change.before)} | {_wire_value(change.after)} |")
    if len(fields) > WIRE_FIELDS_SHOWN:
        lines.append(f"| … {len(fields) - WIRE_FIELDS_SHOWN} more field(s) in index.html | | |")
    return lines


def _wire_connector(wire: ConnectorWire) -> list[str]:
    if wire.note:
        return [f"- {code(wire.connector)}: {text(wire.note)}, nothing to compare"]
    compared = sum(f.compared for f in wire.flows)
    if not wire.changed_steps:
        return [f"- {code(wire.connector)}: no change ({compared} step(s) compared)"]
    flows = ", ".join(wire.changed_flows)
    lines = [
        "",
        f"<details open><summary><b>{html.escape(wire.connector)}</b>: {wire.changed_steps} of {compared} "
        f"step(s) changed ({html.escape(flows)})</summary>",
    ]
    for flow in wire.flows:
        if not flow.steps:
            lines += ["", f"**{flow.flow}**: no change"]
            continue
        lines += ["", f"**{flow.flow}**: {len(flow.steps)} of {flow.compared} step(s) changed"]
        groups = flow.groups()
        for fields, steps in groups[:WIRE_GROUPS_SHOWN]:
            lines += _wire_group(fields, steps)
        if len(groups) > WIRE_GROUPS_SHOWN:
            hidden = sum(len(steps) for _, steps in groups[WIRE_GROUPS_SHOWN:])
            lines += ["", f"… {hidden} more changed step(s) of {flow.flow} in index.html"]
    lines += ["", "</details>"]
    return lines


def _wire(wire: WireDiff, budget: int) -> list[str]:
    """Per connector and flow, what is sent and understood differently from the baseline: the
    connectors with changes first (as long as the budget lasts), then those without."""
    changed = [c for c in wire.connectors if c.changed_steps]
    lines = [
        "",
        f"### Wire diff since the baseline: {wire.changed_steps} of {wire.compared_steps} step(s) changed",
        "",
        "What each scenario step sends (the masked request) and what the connector understood "
        "(the parsed outcome), before → after.",
    ]
    used = sum(len(line) + 1 for line in lines)
    omitted = 0
    for connector in changed:
        section = _wire_connector(connector)
        size = sum(len(line) + 1 for line in section)
        if used + size > budget:
            omitted += 1
            continue
        used += size
        lines += section
    quiet = [line for c in wire.connectors if not c.changed_steps for line in _wire_connector(c)]
    if quiet:
        lines += ["", *quiet]
    if omitted:
        lines += ["", f"{omitted} more connector(s) with wire changes: see index.html."]
    return lines


def _failing(connector: ConnectorResult) -> list[str]:
    failing = [c for c in connector.checks if c.failing]
    if not failing and connector.verdict != "error":
        return []
    lines = [
        "",
        f"<details><summary><b>{html.escape(connector.name)}</b>: {len(failing)} failing "
        f"({connector.verdict}, score {connector.score})</summary>",
        "",
    ]
    if connector.message:
        lines += [text(connector.message), ""]
    if failing:
        lines += ["| check | status | message | detail |", "|---|---|---|---|"]
        for check in failing[:PER_CONNECTOR]:
            lines.append(
                f"| {code(check.id)} | {check.status} | {text(check.message)} "
                f"| {text(failure_detail(check), 200)} |"
            )
        if len(failing) > PER_CONNECTOR:
            lines.append(f"| … | | {len(failing) - PER_CONNECTOR} more in index.html | |")
    lines += ["", "</details>"]
    return lines


def _mutation(connector: ConnectorResult) -> list[str]:
    """A refusal, a stale strength, and the survivors with their diffs, collapsed."""
    mutation = connector.mutation
    if mutation is None or not (mutation.refusal or mutation.stale or mutation.survivors):
        return []
    lines = ["", f"<details><summary><b>{html.escape(connector.name)}</b>: mutation strength "
             f"{html.escape(strength_cell(mutation))}, threshold {mutation.threshold:.0%}, "
             f"{len(mutation.survivors)} surviving mutant(s)</summary>", ""]  # fmt: skip
    if mutation.refusal:
        lines += [f"**Not certified** {text(mutation.refusal)}", ""]
    if mutation.stale:
        changed = text(", ".join(mutation.changed))
        lines += [f"Stale: {changed} changed since {text(mutation.measured_at)}.", ""]
    for survivor in mutation.survivors[:SURVIVORS_SHOWN]:
        diff_lines = survivor.diff.rstrip().splitlines()
        shown = "\n".join(diff_lines[:DIFF_LINES]) + ("\n…" if len(diff_lines) > DIFF_LINES else "")
        lines.append(f"- {code(f'{survivor.file}:{survivor.line}')} {text(survivor.family)}: "
                     f"{text(survivor.description)}")  # fmt: skip
        if shown.strip():
            lines += ["", f"<pre>{html.escape(shown)}</pre>", ""]
    if len(mutation.survivors) > SURVIVORS_SHOWN:
        lines.append(f"- … and {len(mutation.survivors) - SURVIVORS_SHOWN} more in index.html")
    lines += ["", "</details>"]
    return lines


def render_markdown(results: Results, *, diff: Diff | None = None, report_url: str = "") -> str:
    certified = sum(c.verdict == "certified" for c in results.connectors)
    total = len(results.connectors)
    if not total:  # an empty --changed-since selection or shard: nothing failed, nothing to show
        return "\n".join(
            [
                "## Connector certification: nothing selected",
                "",
                "No connector was selected for this run (nothing of any connector changed since the "
                "`--changed-since` reference, or the shard holds none), so none was certified or failed.",
                "",
            ]
        )
    mark = "✅" if certified == total and total else "❌"
    lines = [f"## {mark} Connector certification: {certified} of {total} certified", ""]
    if diff is not None and diff.has_regression:
        lines.append(
            f"**{len(diff.connectors_with_regressions())} connector(s) regressed since the baseline.**"
        )
        lines.append("")
    lines += _verdict_table(results, diff)
    lines += _gaps(results)
    if diff is not None:
        lines += _regressions(diff)
    if diff is not None and diff.wire is not None:
        lines += _wire(diff.wire, sum(len(line) + 1 for line in lines) + COMMENT_LIMIT // 3)
    failing_sections: list[str] = []
    omitted = 0
    used = sum(len(line) + 1 for line in lines)
    for connector in results.connectors:
        section = _failing(connector) + _mutation(connector)
        if not section:
            continue
        size = sum(len(line) + 1 for line in section)
        if used + size > COMMENT_LIMIT:
            omitted += 1
            continue
        used += size
        failing_sections += section
    if failing_sections:
        lines += ["", "### Failing checks", *failing_sections]
    if omitted:
        lines += ["", f"{omitted} more connector(s) with failing checks: see index.html."]
    footer = f"Full report: {report_url}" if report_url else "Full report: index.html in the report artifact."
    lines += ["", f"<sub>{html.escape(footer)} Results of {html.escape(results.generated_at)}.</sub>", ""]
    return "\n".join(lines)
