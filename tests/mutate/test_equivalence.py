"""Equivalent mutants: the same answer as the original on every catalog and facts-derived input."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.facts import load_facts
from harness.certify.workspace import Workspace
from harness.domain.currency import Currency
from harness.mutate.equivalence import boundary_amounts, differences
from harness.mutate.operators import Mutant, source_mutants
from harness.mutate.runner import evaluate, observe_original, run_forked

ROOT = Path(__file__).resolve().parents[2]
TRANSFORMERS = ROOT / "connectors" / "stripe" / "transformers.py"
DISPLAY = "connectors/stripe/transformers.py"


def test_differences_name_inputs_answered_otherwise_or_missing():
    original = {"money Authorize JPY 1": "a", "status Capture status='x'": "b"}
    assert differences(original, dict(original)) == []
    assert differences(original, {**original, "money Authorize JPY 1": "c"}) == ["money Authorize JPY 1"]
    assert differences(original, {"money Authorize JPY 1": "a"}) == ["status Capture status='x'"]


def test_boundary_amounts_come_from_the_facts_rules_in_iso_minor_units():
    facts = load_facts(ROOT / "specs" / "stripe.facts.toml")
    # ISK: no decimals in ISO 4217, two on Stripe's wire, multiple of 100 there: 100 -> 1 krona
    assert {1, 2} <= set(boundary_amounts(facts, Currency.ISK))
    assert all(a > 0 for a in boundary_amounts(facts, Currency.USD))


@pytest.mark.slow
def test_an_unobservable_mutant_is_equivalent_and_a_facts_visible_one_is_not():
    text = TRANSFORMERS.read_text()
    lines = text.count("\n")
    unused = Mutant("condition", DISPLAY, lines, "an unused module variable", text, text + "\nUNUSED = 1\n")
    pending = next(
        m
        for m in source_mutants(TRANSFORMERS, DISPLAY, ("status-table",))
        if m.description.startswith('"requires_confirmation": AttemptStatus.CONFIRMATION_AWAITED -> ')
        and m.description.endswith("AttemptStatus.PENDING")
    )
    workspace = Workspace.for_registered("stripe", root=ROOT)
    original = observe_original(workspace, workspace.configs)

    def job(mutant: Mutant):
        return lambda: evaluate(
            "stripe", workspace.connector_cls, ROOT, workspace.configs, mutant, workspace.source_dir, original
        )

    same, other = run_forked([(unused, job(unused)), (pending, job(pending))], workers=2, timeout=600)
    assert same["status"] == "equivalent", same
    # a value the facts mark not_returned, moved from ConfirmationAwaited to Pending: the facts now
    # say what it means if it ever arrives, so the facts family kills it (before that fact it survived
    # every check and only the facts-derived status input told it from the original)
    assert other["status"] == "killed", other
    assert str(other.get("killed_by", "")).startswith("facts:statuses:Authorize"), other


def _session(name: str):
    from harness.certify.checks.session import ConnectorSession, SuiteOptions

    workspace = Workspace.for_registered(name, root=ROOT)
    return ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs))


def test_every_supported_flow_sends_its_request_with_distinct_ids_even_without_a_recording():
    from harness.mutate.equivalence import _answer, request_answers

    # Authorize.net has no recorded refund sync (its sandbox settles daily): the request is an input
    answers = {label: _answer(call) for label, call in request_answers(_session("authorizedotnet"))}
    assert '\\"transId\\":\\"refund_property\\"' in answers["request RSync"], answers["request RSync"]
    assert "refund_property" not in answers["request PSync"]
    assert "request RSync without metadata" in answers


def test_a_status_table_mutant_of_a_status_no_input_reaches_is_no_equivalent():
    from harness.mutate.equivalence import unreached_statuses
    from harness.mutate.runner import MutantResult, _unreached_value

    session = _session("stripe")
    # Stripe's row for a PaymentIntent back in requires_payment_method with last_payment_error set:
    # no recorded 2xx answer carries last_payment_error, so no input reaches it
    assert (
        "no recorded example of last_payment_error" in unreached_statuses(session)["requires_payment_method"]
    )
    file = "connectors/stripe/transformers.py"
    moved = MutantResult("k", "status-table", file, 180, '"requires_payment_method": A.X -> A.Y', "survived")
    evidence = _unreached_value(moved, session) or ""
    assert evidence.startswith("no input reaches the documented status 'requires_payment_method'"), evidence
    reached = MutantResult("k", "status-table", file, 181, '"succeeded": A.CHARGED -> A.PENDING', "survived")
    assert _unreached_value(reached, session) is None
    negated = MutantResult("k", "condition", file, 237, "condition negated in attempt_status: x", "survived")
    assert _unreached_value(negated, session) is None


def test_paypal_order_sync_statuses_are_reached_through_the_order_body_recorded_on_authorize():
    from harness.mutate.equivalence import unreached_statuses

    # PayPal syncs an order only when Authorize left no payment: the order body recorded on
    # Authorize, sent through PSync, reaches every documented row of the order-sync table
    assert not [v for v in unreached_statuses(_session("paypal")).values() if "checkout/orders/{id}" in v]


def test_only_changed_lines_inside_a_function_are_watched():
    from harness.mutate.runner import changed_lines

    text = "X = 1\n\n\ndef f(a):\n    if a:\n        return 1\n    return 2\n"
    negated = Mutant("condition", "m.py", 5, "negated", text, text.replace("if a:", "if not a:"))
    module = Mutant("condition", "m.py", 1, "module", text, text.replace("X = 1", "X = 2"))
    assert changed_lines(negated) == {5}
    assert changed_lines(module) == frozenset()  # runs at import: judged by its inputs alone


@pytest.mark.slow
def test_a_mutant_no_input_runs_is_a_survivor_not_an_equivalent():
    # Stripe's decline_from reads a 2xx PaymentIntent carrying last_payment_error: no recorded
    # answer has one, so swapping its code and message changes no answer, yet is a real bug
    swapped = next(
        m
        for m in source_mutants(TRANSFORMERS, DISPLAY, ("error-field",))
        if m.description.startswith("error code and message swapped in decline_from")
    )
    workspace = Workspace.for_registered("stripe", root=ROOT)
    original = observe_original(workspace, workspace.configs)

    def job():
        return evaluate(
            "stripe",
            workspace.connector_cls,
            ROOT,
            workspace.configs,
            swapped,
            workspace.source_dir,
            original,
        )

    [outcome] = run_forked([(swapped, job)], workers=1, timeout=600)
    assert outcome["status"] == "survived", outcome
    assert outcome["evidence"].startswith(f"no input reaches line {swapped.line}"), outcome
