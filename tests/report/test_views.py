"""The views every format shares: matrix cells, the baseline diff, cassette ages."""

from __future__ import annotations

import datetime as dt

from harness.certify.results import CheckResult, Results
from harness.report import views
from tests.report.factory import cassette, connector, sample_results, scenario

NOW = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def cells(results, name):
    row = next(r for r in views.matrix(results) if r.connector.name == name)
    return {cell.flow: cell for cell in row.cells}


def test_matrix_cells_follow_the_checks_and_the_declaration():
    results = sample_results()
    good, bad = cells(results, "good"), cells(results, "bad")
    assert good["Authorize"].state == "pass" and good["Authorize"].counts.passed == 2
    assert good["Capture"].state == "pass"
    assert good["CreateAccessToken"].state == "not-supported"
    assert good["CreateAccessToken"].note == "no token endpoint"
    assert bad["Authorize"].state == "fail" and "scenario:decline_generic" in bad["Authorize"].note
    assert bad["Capture"].state == "fail"  # the money property fails
    assert bad["Refund"].state == "fail"  # the contract fails although the scenario passes
    assert bad["Void"].state == "not-supported" and bad["Void"].note == "the provider cannot void"
    assert (
        bad["CreateAccessToken"].state == "not-supported"
        and "not implemented" in bad["CreateAccessToken"].note
    )
    assert bad["PSync"].state == "none"


def test_an_exempt_flow_and_a_skipped_flow():
    checks = [
        CheckResult(id="scenario:void_authorized", family="scenario", status="skipped", exempt=True,
                    message="exempt: voids are asynchronous", flow="Void"),
        CheckResult(id="property:responses:PSync", family="property", status="skipped", message="no spec",
                    flow="PSync"),
    ]  # fmt: skip
    row = {c.flow: c for c in views.matrix(Results(connectors=[connector("x", checks)]))[0].cells}
    assert row["Void"].state == "exempt" and row["Void"].note == "voids are asynchronous"
    assert row["PSync"].state == "skipped"


def test_counts_split_exempt_from_skipped_and_error_into_failed():
    checks = [
        CheckResult(id="a", family="scenario", status="passed"),
        CheckResult(id="b", family="scenario", status="error"),
        CheckResult(id="c", family="scenario", status="failed"),
        CheckResult(id="d", family="scenario", status="skipped"),
        CheckResult(id="e", family="scenario", status="skipped", exempt=True),
    ]
    assert views.Counts.of(checks) == views.Counts(passed=1, failed=2, skipped=1, exempt=1)


def _with(results, name, check_id, **changes):
    out = results.model_copy(deep=True)
    target = next(c for c in out.connector(name).checks if c.id == check_id)
    for key, value in changes.items():
        setattr(target, key, value)
    return out


def test_diff_names_regressed_fixed_new_removed_and_verdict_changes():
    baseline = sample_results()
    current = baseline.model_copy(deep=True)
    # regressed: passing before, failing now; and one absent before, failing now
    current = _with(current, "good", "scenario:capture_full", status="failed", message="now broken")
    current.connector("good").checks.append(
        CheckResult(id="property:new", family="property", status="failed")
    )
    current.connector("good").verdict = "not_certified"
    # fixed: failing before, passing now
    current = _with(current, "bad", "property:money:Capture", status="passed")
    # new and passing; removed
    current.connector("bad").checks.append(
        CheckResult(id="property:extra", family="property", status="passed")
    )
    current.connector("bad").checks = [
        c for c in current.connector("bad").checks if c.id != "scenario:refund_full"
    ]
    found = views.diff(current, baseline)
    assert {(c.connector, c.check_id) for c in found.regressed} == {
        ("good", "scenario:capture_full"),
        ("good", "property:new"),
    }
    regressed = next(c for c in found.regressed if c.check_id == "scenario:capture_full")
    assert (regressed.before, regressed.after, regressed.message) == ("passed", "failed", "now broken")
    assert [(c.connector, c.check_id) for c in found.fixed] == [("bad", "property:money:Capture")]
    assert [(c.connector, c.check_id) for c in found.new] == [("bad", "property:extra")]
    assert [(c.connector, c.check_id) for c in found.removed] == [("bad", "scenario:refund_full")]
    assert [(v.connector, v.before, v.after, v.worse) for v in found.verdicts] == [
        ("good", "certified", "not_certified", True)
    ]
    assert found.still_failing == 3  # decline_generic, the contract and the lint finding
    assert found.has_regression
    assert found.connectors_with_regressions() == ["good"]


def test_no_regression_when_only_fixes():
    baseline = sample_results()
    current = _with(baseline, "bad", "property:money:Capture", status="passed")
    found = views.diff(current, baseline)
    assert not found.has_regression and len(found.fixed) == 1
    assert views.diff(baseline, baseline).summary().startswith("0 regressed, 0 fixed")


def test_a_worse_verdict_alone_is_a_regression_and_new_or_removed_connectors_are_listed():
    baseline = sample_results()
    current = baseline.model_copy(deep=True)
    current.connector("good").verdict = "error"
    current.connectors.append(connector("fresh", [scenario("rsync", "RSync")]))
    current.connectors = [c for c in current.connectors if c.name != "bad"]
    found = views.diff(current, baseline)
    assert found.has_regression and not found.regressed
    assert {(v.connector, v.before, v.after) for v in found.verdicts} == {
        ("good", "certified", "error"),
        ("fresh", None, "certified"),
        ("bad", "not_certified", None),
    }


def test_cassette_age_warns_past_the_threshold_as_of_now():
    result = connector(
        "x",
        [],
        cassettes=[
            cassette("a", "2026-11-01T00:00:00Z"),
            cassette("b", "2026-05-01T00:00:00Z"),
            {"scenario": "c", "path": "p", "missing": True},
        ],
    )
    found, sources = views.cassettes(result, max_age_days=180, now=NOW)
    assert [(c.scenario, c.age_days, c.old) for c in found] == [
        ("a", 26, False),
        ("b", 210, True),
        ("c", None, False),
    ]
    assert found[2].problem == "missing"
    assert sources == ["https://docs.example.invalid/api", "https://docs.example.invalid/testing"]
    shorter, _ = views.cassettes(result, max_age_days=20, now=NOW)
    assert [c.old for c in shorter] == [True, True, False]


def test_violations_keep_their_json_pointer():
    check = sample_results().connector("bad").checks[4]
    found = views.violations(check)
    assert (found[0].step, found[0].where, found[0].pointer) == ("refund", "request", "/amount")
    assert found[0].message == "'x' is not of type 'integer'"
    assert found[1].pointer == "/status"


def test_steps_drop_the_encoded_body_when_the_decoded_one_is_there():
    check = sample_results().connector("good").checks[1]
    (step,) = views.steps(check)
    assert (
        step.request is not None
        and "encoded_body" not in step.request
        and step.request["body"]["amount"] == 1000
    )
    assert step.outcome == "Charged; 1000 USD"
