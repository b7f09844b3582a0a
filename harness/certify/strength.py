"""Mutation strength in the certificate: what `certify mutate` measured, whether it still holds, and
the threshold it must meet.

`certify mutate` writes mutate.json: per connector the strength, the survivors with their diffs, and
the content hash of each part of what it judged (`content_hashes`). `certify run` and `certify
report` read it back: when a part hashes differently now, the strength is stale (shown as such,
never as current). The threshold is the harness floor, or the connector's higher `min_strength` in
certification.toml. With `--strict`, a missing, stale or low strength refuses certification.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from harness.certify.certification import load_certification
from harness.certify.results import ConnectorResult, MutationStrength, Results, SurvivingMutant
from harness.defaults import MUTATION_STRENGTH_FLOOR, harness_version
from harness.domain.errors import HarnessError

MUTATE_JSON = "mutate.json"
# what a strength judges; a change to any of them makes it stale
PARTS = ("connector", "certification", "cassettes", "facts", "spec", "config", "harness")
HASH_CHARS = 16


class MutateResultError(HarnessError):
    """A mutate.json that cannot be read."""


class ConnectorMaterial(Protocol):
    """Where a connector's code and data are (harness.certify.workspace.Workspace has these)."""

    @property
    def source_dir(self) -> Path: ...
    @property
    def certification_path(self) -> Path: ...
    @property
    def cassette_dir(self) -> Path: ...
    @property
    def facts_path(self) -> Path: ...
    @property
    def spec_path(self) -> Path: ...
    @property
    def configs(self) -> Path: ...


def _digest(paths: Iterable[Path], base: Path | None = None) -> str:
    """Names (relative to `base`, so a checkout elsewhere hashes the same) and bytes of the files."""
    digest = hashlib.sha256()
    for path in sorted(set(paths)):
        if path.is_file():
            name = path.relative_to(base) if base is not None else Path(path.name)
            digest.update(name.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:HASH_CHARS]


@functools.cache
def _harness_hash() -> str:
    """The harness's version and code: the same for every connector of a process (hashing its ~150
    files per connector took ~10 ms of every connector's report)."""
    import harness

    harness_dir = Path(harness.__file__).resolve().parent
    return f"{harness_version()}:{_digest(harness_dir.rglob('*.py'), harness_dir)}"


def content_hashes(material: ConnectorMaterial) -> dict[str, str]:
    """One hash per part of what a mutation strength judges (PARTS)."""
    return {
        "connector": _digest(material.source_dir.glob("*.py")),
        "certification": _digest([material.certification_path]),
        "cassettes": _digest(material.cassette_dir.rglob("*.yaml"), material.cassette_dir),  # + webhooks/
        "facts": _digest([material.facts_path]),
        "spec": _digest([material.spec_path]),
        "config": _digest(material.configs.glob("*.toml")),
        "harness": _harness_hash(),
    }


def changed_parts(measured: dict[str, str], current: dict[str, str] | None) -> list[str]:
    """The parts that differ from the measurement; every part when the current content is unknown."""
    if current is None:
        return ["unknown"]
    return [part for part in PARTS if measured.get(part) != current.get(part)]


def threshold(certification_path: Path) -> float:
    """The connector's min_strength, or the floor; a value below the floor raises CertificationError."""
    declared = load_certification(certification_path).min_strength
    return max(declared, MUTATION_STRENGTH_FLOOR) if declared is not None else MUTATION_STRENGTH_FLOOR


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------ mutate.json


@dataclass(frozen=True)
class Measurement:
    """One connector's entry of mutate.json."""

    connector: str
    strength: float
    killed: int
    counted: int
    measured_at: str
    content: dict[str, str]
    survivors: list[SurvivingMutant] = field(default_factory=list)


