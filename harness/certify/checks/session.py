"""What is loaded once per connector and process: the suite's options and the `ConnectorSession`
(scenario runs are cached, so the contract, facts and secrets checks reuse them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from harness.certify.cassettes.format import CassetteError
from harness.certify.cassettes.replay import (
    LoadedCassette,
    ReplayTransport,
    keep_parsed_cassettes,
    load_cassette,
)
from harness.certify.catalog import CATALOG, Scenario
from harness.certify.checks.facts import Recorded, recorded_from_runs
from harness.certify.checks.interface import check_result
from harness.certify.contracts import Spec, load_spec
from harness.certify.example_tapes import TapeStore, canonical, environment_cache_dir
from harness.certify.facts import Facts, load_facts
from harness.certify.limits import DEFAULT_CHECK_TIMEOUT
from harness.certify.properties import Profile, PropertyContext, profile_named
from harness.certify.results import CheckResult
from harness.certify.runner import ScenarioRun, ScenarioRunner
from harness.certify.tomlfiles import keep_parsed_toml
from harness.certify.workspace import Workspace
from harness.defaults import CASSETTE_MAX_AGE_DAYS, DEFAULT_PROFILE
from harness.domain.amounts import CurrencyTable
from harness.domain.errors import HarnessError
from harness.domain.flows import Flow
from harness.execution.redact import Redactor
from harness.integration import registry


@dataclass(frozen=True)
class SuiteOptions:
    profile: Profile = field(default_factory=lambda: profile_named(DEFAULT_PROFILE))
    config_dir: Path | None = None
    cassette_max_age_days: int = CASSETTE_MAX_AGE_DAYS
    check_timeout: float | None = DEFAULT_CHECK_TIMEOUT  # seconds per check (and per load); None: no limit
    # where property example tapes and parsed cassettes are kept; None: made in every process
    cache_dir: Path | None = field(default_factory=environment_cache_dir)
    # keep the lint's findings there too (a mutant, linted once in a temporary folder, does not)
    keep_lint_findings: bool = True


class ConnectorSession:
    """One connector's loaded material and cached scenario runs, for one process."""

    def __init__(self, workspace: Workspace, options: SuiteOptions) -> None:
        self.workspace = workspace
        self.options = options
        self.runs: dict[str, ScenarioRun | CheckResult] = {}
        self.cassettes: dict[str, LoadedCassette] = {}
        # scenarios whose replay answered the n-th request with the n-th interaction throughout
        self.replayed_in_order: set[str] = set()
        self.memo: dict[str, Any] = {}  # what a check family makes once per connector and run
        keep_parsed_cassettes(options.cache_dir)
        keep_parsed_toml(options.cache_dir)

    @cached_property
    def example_tapes(self) -> TapeStore | None:
        return TapeStore(self.options.cache_dir) if self.options.cache_dir is not None else None

    @cached_property
    def spec(self) -> Spec:
        return load_spec(self.workspace.spec_path, exemptions=self.workspace.certification.contract_exempt)

    @cached_property
    def facts(self) -> Facts:
        return load_facts(self.workspace.facts_path)

    @property
    def relative_facts_path(self) -> str:
        return self.relative(self.workspace.facts_path)

    def recorded_responses(self) -> list[Recorded]:
        """Successful exchanges of the supported scenarios' replays (status facts start from these).
        Made once a connector (a dozen checks read them, each body decoded from its bytes): their
        bodies are only read; a check that changes one deep-copies it first (the status rows do)."""
        if "recorded_responses" not in self.memo:
            runs = []
            for scenario in CATALOG:
                if scenario.id in self.workspace.certification.scenarios.supported:
                    run = self.scenario_run(scenario)
                    if isinstance(run, ScenarioRun):
                        runs.append(run)
            self.memo["recorded_responses"] = recorded_from_runs(runs)
        return list(self.memo["recorded_responses"])

    def status_responses(self) -> list[Recorded]:
        """The recorded answers the status facts start from, and answers for documented endpoints no
        replay recorded (a body of the same resource, sent through the flow that reads it); made once
        a connector, as `recorded_responses`."""
        from harness.certify.checks.facts import reached_endpoints

        if "status_responses" not in self.memo:
            self.memo["status_responses"] = self.recorded_responses() + reached_endpoints(self)
        return list(self.memo["status_responses"])

    @cached_property
    def redactor(self) -> Redactor:
        return Redactor(
            [*self.workspace.auth.secret_values(), *self.workspace.certification.secret_values()],
            key_prefixes=registry.key_prefixes(),
        )

    @cached_property
    def runner(self) -> ScenarioRunner:
        ws = self.workspace
        return ScenarioRunner(
            ws.connector,
            ws.certification,
            ws.auth,
            ws.base_url("sandbox"),
            redactor=self.redactor,
            replay=True,
        )

    def scenario_run(self, scenario: Scenario) -> ScenarioRun | CheckResult:
        """The replayed run, or the failed/error check explaining why it could not run."""
        if scenario.id in self.runs:
            return self.runs[scenario.id]
        path = self.workspace.cassette_path(scenario.id)
        try:
            loaded = load_cassette(
                path,
                volatile=self.workspace.connector_cls.volatile_fields,
                volatile_headers=self.workspace.connector_cls.volatile_headers,
            )
        except FileNotFoundError:
            outcome: ScenarioRun | CheckResult = check_result(
                f"scenario:{scenario.id}",
                "scenario",
                "failed",
                f"no cassette at {self.relative(path)}: record it with `certify record "
                f"{self.workspace.name} --scenario {scenario.id}`",
                scenario=scenario,
            )
        except CassetteError as error:
            outcome = check_result(
                f"scenario:{scenario.id}", "scenario", "error", error.one_line(), scenario=scenario
            )
        else:
            self.cassettes[scenario.id] = loaded
            transport = ReplayTransport(loaded)
            run = self.runner.run(scenario, transport)
            if transport.in_order:
                self.replayed_in_order.add(scenario.id)
            if run.passed:
                unplayed = loaded.unplayed()
                if unplayed:
                    never = ", ".join(unplayed)
                    run.problems.append(
                        f"{self.relative(path)}: recorded interaction(s) never requested: {never}"
                    )
            outcome = run
        self.runs[scenario.id] = outcome
        return outcome

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.workspace.root))
        except ValueError:
            return str(path)

    # ------------------------------------------------------------ inputs for the properties

    def sample_chain(self, flow: Flow) -> tuple[str, dict[str, Any]]:
        """A transaction id and connector metadata as a real chain would pass to `flow` (found once a
        flow: every property example asks)."""
        key = f"sample_chain:{flow.value}"
        if key not in self.memo:
            self.memo[key] = self._sample_chain(flow)
        transaction, metadata = self.memo[key]
        return transaction, dict(metadata)

    def _sample_chain(self, flow: Flow) -> tuple[str, dict[str, Any]]:
        for scenario in CATALOG:
            if scenario.id not in self.workspace.certification.scenarios.supported:
                continue
            run = self.scenario_run(scenario)
            if not isinstance(run, ScenarioRun):
                continue
            metadata: dict[str, Any] = {}
            transaction = ""
            for execution in run.executions:
                result = execution.result
                if execution.flow is flow:
                    return transaction or "txn_property", metadata
                transaction = getattr(result, "connector_transaction_id", None) or transaction
                metadata.update(getattr(result, "connector_metadata", None) or {})
        return "txn_property", {}

    def base_response(self, flow: Flow) -> tuple[int, Any] | None:
        """A successful response body for `flow` from a replayed scenario."""
        for scenario in CATALOG:
            if scenario.id not in self.workspace.certification.scenarios.supported:
                continue
            run = self.scenario_run(scenario)
            if not isinstance(run, ScenarioRun):
                continue
            for execution in run.executions:
                response = execution.response
                if execution.flow is flow and response is not None and response.ok and execution.ok:
                    body = response.decoded()
                    if isinstance(body, dict | list):
                        return response.status_code, body
        return None

    @cached_property
    def tape_context(self) -> str:
        """What the property strategies' filters read (the facts' currency table, the default currency),
        as the context of their example tapes' keys; the same for every property of the connector."""
        ctx = self.property_context
        return canonical((ctx.table, ctx.default_currency))

    @cached_property
    def property_context(self) -> PropertyContext:
        ws = self.workspace
        spec: Spec | None
        try:
            spec = self.spec
        except HarnessError:
            spec = None
        try:
            oracle = self.facts.currency_table
        except HarnessError:
            oracle = CurrencyTable()  # no facts: ISO 4217 alone (the facts checks fail the connector)
        return PropertyContext(
            oracle=oracle,
            connector=ws.connector,
            base_url=ws.base_url("sandbox"),
            auth=ws.auth,
            default_currency=ws.certification.currency,
            sample_chain=self.sample_chain,
            spec=spec,
            metadata=ws.certification.metadata,
        )
