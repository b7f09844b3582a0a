"""The seven flows of the UCS model."""

from __future__ import annotations

from enum import StrEnum


class Flow(StrEnum):
    CREATE_ACCESS_TOKEN = "CreateAccessToken"
    AUTHORIZE = "Authorize"
    CAPTURE = "Capture"
    VOID = "Void"
    REFUND = "Refund"
    PSYNC = "PSync"
    RSYNC = "RSync"

    @classmethod
    def parse(cls, name: str) -> Flow:
        """A flow by its UCS name, case-insensitively (`authorize`, `PSync`, `psync`...)."""
        wanted = name.replace("_", "").replace("-", "").lower()
        for flow in cls:
            if flow.value.lower() == wanted:
                return flow
        known = ", ".join(f.value for f in cls)
        raise ValueError(f"unknown flow {name!r}; known flows: {known}")

    @property
    def is_refund_flow(self) -> bool:
        return self in (Flow.REFUND, Flow.RSYNC)

    @property
    def carries_money(self) -> bool:
        """The flows whose request states an amount the provider must receive exactly."""
        return self in (Flow.AUTHORIZE, Flow.CAPTURE, Flow.REFUND)


# The order in which flows are listed everywhere (tables, reports, scaffolds).
FLOW_ORDER: tuple[Flow, ...] = (
    Flow.CREATE_ACCESS_TOKEN,
    Flow.AUTHORIZE,
    Flow.CAPTURE,
    Flow.VOID,
    Flow.REFUND,
    Flow.PSYNC,
    Flow.RSYNC,
)
