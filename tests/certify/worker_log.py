"""A pytest plugin for tests: on the xdist controller, note which worker ran each check."""

from __future__ import annotations

import os
from typing import Any


def pytest_runtest_logreport(report: Any) -> None:
    node = getattr(report, "node", None)
    if report.when == "call" and node is not None:
        with open(os.environ["CERTIFY_WORKER_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{node.gateway.id} {report.nodeid}\n")
