"""Small helpers every connector needs, so that each writes the safe thing the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from harness.domain.flows import Flow
from harness.domain.status import AttemptStatus

S = TypeVar("S")


def status_from_table(raw: str | None, table: Mapping[str, S], *, unknown: S) -> S:
    """The mapped status for a provider status value; an unknown value gets `unknown`.

    `unknown` is meant to be a pending status: an unknown provider status never becomes a
    terminal success or failure. Keep `raw` in the response data so the report shows it.
    """
    if raw is None:
        return unknown
    return table.get(raw, unknown)


_FAILED_CALL: dict[Flow, AttemptStatus] = {
    Flow.AUTHORIZE: AttemptStatus.FAILURE,
    Flow.CAPTURE: AttemptStatus.CAPTURE_FAILED,
    Flow.VOID: AttemptStatus.VOID_FAILED,
}


def failed_attempt(flow: Flow, *, card_refused: bool = False) -> AttemptStatus | None:
    """The status a refused call leaves the payment attempt in.

    `AuthorizationFailed` when the card itself was refused (an issuer or risk decline), `Failure`
    for any other refused authorization, `CaptureFailed` and `VoidFailed` for those flows, and
    `None` for flows whose failure does not change the payment (refunds, syncs, tokens).
    """
    if flow is Flow.AUTHORIZE and card_refused:
        return AttemptStatus.AUTHORIZATION_FAILED
    return _FAILED_CALL.get(flow)
