"""Spec drift in index.html: `certify specs drift ... --format json --output <report-dir>/drift/NAME.json`
becomes a section of that connector in the next rendered report."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from harness.certify.results import CheckResult, Results
from harness.cli import main
from harness.report import write_reports
from harness.report.drift import read_drift
from harness.report.html import render_html
from tests.certify import spec_fixtures as fx
from tests.certify.test_spec_import import drift_setup
from tests.report.factory import INJECTED_SCRIPT, connector, sample_results
from tests.report.html_tools import parse

NOW = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def stripe_results() -> Results:
    results = sample_results(planted=False)
    stripe = connector("stripe", [CheckResult(id="load", family="load", status="passed", message="loaded")])
    return results.model_copy(update={"connectors": [*results.connectors, stripe]})


def section(page: str, name: str) -> str:
    """The markup of one connector's section."""
    start = page.index(f'<section class="conn" id="c-{name}"')
    return page[start : page.index("</section>", start)]


def write_drift(tmp_path: Path, report_dir: Path, newer: dict) -> int:
    _, _, cassettes = drift_setup(tmp_path)
    # the CLI reads specs/<name>.yaml of a registered connector: the fixture under stripe's name
    for suffix in ("yaml", "facts.toml"):
        (tmp_path / "specs" / f"psp.{suffix}").rename(tmp_path / "specs" / f"stripe.{suffix}")
    (cassettes / "stripe").mkdir()
    (cassettes / "authorize.yaml").rename(cassettes / "stripe" / "authorize.yaml")
    return main(
        [
            "specs", "drift", "stripe", "--from", str(fx.write(tmp_path / "newer.json", newer)),
            "--specs-dir", str(tmp_path / "specs"), "--cassettes-dir", str(cassettes),
            "--format", "json", "--output", str(report_dir / "drift" / "stripe.json"),
        ]
    )  # fmt: skip


def test_a_drift_report_in_the_folder_becomes_the_connectors_drift_section(tmp_path):
    report_dir = tmp_path / "reports"
    assert write_drift(tmp_path, report_dir, fx.provider_v2()) == 1  # something relied on changed
    page = write_reports(stripe_results(), report_dir).index.read_text(encoding="utf-8")
    stripe = section(page, "stripe")
    assert 'id="drift-stripe"' in stripe and " open>" in stripe  # open: it needs reading
    assert "change(s) the connector relies on" in stripe
    assert "required_added" in stripe and "<code>/reference</code>" in stripe
    assert "new value &#39;PendingReview&#39;" in stripe
    assert "drift-" not in section(page, "good") and "drift-" not in section(page, "bad")


def test_without_a_drift_folder_there_is_no_drift_section(tmp_path):
    page = write_reports(stripe_results(), tmp_path / "reports").index.read_text(encoding="utf-8")
    assert "drift-" not in page and "Spec drift" not in page


def test_drift_against_the_same_document_says_nothing_changed(tmp_path):
    report_dir = tmp_path / "reports"
    assert write_drift(tmp_path, report_dir, fx.provider_v1()) == 0
    stripe = section(write_reports(stripe_results(), report_dir).index.read_text(encoding="utf-8"), "stripe")
    assert "nothing the connector relies on changed" in stripe and "<table>" not in stripe


def test_a_malformed_drift_file_is_named_in_its_section_and_the_report_is_still_written(tmp_path):
    folder = tmp_path / "reports" / "drift"
    folder.mkdir(parents=True)
    (folder / "stripe.json").write_text("{not json", encoding="utf-8")
    (folder / "good.json").write_text(json.dumps({"connector": "good", "changes": "many"}), encoding="utf-8")
    page = write_reports(stripe_results(), tmp_path / "reports").index.read_text(encoding="utf-8")
    assert "drift/stripe.json: unreadable (JSONDecodeError)" in section(page, "stripe")
    assert "drift/good.json: not the JSON of `certify specs drift --format json`" in section(page, "good")


def test_drift_text_is_escaped_and_masked(tmp_path):
    folder = tmp_path / "drift"
    folder.mkdir()
    card = "4111111111111111"
    document = {
        "connector": "good",
        "current": "v1",
        "newer": "v2",
        "breaking": True,
        "changes": [{"kind": "cassette_invalid", "operation": "POST /v1/x", "where": "a.yaml",
                     "detail": f"{INJECTED_SCRIPT} card {card}"}],
    }  # fmt: skip
    (folder / "good.json").write_text(json.dumps(document), encoding="utf-8")
    page = render_html(sample_results(planted=False), now=NOW, drift=read_drift(tmp_path))
    good = section(page, "good")
    assert "cassette_invalid" in good and INJECTED_SCRIPT not in page and card not in page
    scripts = [attrs for tag, attrs in parse(page).tags if tag == "script"]
    assert [a.get("type") for a in scripts].count(None) == 1  # still only the page's own script
    assert re.search(r"card \*+", good)
