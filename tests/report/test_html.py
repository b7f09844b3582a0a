"""index.html: self-contained, escaped, with the matrix, the details, the diff and the filters."""

from __future__ import annotations

import datetime as dt
import re

from harness.certify.results import Results
from harness.report.html import render_html
from harness.report.views import diff
from tests.report.factory import INJECTED_IMG, INJECTED_SCRIPT, PLANTED, sample_results
from tests.report.html_tools import listed, packed_rows, parse, payloads

NOW = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def render(results=None, **kw):
    return render_html(results or sample_results(), now=NOW, **kw)


def test_the_page_is_self_contained():
    page = render()
    tags = parse(page)
    scripts = [attrs for tag, attrs in tags.tags if tag == "script"]
    assert all("src" not in attrs for attrs in scripts)
    assert [a.get("type") for a in scripts].count(None) == 1  # one executable script: the page's own
    assert not [t for t, attrs in tags.tags if t in ("link", "img", "iframe", "object", "embed", "base")]
    for _tag, attrs in tags.tags:
        for name, value in attrs.items():
            assert not (value or "").startswith(("http:", "https:", "//")) or name == "title", (name, value)
    csp = next(
        a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp


def test_every_planted_string_is_escaped_text():
    page = render()
    assert INJECTED_SCRIPT not in page and INJECTED_IMG not in page
    assert "<img" not in page
    # exactly the page's own executable script, the two payload blobs and the good connector's
    # packed passed rows
    assert len(re.findall(r"<script\b", page)) == 4
    rows = "".join(packed_rows(page.split('id="c-good"', 1)[1].split("</section>", 1)[0]))
    assert rows and "<script" not in rows and "<img" not in rows  # HTML report.js inserts: escaped
    assert "&lt;script&gt;window.__pwned = 1" in page  # the failing scenario's message
    assert "&lt;img src=x onerror=" in page  # the minimized example and the lint source line
    text = "".join(parse(page).text)
    assert INJECTED_SCRIPT in text and INJECTED_IMG in text  # shown to the reader as text
    # the response body travels as data inside the blob, and the page writes it with textContent
    bad = payloads(page)[1]
    assert any(p["response"]["body"].get("failure_message") == PLANTED for p in bad)


def test_the_matrix_shows_verdict_score_and_a_state_per_flow():
    page = render()
    row = re.search(r'<tr data-c="bad">(.*?)</tr>', page).group(1)
    assert 'class="v v-not_certified">not_certified' in row and '<td class="score">20</td>' in row
    states = re.findall(r'class="x x-([a-z-]+)"', row)
    assert states == ["not-supported", "fail", "fail", "not-supported", "fail", "none", "none"]
    header = re.search(r'<table class="matrix"><thead>(.*?)</thead>', page).group(1)
    assert re.findall(r"<th>(\w+)</th>", header)[3:] == [
        "CreateAccessToken", "Authorize", "Capture", "Void", "Refund", "PSync", "RSync",
    ]  # fmt: skip


def test_details_per_connector():
    page = listed(render())
    assert "Minimized example:" in page and "currency=JPY, amount=1000" in page
    assert "<code>/amount</code>" in page and "<code>/status</code>" in page  # the JSON pointers
    assert "<code>config/production.toml:5</code> CFG003" in page
    assert '<span class="ln">5</span> bad.base_url = &#34;https://x/&#34;' in page
    assert page.count('class="pl" data-p=') == 5  # one per scenario step
    good, _bad = payloads(page)
    assert len(good) == 2  # the three good steps hold two distinct payloads: each is stored once
    assert all("encoded_body" not in p["request"] for p in good)


def test_old_and_missing_cassettes_are_flagged():
    page = render()
    assert "1 older than 180 days" in page
    assert "older than 180 days: re-record or re-author" in page
    assert re.search(
        r'<tr class="warn"><td>refund_full</td><td><code>cassettes/bad/r.yaml</code></td><td>missing', page
    )
    assert page.count("https://docs.example.invalid/api") == 2  # once per connector, not per cassette
    assert "older than" not in render(cassette_max_age_days=10_000)


def test_the_filters_are_there():
    page = render()
    assert '<select id="f-connector"><option value="">all</option><option value="good">good</option>' in page
    for status in ("failing", "passed", "skipped", "exempt"):
        assert f'<option value="{status}">' in page
    assert page.count('class="conn"') == 2
    assert 'data-s="exempt"' in page and 'data-s="failed"' in page


def test_the_diff_section_with_a_baseline():
    baseline = sample_results()
    current = baseline.model_copy(deep=True)
    target = next(c for c in current.connector("good").checks if c.id == "scenario:capture_full")
    target.status = "failed"
    target.message = "now <b>broken</b>"
    current.connector("good").verdict = "not_certified"
    page = render(current, diff=diff(current, baseline), baseline_name="main/results.json")
    section = re.search(r'<section id="diff">(.*?)</section>', page, re.S).group(1)
    assert "main/results.json" in section
    assert "1 regressed" in section and 'class="bad"' in section
    assert '<tr data-c="good" class="worse"><td>good</td><td>certified</td><td>not_certified</td>' in section
    assert "<code>scenario:capture_full</code> passed &rarr; failed" in section
    assert "now &lt;b&gt;broken&lt;/b&gt;" in section
    assert '<section id="diff">' not in render(current)


def test_100_connectors_render_small(stripe_run):
    """The benchmark's shape: 100 connectors x every scenario, from a real run's results.
    (Its speed is measured in benchmarks/report_bench.py, not asserted here.)"""
    real = Results.read(stripe_run / "results.json")
    template = real.connectors[0]
    many = Results(
        generated_at=real.generated_at,
        connectors=[template.model_copy(update={"name": f"conn{i:03}"}) for i in range(100)],
    )
    page = render_html(many, now=NOW)
    # bounded per check (each carries its masked request/response payload; the passed rows of a
    # certified connector are packed): about 200 bytes today, 510 when every row was in the page
    checks = sum(len(c.checks) for c in many.connectors)
    assert len(page.encode()) < 260 * checks, (len(page.encode()), checks)
    assert page.count('class="conn"') == 100


def test_passed_checks_are_grouped_closed_only_for_a_certified_connector():
    tags = parse(render()).tags
    groups = [attrs for tag, attrs in tags if tag == "details" and attrs.get("class") == "passed"]
    assert groups, "no group of passed checks"
    page = render()
    good = page.split('id="c-good"', 1)[1].split('id="c-bad"', 1)[0]
    bad = page.split('id="c-bad"', 1)[1].split("</section>", 1)[0]
    # certified: collapsed, its rows packed (listed by report.js when the group opens)
    assert re.search(r'<details class="passed" data-r="0" data-n="\d+">', good)
    assert '<details class="passed" open>' not in good and 'class="ck" data-s="passed"' not in good
    assert 'class="ck" data-s="passed"' in "".join(packed_rows(good))
    assert 'class="ck" data-s="passed"' in listed(page).split('id="c-good"', 1)[1].split('id="c-bad"', 1)[0]
    # not certified: its passed checks stay in view, in the page itself
    assert '<details class="passed" open>' in bad and 'class="ck" data-s="passed"' in bad
    assert '<div class="scroll" id="matrix-box"><table class="matrix">' in page


def test_no_minimized_example_under_a_flow_not_written_yet():
    from harness.certify.results import CheckResult
    from harness.report.markdown import render_markdown
    from tests.report.factory import connector

    check = CheckResult(
        id="property:money:Authorize", family="property", status="failed", flow="Authorize",
        message="not_implemented: Authorize is not implemented yet: write authorize_request in x.py",
        details={"minimized_example": "currency=USD, amount=0"},
    )  # fmt: skip
    results = Results(connectors=[connector("acme_pay", [check])])
    assert "Minimized example" not in render(results) and "amount=0" not in render(results)
    assert "amount=0" not in render_markdown(results)
    assert "Minimized example:" in render()  # a real counterexample keeps it


def test_compiled_templates_are_kept_in_the_cache_folder_and_give_the_same_page(tmp_path, monkeypatch):
    from harness.report import html

    results = sample_results()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    monkeypatch.setenv("CERTIFY_CACHE_DIR", "off")
    html._environment.cache_clear()
    try:
        plain = render_html(results, now=now)
        monkeypatch.setenv("CERTIFY_CACHE_DIR", str(tmp_path))
        html._environment.cache_clear()
        assert render_html(results, now=now) == plain
        assert any((tmp_path / "templates").iterdir())
        html._environment.cache_clear()  # a later run: loaded from the folder
        assert render_html(results, now=now) == plain
    finally:
        html._environment.cache_clear()
