"""`certify lint` through the real console script: formats, exit codes, --config-dir, --output."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from harness.lint import RULES
from tests.lint.snippets import BASELINE, variant
from tests.lint.test_rules import write_connector

FIXTURE = Path(__file__).parent / "fixtures" / "ucs_config"
TEXT_LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[A-Z][A-Z0-9]{2}\d{3}) (?P<msg>.+)$"
)


def lint(certify_exe, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*certify_exe, "lint", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_project_lints_clean_in_text(certify_exe, root):
    result = lint(certify_exe, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    findings = [m for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m]
    assert [m["rule"] for m in findings] == ["CFG003"]  # Stripe's one host, exempt with its reason
    assert "(exempt: Stripe serves test and live mode from one host" in result.stdout
    assert re.search(r"^stripe\s+100\s+passes$", result.stdout, re.M)


def test_text_lines_are_path_line_col_id_message(certify_exe, tmp_path):
    files = variant("value=ctx.amount(request.amount, request.currency)", "value=request.amount.value")
    package = write_connector(tmp_path, files)
    result = lint(certify_exe, str(package), cwd=tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if TEXT_LINE.match(line)]
    source = files["transformers.py"].splitlines()
    number = next(i for i, text in enumerate(source, start=1) if "value=request.amount.value" in text)
    col = source[number - 1].index("request.amount.value") + 1
    assert lines == [
        f"connectors/demo/transformers.py:{number}:{col}: CNV003 Authorize: amount field 'amount.value' is "
        "filled from `request.amount.value`, not ctx.amount(...)"
    ]
    assert re.search(r"^demo\s+80\s+blocks$", result.stdout, re.M)


def test_json_has_one_object_per_finding(certify_exe, root):
    result = lint(certify_exe, "--format", "json", "--config-dir", str(FIXTURE), cwd=root)
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert {"rule", "severity", "path", "line", "col", "message", "connector", "hint", "suppressed"} <= set(
        findings[0]
    )
    exempt = [f for f in findings if f["suppressed"]]
    assert {(f["rule"], f["connector"]) for f in exempt} == {("CFG003", "stripe"), ("CFG003", "multisafepay")}
    assert all(f["suppression_reason"] for f in exempt)
    assert "checkout" in result.stderr and "score" in result.stderr  # the scores go to stderr with json


def test_config_dir_on_a_ucs_fixture(certify_exe, root):
    result = lint(certify_exe, "--config-dir", str(FIXTURE), cwd=root)
    assert result.returncode == 1
    rules = {m["rule"] for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m}
    assert rules == {"CFG001", "CFG002", "CFG003", "CFG004", "CFG005", "CFG006", "SUP001"}
    assert not re.search(r"^stripe\s", result.stdout, re.M) or re.search(
        r"^stripe\s+100", result.stdout, re.M
    )
    assert re.search(r"^checkout\s+60\s+blocks$", result.stdout, re.M)
    assert re.search(r"^getnet\s+95\s+passes$", result.stdout, re.M)
    assert "connectors/" not in result.stdout  # --config-dir alone lints no source


def test_sarif_to_a_file(certify_exe, root, tmp_path):
    out = tmp_path / "reports" / "lint.sarif"
    result = lint(
        certify_exe, "--format", "sarif", "--output", str(out), "--config-dir", str(FIXTURE), cwd=root
    )
    assert result.returncode == 1
    assert "score" in result.stdout and not result.stdout.lstrip().startswith("{")
    log = json.loads(out.read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]


def test_only_warnings_exit_zero(certify_exe, tmp_path):
    package = write_connector(tmp_path, {**BASELINE, "extra.py": "def show(model):\n    print(model)\n"})
    result = lint(certify_exe, str(package), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "PII004" in result.stdout and re.search(r"^demo\s+95\s+passes$", result.stdout, re.M)


@pytest.mark.parametrize(
    ("setup", "needle"),
    [
        (lambda d: (d / "bad.py").write_text("def broken(:\n"), "bad.py:1: cannot parse"),
        (lambda d: (d / "bad.py").write_bytes(b"x = '\xff\xfe'\n"), "bad.py: cannot read"),
        (lambda d: None, "missing: no such file or folder"),
    ],
    ids=["syntax", "encoding", "missing"],
)
def test_unreadable_input_exits_2_with_one_line(certify_exe, tmp_path, setup, needle):
    setup(tmp_path)
    target = "missing" if needle.startswith("missing") else "bad.py"
    result = lint(certify_exe, target, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_a_config_dir_missing_a_file_exits_2(certify_exe, tmp_path):
    (tmp_path / "development.toml").write_text("[connectors]\n")
    result = lint(certify_exe, "--config-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and re.search(r"(sandbox|production)\.toml is missing", result.stderr)
    assert len(result.stderr.splitlines()) == 1
    result = lint(certify_exe, "--config-dir", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2 and "not a folder" in result.stderr


def test_nothing_to_lint_exits_2(certify_exe, tmp_path):
    result = lint(certify_exe, cwd=tmp_path)
    assert result.returncode == 2 and "nothing to lint" in result.stderr


def test_a_bad_format_is_a_usage_error(certify_exe, tmp_path):
    result = lint(certify_exe, "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2 and "xml" in result.stderr


def test_list_rules(certify_exe, tmp_path):
    result = lint(certify_exe, "--list-rules", cwd=tmp_path)
    assert result.returncode == 0
    assert {line.split()[0] for line in result.stdout.splitlines()} == set(RULES)


def test_pre_commit_hooks_file(root):
    import yaml

    hooks = {hook["id"]: hook for hook in yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"certify-lint", "certify-lint-config"}
    for hook in hooks.values():
        assert hook["entry"].startswith("certify lint") and hook["language"] == "python"
        assert {"name", "description", "files"} <= set(hook)
    source = re.compile(hooks["certify-lint"]["files"])
    assert source.search("connectors/stripe/transformers.py")
    assert source.search("config/production.toml")
    assert not source.search("tests/connectors/test_stripe.py")
    config = re.compile(hooks["certify-lint-config"]["files"])
    assert config.search("config/sandbox.toml") and not config.search("Cargo.toml")


def test_the_hook_runs_on_the_files_pre_commit_passes(certify_exe, root):
    """pre-commit passes changed files: a connector file lints its package, a config file its folder."""
    result = lint(certify_exe, "connectors/stripe/transformers.py", "config/production.toml", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^stripe\s+100\s+passes$", result.stdout, re.M)
