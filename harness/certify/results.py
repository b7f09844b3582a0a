"""The certification results: one model, one JSON file (`results.json`), every report renders from it.

The schema is versioned (`SCHEMA_VERSION`); `harness/report` ships the matching JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.certify.checks.registry import Family
from harness.defaults import DEFAULT_PROFILE, harness_version

# 1.1: CheckResult.gap and ConnectorResult.gaps (the score counts gaps, GAP_PENALTY each), and
# optional fields for mutation strength and run.strict: a 1.0 file still reads as a baseline
SCHEMA_VERSION = "1.1"
READABLE_VERSIONS = ("1.0", SCHEMA_VERSION)

Status = Literal["passed", "failed", "skipped", "error"]
Severity = Literal["critical", "warning", "suggestion"]
Verdict = Literal["certified", "not_certified", "error"]

PENALTY = {"critical": 20, "warning": 5, "suggestion": 1}
# A check left unexercised without a reason from the provider facts weighs as a warning.
GAP_PENALTY = PENALTY["warning"]


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    family: Family
    status: Status
    message: str = ""
    title: str = ""
    flow: str | None = None
    scenario: str | None = None
    severity: Severity | None = None  # lint findings, and the weight of a failure in the score
    exempt: bool = False  # skipped because the connector declared an exemption (reason in message)
    # skipped without a reason from the provider facts (an exemption, a flow declared unsupported that
    # the facts do not list as absent): it does not block certification but costs GAP_PENALTY
    gap: bool = False
    details: dict[str, Any] = Field(default_factory=dict)
    duration_ms: float = 0.0

    @property
    def failing(self) -> bool:
        return self.status in ("failed", "error")

    @property
    def blocks(self) -> bool:
        """Whether this check keeps the connector from being certified."""
        if self.family == "lint":
            return self.failing and self.severity == "critical"
        return self.failing


class SurvivingMutant(BaseModel):
    """A realistic bug the suite did not refuse (from `certify mutate`), with its diff."""

    model_config = ConfigDict(extra="forbid")

    family: str
    file: str
    line: int
    description: str
    diff: str = ""


StrengthState = Literal["missing", "stale", "below", "met"]


class MutationStrength(BaseModel):
    """The connector's last measured `certify mutate` strength, judged against its current content."""

    model_config = ConfigDict(extra="forbid")

    strength: float | None = None  # killed / counted mutants; None: never measured
    threshold: float  # the harness floor, or the connector's higher min_strength
    killed: int = 0
    counted: int = 0
    measured_at: str = ""
    source: str = ""  # the mutate.json it was read from
    stale: bool = False  # the connector, its data or the harness changed since it was measured
    changed: list[str] = Field(default_factory=list)  # connector, certification, cassettes, facts, ...
    survivors: list[SurvivingMutant] = Field(default_factory=list)
    refusal: str = ""  # why `certify run --strict` refused certification

    @property
    def state(self) -> StrengthState:
        if self.strength is None:
            return "missing"
        if self.stale:
            return "stale"
        return "below" if self.strength < self.threshold else "met"


class ConnectorResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    display_name: str = ""
    verdict: Verdict
    score: int
    failing: list[str] = Field(default_factory=list)
    gaps: dict[str, str] = Field(default_factory=dict)  # check id -> why it was not exercised (costs score)
    message: str = ""
    flows: dict[str, str] = Field(default_factory=dict)  # flow -> implemented | not_supported | missing
    not_supported: dict[str, str] = Field(default_factory=dict)  # flow -> reason
    exemptions: dict[str, str] = Field(default_factory=dict)  # scenario -> reason
    declaration: dict[str, Any] = Field(default_factory=dict)
    cassettes: list[dict[str, Any]] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    mutation: MutationStrength | None = None  # from the last `certify mutate`, when one is known


class RunInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    profile: str = DEFAULT_PROFILE
    seed: int | None = None
    shard: str | None = None
    selection: dict[str, str] = Field(default_factory=dict)  # connector -> why it was selected
    harness_version: str = Field(default_factory=harness_version)
    strict: bool = False  # `certify run --strict`: a missing, stale or low mutation strength refuses


