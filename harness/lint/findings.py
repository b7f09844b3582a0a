"""Lint findings and suppressions, shared by every rule family."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Severity = Literal["critical", "warning", "suggestion"]
RULE_ID = r"[A-Z][A-Z0-9]*[0-9]"  # CFG003, V2I001
SUPPRESSION = re.compile(rf"#\s*certify:\s*ignore\[({RULE_ID}(?:\s*,\s*{RULE_ID})*)\]\s*(.*)$")
# rules whose findings no comment can exempt: a production URL pointing at a test host
NEVER_EXEMPT = frozenset({"CFG005"})


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    path: str
    line: int = 1
    col: int = 1
    hint: str = ""
    connector: str | None = None
    suppressed: bool = False
    suppression_reason: str | None = None
    source_line: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    end_line: int | None = None  # last line of the flagged expression (a suppression may sit there)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        message = self.message
        if self.suppressed:
            message += f" (exempt: {self.suppression_reason})"
        return f"{self.path}:{self.line}:{self.col}: {self.rule} {message}"

    @property
    def family(self) -> str:
        return self.rule.rstrip("0123456789")

    @property
    def blocking(self) -> bool:
        return self.severity == "critical" and not self.suppressed

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.rule)


@dataclass(frozen=True)
class Suppression:
    rules: tuple[str, ...]
    reason: str
    line: int
    col: int = 1


def suppressions_in(text: str) -> dict[int, Suppression]:
    """`# certify: ignore[RULE-ID] reason` comments by line number (1-based)."""
    found: dict[int, Suppression] = {}
    if "certify:" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        if "certify:" not in line:
            continue
        match = SUPPRESSION.search(line)
        if match:
            rules = tuple(r.strip() for r in match.group(1).split(","))
            found[number] = Suppression(rules, match.group(2).strip(), number, match.start() + 1)
    return found


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: dict[int, Suppression],
    *,
    path: str,
    connector: str | None = None,
    known_rules: Iterable[str] | None = None,
) -> list[Finding]:
    """Mark the findings a reasoned suppression on their line exempts; add the suppression findings.

    A suppression without a reason exempts nothing and is itself a finding (SUP001); one that
    names a rule the lint does not know is a suggestion (SUP002); a never-exempt rule stays.
    """
    out: list[Finding] = []
    for finding in findings:
        lines = range(finding.line, (finding.end_line or finding.line) + 1)
        suppression = next(
            (suppressions[n] for n in lines if n in suppressions and finding.rule in suppressions[n].rules),
            None,
        )
        if suppression is None or not suppression.reason:
            out.append(finding)
        elif finding.rule in NEVER_EXEMPT:
            out.append(replace(finding, message=f"{finding.message} (this rule cannot be exempted)"))
        else:
            out.append(replace(finding, suppressed=True, suppression_reason=suppression.reason))
    known = set(known_rules) if known_rules is not None else None
    for suppression in suppressions.values():
        if not suppression.reason:
            out.append(
                Finding(
                    "SUP001",
                    "warning",
                    f"suppression of {', '.join(suppression.rules)} gives no reason, so it exempts nothing",
                    path,
                    suppression.line,
                    suppression.col,
                    hint="write the reason after the bracket: # certify: ignore[RULE-ID] why",
                    connector=connector,
                )
            )
        unknown = [r for r in suppression.rules if known is not None and r not in known]
        if unknown:
            out.append(
                Finding(
                    "SUP002",
                    "suggestion",
                    f"suppression names unknown rule(s) {', '.join(unknown)}",
                    path,
                    suppression.line,
                    suppression.col,
                    hint="check the rule id against `certify lint --help` or the README's rules table",
                    connector=connector,
                )
            )
    return out


def quality_score(findings: Iterable[Finding]) -> int:
    """UCS's quality score: 100 - 20 per critical - 5 per warning - 1 per suggestion, floored at 0."""
    penalty = {"critical": 20, "warning": 5, "suggestion": 1}
    return max(100 - sum(penalty[f.severity] for f in findings if not f.suppressed), 0)


def score_band(score: int) -> str:
    """UCS's reading of the score: passes at 95 and above, passes with warnings 90-94, blocks below."""
    if score >= 95:
        return "passes"
    if score >= 90:
        return "passes with warnings"
    return "blocks"