def read_measurements(path: Path) -> dict[str, Measurement]:
    """Connector -> its measurement; an unreadable or malformed file is one error naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MutateResultError(
            "mutate result not found", path=str(path), hint="run `certify mutate NAME` first"
        ) from None
    except (OSError, ValueError) as error:
        raise MutateResultError(f"not a mutate result ({type(error).__name__})", path=str(path)) from None
    measured_at = data.get("generated_at", "") if isinstance(data, dict) else ""
    entries = data.get("connectors") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise MutateResultError("not a mutate result (no connectors list)", path=str(path))
    found: dict[str, Measurement] = {}
    for index, entry in enumerate(entries):
        try:
            counted = int(entry["total"]) - int(entry.get("errors", 0))
            found[str(entry["connector"])] = Measurement(
                connector=str(entry["connector"]),
                strength=float(entry["strength"]),
                killed=int(entry["killed"]),
                counted=counted,
                measured_at=str(entry.get("measured_at") or measured_at),
                content={str(k): str(v) for k, v in dict(entry.get("content") or {}).items()},
                survivors=[
                    SurvivingMutant(
                        family=str(r["family"]),
                        file=str(r["file"]),
                        line=int(r["line"]),
                        description=str(r["description"]),
                        diff=str(r.get("diff") or ""),
                    )
                    for r in entry.get("results", [])
                    if r.get("status") == "survived"
                ],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise MutateResultError(
                f"connectors[{index}] is malformed ({type(error).__name__}: {error})", path=str(path)
            ) from None
    return found


# ------------------------------------------------------------------ into the results


def assess(
    measurement: Measurement | None, *, current: dict[str, str] | None, threshold: float, source: str
) -> MutationStrength:
    """The strength as the certificate shows it: stale when what was judged has changed since."""
    if measurement is None:
        return MutationStrength(threshold=threshold)
    changed = changed_parts(measurement.content, current)
    return MutationStrength(
        strength=measurement.strength,
        threshold=threshold,
        killed=measurement.killed,
        counted=measurement.counted,
        measured_at=measurement.measured_at,
        source=source,
        stale=bool(changed),
        changed=changed,
        survivors=measurement.survivors,
    )


def shortfall(name: str, mutation: MutationStrength) -> str:
    """Why the strength does not back the certificate; '' when it does."""
    state = mutation.state
    if state == "missing":
        return f"no mutation strength measured for {name} (run `certify mutate {name}`)"
    assert mutation.strength is not None
    if state == "stale":
        return (
            f"the mutation strength {mutation.strength:.1%} is stale: {', '.join(mutation.changed)} changed "
            f"since it was measured (run `certify mutate {name}` again)"
        )
    if state == "below":
        return (
            f"mutation strength {mutation.strength:.1%} is below the threshold {mutation.threshold:.0%} "
            f"({len(mutation.survivors)} surviving mutant(s))"
        )
    return ""


def apply_strength(connector: ConnectorResult, mutation: MutationStrength, *, strict: bool) -> None:
    """Attach the strength; with `strict`, a certified connector whose strength falls short is refused.

    Idempotent: a connector refused only for its strength earlier (no failing check) is judged again.
    """
    previous = connector.mutation
    refused_for_strength_only = connector.verdict == "not_certified" and not connector.failing
    if previous is not None and previous.refusal and refused_for_strength_only:
        connector.verdict = "certified"
    connector.mutation = mutation
    reason = shortfall(connector.name, mutation) if strict and connector.verdict == "certified" else ""
    if reason:
        connector.verdict = "not_certified"
        mutation.refusal = f"--strict: {reason}"


def attach(
    results: Results,
    measurements: dict[str, Measurement],
    *,
    source: str,
    current: dict[str, dict[str, str] | None],
    thresholds: dict[str, float],
    strict: bool,
) -> None:
    """Every connector of `results` gets its strength (or, under --strict, the refusal of none)."""
    results.run.strict = strict
    for connector in results.connectors:
        if connector.verdict == "error":
            continue  # the harness could not judge it; the strength cannot change that
        measurement = measurements.get(connector.name)
        if measurement is None and not strict:
            connector.mutation = None
            continue
        mutation = assess(
            measurement,
            current=current.get(connector.name),
            threshold=thresholds.get(connector.name, MUTATION_STRENGTH_FLOOR),
            source=source,
        )
        apply_strength(connector, mutation, strict=strict)


def attach_from_file(
    results: Results, path: Path | None, *, root: Path, config_dir: Path | None, strict: bool
) -> None:
    """`attach` with the connectors' current content and thresholds read from the project at `root`."""
    from harness.certify.workspace import Workspace

    measurements = read_measurements(path) if path is not None else {}
    current: dict[str, dict[str, str] | None] = {}
    thresholds: dict[str, float] = {}
    for connector in results.connectors:
        if connector.verdict == "error" or (connector.name not in measurements and not strict):
            continue  # `attach` judges no strength for it (hashing a connector's files: ~3 ms)
        try:
            workspace = Workspace.for_registered(connector.name, root=root, config_dir=config_dir)
            thresholds[connector.name] = threshold(workspace.certification_path)
            current[connector.name] = content_hashes(workspace)
        except Exception:  # not loadable here: its strength cannot be shown as current
            current[connector.name] = None
    attach(
        results,
        measurements,
        source=str(path or ""),
        current=current,
        thresholds=thresholds,
        strict=strict,
    )


def describe(mutation: MutationStrength) -> str:
    """One line for the terminal: the strength, its threshold, and whether it still holds."""
    if mutation.strength is None:
        text = f"mutation strength: not measured (threshold {mutation.threshold:.0%})"
    else:
        text = f"mutation strength {mutation.strength:.1%} (threshold {mutation.threshold:.0%}"
        text += f", measured {mutation.measured_at})" if mutation.measured_at else ")"
        if mutation.stale:
            text += f" STALE: {', '.join(mutation.changed)} changed since"
        elif mutation.state == "below":
            text += f" BELOW THRESHOLD: {len(mutation.survivors)} surviving mutant(s)"
    return text + (f"; refused {mutation.refusal}" if mutation.refusal else "")
