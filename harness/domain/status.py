"""Payment and refund statuses, with UCS's names and values."""

from __future__ import annotations

from enum import StrEnum


class AttemptStatus(StrEnum):
    STARTED = "Started"
    AUTHENTICATION_FAILED = "AuthenticationFailed"
    ROUTER_DECLINED = "RouterDeclined"
    AUTHENTICATION_PENDING = "AuthenticationPending"
    AUTHENTICATION_SUCCESSFUL = "AuthenticationSuccessful"
    AUTHORIZED = "Authorized"
    PARTIALLY_AUTHORIZED = "PartiallyAuthorized"
    AUTHORIZATION_FAILED = "AuthorizationFailed"
    CHARGED = "Charged"
    AUTHORIZING = "Authorizing"
    COD_INITIATED = "CodInitiated"
    EXPIRED = "Expired"
    VOIDED = "Voided"
    VOIDED_POST_CAPTURE = "VoidedPostCapture"
    VOID_INITIATED = "VoidInitiated"
    VOID_POST_CAPTURE_INITIATED = "VoidPostCaptureInitiated"
    CAPTURE_INITIATED = "CaptureInitiated"
    CAPTURE_FAILED = "CaptureFailed"
    VOID_FAILED = "VoidFailed"
    AUTO_REFUNDED = "AutoRefunded"
    PARTIAL_CHARGED = "PartialCharged"
    PARTIAL_CHARGED_AND_CHARGEABLE = "PartialChargedAndChargeable"
    UNRESOLVED = "Unresolved"
    PENDING = "Pending"
    FAILURE = "Failure"
    PAYMENT_METHOD_AWAITED = "PaymentMethodAwaited"
    CONFIRMATION_AWAITED = "ConfirmationAwaited"
    DEVICE_DATA_COLLECTION_PENDING = "DeviceDataCollectionPending"
    INTEGRITY_FAILURE = "IntegrityFailure"
    UNKNOWN = "Unknown"

    @property
    def is_terminal(self) -> bool:
        """A status after which the attempt cannot move on its own: success or failure."""
        return self in _TERMINAL_ATTEMPT

    @property
    def is_failure(self) -> bool:
        return self in _FAILED_ATTEMPT


_FAILED_ATTEMPT = frozenset(
    {
        AttemptStatus.AUTHENTICATION_FAILED,
        AttemptStatus.ROUTER_DECLINED,
        AttemptStatus.AUTHORIZATION_FAILED,
        AttemptStatus.CAPTURE_FAILED,
        AttemptStatus.VOID_FAILED,
        AttemptStatus.FAILURE,
        AttemptStatus.EXPIRED,
    }
)
_TERMINAL_ATTEMPT = _FAILED_ATTEMPT | {
    AttemptStatus.AUTHORIZED,
    AttemptStatus.PARTIALLY_AUTHORIZED,
    AttemptStatus.CHARGED,
    AttemptStatus.PARTIAL_CHARGED,
    AttemptStatus.PARTIAL_CHARGED_AND_CHARGEABLE,
    AttemptStatus.VOIDED,
    AttemptStatus.VOIDED_POST_CAPTURE,
    AttemptStatus.AUTO_REFUNDED,
}


class RefundStatus(StrEnum):
    FAILURE = "Failure"
    MANUAL_REVIEW = "ManualReview"
    PENDING = "Pending"
    SUCCESS = "Success"
    TRANSACTION_FAILURE = "TransactionFailure"

    @property
    def is_terminal(self) -> bool:
        return self in (RefundStatus.FAILURE, RefundStatus.SUCCESS, RefundStatus.TRANSACTION_FAILURE)


class CaptureMethod(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"
