"""The pending, acknowledged, flag-only-decline and currency scenarios refuse connectors that read a
non-final or flag-only answer as final, or send a currency's amount in the wrong minor unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.catalog import SCENARIOS, SPECIAL_CASE_CURRENCIES
from harness.certify.checks.facts import outcome_check
from harness.certify.checks.scenario import scenario_check
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.workspace import Workspace
from harness.domain.status import AttemptStatus, RefundStatus
from tests.certify import broken, broken_async

ROOT = Path(__file__).resolve().parents[2]


def session_for(cls, data_name: str) -> ConnectorSession:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name=data_name)
    return ConnectorSession(workspace, SuiteOptions())


def run(session: ConnectorSession, scenario_id: str):
    scenario = scenario_check(SCENARIOS[scenario_id])(session)[0]
    outcome = outcome_check(scenario_id)(session)[0]
    return scenario, outcome


@pytest.mark.parametrize(
    ("cls", "data_name", "scenario_ids", "wrong"),
    [
        (
            broken_async.CheckoutPendingCaptureCharged,
            "checkout",
            ["capture_pending_then_psync", "capture_acknowledged"],
            "got Charged",
        ),
        (
            broken_async.StripePendingRefundSucceeded,
            "stripe",
            ["refund_pending_then_rsync", "refund_acknowledged"],
            "got Success (provider status 'pending')",
        ),
        (
            broken_async.AdyenHeldAuthorizationAuthorized,
            "adyen",
            ["authorize_pending"],
            "got Authorized (provider status 'Received')",
        ),
        (
            broken_async.AdyenAcknowledgedCaptureCharged,
            "adyen",
            ["capture_acknowledged"],
            "got Charged (provider status 'received')",
        ),
        (
            broken_async.PaypalFlagOnlyDeclineAuthorized,
            "paypal",
            ["decline_flag_only"],
            "got status Authorized",
        ),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_a_non_final_answer_read_as_final_fails_the_scenario(cls, data_name, scenario_ids, wrong):
    session = session_for(cls, data_name)
    for scenario_id in scenario_ids:
        scenario, _ = run(session, scenario_id)
        assert scenario.status == "failed", (scenario_id, scenario.message)
        assert wrong in scenario.message, scenario.message


@pytest.mark.parametrize(
    ("cls", "data_name", "scenario_id", "fact"),
    [
        (broken_async.CheckoutPendingCaptureCharged, "checkout", "capture_acknowledged", None),
        (broken_async.StripePendingRefundSucceeded, "stripe", "refund_acknowledged", "Pending"),
        (broken_async.AdyenHeldAuthorizationAuthorized, "adyen", "authorize_pending", "Pending"),
        (broken_async.AdyenAcknowledgedCaptureCharged, "adyen", "capture_acknowledged", "CaptureInitiated"),
        (broken_async.PaypalFlagOnlyDeclineAuthorized, "paypal", "decline_flag_only", "DECLINED"),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_the_facts_read_the_recorded_answer_the_other_way(cls, data_name, scenario_id, fact):
    """The facts-outcome check names the documented reading (Checkout's 202 has no status field to
    read, so only the scenario's expectation refuses that one)."""
    _, outcome = run(session_for(cls, data_name), scenario_id)
    if fact is None:
        assert outcome.status == "passed", outcome.message
        return
    assert outcome.status == "failed", outcome.message
    assert fact in outcome.message or "is an error" in outcome.message, outcome.message


def test_a_jpy_amount_times_100_fails_the_zero_decimal_scenario():
    """broken.WrongJpyExponent sends every currency with two decimals (JPY 1000 as 100000)."""
    session = session_for(broken.WrongJpyExponent, "stripe")
    scenario, _ = run(session, "currency_zero_decimal")
    assert scenario.status == "failed"
    assert "amount" in scenario.message and "100000" in scenario.message, scenario.message
    kwd, _ = run(session, "currency_three_decimal")  # KWD 10.000 goes out as 1000
    assert kwd.status == "failed" and "recorded '10000', sent '1000'" in kwd.message, kwd.message
    usd, _ = run(session, "capture_full")  # a two-decimal currency is unaffected
    assert usd.status == "passed", usd.message


@pytest.mark.parametrize(
    ("data_name", "scenario_ids"),
    [
        (
            "stripe",
            ["refund_pending_then_rsync", "authorize_pending", "refund_acknowledged", "currency_isk"],
        ),
        ("adyen", ["authorize_pending", "capture_acknowledged", "void_acknowledged", "currency_cve"]),
        ("checkout", ["capture_pending_then_psync", "refund_pending_then_rsync", "currency_clp"]),
        ("paypal", ["decline_flag_only", "currency_huf"]),
    ],
)
def test_the_shipped_connectors_pass_their_new_scenarios(data_name, scenario_ids):
    session = ConnectorSession(Workspace.for_registered(data_name, root=ROOT), SuiteOptions())
    for scenario_id in scenario_ids:
        scenario, outcome = run(session, scenario_id)
        assert scenario.status == "passed", (scenario_id, scenario.message)
        assert outcome.status == "passed", (scenario_id, outcome.message)


def test_pending_expectations_accept_no_final_status():
    final = {AttemptStatus.CHARGED.value, AttemptStatus.AUTHORIZED.value, AttemptStatus.VOIDED.value}
    for scenario_id in ("capture_acknowledged", "void_acknowledged", "authorize_pending"):
        assert not SCENARIOS[scenario_id].steps[-1].expect.statuses & final
    assert SCENARIOS["refund_acknowledged"].steps[-1].expect.statuses == {RefundStatus.PENDING.value}


def test_currency_scenarios_send_their_own_currency_with_whole_halves():
    for code, amount in SPECIAL_CASE_CURRENCIES:
        scenario = SCENARIOS[f"currency_{code.value.lower()}"]
        assert scenario.currency is code and scenario.amount == amount
        # the refund takes half, which must stay whole when a provider drops two ISO digits
        assert amount % (200 if code.exponent == 2 else 2) == 0
