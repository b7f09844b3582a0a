"""Skips are not free: an exemption or a flow declared unsupported that the provider facts do not
list as absent costs score and is listed; a skip the facts back costs nothing and shows its source."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from connectors.stripe.connector import Stripe
from harness.certify.results import GAP_PENALTY, Results
from harness.certify.suite import certify_workspace
from harness.certify.workspace import Workspace
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from tests.certify.gap_connector import RSyncDeclaredUnsupported

ROOT = Path(__file__).resolve().parents[2]
RSYNC_SOURCE = "https://docs.stripe.com/api/refunds/retrieve"


def project(tmp_path: Path, *, rsync_absent: bool) -> Path:
    """Stripe's material, with rsync moved out of the supported scenarios and decline_generic exempt;
    the facts say RSync is absent at the provider only when asked to (to show the free skip)."""
    root = tmp_path / "root"
    for part in ("config", "specs"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / "stripe")
    (root / "connectors" / "stripe").mkdir(parents=True)
    text = (ROOT / "connectors" / "stripe" / "certification.toml").read_text(encoding="utf-8")
    text = re.sub(r'\n    "(rsync|decline_generic)",', "", text)
    text = text.replace("[exempt]\n", '[exempt]\ndecline_generic = "no sandbox trigger, said the author"\n')
    (root / "connectors" / "stripe" / "certification.toml").write_text(text, encoding="utf-8")
    if rsync_absent:  # a deliberately false fact, to show what a facts-backed skip looks like
        with (root / "specs" / "stripe.facts.toml").open("a", encoding="utf-8") as facts:
            facts.write(f'\n[[absent_operations]]\nflow = "RSync"\nsource = "{RSYNC_SOURCE}"\n')
    return root


def certify(root: Path, cls: type[Stripe] = RSyncDeclaredUnsupported):
    return certify_workspace(
        cls.id, lambda: Workspace(name=cls.id, connector_cls=cls, root=root, data_name="stripe")
    )


def check(result, check_id):
    return next(c for c in result.checks if c.id == check_id)


@pytest.fixture(scope="module")
def unbacked(tmp_path_factory):
    return certify(project(tmp_path_factory.mktemp("unbacked"), rsync_absent=False))


def test_an_unsupported_flow_the_facts_do_not_back_is_a_gap_that_costs_score(unbacked):
    assert unbacked.verdict == "certified", unbacked.failing  # a gap never blocks
    for check_id in ("not_supported:RSync", "scenario:rsync"):
        gap = check(unbacked, check_id)
        assert (gap.status, gap.gap) == ("skipped", True)
        assert "specs/stripe.facts.toml does not list RSync under [[absent_operations]]" in gap.message
        assert check_id in unbacked.gaps
    assert unbacked.gaps["scenario:rsync"].startswith("not supported: RSync: refund updates come by webhook")


def test_an_exemption_costs_score_and_is_listed(unbacked):
    exempt = check(unbacked, "scenario:decline_generic")
    assert (exempt.status, exempt.exempt, exempt.gap) == ("skipped", True, True)
    assert "no sandbox trigger, said the author" in unbacked.gaps["scenario:decline_generic"]
    assert set(unbacked.gaps) == {"not_supported:RSync", "scenario:rsync", "scenario:decline_generic"}
    assert unbacked.score == 100 - 3 * GAP_PENALTY


def test_a_skip_the_facts_back_costs_nothing_and_shows_its_source(tmp_path):
    result = certify(project(tmp_path, rsync_absent=True))
    for check_id in ("not_supported:RSync", "scenario:rsync"):
        skipped = check(result, check_id)
        assert (skipped.status, skipped.gap) == ("skipped", False)
        assert RSYNC_SOURCE in skipped.message and skipped.details["source"] == RSYNC_SOURCE
    assert set(result.gaps) == {"scenario:decline_generic"}  # the exemption still costs
    assert (result.verdict, result.score) == ("certified", 100 - GAP_PENALTY)


def test_the_shipped_stripe_access_token_skip_cites_the_facts():
    result = certify(ROOT, Stripe)
    skipped = check(result, "scenario:access_token")
    assert (skipped.status, skipped.gap) == ("skipped", False)
    assert "https://docs.stripe.com/api/authentication" in skipped.message
    assert (result.verdict, result.score, result.gaps) == ("certified", 100, {})


def test_gaps_are_listed_in_the_summary_and_the_html(unbacked):
    results = Results(connectors=[unbacked])
    summary = render_markdown(results)
    html = render_html(results)
    for check_id in unbacked.gaps:
        assert check_id in summary and check_id in html
    assert f"3 gap(s), {3 * GAP_PENALTY} points" in summary
    assert f"gap &minus;{GAP_PENALTY}" in html
    assert "refund updates come by webhook (a gap: the provider facts do not list it as absent)" in html
