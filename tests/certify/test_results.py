import pytest

from harness.certify.results import (
    GAP_PENALTY,
    CheckResult,
    ConnectorResult,
    Results,
    RunInfo,
    gaps_of,
    merge,
    score,
    verdict,
)
from harness.domain import HarnessError


def check(status, family="scenario", severity=None, id_="x"):
    return CheckResult(id=id_, family=family, status=status, severity=severity)


def test_score_follows_ucs():
    checks = [
        check("failed", "lint", "critical"),
        check("failed", "lint", "warning"),
        check("failed", "lint", "suggestion"),
        check("skipped", "lint", "critical"),
        check("passed"),
    ]
    assert score(checks) == 100 - 20 - 5 - 1
    assert score([check("failed")] * 6) == 0


def test_a_gap_costs_a_warning_and_never_blocks():
    exempt = CheckResult(id="scenario:rsync", family="scenario", status="skipped", exempt=True, gap=True)
    unbacked = CheckResult(id="not_supported:PSync", family="scenario", status="skipped", gap=True)
    backed = CheckResult(id="not_supported:RSync", family="scenario", status="skipped")
    checks = [exempt, unbacked, backed, check("passed")]
    assert score(checks) == 100 - 2 * GAP_PENALTY and GAP_PENALTY == 5
    assert gaps_of(checks) == {"scenario:rsync": "", "not_supported:PSync": ""}
    assert verdict(checks, loaded=True) == ("certified", [])
    # a failing check is counted once, as a failure, even if it was a gap as well
    assert score([CheckResult(id="x", family="scenario", status="failed", gap=True)]) == 80


def test_only_critical_lint_blocks():
    outcome, failing = verdict([check("failed", "lint", "warning", "lint:w"), check("passed")], loaded=True)
    assert outcome == "certified" and failing == []
    outcome, failing = verdict([check("failed", "lint", "critical", "lint:c")], loaded=True)
    assert (outcome, failing) == ("not_certified", ["lint:c"])
    assert verdict([check("error", "load", id_="load")], loaded=False)[0] == "error"


def test_exit_codes():
    ok = ConnectorResult(name="a", verdict="certified", score=100)
    bad = ConnectorResult(name="b", verdict="not_certified", score=80)
    broken = ConnectorResult(name="c", verdict="error", score=0)
    assert Results(connectors=[ok]).exit_code() == 0
    assert Results(connectors=[ok, bad]).exit_code() == 1
    assert Results(connectors=[ok, bad, broken]).exit_code() == 2


def test_merge_combines_shards_in_name_order_and_refuses_overlaps():
    a = Results(
        run=RunInfo(shard="1/2"), connectors=[ConnectorResult(name="stripe", verdict="certified", score=100)]
    )
    b = Results(
        run=RunInfo(shard="2/2"), connectors=[ConnectorResult(name="adyen", verdict="certified", score=100)]
    )
    merged = merge([a, b])
    assert [c.name for c in merged.connectors] == ["adyen", "stripe"]
    assert merged.run.shard is None
    with pytest.raises(HarnessError, match="stripe is in both"):
        merge([a, a], sources=["a.json", "b.json"])
    c = Results(run=RunInfo(profile="dev", seed=3))
    with pytest.raises(HarnessError, match="different runs"):
        merge([a, c])


def test_merge_refuses_a_missing_or_repeated_shard():
    def part(shard, name):
        certified = ConnectorResult(name=name, verdict="certified", score=100)
        return Results(run=RunInfo(shard=shard), connectors=[certified])

    one, two, three = part("1/3", "adyen"), part("2/3", "checkout"), part("3/3", "stripe")
    assert [c.name for c in merge([three, one, two]).connectors] == ["adyen", "checkout", "stripe"]
    with pytest.raises(HarnessError, match=r"shard\(s\) 2/3 missing"):
        merge([one, three])
    with pytest.raises(HarnessError, match="shard 1/3 is also in"):
        merge([one, part("1/3", "paypal"), two, three])
    with pytest.raises(HarnessError, match="different splits"):
        merge([one, part("2/2", "paypal")])
    with pytest.raises(HarnessError, match="not the results of a sharded run"):
        unsharded = Results(connectors=[ConnectorResult(name="paypal", verdict="certified", score=100)])
        merge([one, two, three, unsharded])
