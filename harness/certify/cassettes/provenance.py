"""Where a cassette comes from: recorded from a sandbox (when, which API version) or authored from
the provider's documents (when, which sources); its age decides when it is due for re-recording.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.certify.cassettes.format import CassetteError, type_name

PROVENANCE_KINDS = ("recorded-sandbox", "authored-from-docs")


@dataclass(frozen=True)
class Provenance:
    kind: str  # recorded-sandbox | authored-from-docs
    date: dt.datetime  # recorded_at or authored_at, UTC
    api_version: str | None
    sources: tuple[str, ...]
    note: str

    def age_days(self, now: dt.datetime | None = None) -> int:
        now = now or dt.datetime.now(dt.UTC)
        return max((now - self.date).days, 0)

    def as_dict(self) -> dict[str, Any]:
        key = "recorded_at" if self.kind == "recorded-sandbox" else "authored_at"
        out: dict[str, Any] = {"kind": self.kind, key: self.date.isoformat().replace("+00:00", "Z")}
        if self.api_version:
            out["api_version"] = self.api_version
        if self.sources:
            out["sources"] = list(self.sources)
        if self.note:
            out["note"] = self.note
        return out


def _parse_date(value: Any, *, path: Path, key: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise CassetteError(f"metadata.provenance.{key} is not an ISO date", path=str(path))


def parse_provenance(metadata: Any, *, path: Path) -> Provenance:
    hint = "add metadata.provenance (kind: recorded-sandbox with recorded_at and api_version, "
    hint += "or kind: authored-from-docs with authored_at and sources)"
    provenance = metadata.get("provenance") if isinstance(metadata, Mapping) else None
    if not isinstance(provenance, Mapping):
        raise CassetteError("cassette has no provenance", path=str(path), hint=hint)
    kind = provenance.get("kind")
    if kind not in PROVENANCE_KINDS:
        raise CassetteError(
            f"provenance kind must be one of {', '.join(PROVENANCE_KINDS)}", path=str(path), hint=hint
        )
    key = "recorded_at" if kind == "recorded-sandbox" else "authored_at"
    if key not in provenance:
        raise CassetteError(f"provenance needs {key}", path=str(path), hint=hint)
    sources = provenance.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise CassetteError(
            f"metadata.provenance.sources must be a list of URLs, not {type_name(sources)}",
            path=str(path),
            hint=hint,
        )
    if kind == "authored-from-docs" and not sources:
        raise CassetteError("an authored cassette must list its sources", path=str(path), hint=hint)
    for name in ("api_version", "note"):
        if not isinstance(provenance.get(name), str | int | type(None)):
            raise CassetteError(
                f"metadata.provenance.{name} must be text, not {type_name(provenance[name])}", path=str(path)
            )
    api_version = provenance.get("api_version")
    return Provenance(
        kind=str(kind),
        date=_parse_date(provenance[key], path=path, key=key),
        api_version=str(api_version) if api_version is not None else None,
        sources=tuple(str(s) for s in sources),
        note=str(provenance.get("note") or ""),
    )
