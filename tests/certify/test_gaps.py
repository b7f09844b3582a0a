"""Skips are not free: an exemption or a flow declared unsupported that the provider facts do not
list as absent costs score and is listed; a skip the facts back (an absent operation, an unsupported
currency, an inapplicable scenario) costs nothing and shows its source; a scenario the connector
declares supported that the facts rule out fails."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from connectors.paypal.connector import Paypal
from connectors.stripe.connector import Stripe
from harness.certify.checks.plan import certify_workspace
from harness.certify.facts import FactsError, load_facts
from harness.certify.results import GAP_PENALTY, Results
from harness.certify.workspace import Workspace
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from tests.certify.gap_connector import RSyncDeclaredUnsupported

ROOT = Path(__file__).resolve().parents[2]
RSYNC_SOURCE = "https://docs.stripe.com/api/refunds/retrieve"


# Stripe's shipped exemption that is a sandbox limitation, not a provider fact: it keeps costing
SANDBOX_GAP = "scenario:capture_pending_then_psync"


def project(tmp_path: Path, *, rsync_absent: bool, facts_extra: str = "", drop_currency: str = "") -> Path:
    """Stripe's material, with the RSync scenarios moved out of the supported ones and decline_generic
    exempt; the facts say RSync is absent at the provider only when asked to (to show the free skip),
    get `facts_extra` appended and lose `drop_currency` from currencies.supported."""
    root = tmp_path / "root"
    for part in ("config", "specs"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copytree(ROOT / "cassettes" / "stripe", root / "cassettes" / "stripe")
    (root / "connectors" / "stripe").mkdir(parents=True)
    text = (ROOT / "connectors" / "stripe" / "certification.toml").read_text(encoding="utf-8")
    text = re.sub(r'\n    "(rsync|refund_pending_then_rsync|decline_generic)",', "", text)
    text = text.replace("[exempt]\n", '[exempt]\ndecline_generic = "no sandbox trigger, said the author"\n')
    (root / "connectors" / "stripe" / "certification.toml").write_text(text, encoding="utf-8")
    if rsync_absent:  # a deliberately false fact, to show what a facts-backed skip looks like
        with (root / "specs" / "stripe.facts.toml").open("a", encoding="utf-8") as facts:
            facts.write(f'\n[[absent_operations]]\nflow = "RSync"\nsource = "{RSYNC_SOURCE}"\n')
    facts_path = root / "specs" / "stripe.facts.toml"
    facts_text = facts_path.read_text(encoding="utf-8") + facts_extra
    if drop_currency:
        facts_text = facts_text.replace(f' "{drop_currency}",', "", 1)
    facts_path.write_text(facts_text, encoding="utf-8")
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
    rsync_gaps = {"not_supported:RSync", "scenario:rsync", "scenario:refund_pending_then_rsync"}
    assert set(unbacked.gaps) == rsync_gaps | {"scenario:decline_generic", SANDBOX_GAP}
    assert unbacked.score == 100 - 5 * GAP_PENALTY


def test_a_skip_the_facts_back_costs_nothing_and_shows_its_source(tmp_path):
    result = certify(project(tmp_path, rsync_absent=True))
    for check_id in ("not_supported:RSync", "scenario:rsync"):
        skipped = check(result, check_id)
        assert (skipped.status, skipped.gap) == ("skipped", False)
        assert RSYNC_SOURCE in skipped.message and skipped.details["source"] == RSYNC_SOURCE
    assert set(result.gaps) == {"scenario:decline_generic", SANDBOX_GAP}  # the exemptions still cost
    assert (result.verdict, result.score) == ("certified", 100 - 2 * GAP_PENALTY)


def test_the_shipped_stripe_skips_cite_the_facts_and_only_the_sandbox_limitation_costs():
    result = certify(ROOT, Stripe)
    skipped = check(result, "scenario:access_token")
    assert (skipped.status, skipped.gap) == ("skipped", False)
    assert "https://docs.stripe.com/api/authentication" in skipped.message
    acknowledged = check(result, "scenario:capture_acknowledged")  # an [[inapplicable_scenarios]] fact
    assert (acknowledged.status, acknowledged.gap) == ("skipped", False)
    assert "[[inapplicable_scenarios]]" in acknowledged.message
    assert acknowledged.details["source"] == "https://docs.stripe.com/api/payment_intents/capture"
    # no test card leaves a capture pending: a sandbox limitation, an exemption, a gap
    assert check(result, SANDBOX_GAP).exempt
    assert (result.verdict, result.score, list(result.gaps)) == (
        "certified",
        100 - GAP_PENALTY,
        [SANDBOX_GAP],
    )


def test_gaps_are_listed_in_the_summary_and_the_html(unbacked):
    results = Results(connectors=[unbacked])
    summary = render_markdown(results)
    html = render_html(results)
    for check_id in unbacked.gaps:
        assert check_id in summary and check_id in html
    assert f"5 gap(s), {5 * GAP_PENALTY} points" in summary
    assert f"gap &minus;{GAP_PENALTY}" in html
    assert "refund updates come by webhook (a gap: the provider facts do not list it as absent)" in html


PAYPAL_CURRENCIES = "https://developer.paypal.com/docs/checkout/advanced/eligibility"


def test_a_currency_the_facts_do_not_list_is_skipped_for_free_with_its_source():
    result = certify_workspace(
        Paypal.id, lambda: Workspace(name=Paypal.id, connector_cls=Paypal, root=ROOT, data_name="paypal")
    )
    for scenario_id, code in (("currency_isk", "ISK"), ("currency_three_decimal", "KWD")):
        skipped = check(result, f"scenario:{scenario_id}")
        assert (skipped.status, skipped.gap, skipped.exempt) == ("skipped", False, False)
        assert f"the provider does not support {code}" in skipped.message
        assert PAYPAL_CURRENCIES in skipped.message and skipped.details["source"] == PAYPAL_CURRENCIES
    # PayPal's sandbox has no pending trigger without the negative-testing header: those exemptions cost
    assert set(result.gaps) == {
        "scenario:authorize_pending",
        "scenario:capture_pending_then_psync",
        "scenario:refund_pending_then_rsync",
        "scenario:refund_acknowledged",
    }
    assert (result.verdict, result.score) == ("certified", 100 - 4 * GAP_PENALTY)


DECLINE_SOURCE = "https://docs.stripe.com/declines/codes#generic-decline"
CVC_SOURCE = "https://docs.stripe.com/declines/codes#incorrect-cvc"


def inapplicable(scenario_id: str, source: str) -> str:
    fact = f'scenario = "{scenario_id}"\nsource = "{source}"\nnote = "said the facts"'
    return f"\n[[inapplicable_scenarios]]\n{fact}\n"


@pytest.fixture(scope="module")
def ruled_out(tmp_path_factory):
    """decline_generic exempt and ruled out by a fact; decline_incorrect_cvc and currency_isk declared
    supported although the facts rule them out (a false fact, and ISK dropped from the currencies)."""
    extra = inapplicable("decline_generic", DECLINE_SOURCE) + inapplicable(
        "decline_incorrect_cvc", CVC_SOURCE
    )
    root = project(
        tmp_path_factory.mktemp("ruled_out"), rsync_absent=False, facts_extra=extra, drop_currency="ISK"
    )
    return certify(root)


def test_an_inapplicable_scenario_fact_makes_the_skip_free_with_its_source(ruled_out, unbacked):
    assert "scenario:decline_generic" in unbacked.gaps  # the same exemption without the fact costs
    skipped = check(ruled_out, "scenario:decline_generic")
    assert (skipped.status, skipped.gap) == ("skipped", False)
    assert (
        "inapplicable at the provider (specs/stripe.facts.toml [[inapplicable_scenarios]])" in skipped.message
    )
    assert DECLINE_SOURCE in skipped.message and skipped.details["source"] == DECLINE_SOURCE
    assert skipped.details["exempt"] == "no sandbox trigger, said the author"
    assert "scenario:decline_generic" not in ruled_out.gaps
    assert SANDBOX_GAP in ruled_out.gaps  # a sandbox-limitation exemption still costs


def test_a_fact_that_rules_out_a_supported_scenario_fails_as_a_disagreement(ruled_out):
    assert ruled_out.verdict == "not_certified"
    cvc = check(ruled_out, "scenario:decline_incorrect_cvc")
    assert cvc.status == "failed"
    assert cvc.message.startswith(
        "facts/connector disagreement: certification.toml declares decline_incorrect_cvc"
    )
    assert CVC_SOURCE in cvc.message
    isk = check(ruled_out, "scenario:currency_isk")
    assert isk.status == "failed"
    assert "declares currency_isk supported, but the provider does not support ISK" in isk.message
    assert {"scenario:decline_incorrect_cvc", "scenario:currency_isk"} <= set(ruled_out.failing)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (inapplicable("no_such_scenario", CVC_SOURCE), "unknown scenario 'no_such_scenario'"),
        (inapplicable("decline_generic", DECLINE_SOURCE) * 2, "'decline_generic' is listed twice"),
        (inapplicable("decline_generic", ""), "inapplicable_scenarios.3.source: String should have"),
    ],
)
def test_a_malformed_inapplicable_scenario_fact_names_the_file(tmp_path, extra, expected):
    path = tmp_path / "stripe.facts.toml"
    path.write_text(
        (ROOT / "specs" / "stripe.facts.toml").read_text(encoding="utf-8") + extra, encoding="utf-8"
    )
    with pytest.raises(FactsError) as raised:
        load_facts(path)
    assert expected in str(raised.value) and str(path) in str(raised.value)
