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

from harness.certify.results import CheckResult, Results
from harness.report import ReportOptions, write_reports
from tests.report.factory import INJECTED_IMG, INJECTED_SCRIPT, certified_connector, connector, sample_results

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
    # the page's own, the two payload blobs and the good connector's packed passed rows
    assert page.locator("body script").count() == 4
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
    # the good connector's passed checks, listed from their packed rows: shown as text, nothing runs
    page.select_option("#f-status", "passed")
    page.locator('section#c-good .ck[data-s="passed"]').first.wait_for(state="visible")
    assert page.locator("#f-count").inner_text().startswith("2 connector(s), ")
    assert page.locator("section#c-good img, section#c-good script:not([type])").count() == 0

    # nothing planted ran, nothing was fetched, the page's own script had no error
    assert dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("typeof window.__pwned_img") == "undefined"
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    page.close()


def _layout_results() -> Results:
    """Five certified connectors of the shipped size and one scaffold whose Authorize is not written."""
    scaffold = connector(
        "acme_pay",
        [
            CheckResult(id="load", family="load", status="passed", message="loaded"),
            CheckResult(
                id="property:money:Authorize",
                family="property",
                status="failed",
                flow="Authorize",
                message="not_implemented: Authorize is not implemented yet: write authorize_request in "
                "connectors/acme_pay/transformers.py",
                details={"minimized_example": "currency=USD, amount=0"},
            ),
            CheckResult(id="lint:clean", family="lint", status="passed", message="no findings"),
        ],
    )
    names = ["adyen", "authorizedotnet", "checkout", "paypal", "stripe"]
    return Results(connectors=[*(certified_connector(n) for n in names), scaffold])


def test_the_layout_in_chromium(browser, tmp_path: Path):
    """Issue #15 point 9: a linked heading is not under the filter bar, the matrix stays in its box
    at 760 px, passed checks of a certified connector are collapsed (the page height is measured
    both ways), no minimized example under a flow that is not written yet."""
    index = write_reports(
        _layout_results(), tmp_path, ReportOptions(now=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(index.index.as_uri())

    # a connector clicked in the matrix: its heading stops below the sticky filter bar
    for name in ("paypal", "stripe", "acme_pay"):
        page.click(f'#matrix a[href="#c-{name}"]')
        page.wait_for_function(f"location.hash === '#c-{name}'")
        nav_bottom = page.evaluate("document.querySelector('nav.filters').getBoundingClientRect().bottom")
        heading = page.locator(f"section#c-{name} h2").bounding_box()
        assert heading is not None and heading["y"] >= nav_bottom, (name, heading, nav_bottom)

    # passed checks: collapsed in a certified connector (packed, listed when a group opens), open in
    # one that is not; measured both ways; the count of shown checks includes the packed ones
    results = _layout_results()
    assert page.locator("#f-count").inner_text() == (
        f"6 connector(s), {sum(len(c.checks) for c in results.connectors)} check(s) shown"
    )
    stripe = next(c for c in results.connectors if c.name == "stripe")
    stripe_total = sum(c.status == "passed" for c in stripe.checks)
    packed = "gs => gs.reduce((n, g) => n + Number(g.dataset.n), 0)"
    assert page.locator("section#c-stripe details.passed").evaluate_all(packed) == stripe_total > 100
    stripe_passed = page.locator('section#c-stripe .ck[data-s="passed"]')
    assert stripe_passed.count() == 0  # not in the page until a group opens
    assert page.locator('section#c-stripe .ck[data-s="skipped"]:visible').count() == 1  # not passed: shown
    assert page.locator('section#c-acme_pay .ck[data-s="passed"]:visible').count() == 2
    collapsed = page.evaluate("document.documentElement.scrollHeight")
    page.evaluate("document.querySelectorAll('details.passed').forEach(d => { d.open = true; })")
    stripe_passed.nth(stripe_total - 1).wait_for(state="visible")  # listed, and not hidden by a filter
    expanded = page.evaluate("document.documentElement.scrollHeight")
    print(
        f"page of five certified connectors: {collapsed} px collapsed, {expanded} px with every passed check"
    )
    assert collapsed * 4 < expanded, (collapsed, expanded)
    page.evaluate("document.querySelectorAll('details.passed').forEach(d => { d.open = false; })")
    # one click opens a family's passed checks; the passed filter opens them all
    page.locator("section#c-stripe .fam[data-f='facts'] details.passed > summary").click()
    assert page.locator("section#c-stripe .fam[data-f='facts'] .ck:visible").count() == 45
    page.reload()  # every group packed again: the passed filter lists and opens them all
    page.select_option("#f-status", "passed")
    page.locator('section#c-adyen .ck[data-s="passed"]').nth(stripe_total - 1).wait_for(state="visible")
    assert page.locator('section#c-adyen .ck[data-s="passed"]:visible').count() == stripe_total
    assert page.locator("section#c-stripe .ck:visible").count() == stripe_total  # the others hidden
    page.select_option("#f-status", "failing")
    assert page.locator("section#c-stripe").is_hidden()
    assert page.locator("section#c-acme_pay details.passed:visible").count() == 0
    page.select_option("#f-status", "")

    # not written yet: the message says what to write, no minimized example beside it
    failing = page.locator('section#c-acme_pay .ck[data-s="failed"]')
    assert "write authorize_request" in failing.inner_text()
    assert page.get_by_text("Minimized example").count() == 0
    assert "currency=USD, amount=0" not in page.content()

    # 760 px: the page does not run off the screen; the matrix scrolls inside its own box
    page.set_viewport_size({"width": 760, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 760
    box = page.locator("#matrix-box")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the matrix is wider than the box...
    assert box.bounding_box()["width"] <= 760  # ...and the box fits
    page.click('#matrix a[href="#c-checkout"]')
    page.wait_for_function("location.hash === '#c-checkout'")
    nav_bottom = page.evaluate("document.querySelector('nav.filters').getBoundingClientRect().bottom")
    assert page.locator("section#c-checkout h2").bounding_box()["y"] >= nav_bottom
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-760.png"), full_page=False)
    assert errors == []
    page.close()
