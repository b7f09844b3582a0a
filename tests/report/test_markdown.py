"""summary.md: a PR comment with the verdicts, regressions first, failing checks collapsed."""

from __future__ import annotations

from harness.certify.results import CheckResult
from harness.report.markdown import COMMENT_LIMIT, render_markdown
from harness.report.views import diff
from tests.report.factory import INJECTED_IMG, INJECTED_SCRIPT, connector, sample_results


def test_verdict_table_and_collapsed_failures():
    text = render_markdown(sample_results())
    assert text.startswith("## ❌ Connector certification: 1 of 2 certified")
    assert "| ✅ | <code>good</code> | certified | 100 | 5 | 0 | 0 | 1 |" in text
    assert "| ❌ | <code>bad</code> | not_certified | 20 | 2 | 4 | 1 | 0 |" in text
    assert "### Failing checks" in text
    assert "<details><summary><b>bad</b>: 4 failing (not_certified, score 20)</summary>" in text
    assert "| <code>contract:refund_full</code> | failed |" in text
    assert "<b>good</b>" not in text  # nothing failing, nothing to expand
    assert "Regressions" not in text


def test_regressions_come_first_with_a_baseline():
    baseline = sample_results()
    current = baseline.model_copy(deep=True)
    check = next(c for c in current.connector("good").checks if c.id == "scenario:capture_full")
    check.status, check.message = "failed", "capture answered 500"
    current.connector("good").verdict = "not_certified"
    text = render_markdown(current, diff=diff(current, baseline))
    regressions = text.index("### Regressions since the baseline: 1")
    assert regressions < text.index("### Failing checks")
    assert "**1 connector(s) regressed since the baseline.**" in text
    assert "- <code>good</code> verdict certified → **not_certified**" in text
    assert (
        "- <code>good</code> <code>scenario:capture_full</code> passed → **failed**: capture answered 500"
        in text
    )
    assert (
        "| ❌ | <code>good</code> | not_certified | 100 | 4 | 1 | 0 | 1 | certified → not_certified |" in text
    )


def test_markup_from_the_results_stays_text():
    text = render_markdown(sample_results())
    assert INJECTED_SCRIPT not in text and INJECTED_IMG not in text
    assert "&lt;script&gt;window.\\_\\_pwned" in text


def test_the_comment_stays_under_githubs_limit():
    checks = [
        CheckResult(id=f"property:p{i}", family="property", status="failed", message="x" * 400)
        for i in range(40)
    ]
    results = sample_results()
    results.connectors = [connector(f"c{i:03}", checks) for i in range(100)]
    text = render_markdown(results)
    assert len(text) < COMMENT_LIMIT + 2_000
    assert "more connector(s) with failing checks: see index.html" in text
    assert "15 more in index.html" in text  # 40 failing, 25 shown
