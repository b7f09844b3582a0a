"""The reviewer's wire diff: per connector and flow, the masked request and the parsed outcome of
each scenario step before (the baseline's results.json) and after, in summary.md and index.html.

The pull request here renames the amount field of every Authorize request, drops a header and
changes what one capture is understood as; the diff must show exactly those changes. Canary
secrets planted unmasked in both results files never reach the diff.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.certify.results import Results
from harness.report.wirediff import wire_diff
from tests.report.conftest import CANARY, CARD
from tests.report.factory import connector, scenario, step
from tests.report.html_tools import parse

ROOT = Path(__file__).resolve().parents[2]
CERTIFY = str(Path(sys.executable).parent / "certify")
KEY_CANARY = "sk_test_51WireDiffCanary7f3a9c0b1d2e"  # the shape of a Stripe secret key
OPAQUE_CANARY = "opaque7merchant7token7Q2x"  # no secret's shape: masked only for its header's name
CARD_CANARY = "4000056655665556"  # a published Visa test number: structure alone must mask it
ROW = re.compile(r"^\| <code>(?P<field>[^<]+)</code> \| (?P<before>.+?) \| (?P<after>.+?) \|$")


def _steps(*names_flows: tuple[str, str]) -> list[dict[str, Any]]:
    out = []
    for name, flow in names_flows:
        item = step(name, flow, status="Authorized" if flow == "Authorize" else "Charged")
        item["request"]["headers"]["Api-Version"] = "2024-06-20"
        item["request"]["headers"]["User-Agent"] = "certify/1"  # transport: never compared
        out.append(item)
    return out


def baseline_results() -> Results:
    acme = connector(
        "acme",
        [
            scenario("authorize_manual_capture", "Authorize", steps=_steps(("authorize", "Authorize"))),
            scenario(
                "capture_full", "Capture", steps=_steps(("authorize", "Authorize"), ("capture", "Capture"))
            ),
            scenario("void_authorized", "Void", steps=_steps(("authorize", "Authorize"), ("void", "Void"))),
        ],
    )
    quiet = connector("quiet", [scenario("capture_full", "Capture", steps=_steps(("capture", "Capture")))])
    return Results(connectors=[acme, quiet])


def pull_request_results(baseline: Results) -> Results:
    """The same run after a pull request: `amount` renamed `amount_minor` on Authorize, the
    Api-Version header dropped everywhere, the full capture now read as Pending, the void
    scenario's void step gone and a refund step added to the capture scenario."""
    after = baseline.model_copy(deep=True)
    for check in after.connector("acme").checks:
        steps = check.details["steps"]
        for item in steps:
            item["request"]["headers"].pop("Api-Version")
            if item["flow"] == "Authorize":
                item["request"]["body"]["amount_minor"] = item["request"]["body"].pop("amount")
            if check.scenario == "capture_full" and item["step"] == "capture":
                item["outcome"]["status"] = "Pending"
        if check.scenario == "void_authorized":
            check.details["steps"] = steps[:1]
        if check.scenario == "capture_full":
            refund = copy.deepcopy(steps[1])
            refund.update(step="refund", flow="Refund", outcome={"status": "Success", "amount": 1000})
            steps.append(refund)
    return after


def plant_canaries(results: Results) -> Results:
    """Secrets where a careless results file could carry them: a credential header, a card
    number under a secret key and under an innocent one, an error message echoing both."""
    planted = results.model_copy(deep=True)
    for item in planted.connector("acme").checks[0].details["steps"]:
        item["request"]["headers"]["Authorization"] = f"Bearer {KEY_CANARY}"
        item["request"]["headers"]["X-Merchant-Key"] = KEY_CANARY
        item["request"]["headers"]["X-Api-Token"] = OPAQUE_CANARY
        item["request"]["body"]["card"]["number"] = CARD_CANARY
        item["request"]["body"]["note"] = f"card {CARD_CANARY} key {KEY_CANARY} {CANARY} {CARD}"
        item["outcome"]["error"] = {"code": "card_declined", "message": f"{CARD_CANARY} declined"}
    return planted


def write(results: Results, path: Path) -> Path:
    path.write_text(results.model_dump_json(indent=2), encoding="utf-8")
    return path


