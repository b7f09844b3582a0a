"""`certify run` and `certify report` end to end on the shipped Stripe connector."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as ET

from harness.certify.results import Results
from tests.report.conftest import CANARY, CARD
from tests.report.html_tools import payloads

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")


def certify(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CERTIFY, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_run_writes_every_format_and_says_where_index_html_is(stripe_run):
    for name in ("results.json", "index.html", "junit.xml", "summary.md"):
        assert (stripe_run / name).is_file(), name
    assert list((stripe_run / "allure-results").glob("*-result.json"))
    stdout = (stripe_run.parent / "stdout.txt").read_text(encoding="utf-8")
    assert f"report: {stripe_run / 'index.html'}" in stdout.splitlines()
    # CI is set: plain progress lines, no terminal control sequences, no pytest dots
    checks = json.loads((stripe_run / "results.json").read_text())["connectors"][0]["checks"]
    passed = sum(1 for c in checks if c["status"] == "passed")
    skipped = sum(1 for c in checks if c["status"] == "skipped" and not c["exempt"])
    exempt = sum(1 for c in checks if c["status"] == "skipped" and c["exempt"])
    assert passed + skipped + exempt == len(checks) > 66  # every family, the provider facts included
    assert "certify: 1 connector(s), " in stdout
    # the counts of summary.md and index.html: exempt checks apart from skipped ones
    tally = f"{passed} passed, 0 failed, {skipped} skipped" + (f", {exempt} exempt" if exempt else "")
    assert f"[1/1] stripe: {len(checks)} checks ({tally})" in stdout
    score = json.loads((stripe_run / "results.json").read_text())["connectors"][0]["score"]
    assert score < 100  # Stripe's one sandbox exemption (capture_pending_then_psync) costs a gap
    assert f"stripe           certified      score {score:3}  {tally}" in stdout
    assert "\x1b[" not in stdout and "....." not in stdout
    junit = ET.parse(stripe_run / "junit.xml").getroot()
    assert junit.find("testsuite").get("name") == "stripe" and junit.get("tests") == str(len(checks))


def test_no_format_unmasks_a_secret(stripe_run):
    results = json.loads((stripe_run / "results.json").read_text(encoding="utf-8"))
    steps = [
        s for c in results["connectors"][0]["checks"] for s in c["details"].get("steps", []) if s["request"]
    ]
    assert steps and all(s["request"]["headers"]["Authorization"] == "***" for s in steps)
    texts = {
        str(path.relative_to(stripe_run)): path.read_text(encoding="utf-8")
        for path in stripe_run.rglob("*")
        if path.is_file()
    }
    assert len(texts) > 60  # the four files and the allure results
    texts["index.html payloads"] = json.dumps(payloads(texts["index.html"]))
    assert "Authorization" in texts["index.html payloads"]
    for name, text in texts.items():
        assert CANARY not in text, name
        assert "canary_7f3a9c" not in text, name
        assert CARD not in text, name


def test_allure_labels(stripe_run):
    found = {}
    for path in (stripe_run / "allure-results").glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        labels = {label["name"]: label["value"] for label in data["labels"]}
        found[data["name"]] = (data["status"], labels)
    status, labels = found["scenario:capture_full"]
    assert status == "passed"
    assert (labels["epic"], labels["feature"], labels["story"], labels["severity"]) == (
        "stripe",
        "Capture",
        "capture_full",
        "critical",
    )
    assert found["load"][1]["severity"] == "blocker"
    assert found["property:money:Authorize"][1]["feature"] == "Authorize"
    (exempt,) = [found[name] for name in found if name.startswith("lint:CFG003:")]  # one result a check
    assert exempt[0] == "skipped" and exempt[1]["severity"] == "critical"
    assert len(found) == len(json.loads((stripe_run / "results.json").read_text())["connectors"][0]["checks"])
    assert found["secrets:masked"][1]["story"] == "secrets"


def test_report_rerenders_and_compares(stripe_run, tmp_path):
    results = stripe_run / "results.json"
    same = certify(
        "report", "--results", str(results), "--baseline", str(results), "--report-dir", str(tmp_path)
    )
    assert same.returncode == 0, same.stderr
    assert "0 regressed" in same.stdout and f"report: {tmp_path / 'index.html'}" in same.stdout
    for name in ("results.json", "index.html", "junit.xml", "summary.md"):
        assert (tmp_path / name).is_file(), name

    worse = Results.read(results)
    check = next(c for c in worse.connectors[0].checks if c.id == "scenario:refund_full")
    check.status, check.message = "failed", "refund answered 500"
    worse.connectors[0].verdict = "not_certified"
    worse.write(tmp_path / "pr" / "results.json")
    regressed = certify(
        "report", "--results", str(tmp_path / "pr" / "results.json"), "--baseline", str(results)
    )
    assert regressed.returncode == 1, regressed.stdout + regressed.stderr
    assert "1 regressed" in regressed.stdout
    assert "regressed: stripe scenario:refund_full: refund answered 500" in regressed.stdout
    assert "verdict: stripe certified -> not_certified" in regressed.stdout
    summary = (tmp_path / "pr" / "summary.md").read_text(encoding="utf-8")
    assert "### Regressions since the baseline: 1" in summary

    fixed = certify("report", "--results", str(results), "--baseline", str(tmp_path / "pr" / "results.json"),
                    "--report-dir", str(tmp_path / "fixed"))  # fmt: skip
    assert fixed.returncode == 0 and "1 fixed" in fixed.stdout


def test_report_refuses_unreadable_files_with_one_line(stripe_run, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"schema_version": "0.1", "connectors": []}), encoding="utf-8")
    cases = [
        (["--results", str(tmp_path / "missing.json")], "results file not found"),
        (["--results", str(broken)], "not a results file"),
        (["--results", str(old)], "results schema version 0.1 is not 1.1"),
        (["--results", str(stripe_run / "results.json"), "--baseline", str(broken)], "--baseline"),
    ]
    for args, message in cases:
        result = certify("report", "--report-dir", str(tmp_path / "out"), *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, lines)
    assert not (tmp_path / "out").exists()


def test_run_refuses_an_unreadable_baseline_before_running(tmp_path):
    result = certify(
        "run", "stripe", "--report-dir", str(tmp_path), "--baseline", str(tmp_path / "nope.json")
    )
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.startswith("certify: --baseline: ") and "results file not found" in line, line
    assert not (tmp_path / "results.json").exists()


def test_every_command_shows_an_example_in_its_help():
    for command in ("list", "probe", "parse", "run", "report", "new"):
        result = certify(command, "--help")
        assert result.returncode == 0 and "Example: certify " + command in result.stdout, command
