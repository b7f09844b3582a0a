"""summary.md: a pull-request comment. Verdict table, regressions first (with a baseline), then
the failing checks per connector in collapsed sections; kept under GitHub's comment size limit."""

from __future__ import annotations

import html
import re

from harness.certify.results import ConnectorResult, Results
from harness.defaults import SUMMARY_COMMENT_LIMIT
from harness.report.views import Counts, Diff, failure_detail

COMMENT_LIMIT = SUMMARY_COMMENT_LIMIT
PER_CONNECTOR = 25
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


def _verdict_table(results: Results, diff: Diff | None) -> list[str]:
    changed = {v.connector: v for v in diff.verdicts} if diff else {}
    header = "| | connector | verdict | score | passed | failed | skipped | exempt |"
    lines = [header + (" change |" if diff else ""), "|---" * (8 + bool(diff)) + "|"]
    for connector in results.connectors:
        counts = Counts.of(connector.checks)
        row = (
            f"| {MARK[connector.verdict]} | {code(connector.name)} | {connector.verdict} | {connector.score} "
            f"| {counts.passed} | {counts.failed} | {counts.skipped} | {counts.exempt} |"
        )
        if diff:
            change = changed.get(connector.name)
            row += f" {change.before or 'new'} → {change.after} |" if change else " |"
        lines.append(row)
    return lines


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
    if diff is not None:
        lines += _regressions(diff)
    failing_sections: list[str] = []
    omitted = 0
    used = sum(len(line) + 1 for line in lines)
    for connector in results.connectors:
        section = _failing(connector)
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
