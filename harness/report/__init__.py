"""The certification reports, every one rendered from results.json.

    results.json     the model (harness/certify/results.py), with its JSON Schema in schema/
    index.html       for reviewers: one self-contained page (html.py), with the spec drift
                     reports found in drift/<name>.json (drift.py)
    junit.xml        for CI test tabs (junit.py)
    summary.md       a pull-request comment (markdown.py)
    allure-results/  a result per check (allure.py; the labels of harness/certify/plugin.py)
    lint.sarif       code scanning: the lint checks as SARIF 2.1.0 (harness/lint/sarif.py)

This package imports `harness.certify.results` and `harness.lint.sarif`, nothing above them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from harness.certify.atomic import write_atomically
from harness.certify.results import Results
from harness.report.drift import read_drift
from harness.report.folder import ALLURE_RESULTS
from harness.report.views import DEFAULT_CASSETTE_MAX_AGE_DAYS, Diff, diff

RESULTS_JSON = "results.json"
INDEX_HTML = "index.html"
JUNIT_XML = "junit.xml"
SUMMARY_MD = "summary.md"

LINT_SARIF = "lint.sarif"


@dataclass(frozen=True)
class ReportOptions:
    baseline: Results | None = None
    baseline_name: str = ""
    cassette_max_age_days: int = DEFAULT_CASSETTE_MAX_AGE_DAYS
    now: dt.datetime | None = None  # the date cassette ages are computed against (default: now)
    report_url: str = ""  # where summary.md says the full report is


@dataclass(frozen=True)
class Written:
    paths: dict[str, Path]
    diff: Diff | None

    @property
    def index(self) -> Path:
        return self.paths[INDEX_HTML]


def write_atomic(path: Path, text: str) -> Path:
    """Write through a temporary sibling, so a reader never sees half a report."""
    return write_atomically(path, text)


def render_lint_sarif(results: Results) -> str:
    """Every connector's lint findings (exempt ones as suppressed results) as one SARIF log."""
    import json

    from harness.lint.sarif import findings_from_checks, findings_to_sarif

    checks = [check for connector in results.connectors for check in connector.checks]
    return json.dumps(findings_to_sarif(findings_from_checks(checks)), indent=2) + "\n"


def write_reports(results: Results, report_dir: Path, options: ReportOptions | None = None) -> Written:
    """Render every format into `report_dir` (results.json too, so the folder stands on its own)."""
    from harness.report.html import render_html
    from harness.report.junit import render_junit
    from harness.report.markdown import render_markdown

    options = options or ReportOptions()
    changes = diff(results, options.baseline) if options.baseline is not None else None
    paths = {
        RESULTS_JSON: write_atomic(report_dir / RESULTS_JSON, results.text()),
        INDEX_HTML: write_atomic(
            report_dir / INDEX_HTML,
            render_html(
                results,
                diff=changes,
                baseline_name=options.baseline_name,
                cassette_max_age_days=options.cassette_max_age_days,
                now=options.now,
                drift=read_drift(report_dir),
            ),
        ),
        JUNIT_XML: write_atomic(report_dir / JUNIT_XML, render_junit(results)),
        SUMMARY_MD: write_atomic(
            report_dir / SUMMARY_MD, render_markdown(results, diff=changes, report_url=options.report_url)
        ),
    }
    paths[LINT_SARIF] = write_atomic(report_dir / LINT_SARIF, render_lint_sarif(results))
    if (report_dir / ALLURE_RESULTS).is_dir():
        paths[ALLURE_RESULTS] = report_dir / ALLURE_RESULTS
    return Written(paths, changes)


__all__ = ["ReportOptions", "Written", "diff", "write_reports"]
