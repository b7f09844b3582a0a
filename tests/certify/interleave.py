"""A pytest plugin for the tests: runs the connectors' checks interleaved (one of each in turn), so
that each connector's session is let go and prepared again between its checks."""

from __future__ import annotations

import itertools
import json
import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    by_file: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    items[:] = [i for group in itertools.zip_longest(*by_file.values()) for i in group if i is not None]


_OUTCOMES: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _OUTCOMES[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    from harness.certify.plugin import STATE

    state = session.config.stash[STATE]
    with open(os.environ["INTERLEAVE_OUT"], "w", encoding="utf-8") as out:
        json.dump({"outcomes": _OUTCOMES, "sessions_left": sorted(state.sessions)}, out)
