"""The rule catalog: every rule of the checklist with its id, severity, title and fix hint.

Each family module declares its rules with `rule(...)` at import; the SARIF writer, the
README table and the suppression check (an unknown id is SUP002) read `RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.lint.findings import Finding, Severity

FAMILIES: dict[str, str] = {
    "V2I": "V2 interface only",
    "AMT": "Amounts as MinorUnit",
    "CNV": "Amount converter declared and used",
    "CUR": "Currency as the Currency enum",
    "REF": "Reference ids from router data",
    "UNW": "No unwrap equivalents",
    "PII": "PII and credentials in Secret",
    "STS": "Status mapping",
    "CRD": "No hard-coded credentials",
    "CFG": "Environment config",
    "SUP": "Suppressions",
    "SRC": "Readable source",
}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # one line: what the rule forbids or requires
    hint: str  # how to fix a finding

    @property
    def family(self) -> str:
        return self.id.rstrip("0123456789")

    def finding(
        self,
        path: str,
        line: int = 1,
        col: int = 1,
        *,
        message: str | None = None,
        hint: str | None = None,
        connector: str | None = None,
        source_line: str | None = None,
        end_line: int | None = None,
    ) -> Finding:
        return Finding(
            self.id,
            self.severity,
            message or self.title,
            path,
            line,
            col,
            hint=hint or self.hint,
            connector=connector,
            source_line=source_line,
            end_line=end_line,
        )


RULES: dict[str, Rule] = {}


def rule(id: str, severity: Severity, title: str, hint: str) -> Rule:
    if id in RULES:
        raise ValueError(f"rule {id} is declared twice")
    declared = Rule(id, severity, title, hint)
    RULES[id] = declared
    return declared


# rules that belong to no family module
SRC000 = rule(
    "SRC000",
    "critical",
    "source file cannot be read or parsed",
    "fix the syntax error (python -m py_compile FILE)",
)
SUP001 = rule(
    "SUP001",
    "warning",
    "suppression without a reason",
    "write the reason after the bracket: # certify: ignore[RULE-ID] why",
)
SUP002 = rule(
    "SUP002",
    "suggestion",
    "suppression names a rule the lint does not know",
    "check the rule id against the README's rules table",
)
