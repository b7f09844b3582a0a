"""One HTTP failure policy for every connector: which answers fail the attempt, which leave it unknown.

UCS (and Hyperswitch before it) keeps the payment's status unchanged when a non-2xx answer carries
no status of its own, and answers a timed-out call with an `ErrorResponse` (504, no status): the
merchant then syncs, or retries with the same idempotency key. Reading such an answer as `Failure`
invites a retry as a new payment (a double charge); reading it as `Charged` ships goods unpaid.

The default: a 4xx other than 408, 409, 425 and 429 is a refusal (the error path: the flow failed,
and the attempt is in the failed status of that flow); a 5xx, 408 (timeout), 409 (a concurrent
request with the same key), 425 (too early), 429 (rate limited) and a transport failure (timeout,
connection reset) are *unknown*: the error response carries no terminal status. A connector or one
of its flows may override a status with the reason the provider documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from harness.domain.flows import Flow
from harness.domain.router_data import ErrorResponse
from harness.domain.status import AttemptStatus, RefundStatus
from harness.integration.guards import failed_attempt

# statuses below 500 whose outcome is unknown: the provider may still process (or have processed) the call
UNKNOWN_CLIENT_STATUSES = frozenset({408, 409, 425, 429})
# what a call that got no answer is reported as: Hyperswitch's REQUEST_TIMEOUT_ERROR_CODE and its 504
TRANSPORT_FAILURE_STATUS = 504


class FailureClass(StrEnum):
    REFUSED = "refused"  # the provider refused the call: the flow failed, nothing happened
    UNKNOWN = "unknown"  # the outcome is unknown: non-terminal; sync, or retry with the same key


@dataclass(frozen=True)
class StatusOverride:
    """A provider-documented exception to the default for one HTTP status."""

    failure: FailureClass
    reason: str  # the provider's own words or documentation URL: an override without one is refused

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a failure-policy override needs the reason the provider documents")


def refused(reason: str) -> StatusOverride:
    return StatusOverride(FailureClass.REFUSED, reason)


def unknown(reason: str) -> StatusOverride:
    return StatusOverride(FailureClass.UNKNOWN, reason)


@dataclass(frozen=True)
class HttpFailurePolicy:
    """Which non-2xx statuses fail the attempt and which leave it unknown; overrides name their reason."""

    overrides: Mapping[int, StatusOverride] = field(default_factory=dict)

    def classify(self, status_code: int) -> FailureClass:
        override = self.overrides.get(status_code)
        if override is not None:
            return override.failure
        if status_code >= 500 or status_code in UNKNOWN_CLIENT_STATUSES:
            return FailureClass.UNKNOWN
        return FailureClass.REFUSED

    def reason(self, status_code: int) -> str | None:
        override = self.overrides.get(status_code)
        return override.reason if override is not None else None

    def merged_over(self, default: HttpFailurePolicy) -> HttpFailurePolicy:
        return HttpFailurePolicy({**default.overrides, **self.overrides})

    def apply(self, flow: Flow, error: ErrorResponse) -> ErrorResponse:
        """The parser's ErrorResponse with the status its HTTP class allows.

        Unknown: any status the parser set is dropped unless it is non-terminal (the attempt stays as
        it was). Refused: the parser's status is kept; where it set none, the flow's failed status.
        """
        if self.classify(error.status_code) is FailureClass.UNKNOWN:
            attempt = error.attempt_status
            refund = error.refund_status
            return error.model_copy(
                update={
                    "attempt_status": attempt if attempt is not None and not attempt.is_terminal else None,
                    "refund_status": refund if refund is not None and not refund.is_terminal else None,
                }
            )
        update: dict[str, AttemptStatus | RefundStatus | None] = {}
        if error.attempt_status is None and error.refund_status is None:
            if flow is Flow.REFUND:
                update["refund_status"] = RefundStatus.FAILURE
            else:
                update["attempt_status"] = failed_attempt(flow)
        return error.model_copy(update=update) if update else error


DEFAULT_FAILURE_POLICY = HttpFailurePolicy()


def transport_failure(cause: str) -> ErrorResponse:
    """What a call that got no answer (timeout, reset connection) is: unknown, never terminal."""
    return ErrorResponse(
        code="TRANSPORT_FAILURE",
        message=cause,
        reason="no answer from the provider: the outcome is unknown; sync, or retry with the same key",
        status_code=TRANSPORT_FAILURE_STATUS,
    )
