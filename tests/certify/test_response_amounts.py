"""The amounts an outcome reports are the ones the provider's answer states (facts-named fields)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.certify.checks.response_amounts import CHECK_ID, response_amounts_check, stated_minor_units
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.facts import FactsError, ResponseAmount, load_facts
from harness.certify.workspace import Workspace
from harness.domain import Currency, Flow
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]


def _check(cls: type | None, name: str = "stripe"):
    if cls is None:
        workspace = Workspace.for_registered(name, root=ROOT)
    else:
        workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name=name)
    [result] = response_amounts_check(ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs)))
    assert result.id == CHECK_ID
    return result


def test_a_dropped_amount_capturable_is_refused_naming_the_answer_field():
    result = _check(broken.AmountCapturableDropped)
    assert result.status == "failed", result.message
    assert "the answer's amount_capturable=1000 (1000 minor units) is dropped: amount_capturable is None" in (
        result.message
    )


def test_the_requested_amount_reported_as_captured_is_refused_on_a_partial_capture():
    result = _check(broken.CapturedAmountAsRequested)
    assert result.status == "failed", result.message
    assert "capture_partial step 2 (Capture): the answer's amount_received=500 is 500 minor units" in (
        result.message
    )


@pytest.mark.parametrize("name", ["stripe", "adyen"])
def test_the_shipped_connectors_report_what_the_answers_state(name):
    result = _check(None, name)
    assert result.status == "passed" and result.details["compared"] > 0, result.message


def test_amounts_convert_with_the_facts_table_not_the_connector():
    facts = load_facts(ROOT / "specs" / "stripe.facts.toml")
    fact = ResponseAmount(flow="Authorize", field="amount", reports="amount", source="s")
    # ISK: no decimals in ISO 4217, two on Stripe's wire: 100 on the wire is 1 krona
    assert stated_minor_units(fact, facts, 100, Currency.ISK) == 1
    assert stated_minor_units(fact, facts, 150, Currency.ISK) is None  # no whole krona
    major = ResponseAmount(
        flow="Capture", field="amount.value", reports="amount_captured", unit="major", source="s"
    )
    assert stated_minor_units(major, facts, "10.00", Currency.USD) == 1000
    assert Flow.CAPTURE is major.flow


def test_a_response_amount_without_a_source_or_with_an_unknown_outcome_field_is_refused(tmp_path):
    path = tmp_path / "acme.facts.toml"
    head = '[provider]\nname = "Acme"\n[currencies]\nsupported = ["USD"]\n'
    path.write_text(
        head + '[[response_amounts]]\nflow = "Capture"\nfield = "amount"\nreports = "settled"\nsource = "x"\n'
    )
    with pytest.raises(FactsError, match="reports"):
        load_facts(path)
    path.write_text(head + '[[response_amounts]]\nflow = "Capture"\nfield = "amount"\nreports = "amount"\n')
    with pytest.raises(FactsError, match="source"):
        load_facts(path)
