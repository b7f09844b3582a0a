"""The load family: the connector, its certification.toml and its spec load within the time limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from harness.certify.checks.run import stopped
from harness.certify.contracts import load_spec
from harness.certify.limits import DEFAULT_CHECK_TIMEOUT, UserInterrupt, time_limit
from harness.certify.results import CheckResult
from harness.certify.workspace import Workspace
from harness.domain.errors import HarnessError
from harness.execution.redact import process_redactor

LOAD_TITLE = "The connector, its certification.toml and its spec load"


def load_check(
    workspace_factory: Callable[[], Workspace], timeout: float | None = DEFAULT_CHECK_TIMEOUT
) -> tuple[Workspace | None, CheckResult]:
    started = time.perf_counter()
    try:
        with time_limit(timeout, "loading the connector"):
            workspace = workspace_factory()
            workspace.certification  # noqa: B018  # load and validate now
            load_spec(workspace.spec_path)
            workspace.base_url("sandbox")
    except HarnessError as error:
        return None, load_error(error.one_line())
    except Exception as error:
        return None, load_error(process_redactor()(f"{type(error).__name__}: {str(error)[:300]}"))
    except UserInterrupt:
        raise
    except BaseException as error:  # a connector module that hangs or exits on import
        return None, load_error(process_redactor()(stopped(error, timeout)))
    return workspace, CheckResult(
        id="load",
        family="load",
        status="passed",
        message="loaded",
        title=LOAD_TITLE,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def load_error(message: str) -> CheckResult:
    return CheckResult(id="load", family="load", status="error", message=message, title=LOAD_TITLE)
