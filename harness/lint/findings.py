"""Lint findings and suppressions, shared by every rule family."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "warning", "suggestion"]
SUPPRESSION = re.compile(r"#\s*certify:\s*ignore\[([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)\]\s*(.*)$")


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule} {self.message}"


@dataclass(frozen=True)
class Suppression:
    rules: tuple[str, ...]
    reason: str
    line: int


def suppressions_in(text: str) -> dict[int, Suppression]:
    """`# certify: ignore[RULE-ID] reason` comments by line number (1-based)."""
    found: dict[int, Suppression] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = SUPPRESSION.search(line)
        if match:
            rules = tuple(r.strip() for r in match.group(1).split(","))
            found[number] = Suppression(rules, match.group(2).strip(), number)
    return found
