"""Config rules on UCS-format folders, suppressions, and the registry read without importing it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.execution import config as execution_config
from harness.lint import lint_config, lint_connector
from harness.lint.config_rules import ENVIRONMENTS, PLACEHOLDER, connectors_in, host_marker, weak_marker
from harness.lint.engine import registry_config_keys
from harness.lint.findings import Finding, quality_score, score_band
from tests.lint.test_rules import lint_files

FIXTURE = Path(__file__).parent / "fixtures" / "ucs_config"


def write_configs(directory: Path, development: str, sandbox: str, production: str) -> Path:
    for env, body in zip(ENVIRONMENTS, (development, sandbox, production), strict=True):
        (directory / f"{env}.toml").write_text(f"[connectors]\n{body}\n")
    return directory


def by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.rule, []).append(finding)
    return out


def test_the_constants_match_the_execution_config():
    assert ENVIRONMENTS == execution_config.ENVIRONMENTS
    assert PLACEHOLDER.pattern == execution_config.PLACEHOLDER.pattern


def test_the_fixture_has_one_finding_of_each_config_rule():
    findings = lint_config(FIXTURE)
    rules = by_rule(findings)
    assert sorted(f.connector for f in rules["CFG001"]) == ["nmi", "nmi", "worldpay", "worldpay"]
    assert {f.connector for f in rules["CFG002"]} == {"sanlam"}
    active_cfg003 = {f.connector for f in rules["CFG003"] if not f.suppressed}
    assert active_cfg003 == {"checkout", "razorpay"}
    assert [f.connector for f in rules["CFG004"]] == ["legacy"]
    assert sorted(f.connector for f in rules["CFG005"]) == ["checkout", "multisafepay"]
    assert [(f.connector, f.severity) for f in rules["CFG006"]] == [("getnet", "warning")]
    assert [f.connector for f in rules["SUP001"]] == ["razorpay"]
    for name in ("adyen", "paypal"):
        assert not [f for f in findings if f.connector == name]


def test_a_reasoned_suppression_exempts_and_the_reason_is_kept():
    stripe = [f for f in lint_config(FIXTURE) if f.connector == "stripe"]
    assert len(stripe) == 1 and stripe[0].suppressed
    assert stripe[0].suppression_reason == "one host for test and live; the key selects the mode"
    assert "(exempt: one host" in stripe[0].text()


def test_a_suppression_without_reason_exempts_nothing_and_is_a_finding():
    razorpay = by_rule([f for f in lint_config(FIXTURE) if f.connector == "razorpay"])
    assert not razorpay["CFG003"][0].suppressed
    assert razorpay["SUP001"][0].severity == "warning"


def test_a_production_url_on_a_test_host_is_never_exempt():
    multisafepay = by_rule([f for f in lint_config(FIXTURE) if f.connector == "multisafepay"])
    assert multisafepay["CFG003"][0].suppressed
    never = multisafepay["CFG005"][0]
    assert not never.suppressed and never.severity == "critical"
    assert "cannot be exempted" in never.message


def test_findings_point_at_the_key_and_show_the_line():
    checkout = next(f for f in lint_config(FIXTURE) if f.connector == "checkout" and f.rule == "CFG005")
    line = (FIXTURE / "production.toml").read_text().splitlines()[checkout.line - 1]
    assert line.startswith("checkout.base_url")
    assert line[checkout.col - 1 :].startswith('"https://api.sandbox.checkout.com/"')
    assert checkout.source_line == line.strip()


def test_the_registry_of_a_foreign_config_is_its_own_files():
    assert connectors_in(FIXTURE) == sorted(
        [
            *("adyen", "paypal", "checkout", "stripe", "razorpay", "sanlam"),
            *("legacy", "getnet", "multisafepay", "nmi", "worldpay"),
        ]
    )


def test_a_registered_connector_missing_from_the_files_is_cfg001(tmp_path):
    write_configs(tmp_path, 'a.base_url = "https://a.test.example/"', "", "")
    findings = lint_config(tmp_path, ["b"])
    assert [(f.rule, f.connector) for f in findings] == [("CFG001", "b")] * 3


def test_table_style_and_inline_entries_are_read(tmp_path):
    (tmp_path / "development.toml").write_text(
        '[connectors]\nacme = { base_url = "https://sandbox.acme.example/" }\n'
    )
    (tmp_path / "sandbox.toml").write_text('[connectors.acme]\nbase_url = "https://sandbox.acme.example/"\n')
    (tmp_path / "production.toml").write_text(
        '[connectors.acme]\nbase_url = "https://sandbox.acme.example/"\n'
    )
    findings = by_rule(lint_config(tmp_path))
    assert [f.line for f in findings["CFG005"]] == [2]
    assert set(findings) == {"CFG003", "CFG005"}


def test_secondary_urls_are_checked_too(tmp_path):
    write_configs(
        tmp_path,
        'a.base_url = "https://api.a.example/"\na.secondary_base_url = "https://id.sandbox.a.example/"',
        'a.base_url = "https://api.sandbox.a.example/"\na.secondary_base_url = "https://id.sandbox.a.example/"',
        'a.base_url = "https://api.a.example/"\na.secondary_base_url = "https://id.sandbox.a.example/"',
    )
    findings = lint_config(tmp_path)
    assert {(f.rule, f.line) for f in findings} == {("CFG003", 3), ("CFG005", 3)}


def test_placeholders_are_fine(tmp_path):
    write_configs(
        tmp_path,
        'a.base_url = "https://checkout-test.a.example/"',
        'a.base_url = "https://checkout-test.a.example/"',
        'a.base_url = "https://{{merchant_endpoint_prefix}}-checkout-live.a.example/"',
    )
    assert lint_config(tmp_path) == []


@pytest.mark.parametrize(
    ("url", "marker"),
    [
        ("https://api.sandbox.checkout.com/", "sandbox"),
        ("https://apitest.authorize.net/xml/v1/request.api", "test"),
        ("https://checkout-test.adyen.com/", "test"),
        ("https://cert.api.fiservapps.com/", "cert"),
        ("https://staging.ptranz.com/api", "staging"),
        ("https://api-sbx.globalgetnet.com", "sbx"),
        ("https://checkoutsandbox.example/", "sandbox"),
        ("https://api-m.paypal.com/", None),
        ("https://api.latest-payments.example/", None),
        ("https://{{prefix}}-checkout-live.adyenpayments.com/", None),
    ],
)
def test_host_markers(url, marker):
    assert host_marker(url) == marker


def test_weak_markers():
    assert weak_marker("https://api.pre.globalgetnet.com") == "pre"
    assert weak_marker("https://api.stripe.com") is None


def test_missing_and_malformed_files_are_cfg000(tmp_path):
    (tmp_path / "development.toml").write_text("[connectors\n")
    findings = lint_config(tmp_path)
    assert [f.rule for f in findings] == ["CFG000"] * 3
    assert "cannot read development.toml" in findings[0].message
    assert "sandbox.toml is missing" in findings[1].message


def test_lint_connector_keeps_its_own_config_findings(tmp_path):
    write_configs(
        tmp_path,
        'a.base_url = "https://x.example/"\nb.base_url = "https://x.example/"',
        'a.base_url = "https://x.example/"\nb.base_url = "https://x.example/"',
        'a.base_url = "https://x.example/"\nb.base_url = "https://x.example/" # certify: ignore[CFG003]',
    )
    findings = lint_connector("alpha", config_key="a", source_dir=None, config_dir=tmp_path)
    assert [(f.rule, f.connector) for f in findings] == [("CFG003", "alpha")]


def test_source_suppressions(tmp_path):
    code = (
        "def major(amount):\n"
        "    return amount.value / 100  # certify: ignore[AMT005] the report API wants major units\n"
        "def minor(amount):\n"
        "    return amount.value * 100  # certify: ignore[AMT005]\n"
        "def other(amount):\n"
        "    return amount.value * 1000  # certify: ignore[XYZ123] wrong id\n"
    )
    findings = by_rule(lint_files(tmp_path, {"transformers.py": code}))
    amt = sorted(findings["AMT005"], key=lambda f: f.line)
    assert [(f.line, f.suppressed) for f in amt] == [(2, True), (4, False), (6, False)]
    assert amt[0].suppression_reason == "the report API wants major units"
    assert [f.line for f in findings["SUP001"]] == [4]
    assert [(f.line, f.severity) for f in findings["SUP002"]] == [(6, "suggestion")]


def test_a_suppression_on_the_last_line_of_a_multiline_expression_counts(tmp_path):
    code = (
        "def major(amount):\n"
        "    return (\n"
        "        amount.value\n"
        "        / 100\n"
        "    )  # certify: ignore[AMT005] documented exception\n"
    )
    findings = lint_files(tmp_path, {"transformers.py": code})
    assert [(f.rule, f.suppressed) for f in findings] == [("AMT005", True)]


def test_score_and_bands():
    def finding(severity, suppressed=False):
        return Finding("X001", severity, "m", "p", suppressed=suppressed)

    assert quality_score([finding("critical"), finding("warning"), finding("suggestion")]) == 74
    assert quality_score([finding("critical", suppressed=True)]) == 100
    assert quality_score([finding("critical")] * 6) == 0
    assert [score_band(s) for s in (100, 95, 94, 90, 89)] == [
        "passes",
        "passes",
        "passes with warnings",
        "passes with warnings",
        "blocks",
    ]


def test_the_registry_is_read_without_importing_it(root, monkeypatch):
    monkeypatch.setenv("CERTIFY_EXTRA_CONNECTORS", "double=tests.certify.broken:SameProductionUrl")
    keys = registry_config_keys(root)
    assert keys["stripe"] == "stripe"
    assert keys["double"] == "stripe"  # its base_url_key


def test_rule_ids_are_stable_and_well_formed():
    from harness.lint import RULES

    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9]{2}\d{3}", rule_id)
        assert rule.severity in ("critical", "warning", "suggestion")
        assert rule.title and rule.hint


def test_a_suppression_names_ids_with_digits_inside(tmp_path):
    code = "import requests  # certify: ignore[V2I001] vendored for a type only, never called\n"
    findings = lint_files(tmp_path, {"transformers.py": code})
    assert [(f.rule, f.suppressed) for f in findings] == [("V2I001", True)]


def test_the_readme_lists_every_rule_with_its_severity(root):
    from harness.lint import RULES

    readme = (root / "README.md").read_text()
    listed = dict(re.findall(r"^\| `([A-Z][A-Z0-9]{2}\d{3})` \| (\w+) \|", readme, re.M))
    assert listed == {rule_id: rule.severity for rule_id, rule in RULES.items()}
