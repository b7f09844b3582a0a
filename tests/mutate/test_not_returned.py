"""A status value the facts mark not_returned must not be read as final should it arrive."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.checks.facts import not_returned_problem
from harness.certify.checks.plan import certify_workspace
from harness.certify.facts import FactsError, NotReturned, StatusRow, StatusTable, load_facts
from harness.certify.workspace import Workspace
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]
TABLE = StatusTable(
    flow="Capture",
    field="status",
    values=["done", "never"],
    rows=[StatusRow(value="done", means="Charged")],
    not_returned=[NotReturned(value="never", reason="only for another operation")],
)


def test_a_not_returned_value_read_as_charged_is_refused_naming_the_value():
    cls = broken.NotReturnedStatusCharged
    result = certify_workspace(
        cls.id, lambda: Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe")
    )
    assert "facts:statuses:Authorize" in result.failing, result.failing
    check = next(c for c in result.checks if c.id == "facts:statuses:Authorize")
    assert "status='requires_confirmation' (not_returned) became Charged" in check.message


@pytest.mark.parametrize(
    ("got", "elsewhere", "refused"),
    [
        ("Charged", set(), True),
        ("Failure", set(), True),
        ("Pending", set(), False),
        ("CaptureInitiated", set(), False),
        ("a typed error (unknown_status: never)", set(), False),
        ("a KeyError at transformers.py:12", set(), True),
        ("Voided", {"Voided"}, False),  # another table of the same resource documents the meaning
    ],
)
def test_only_a_non_terminal_answer_or_a_documented_meaning_passes(got, elsewhere, refused):
    problem = not_returned_problem(TABLE, TABLE.not_returned[0], got, elsewhere)
    assert (problem is not None) is refused, problem


def test_the_facts_may_state_what_a_not_returned_value_means():
    absent = NotReturned(value="never", means="Charged")
    assert not_returned_problem(TABLE, absent, "Charged") is None
    assert "the facts say Charged" in (not_returned_problem(TABLE, absent, "Pending") or "")


def test_a_not_returned_meaning_that_is_no_ucs_status_is_refused(tmp_path):
    path = tmp_path / "acme.facts.toml"
    path.write_text(
        '[provider]\nname = "Acme"\n[currencies]\nsupported = ["USD"]\n'
        '[[statuses]]\nflow = "Capture"\nfield = "status"\nvalues = ["never"]\n'
        '  [[statuses.not_returned]]\n  value = "never"\n  means = "Settled"\n'
    )
    with pytest.raises(FactsError, match="'Settled' is no AttemptStatus"):
        load_facts(path)
