"""Outcomes that show a bug whatever the expectation: an amount captured in a state where nothing
is captured, an error message showing a missing value as None."""

from __future__ import annotations

from pathlib import Path

from harness.certify.catalog import SCENARIOS
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.runner import ScenarioRun
from harness.certify.workspace import Workspace
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]


def _psync_authorized(cls: type | None) -> ScenarioRun:
    if cls is None:
        workspace = Workspace.for_registered("stripe", root=ROOT)
    else:
        workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe")
    run = ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs)).scenario_run(
        SCENARIOS["psync_authorized"]
    )
    assert isinstance(run, ScenarioRun)
    return run


def test_an_authorized_payment_reported_with_an_amount_captured_is_refused():
    problems = _psync_authorized(broken.AuthorizedAmountAsCaptured).problems
    assert any("Authorized with amount_captured 1000: nothing is captured" in p for p in problems), problems


def test_an_authorized_payment_with_nothing_captured_passes():
    assert _psync_authorized(None).problems == []


def test_an_error_message_showing_a_missing_value_as_none_is_refused():
    from harness.certify.catalog import SCENARIOS as ALL

    workspace = Workspace(
        name=broken.NoneInErrorMessage.id,
        connector_cls=broken.NoneInErrorMessage,
        root=ROOT,
        data_name="stripe",
    )
    session = ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs))
    run = session.scenario_run(ALL["decline_generic"])
    assert isinstance(run, ScenarioRun)
    assert any("shows a missing value as None" in p for p in run.problems), run.problems
    assert _psync_authorized(None).problems == []
