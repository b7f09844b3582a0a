"""Spec drift in the report: `<report-dir>/drift/<name>.json`, written by
`certify specs drift NAME --from DOC --format json --output <report-dir>/drift/NAME.json`.

index.html shows each connector's file in its own section: what the provider's newer document
changes that the connector relies on. A file that cannot be read is shown as such (named, with
what to do); it never stops the report. Every string is masked again before it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.execution.redact import process_redactor

DRIFT_DIR = "drift"
MAX_DRIFT_BYTES = 1024 * 1024  # a drift report of a few operations is a few kB
MAX_CHANGES_SHOWN = 200
CHANGE_FIELDS = ("kind", "operation", "where", "detail")


@dataclass(frozen=True)
class DriftChange:
    kind: str
    operation: str
    where: str
    detail: str


@dataclass
class DriftView:
    connector: str
    file: str  # drift/<name>.json, as the reader finds it in the folder
    current: str = ""
    newer: str = ""
    changes: list[DriftChange] = field(default_factory=list)
    total: int = 0  # changes in the file (more than shown when it is huge)
    problem: str = ""  # why the file could not be read

    @property
    def breaking(self) -> bool:
        return bool(self.total)


def _text(value: Any, limit: int = 400) -> str:
    text = process_redactor()(str(value)) if value is not None else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_drift_file(path: Path) -> DriftView:
    """One drift JSON file as a view; a malformed one is a view with its problem."""
    where = f"{DRIFT_DIR}/{path.name}"
    view = DriftView(connector=path.stem, file=where)
    try:
        if path.stat().st_size > MAX_DRIFT_BYTES:
            view.problem = f"over {MAX_DRIFT_BYTES // 1024} kB: not a drift report; write it again"
            return view
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        view.problem = f"unreadable ({type(error).__name__}); write it again with `certify specs drift`"
        return view
    changes = document.get("changes") if isinstance(document, Mapping) else None
    if not isinstance(changes, list) or not all(isinstance(c, Mapping) for c in changes):
        view.problem = "not the JSON of `certify specs drift --format json` (no list of changes)"
        return view
    view.connector = _text(document.get("connector") or path.stem, 100)
    view.current = _text(document.get("current"), 100)
    view.newer = _text(document.get("newer"), 100)
    view.total = len(changes)
    view.changes = [
        DriftChange(*(_text(change.get(name)) for name in CHANGE_FIELDS))
        for change in changes[:MAX_CHANGES_SHOWN]
    ]
    return view


def read_drift(report_dir: Path) -> dict[str, DriftView]:
    """The drift reports in `<report_dir>/drift/`, by connector name (none when there is no folder)."""
    folder = report_dir / DRIFT_DIR
    if not folder.is_dir():
        return {}
    views: dict[str, DriftView] = {}
    for path in sorted(folder.glob("*.json")):
        view = read_drift_file(path)
        views.setdefault(view.connector, view)
    return views
