"""The check families are listed once (harness/certify/checks/registry.py): results.json's model,
the pytest markers, the plan and the report views read that list, and a family outside it is refused."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.certify import plugin
from harness.certify.checks import plan as plan_module
from harness.certify.checks.interface import check_result
from harness.certify.checks.registry import FAMILIES, REPORT_ORDER, TITLES, family_of
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.results import CheckResult
from harness.certify.workspace import Workspace
from harness.report import views

ROOT = Path(__file__).resolve().parents[2]


def test_results_plugin_and_views_read_the_registry() -> None:
    assert typing.get_args(CheckResult.model_fields["family"].annotation) == FAMILIES
    assert plugin.FAMILIES is FAMILIES
    assert views.FAMILY_ORDER is REPORT_ORDER and views.FAMILY_TITLES is TITLES
    assert sorted(REPORT_ORDER) == sorted(FAMILIES)  # the reports show every family, once
    assert set(TITLES) <= set(FAMILIES)


def test_a_family_outside_the_registry_is_refused() -> None:
    with pytest.raises(ValidationError, match="family"):
        check_result("webhook:signature", "webhook", "passed", "ok")


@pytest.mark.parametrize(
    ("check_id", "family"),
    [
        ("scenario:authorize_auto_capture", "scenario"),
        ("not_supported:Void", "scenario"),
        ("contract:requests:Authorize", "contract"),
        ("property:money:Authorize", "property"),
        ("facts:statuses:PSync", "facts"),
        ("secrets:masked", "secrets"),
        ("lint", "lint"),
        ("load", "load"),
        ("something_else:x", "load"),
    ],
)
def test_family_of_a_check_known_by_id(check_id: str, family: str) -> None:
    assert family_of(check_id) == family


def test_the_plan_is_the_registered_planners_in_order_and_uses_registered_families() -> None:
    session = ConnectorSession(Workspace.for_registered("stripe", root=ROOT), SuiteOptions())
    specs = plan_module.plan(session)
    expected = [spec.id for planner in plan_module.PLANNERS for spec in planner(session)]
    assert [spec.id for spec in specs] == expected
    assert {spec.family for spec in specs} == set(FAMILIES) - {"load"}  # load runs before the plan
