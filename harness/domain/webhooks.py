"""Incoming webhooks: what a provider's notification says, in UCS terms.

UCS connectors implement `IncomingWebhook`: verify the source, read the event type, the object
reference and the resource status. These are the typed results of those steps, plus the one rule
a router applies to them: a notification never moves a payment or refund back from a final status.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from harness.domain.errors import ConnectorError
from harness.domain.status import AttemptStatus, RefundStatus


class WebhookSourceError(ConnectorError):
    """The notification's signature is missing, wrong, over other bytes or outside its time window."""

    kind = "webhook_source_verification_failed"


class WebhookObject(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


@dataclass(frozen=True)
class WebhookReference:
    """Which payment (connector_transaction_id) or refund (connector_refund_id) the event is about."""

    object: WebhookObject
    id: str


@dataclass(frozen=True)
class WebhookEvent:
    """One event of a notification, as the connector reads it.

    `event_id` identifies the event for de-duplication (a provider retries until acknowledged);
    an event the connector does not know keeps its raw type and carries no status.
    """

    event_id: str
    event_type: str
    reference: WebhookReference | None = None
    attempt_status: AttemptStatus | None = None
    refund_status: RefundStatus | None = None

    @property
    def status(self) -> AttemptStatus | RefundStatus | None:
        return self.attempt_status if self.attempt_status is not None else self.refund_status


@dataclass(frozen=True)
class WebhookAnswer:
    """What the connector must answer the provider so that it stops retrying (Adyen: `[accepted]`)."""

    status_code: int = 200
    body: str = ""


# A payment in one of these has ended: no later notification (a late AUTHORISATION after the
# CAPTURE) may move it. CaptureFailed and VoidFailed leave the authorization standing, so they are not.
FINAL_ATTEMPT = frozenset(
    {
        AttemptStatus.CHARGED,
        AttemptStatus.PARTIAL_CHARGED,
        AttemptStatus.VOIDED,
        AttemptStatus.VOIDED_POST_CAPTURE,
        AttemptStatus.AUTO_REFUNDED,
        AttemptStatus.AUTHORIZATION_FAILED,
        AttemptStatus.AUTHENTICATION_FAILED,
        AttemptStatus.ROUTER_DECLINED,
        AttemptStatus.FAILURE,
        AttemptStatus.EXPIRED,
    }
)
_AUTHORIZED = frozenset({AttemptStatus.AUTHORIZED, AttemptStatus.PARTIALLY_AUTHORIZED})
_IN_FLIGHT_AFTER_AUTHORIZATION = frozenset(
    {
        AttemptStatus.CAPTURE_INITIATED,
        AttemptStatus.VOID_INITIATED,
        AttemptStatus.CAPTURE_FAILED,
        AttemptStatus.VOID_FAILED,
        AttemptStatus.PARTIAL_CHARGED_AND_CHARGEABLE,
    }
)


def _attempt_stage(status: AttemptStatus) -> int:
    if status in FINAL_ATTEMPT:
        return 3
    if status in _IN_FLIGHT_AFTER_AUTHORIZATION:
        return 2
    if status in _AUTHORIZED:
        return 1
    return 0


def attempt_moves_to(current: AttemptStatus | None, incoming: AttemptStatus) -> bool:
    """Whether a notification may move a payment from `current` to `incoming` (never backwards)."""
    if current is None:
        return True
    if current in FINAL_ATTEMPT:
        return False
    return _attempt_stage(incoming) >= _attempt_stage(current) and incoming is not current


def refund_moves_to(current: RefundStatus | None, incoming: RefundStatus) -> bool:
    """Whether a notification may move a refund from `current` to `incoming`."""
    if current is None:
        return True
    return not current.is_terminal and incoming is not current
