"""A pytest plugin for the tests: counts the reports logged, by phase, and the logstart and logfinish
calls, into $REPORT_COUNTS."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

_COUNTS: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _COUNTS[f"{report.when}:{report.outcome}"] += 1
    _COUNTS["captured sections"] += len([s for s in report.sections if s[0].startswith("Captured")])


def pytest_runtest_logstart(nodeid: str) -> None:
    _COUNTS["logstart"] += 1


def pytest_runtest_logfinish(nodeid: str) -> None:
    _COUNTS["logfinish"] += 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        with open(os.environ["REPORT_COUNTS"], "w", encoding="utf-8") as out:
            json.dump(_COUNTS, out)
