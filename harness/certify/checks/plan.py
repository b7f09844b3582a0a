"""The plan of checks for one connector, fixed before anything runs: each family module's
`specs(session)` in `PLANNERS` order (the pytest plugin turns each spec into an item);
`certify_workspace()` runs the whole plan without pytest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.replay import load_cassette
from harness.certify.checks import contract as contract_checks
from harness.certify.checks import error_answers as error_answer_checks
from harness.certify.checks import facts as facts_checks
from harness.certify.checks import lint as lint_checks
from harness.certify.checks import property as property_checks
from harness.certify.checks import response_amounts as response_amount_checks
from harness.certify.checks import scenario as scenario_checks
from harness.certify.checks import secrets as secrets_checks
from harness.certify.checks import webhooks as webhook_checks
from harness.certify.checks.interface import CheckSpec
from harness.certify.checks.load import load_check, load_error
from harness.certify.checks.run import connector_result, run_spec, stopped
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.contracts import keep_parsed_specs
from harness.certify.limits import UserInterrupt, time_limit
from harness.certify.results import CheckResult, ConnectorResult
from harness.certify.tomlfiles import keep_parsed_toml
from harness.certify.workspace import Workspace
from harness.domain.errors import HarnessError
from harness.domain.flows import FLOW_ORDER
from harness.execution.executor import crash_from


@dataclass
class Prepared:
    """A connector ready to certify: its load check, and (when it loaded) its session, meta and plan."""

    load: CheckResult
    session: ConnectorSession | None = None
    meta: dict[str, Any] | None = None
    specs: list[CheckSpec] = field(default_factory=list)


def prepare(factory: Callable[[], Workspace], options: SuiteOptions) -> Prepared:
    """Load the connector and fix its plan before anything runs; any fault here is its load error."""
    keep_parsed_specs(options.cache_dir)
    keep_parsed_toml(options.cache_dir)
    workspace, load = load_check(factory, options.check_timeout)
    if workspace is None:
        return Prepared(load)
    session = ConnectorSession(workspace, options)
    try:
        with time_limit(options.check_timeout, f"planning {workspace.name}"):
            meta = connector_meta(session)
            specs = plan(session)
    except HarnessError as error:
        return Prepared(load_error(error.one_line()))
    except Exception as error:  # a declaration the harness cannot read must not abort the other connectors
        return Prepared(load_error(f"{crash_from(error).describe()} while planning the checks"))
    except UserInterrupt:
        raise
    except BaseException as error:  # as in run_spec
        return Prepared(load_error(stopped(error, options.check_timeout, workspace.root)))
    return Prepared(load, session, meta, specs)


# The families' planners, in the order their checks are planned (a new family: its module, one line here).
PLANNERS: tuple[Callable[[ConnectorSession], list[CheckSpec]], ...] = (
    scenario_checks.specs,
    contract_checks.specs,
    facts_checks.specs,
    response_amount_checks.specs,  # in the facts family: the facts name where an answer states amounts
    error_answer_checks.specs,  # in the facts family: recorded error answers outside the catalog
    webhook_checks.webhook_specs,  # in the facts family: the webhook facts are its oracle
    property_checks.specs,
    secrets_checks.specs,
    lint_checks.specs,
)


def plan(session: ConnectorSession) -> list[CheckSpec]:
    specs: list[CheckSpec] = []
    for planner in PLANNERS:
        specs.extend(planner(session))
    return specs


def connector_meta(session: ConnectorSession) -> dict[str, Any]:
    """What the report shows about a connector besides its checks (computed without running them)."""
    ws = session.workspace
    connector = ws.connector
    cassettes = []
    for scenario_id in ws.certification.scenarios.supported:
        path = ws.cassette_path(scenario_id)
        entry: dict[str, Any] = {"scenario": scenario_id, "path": session.relative(path)}
        try:
            loaded = session.cassettes.get(scenario_id) or load_cassette(
                path, volatile=ws.connector_cls.volatile_fields
            )
        except FileNotFoundError:
            entry["missing"] = True
        except CassetteError as error:
            entry["error"] = error.one_line()
        else:
            age = loaded.provenance.age_days()
            entry.update(
                interactions=loaded.interactions,
                provenance=loaded.provenance.as_dict(),
                age_days=age,
                expired=age > session.options.cassette_max_age_days,
            )
        cassettes.append(entry)
    return {
        "display_name": connector.display_name or ws.name,
        "flows": {
            f.value: "implemented"
            if connector.supports(f)
            else ("not_supported" if f in connector.unsupported else "missing")
            for f in FLOW_ORDER
        },
        "not_supported": {f.value: reason for f, reason in connector.unsupported.items()},
        "exemptions": dict(ws.certification.exempt),
        "declaration": connector.declaration(),
        "cassettes": cassettes,
    }


def certify_workspace(
    name: str, factory: Callable[[], Workspace], options: SuiteOptions | None = None
) -> ConnectorResult:
    """Run the whole plan for one connector without pytest."""
    prepared = prepare(factory, options or SuiteOptions())
    checks = [prepared.load]
    if prepared.session is not None:
        for spec in prepared.specs:
            checks.extend(run_spec(spec, prepared.session))
    return connector_result(name, prepared.meta, checks)