def certify(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CERTIFY, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def wire_section(summary: str) -> str:
    assert "### Wire diff since the baseline" in summary, summary
    return summary.split("### Wire diff since the baseline", 1)[1].split("\n### ", 1)[0]


def markdown_rows(section: str) -> set[tuple[str, str, str]]:
    return {
        (match["field"], match["before"], match["after"])
        for match in map(ROW.match, section.splitlines())
        if match and match["field"] != "field"
    }


EXPECTED_AUTHORIZE = {
    ("request.headers.api-version", "<code>2024-06-20</code>", "(absent)"),
    ("request.body.amount", "<code>1000</code>", "(absent)"),
    ("request.body.amount_minor", "(absent)", "<code>1000</code>"),
}
EXPECTED_CAPTURE = {
    ("request.headers.api-version", "<code>2024-06-20</code>", "(absent)"),
    ("outcome.status", "<code>&quot;Charged&quot;</code>", "<code>&quot;Pending&quot;</code>"),
}


def test_summary_and_html_show_exactly_the_changed_fields(tmp_path: Path):
    before = write(baseline_results(), tmp_path / "main.json")
    after = write(pull_request_results(baseline_results()), tmp_path / "pr.json")
    result = certify(
        "report", "--results", str(after), "--baseline", str(before), "--report-dir", str(tmp_path / "r")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "; wire: 6 of 7 scenario step(s) changed" in result.stdout

    summary = (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")
    section = wire_section(summary)
    assert section.startswith(": 6 of 7 step(s) changed")
    acme = section.split("<b>acme</b>", 1)[1].split("</details>", 1)[0]
    flows = {name: body for name, body in re.findall(r"\*\*(\w+)\*\*: (.*?)(?=\n\*\*|\Z)", acme, re.S)}
    assert set(flows) == {"Authorize", "Capture", "Void", "Refund"}
    assert markdown_rows(flows["Authorize"]) == EXPECTED_AUTHORIZE
    assert flows["Authorize"].startswith("3 of 3 step(s) changed")
    assert markdown_rows(flows["Capture"]) == EXPECTED_CAPTURE
    assert (
        "removed (only in the baseline)" in flows["Void"]
        and "<code>void_authorized/void</code>" in flows["Void"]
    )
    assert (
        "added (not in the baseline)" in flows["Refund"]
        and "<code>capture_full/refund</code>" in flows["Refund"]
    )
    assert "user-agent" not in section  # a transport header says nothing about the connector
    # the untouched connector: one line, no table
    assert "- <code>quiet</code>: no change (1 step(s) compared)" in section

    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    wire_html = page.split('id="wire"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(
        r'<tr class="w-(\w+)"><td><code>([^<]+)</code></td><td>(.*?)</td><td>(.*?)</td></tr>', wire_html
    )
    authorize_block = wire_html.split('data-flow="Authorize"', 1)[1].split('data-flow="Capture"', 1)[0]
    assert {r[1] for r in re.findall(r'<tr class="w-(\w+)"><td><code>([^<]+)</code>', authorize_block)} == {
        "request.headers.api-version",
        "request.body.amount",
        "request.body.amount_minor",
    }
    assert (
        "changed",
        "outcome.status",
        "<code>&#34;Charged&#34;</code>",
        "<code>&#34;Pending&#34;</code>",
    ) in rows
    assert ("removed", "request.body.amount", "<code>1000</code>", "<i>absent</i>") in rows
    assert 'data-c="quiet"' in wire_html and "no change" in wire_html.split('data-c="quiet"', 1)[1]
    assert "user-agent" not in wire_html
    parse(page)  # well-formed enough for the browser's parser


def test_no_change_and_no_baseline(tmp_path: Path):
    same = write(baseline_results(), tmp_path / "same.json")
    result = certify(
        "report", "--results", str(same), "--baseline", str(same), "--report-dir", str(tmp_path / "a")
    )
    assert result.returncode == 0, result.stderr
    section = wire_section((tmp_path / "a" / "summary.md").read_text(encoding="utf-8"))
    assert "0 of 6 step(s) changed" in section
    assert "- <code>acme</code>: no change (5 step(s) compared)" in section
    assert "<details" not in section

    result = certify("report", "--results", str(same), "--report-dir", str(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    assert "Wire diff" not in (tmp_path / "b" / "summary.md").read_text(encoding="utf-8")
    assert 'id="wire"' not in (tmp_path / "b" / "index.html").read_text(encoding="utf-8")


def test_canary_secrets_never_reach_the_diff(tmp_path: Path):
    """Planted on the pull request's side only, so that each secret field is a change the diff shows.
    The key with no key shape (CANARY) is known only as the value of a credential variable, as in CI."""
    before = write(baseline_results(), tmp_path / "main.json")
    after = write(plant_canaries(pull_request_results(baseline_results())), tmp_path / "pr.json")
    result = certify(
        "report", "--results", str(after), "--baseline", str(before), "--report-dir", str(tmp_path / "r"),
        env={"STRIPE_API_KEY": CANARY},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    wire_html = page.split('id="wire"', 1)[1].split("</section>", 1)[0]
    rows = markdown_rows(wire_section(summary))
    # the secret-bearing fields are shown as changes, masked
    secret_fields = ("request.headers.authorization", "request.headers.x-merchant-key",
                     "request.headers.x-api-token", "request.body.note", "outcome.error.message")  # fmt: skip
    for field in secret_fields:
        assert any(row[0] == field and "***" in row[2] for row in rows), (field, rows)
        assert field in wire_html
    for secret in (KEY_CANARY, OPAQUE_CANARY, CARD_CANARY, CANARY, CARD, CARD_CANARY[-8:], KEY_CANARY[-10:]):
        assert secret not in summary
        assert secret not in wire_html
    diff = wire_diff(Results.read(after), Results.read(before))
    values = json.dumps(
        [f.__dict__ for c in diff.connectors for fl in c.flows for s in fl.steps for f in s.fields]
    )
    assert KEY_CANARY not in values and CARD_CANARY not in values


def test_a_changed_secret_field_shows_as_masked_on_both_sides(tmp_path: Path):
    """A card number added under an innocent key is a change a reviewer must see, masked."""
    baseline = baseline_results()
    after = baseline.model_copy(deep=True)
    after.connector("acme").checks[0].details["steps"][0]["request"]["body"]["note"] = CARD_CANARY
    diff = wire_diff(after, baseline)
    (change,) = [f for c in diff.connectors for fl in c.flows for s in fl.steps for f in s.fields]
    assert change.field == "request.body.note" and change.before is None
    assert CARD_CANARY not in (change.after or "") and "***" in (change.after or "")


@pytest.mark.slow  # a whole Stripe run: `make test`, not `make test-fast`
def test_certify_run_and_report_merge_take_the_baseline(tmp_path: Path, stripe_run: Path):
    """A real Stripe run against a baseline in which its Authorize requests had another amount
    field and its partial capture was read as Charged: `certify run --baseline` (the same run
    through `report merge --baseline`) shows those changes and nothing else."""
    real = Results.read(stripe_run / "results.json")
    baseline = real.model_copy(deep=True)
    for check in baseline.connector("stripe").checks:
        for item in check.details.get("steps", []) if check.family == "scenario" else []:
            if item["flow"] == "Authorize" and item["request"]:
                item["request"]["body"]["amount_value"] = item["request"]["body"].pop("amount")
            if check.scenario == "capture_partial" and item["step"] == "capture":
                item["outcome"]["status"] = "Charged"
    path = write(baseline, tmp_path / "main.json")
    merged = tmp_path / "merged"
    result = certify("report", "merge", str(stripe_run / "results.json"), "--baseline", str(path),
                     "--report-dir", str(merged))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    section = wire_section((merged / "summary.md").read_text(encoding="utf-8"))
    fields = {row[0] for row in markdown_rows(section)}
    assert fields == {"request.body.amount_value", "request.body.amount", "outcome.status"}, section
    assert "**Capture**: 1 of" in section and "<code>capture_partial/capture</code>" in section
    assert "**Void**: no change" in section

    result = certify("run", "stripe", "--baseline", str(path), "--report-dir", str(tmp_path / "run"))
    assert result.returncode == 0, result.stdout + result.stderr
    again = wire_section((tmp_path / "run" / "summary.md").read_text(encoding="utf-8"))
    assert {row[0] for row in markdown_rows(again)} == fields
    assert CANARY not in again and CARD not in again


def test_a_big_wire_diff_keeps_the_comment_under_githubs_limit():
    from harness.report.markdown import COMMENT_LIMIT, render_markdown
    from harness.report.views import diff

    baseline = Results(
        connectors=[
            connector(
                f"c{i:03}",
                [scenario(f"s{j}", "Authorize", steps=_steps(("authorize", "Authorize"))) for j in range(30)],
            )
            for i in range(100)
        ]
    )
    after = baseline.model_copy(deep=True)
    for c in after.connectors:
        for j, check in enumerate(c.checks):
            body = check.details["steps"][0]["request"]["body"]
            body["amount"] = 1000 + j  # thirty different changes per flow
            body["padding"] = "x" * 150
    text = render_markdown(after, diff=diff(after, baseline))
    assert len(text) < COMMENT_LIMIT + 2_000
    assert "more connector(s) with wire changes: see index.html" in text
    assert "… 26 more changed step(s) of Authorize in index.html" in text


def test_declared_volatile_headers_and_fields_compare_by_presence():
    baseline = baseline_results()
    baseline.connector("acme").declaration = {
        "volatile_headers": ["X-Request-Nonce"],
        "volatile_fields": ["ts"],
    }
    after = baseline.model_copy(deep=True)
    for results, nonce in ((baseline, "n-1"), (after, "n-2")):
        for check in results.connector("acme").checks:
            for item in check.details["steps"]:
                item["request"]["headers"]["X-Request-Nonce"] = nonce
                item["request"]["body"]["ts"] = nonce
    assert wire_diff(after, baseline).changed_steps == 0
    for check in after.connector("acme").checks:
        for item in check.details["steps"]:
            del item["request"]["headers"]["X-Request-Nonce"]
    changes = {
        f for c in wire_diff(after, baseline).connectors for fl in c.flows for s in fl.steps for f in s.fields
    }
    assert {(f.field, f.before, f.after) for f in changes} == {
        ("request.headers.x-request-nonce", "(varies)", None)
    }