class Results(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    generated_at: str = Field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    run: RunInfo = Field(default_factory=RunInfo)
    connectors: list[ConnectorResult] = Field(default_factory=list)

    def exit_code(self) -> int:
        """0 all certified, 1 something is not, 2 the harness could not do its job."""
        if any(c.verdict == "error" for c in self.connectors) or any(
            check.status == "error" for c in self.connectors for check in c.checks
        ):
            return 2
        return 0 if all(c.verdict == "certified" for c in self.connectors) else 1

    def connector(self, name: str) -> ConnectorResult:
        return next(c for c in self.connectors if c.name == name)

    def write(self, path: Path) -> None:
        """Through a temporary file and a rename: the previous results.json survives a killed run."""
        from harness.certify.atomic import write_atomically

        write_atomically(path, self.text())

    def text(self) -> str:
        """results.json's text: compact JSON (a machine interface, read by `certify report` and
        `report merge`; `jq .` shows it indented). Indented, it was 1.7 times larger, and the leak
        scan reads every byte of it at the end of each run."""
        return self.model_dump_json() + "\n"

    @classmethod
    def read(cls, path: Path) -> Results:
        from harness.domain.errors import HarnessError

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise HarnessError(
                "results file not found", path=str(path), hint="run `certify run` first"
            ) from None
        except (ValueError, OSError) as error:
            raise HarnessError(f"not a results file ({type(error).__name__})", path=str(path)) from None
        if not isinstance(data, dict) or data.get("schema_version") not in READABLE_VERSIONS:
            raise HarnessError(
                f"results schema version {data.get('schema_version') if isinstance(data, dict) else '?'} "
                f"is not {SCHEMA_VERSION}",
                path=str(path),
                hint="re-run `certify run` with this harness version",
            )
        try:
            loaded = cls.model_validate(data)
        except ValueError as error:
            raise HarnessError(f"malformed results ({str(error).splitlines()[0]})", path=str(path)) from None
        loaded.schema_version = SCHEMA_VERSION  # an older readable file is written back in the current shape
        return loaded


def score(checks: Iterable[CheckResult]) -> int:
    """UCS's quality score: 100 - 20 per critical - 5 per warning - 1 per suggestion, floored at 0.

    Lint findings count by their severity; any other failing check counts as critical. A gap (a
    check skipped without a reason from the provider facts: an `[exempt]` scenario, a flow the
    connector declares unsupported that the facts do not list as absent) counts as a warning,
    GAP_PENALTY; a skip the facts back costs nothing.
    """
    total = 100
    for check in checks:
        if check.failing:
            severity = check.severity if check.family == "lint" and check.severity else "critical"
            total -= PENALTY[severity]
        elif check.gap:
            total -= GAP_PENALTY
    return max(total, 0)


def gaps_of(checks: Iterable[CheckResult]) -> dict[str, str]:
    """The checks that cost score without failing, each with its reason."""
    return {check.id: check.message for check in checks if check.gap and not check.failing}


def verdict(checks: list[CheckResult], *, loaded: bool) -> tuple[Verdict, list[str]]:
    """`error` when the harness could not do its job for this connector: it did not load, or a
    check could not run (a broken cassette, a hang, an exit, a check that left no result)."""
    if not loaded or any(c.status == "error" for c in checks):
        return "error", [c.id for c in checks if c.failing]
    failing = [c.id for c in checks if c.blocks]
    return ("certified" if not failing else "not_certified"), failing


def _every_shard_once(parts: list[Results], names: list[str]) -> None:
    """Sharded parts merge only when all N shards are there, once each: a shard lost in CI would
    otherwise leave its connectors out of a report that still says "all certified"."""
    from harness.domain.errors import HarnessError

    shards = [(part.run.shard, source) for part, source in zip(parts, names, strict=True)]
    if all(shard is None for shard, _ in shards):
        return
    given: dict[int, str] = {}
    totals: set[int] = set()
    for shard, source in shards:
        index, _, total = (shard or "").partition("/")
        if not (index.isdigit() and total.isdigit()):
            raise HarnessError("not the results of a sharded run (no --shard I/N)", path=source)
        if int(index) in given:
            raise HarnessError(f"shard {shard} is also in {given[int(index)]}", path=source)
        given[int(index)] = source
        totals.add(int(total))
    if len(totals) != 1:
        raise HarnessError(f"shards of different splits: {', '.join(f'/{t}' for t in sorted(totals))}")
    (split,) = totals
    missing = sorted(set(range(1, split + 1)) - set(given))
    if missing:
        raise HarnessError(
            f"shard(s) {', '.join(f'{i}/{split}' for i in missing)} missing",
            hint="pass the results.json of every shard",
        )


def merge(parts: list[Results], *, sources: list[str] | None = None) -> Results:
    """Sharded results as one run: connectors from every part, in name order.

    The parts must come from the same harness version and hypothesis profile and seed, and a
    connector may appear in only one part (shards partition the connectors).
    """
    from harness.domain.errors import HarnessError

    if not parts:
        raise HarnessError("nothing to merge", hint="pass the results.json of every shard")
    names = sources or [f"part {i + 1}" for i in range(len(parts))]
    first = parts[0].run
    seen: dict[str, str] = {}
    connectors: list[ConnectorResult] = []
    for part, source in zip(parts, names, strict=True):
        if (part.run.profile, part.run.seed, part.run.harness_version) != (
            first.profile,
            first.seed,
            first.harness_version,
        ):
            raise HarnessError(
                "results come from different runs (profile, seed or harness version differ)", path=source
            )
        for connector in part.connectors:
            if connector.name in seen:
                raise HarnessError(
                    f"connector {connector.name} is in both {seen[connector.name]} and {source}", path=source
                )
            seen[connector.name] = source
            connectors.append(connector)
    _every_shard_once(parts, names)
    run = first.model_copy(update={"shard": None})
    run.selection = {k: v for part in parts for k, v in part.run.selection.items()}
    return Results(run=run, connectors=sorted(connectors, key=lambda c: c.name))
