"""allure-results/ from results, for `certify run`, `certify report` and `certify report merge`.

Each check becomes one allure result, with the labels the plugin gives its pytest item (epic =
connector, feature = flow, story = scenario, the same severity), so a run, a re-rendered report
and a merged one read alike. (`pytest --certify --alluredir` has allure-pytest's own listener
write them while the checks run; `certify run` writes them once the suite is done, at a fraction
of the listener's cost.)
"""

from __future__ import annotations

import json
import os
from hashlib import md5
from pathlib import Path

from harness.certify.plugin import allure_severity
from harness.certify.results import CheckResult, Results
from harness.domain.sensitive import plain_uuid4

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
STATUS = {"passed": "passed", "failed": "failed", "error": "broken", "skipped": "skipped"}


def allure_result(connector: str, check: CheckResult, *, start_ms: int) -> dict[str, object]:
    labels = {
        "epic": connector,
        "feature": check.flow or f"({check.family})",
        "story": check.scenario or check.family,
        "severity": allure_severity([check]),
        "suite": connector,
        "framework": "certify",
    }
    full_name = f"connectors/{connector}/certification.toml::{check.id}"
    stop_ms = start_ms + int(check.duration_ms)
    case_id = md5(full_name.encode(), usedforsecurity=False).hexdigest()
    return {
        "uuid": plain_uuid4(),
        "historyId": case_id,
        "testCaseId": case_id,
        "name": check.id,
        "fullName": full_name,
        "status": STATUS.get(check.status, "unknown"),
        "statusDetails": {"message": check.message} if check.message else {},
        "description": check.title,
        "start": start_ms,
        "stop": stop_ms,
        "labels": [{"name": name, "value": value} for name, value in labels.items()],
    }


def result_file(connector: str, check: CheckResult, *, start_ms: int) -> tuple[str, bytes]:
    """One check's allure result: its file name and content."""
    result = allure_result(connector, check, start_ms=start_ms)
    # compact: json's C encoder writes it (an indent takes the pure-Python one, ~6x slower)
    return f"{result['uuid']}-result.json", json.dumps(result, separators=(",", ":")).encode()


def write_allure_results(results: Results, folder: Path, *, start_ms: int | None = None) -> int:
    """One `<uuid>-result.json` per check into folder; returns how many were written. `start_ms`:
    the checks' start time (default: when the results were gathered)."""
    folder.mkdir(parents=True, exist_ok=True)
    start_ms = _generated_ms(results) if start_ms is None else start_ms
    written = 0
    for connector in results.connectors:
        for check in connector.checks:
            name, data = result_file(connector.name, check, start_ms=start_ms)
            # os calls: a file per check, where Path.write_bytes's own layers cost ~30% of the time
            handle = os.open(folder / name, _NEW_FILE, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view) :]
            finally:
                os.close(handle)
            written += 1
    return written


def _generated_ms(results: Results) -> int:
    import datetime as dt

    try:
        return int(dt.datetime.fromisoformat(results.generated_at).timestamp() * 1000)
    except (TypeError, ValueError):
        return 0
