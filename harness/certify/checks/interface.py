"""The one small interface of a check family: a family module's `specs(session)` returns
`CheckSpec`s, each running to a list of `CheckResult`s built with `check_result()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.certify.catalog import Scenario
from harness.certify.results import CheckResult

if TYPE_CHECKING:
    from harness.certify.checks.session import ConnectorSession


@dataclass(frozen=True)
class CheckSpec:
    id: str
    family: str
    title: str
    run: Callable[[ConnectorSession], list[CheckResult]]
    flow: str | None = None
    scenario: str | None = None


def check_result(
    check_id: str,
    family: str,
    status: str,
    message: str,
    *,
    scenario: Scenario | None = None,
    flow: str | None = None,
    **kw: Any,
) -> CheckResult:
    return CheckResult(
        id=check_id,
        family=family,
        status=status,
        message=message,
        scenario=scenario.id if scenario else None,
        flow=flow or (scenario.main_flow.value if scenario else None),
        title=kw.pop("title", scenario.title if scenario else ""),
        **kw,
    )
