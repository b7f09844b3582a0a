"""The report in a real browser: headless Debian Chromium driven by Playwright (no browser download).

The matrix renders, the filters hide what they should, a step's masked payload opens, and the
markup planted in a provider response (a <script> and an <img onerror>) stays inert text.
A screenshot is saved under test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from harness.report import ReportOptions, write_reports
from tests.report.factory import INJECTED_IMG, INJECTED_SCRIPT, sample_results

# Debian's Chromium; CERTIFY_CHROMIUM names another binary (and lets a test see the skip reason)
CHROMIUM = Path(os.environ.get("CERTIFY_CHROMIUM", "/usr/bin/chromium"))
INSTALL = "install Debian's chromium package (`sudo apt-get install chromium`, as .ci/run does)"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"the report's browser test needs Chromium at {CHROMIUM}: {INSTALL}")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the report's browser test needs playwright: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    written = write_reports(
        sample_results(planted=True),
        tmp_path,
        ReportOptions(now=dt.datetime(2026, 11, 27, tzinfo=dt.UTC)),
    )
    return written.index


def test_the_report_in_chromium(browser, report: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    requests: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())

    # the matrix: a row per connector, a cell per flow
    rows = page.locator("#matrix tbody tr")
    assert rows.count() == 2
    assert rows.nth(1).locator("td.x").all_inner_texts() == [
        "n/s",
        "fail 1",
        "fail 1",
        "n/s",
        "fail 1",
        "-",
        "-",
    ]
    assert page.locator("#f-count").inner_text() == "2 connector(s), 13 check(s) shown"

    # open the failing scenario and its step: the planted markup shows as text
    failing = page.locator('section#c-bad details.ck[data-s="failed"]').first
    failing.locator("summary").first.click()
    failing.locator("details.pl summary").click()
    payload = failing.locator("details.pl pre")
    payload.filter(has_text="failure_message").wait_for()
    assert INJECTED_SCRIPT in payload.inner_text()
    assert INJECTED_IMG.replace('"', '\\"') in payload.inner_text()  # JSON-quoted inside the body
    assert page.locator("section#c-bad img").count() == 0
    assert page.locator("body script").count() == 3  # the page's own, and the two payload blobs
    assert INJECTED_SCRIPT in failing.locator("summary .m").first.inner_text()
    assert page.get_by_text("currency=JPY, amount=1000").count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)

    # filter by connector
    page.select_option("#f-connector", "good")
    assert page.locator("section#c-bad").is_hidden()
    assert page.locator('#matrix tr[data-c="bad"]').is_hidden()
    assert page.locator("section#c-good").is_visible()
    # by status: only failing checks, so only the connector that has some
    page.select_option("#f-connector", "")
    page.select_option("#f-status", "failing")
    assert page.locator("section#c-good").is_hidden()
    assert page.locator("section#c-bad").is_visible()
    visible = page.locator("section#c-bad .ck:visible")
    assert visible.count() == 4
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.s)")) == {"failed"}
    assert page.locator('section#c-bad .fam[data-f="load"]').is_hidden()
    assert page.locator("#f-count").inner_text() == "1 connector(s), 4 check(s) shown"
    page.screenshot(path=str(ARTIFACTS / "report-failing.png"), full_page=True)
    page.select_option("#f-status", "exempt")
    assert page.locator("section#c-good .ck:visible").count() == 1

    # nothing planted ran, nothing was fetched, the page's own script had no error
    assert dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("typeof window.__pwned_img") == "undefined"
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    page.close()
