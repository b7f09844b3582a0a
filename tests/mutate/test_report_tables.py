"""`certify mutate`'s tables: equivalents apart, facts-only kills apart, a hint per survivor."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.facts import load_facts
from harness.cli.mutate import render
from harness.mutate.hints import hint_for
from harness.mutate.runner import MutantResult, MutationReport

ROOT = Path(__file__).resolve().parents[2]


def report() -> MutationReport:
    made = MutationReport("acme", "fp")
    made.results = [
        MutantResult("1", "status-table", "f", 1, "a", "killed", "facts:statuses:Capture", "facts"),
        MutantResult(
            "2",
            "currency-row",
            "f",
            2,
            "b",
            "killed",
            "facts:currencies",
            "facts",
            also_killed_by_family="property",
        ),
        MutantResult("3", "id-source", "f", 3, "c", "killed", "scenario:refund_full", "scenario"),
        MutantResult("4", "condition", "f", 4, "d", "equivalent"),
        MutantResult(
            "5",
            "header",
            "f",
            5,
            "header 'X' dropped in common_headers",
            "survived",
            diff="--- a\n+++ b\n",
            hint="replay comparing recorded request headers",
        ),
    ]
    return made


def test_strength_counts_equivalents_apart():
    made = report()
    assert made.strength == pytest.approx(3 / 4)
    assert [r.key for r in made.equivalents] == ["4"]
    assert made.by("family").get("condition") is None  # an equivalent is in no family's total
    assert made.as_dict()["equivalent"] == 1


def test_the_killer_table_shows_facts_only_kills_apart_and_lists_equivalents():
    text = render(report(), 0.9)
    assert "strength 75.0% (3 of 4 mutants killed; 1 equivalent, counted apart" in text
    assert "facts only" in text and "facts (also property)" in text and "scenario" in text
    assert "EQUIVALENT condition f:4: d" in text
    assert "would be caught by: replay comparing recorded request headers" in text


def test_hints_name_the_fact_or_the_scenario():
    facts = load_facts(ROOT / "specs" / "stripe.facts.toml")
    moved = MutantResult(
        "k",
        "status-table",
        "f",
        1,
        '"requires_confirmation": AttemptStatus.X -> AttemptStatus.PENDING',
        "survived",
    )
    assert "the facts mark it not_returned (Authorize status" in hint_for(moved, facts)
    error_path = MutantResult("k", "condition", "f", 1, "condition negated in capture_error: x", "survived")
    assert hint_for(error_path).startswith("a scenario that takes the error path of Capture")
    error_path.evidence = "error body Capture HTTP 402"
    assert hint_for(error_path).endswith("it first differs from the original on: error body Capture HTTP 402")
