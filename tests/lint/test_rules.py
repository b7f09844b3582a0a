"""Every source rule flags its violating snippet and passes the clean one; the baseline is clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.lint import RULES
from harness.lint.engine import connector_files, lint_sources
from harness.lint.findings import Finding
from tests.lint.snippets import BASELINE, CASES, NEAR_MISSES, Case, Files, variant


def write_connector(root: Path, files: Files, name: str = "demo") -> Path:
    package = root / "connectors" / name
    package.mkdir(parents=True, exist_ok=True)
    (root / "connectors" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    for file, text in files.items():
        (package / file).write_text(text)
    return package


def lint_files(root: Path, files: Files, name: str = "demo") -> list[Finding]:
    package = write_connector(root, files, name)
    return lint_sources(connector_files(package), name=name)


def rules_of(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings if not f.suppressed}


def test_the_baseline_connector_is_clean(tmp_path):
    findings = lint_files(tmp_path, BASELINE)
    assert findings == [], "\n".join(f.text() for f in findings)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_violation_is_flagged(case: Case, tmp_path):
    findings = lint_files(tmp_path, case.bad)
    assert case.rule in rules_of(findings), "\n".join(f.text() for f in findings) or "no findings"
    finding = next(f for f in findings if f.rule == case.rule)
    assert finding.severity == RULES[case.rule].severity
    assert finding.connector == "demo"
    assert finding.hint
    assert finding.source_line, "the finding shows its source line"
    assert finding.path.endswith(".py") and finding.line >= 1 and finding.col >= 1


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_clean_variant_passes(case: Case, tmp_path):
    findings = lint_files(tmp_path, case.good)
    assert case.rule not in rules_of(findings), "\n".join(f.text() for f in findings)


def test_every_source_rule_has_a_case():
    source_rules = {r for r in RULES if not r.startswith(("CFG", "SUP", "SRC"))}
    assert source_rules == {c.rule for c in CASES}


def test_a_finding_points_at_the_offending_expression(tmp_path):
    files = dict(BASELINE)
    files["transformers.py"] = files["transformers.py"].replace(
        "value=ctx.amount(request.amount, request.currency)", "value=request.amount.value"
    )
    finding = next(f for f in lint_files(tmp_path, files) if f.rule == "CNV003")
    line = files["transformers.py"].splitlines()[finding.line - 1]
    assert line[finding.col - 1 :].startswith("request.amount.value")
    assert "Authorize" in finding.message and "'amount.value'" in finding.message


def test_columns_count_characters_not_bytes(tmp_path):
    code = "def major(amount):\n    note = 'montant à payer'; return amount.value / 100\n"
    finding = next(f for f in lint_files(tmp_path, {"transformers.py": code}) if f.rule == "AMT005")
    line = code.splitlines()[1]
    assert line[finding.col - 1 :].startswith("amount.value / 100")


def test_a_syntax_error_is_an_unreadable_source_finding(tmp_path):
    findings = lint_files(tmp_path, {"transformers.py": "def broken(:\n    pass\n"})
    assert [f.rule for f in findings] == ["SRC000"]
    assert findings[0].severity == "critical" and findings[0].line == 1


def test_a_connector_deriving_from_another_connector_reads_its_table(tmp_path):
    """A Stripe-style test double: flows derived with {**Base.flows, ...: replace(...)}."""
    write_connector(tmp_path, BASELINE, "demo")
    double = (
        "from dataclasses import replace\nfrom typing import ClassVar\n\n"
        "from connectors.demo.connector import Demo\nfrom harness.domain import Flow\n\n\n"
        "def pay_request(rd, ctx):\n    return {'amount': {'value': rd.request.amount.value}}\n\n\n"
        "class Double(Demo):\n    id = 'double'\n"
        "    flows: ClassVar = {**Demo.flows, Flow.AUTHORIZE: replace(Demo.flows[Flow.AUTHORIZE], "
        "build_request=pay_request)}\n"
    )
    findings = lint_files(tmp_path, {"connector.py": double}, "double")
    assert rules_of(findings) == {"CNV003"}, "\n".join(f.text() for f in findings)
    assert findings[0].path.endswith("double/connector.py")


def test_shipped_connectors_have_no_critical_finding(root):
    for package in sorted((root / "connectors").iterdir()):
        if package.is_dir() and (package / "connector.py").exists():
            findings = lint_sources(connector_files(package), name=package.name)
            assert not [f for f in findings if f.blocking], "\n".join(f.text() for f in findings)


@pytest.mark.parametrize(
    ("rule", "files"), NEAR_MISSES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(NEAR_MISSES)]
)
def test_near_misses_pass(rule, files, tmp_path):
    findings = lint_files(tmp_path, files)
    assert rule not in rules_of(findings), "\n".join(f.text() for f in findings)


def test_an_unknown_status_mapped_to_failure_outside_error_parsing_is_flagged(tmp_path):
    code = (
        "from harness.domain import AttemptStatus\n\nSTATUS = {'ok': AttemptStatus.CHARGED}\n\n"
        "def payment_status(raw):\n    return STATUS.get(raw, AttemptStatus.FAILURE)\n"
    )
    assert "STS002" in rules_of(lint_files(tmp_path, {"transformers.py": code}))


def test_names_resolve_across_files_without_init_files(tmp_path):
    """Namespace packages (no __init__.py): connector.py still finds transformers.py."""
    package = tmp_path / "connectors" / "demo"
    package.mkdir(parents=True)
    files = variant("value=ctx.amount(request.amount, request.currency)", "value=request.amount.value")
    for name, text in files.items():
        (package / name).write_text(text)
    findings = lint_sources(connector_files(package), name="demo")
    assert "CNV003" in rules_of(findings)
