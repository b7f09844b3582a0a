"""Handle one incoming notification the way a router does: verify, read, de-duplicate, apply.

The connector's `WebhookSpec` verifies and reads; this module keeps what a router keeps (the
events already applied and each payment's and refund's status) and applies the one rule of
`harness.domain.webhooks`: a status never moves backwards from a final one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.domain.status import AttemptStatus, RefundStatus
from harness.domain.webhooks import (
    WebhookAnswer,
    WebhookEvent,
    WebhookReference,
    WebhookSourceError,
    attempt_moves_to,
    refund_moves_to,
)
from harness.integration.webhooks import K, WebhookRequest, WebhookSpec

REFUSED = WebhookAnswer(status_code=401, body="")


@dataclass(frozen=True)
class Transition:
    reference: WebhookReference
    before: AttemptStatus | RefundStatus | None
    after: AttemptStatus | RefundStatus
    event_type: str


@dataclass
class WebhookLedger:
    """The router's memory between notifications: applied event ids and current statuses."""

    applied_events: set[str] = field(default_factory=set)
    statuses: dict[WebhookReference, AttemptStatus | RefundStatus] = field(default_factory=dict)

    def apply(self, event: WebhookEvent) -> Transition | None:
        if event.event_id in self.applied_events or event.reference is None or event.status is None:
            return None
        self.applied_events.add(event.event_id)
        current = self.statuses.get(event.reference)
        if event.attempt_status is not None:
            if current is not None and not isinstance(current, AttemptStatus):
                return None
            if not attempt_moves_to(current, event.attempt_status):
                return None
            after: AttemptStatus | RefundStatus = event.attempt_status
        else:
            assert event.refund_status is not None  # status is not None above
            if current is not None and not isinstance(current, RefundStatus):
                return None
            if not refund_moves_to(current, event.refund_status):
                return None
            after = event.refund_status
        self.statuses[event.reference] = after
        return Transition(event.reference, current, after, event.event_type)


@dataclass(frozen=True)
class WebhookOutcome:
    answer: WebhookAnswer
    events: tuple[WebhookEvent, ...] = ()
    transitions: tuple[Transition, ...] = ()
    refusal: str | None = None  # why the source was refused (never the signature or the secret)

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def handle_notification(
    spec: WebhookSpec[K], request: WebhookRequest, key: K, now: int, ledger: WebhookLedger
) -> WebhookOutcome:
    """Verify first (an unverified body is never read), then read and apply every event."""
    try:
        spec.verify_source(request, key, now)
    except WebhookSourceError as error:
        return WebhookOutcome(REFUSED, refusal=error.message)
    events = tuple(spec.parse_events(request))
    transitions = tuple(t for event in events if (t := ledger.apply(event)) is not None)
    return WebhookOutcome(spec.answer, events, transitions)
