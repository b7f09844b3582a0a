"""Running one planned check: its time limit, its faults turned into results, and the one door of
every result to the reports (the redactor); a connector's verdict from its results.
"""

from __future__ import annotations

import functools
import json
import re
import time
from pathlib import Path
from typing import Any

from harness.certify import limits
from harness.certify.checks.interface import CheckSpec
from harness.certify.checks.session import ConnectorSession
from harness.certify.limits import CheckTimeout, UserInterrupt, time_limit
from harness.certify.results import CheckResult, ConnectorResult, gaps_of, score, verdict
from harness.domain.errors import HarnessError
from harness.domain.secret import MASK
from harness.domain.sensitive import CVC_KEY, MIN_VALUE_LENGTH
from harness.execution.executor import crash_from
from harness.execution.redact import Redactor


def run_spec(spec: CheckSpec, session: ConnectorSession) -> list[CheckResult]:
    started = time.perf_counter()
    limit = session.options.check_timeout
    try:
        with time_limit(limit, f"{session.workspace.name} {spec.id}"):
            results = spec.run(session)
    except HarnessError as error:
        results = [_spec_result(spec, "error", error.one_line())]
    except Exception as exc:  # a bug in a connector that escaped its check: report, keep going
        results = [_spec_result(spec, "failed", crash_from(exc).describe())]
    except UserInterrupt:
        raise
    except BaseException as exc:  # exit, skip, interrupt or hang in connector code
        results = [_spec_result(spec, "error", stopped(exc, limit, session.workspace.root))]
    elapsed = (time.perf_counter() - started) * 1000
    for result in results:
        result.duration_ms = round(elapsed / max(len(results), 1), 3)
    return [redacted(result, session.redactor) for result in results]


def _spec_result(spec: CheckSpec, status: str, message: str) -> CheckResult:
    return CheckResult(
        id=spec.id,
        family=spec.family,
        status=status,
        message=message,
        title=spec.title,
        flow=spec.flow,
        scenario=spec.scenario,
    )


def stopped(exc: BaseException, limit: float | None, root: Path | None = None) -> str:
    """One line for connector code that hung, exited, skipped or interrupted instead of returning."""
    location = limits.where(exc, root)
    at = f" at {location}" if location else ""
    if isinstance(exc, CheckTimeout):
        return (
            f"no result within {exc.seconds:g} s: connector code{at} did not return (a loop, a sleep, a "
            "lock or a child process that never ends); fix it there, or raise --check-timeout"
        )
    name = type(exc).__name__
    if name == "Skipped":
        name = "pytest.skip"
    return (
        f"connector code{at} raised {name} instead of returning: a connector must return a result or "
        "raise a ConnectorError, never exit, skip or interrupt the run"
    )


def redacted(result: CheckResult, redact: Redactor) -> CheckResult:
    """The one door of check results to every report: messages and details pass the redactor."""
    update: dict[str, Any] = {"message": redact(result.message), "title": redact(result.title)}
    if result.details:
        update["details"] = redacted_tree(json.loads(json.dumps(result.details, default=str)), redact)
    return result.model_copy(update=update)


def redacted_tree(tree: Any, redact: Redactor) -> Any:
    """Details redacted leaf by leaf, so they stay JSON: strings pass the redactor, a CVC is masked
    by its key, and a number only when it is long enough to be card data (a count of 100 stays).
    `tree` is the caller's own copy (parsed JSON): it is redacted in place and returned."""
    if isinstance(tree, dict):
        renamed = False
        for key, value in tree.items():
            if _cvc_key(key) and _CVC_VALUE.fullmatch(str(value)):
                tree[key] = MASK
            else:
                tree[key] = _redacted_value(value, redact)
            renamed = renamed or redact(key) != key
        if renamed:  # a key that holds a secret: the mapping rebuilt in its order with the key masked
            return {redact(key): value for key, value in tree.items()}
        return tree
    return _redacted_value(tree, redact)


def _redacted_value(value: Any, redact: Redactor) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return redacted_tree(value, redact)
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _redacted_value(item, redact)
        return value
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) >= MIN_VALUE_LENGTH:
        return MASK if redact(str(value)) != str(value) else value
    return value


_CVC_VALUE = re.compile(r"\s*\d{3,4}\s*")


@functools.lru_cache(maxsize=4096)  # details repeat the same few keys in every check
def _cvc_key(key: str) -> bool:
    return CVC_KEY.fullmatch(key) is not None


def connector_result(name: str, meta: dict[str, Any] | None, checks: list[CheckResult]) -> ConnectorResult:
    loaded = meta is not None and not any(c.family == "load" and c.status == "error" for c in checks)
    outcome, failing = verdict(checks, loaded=loaded)
    result = ConnectorResult(
        name=name,
        verdict=outcome,
        score=score(checks) if loaded else 0,
        failing=failing,
        gaps=gaps_of(checks),
        checks=checks,
    )
    if outcome == "error":
        errors = (
            c.message if c.id == "load" else f"{c.id}: {c.message}" for c in checks if c.status == "error"
        )
        result.message = next(errors, "")
    if meta is None or not loaded:
        return result
    return result.model_copy(update=meta)
