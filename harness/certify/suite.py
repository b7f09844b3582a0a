"""The conformance suite, kept as one import path while the code moves to harness/certify/checks/.

The plan is `checks/plan.py`, the session `checks/session.py`, each family its own module
(`checks/scenario.py`, `contract.py`, `facts.py`, `property.py`, `secrets.py`, `lint.py`, `load.py`),
running a check `checks/run.py`, and the family list `checks/registry.py`. New code imports those;
this module only re-exports them for the tests and callers that still import `harness.certify.suite`.
"""

from __future__ import annotations

from harness.certify.checks.contract import contract_scenario_check
from harness.certify.checks.facts import facts_against_spec_check
from harness.certify.checks.facts import facts_file_specs as facts_specs
from harness.certify.checks.interface import CheckSpec
from harness.certify.checks.lint import lint_check
from harness.certify.checks.load import LOAD_TITLE, load_check
from harness.certify.checks.plan import Prepared, certify_workspace, connector_meta, plan, prepare
from harness.certify.checks.property import NothingToCheck, PropertyBuild, property_check, property_specs
from harness.certify.checks.run import connector_result, redacted, redacted_tree, run_spec, stopped
from harness.certify.checks.scenario import not_supported_check, scenario_check
from harness.certify.checks.secrets import find_leaks, secrets_check
from harness.certify.checks.session import ConnectorSession, SuiteOptions

__all__ = [
    "LOAD_TITLE",
    "CheckSpec",
    "ConnectorSession",
    "NothingToCheck",
    "Prepared",
    "PropertyBuild",
    "SuiteOptions",
    "certify_workspace",
    "connector_meta",
    "connector_result",
    "contract_scenario_check",
    "facts_against_spec_check",
    "facts_specs",
    "find_leaks",
    "lint_check",
    "load_check",
    "not_supported_check",
    "plan",
    "prepare",
    "property_check",
    "property_specs",
    "redacted",
    "redacted_tree",
    "run_spec",
    "scenario_check",
    "secrets_check",
    "stopped",
]
