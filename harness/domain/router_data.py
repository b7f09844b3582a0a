"""`RouterDataV2` and the per-flow data, with UCS's field names.

UCS carries the flow as a phantom type parameter; here it is the `flow` value, and the three
type parameters are the flow data, the request data and the response data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import Field, model_validator

from harness.domain.auth import ConnectorAuthType
from harness.domain.currency import Currency
from harness.domain.flows import Flow
from harness.domain.model import DomainModel
from harness.domain.money import MinorUnit
from harness.domain.payment_method import Address, Card
from harness.domain.secret import Secret
from harness.domain.status import AttemptStatus, CaptureMethod, RefundStatus

# ---------------------------------------------------------------- response data


class AccessTokenResponseData(DomainModel):
    access_token: Secret[str]
    token_type: str | None = None
    expires_in: int | None = None  # seconds, as the provider states it


class PaymentsResponseData(DomainModel):
    status: AttemptStatus
    connector_transaction_id: str | None = None
    connector_response_reference_id: str | None = None
    network_txn_id: str | None = None
    amount: MinorUnit | None = None  # the amount this response is about, when the provider states it
    currency: Currency | None = None
    amount_captured: MinorUnit | None = None
    amount_capturable: MinorUnit | None = None
    raw_status: str | None = None  # the provider's own status value, kept as received
    connector_metadata: dict[str, Any] = Field(default_factory=dict)  # ids later flows need
    status_code: int = 200


class RefundsResponseData(DomainModel):
    connector_refund_id: str
    refund_status: RefundStatus
    amount: MinorUnit | None = None
    currency: Currency | None = None
    raw_status: str | None = None
    status_code: int = 200


class ErrorResponse(DomainModel):
    code: str
    message: str
    reason: str | None = None
    status_code: int
    attempt_status: AttemptStatus | None = None
    refund_status: RefundStatus | None = None
    connector_transaction_id: str | None = None
    network_decline_code: str | None = None
    network_advice_code: str | None = None
    network_error_message: str | None = None


# ---------------------------------------------------------------- flow data


class PaymentFlowData(DomainModel):
    merchant_id: str
    payment_id: str
    attempt_id: str
    connector_request_reference_id: str  # the reference the provider receives, unchanged
    status: AttemptStatus = AttemptStatus.STARTED
    payment_method: str = "card"
    request_id: str | None = None  # a fresh id per call, for idempotency headers
    description: str | None = None
    test_mode: bool | None = None
    access_token: AccessTokenResponseData | None = None
    connector_meta_data: dict[str, str] = Field(default_factory=dict)  # per-merchant, non-secret
    amount_captured: MinorUnit | None = None


class RefundFlowData(DomainModel):
    merchant_id: str
    connector_request_reference_id: str
    status: RefundStatus = RefundStatus.PENDING
    refund_id: str | None = None
    request_id: str | None = None
    test_mode: bool | None = None
    access_token: AccessTokenResponseData | None = None
    connector_meta_data: dict[str, str] = Field(default_factory=dict)


class AccessTokenFlowData(DomainModel):
    request_id: str | None = None
    test_mode: bool | None = None
    connector_meta_data: dict[str, str] = Field(default_factory=dict)


# ---------------------------------------------------------------- request data


class PaymentsAuthorizeData(DomainModel):
    payment_method_data: Card
    amount: MinorUnit
    currency: Currency
    capture_method: CaptureMethod = CaptureMethod.AUTOMATIC
    email: Secret[str] | None = None
    customer_name: Secret[str] | None = None
    description: str | None = None
    statement_descriptor: str | None = None
    billing_address: Address | None = None
    metadata: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _positive(self) -> PaymentsAuthorizeData:
        if not self.amount:
            raise ValueError("amount: an authorization needs an amount above zero")
        return self


class PaymentsCaptureData(DomainModel):
    amount_to_capture: MinorUnit
    payment_amount: MinorUnit  # what was authorized
    currency: Currency
    connector_transaction_id: str
    connector_metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_partial(self) -> bool:
        return self.amount_to_capture < self.payment_amount


class PaymentVoidData(DomainModel):
    connector_transaction_id: str
    cancellation_reason: str | None = None
    amount: MinorUnit | None = None
    currency: Currency | None = None
    connector_metadata: dict[str, Any] = Field(default_factory=dict)


class PaymentsSyncData(DomainModel):
    connector_transaction_id: str
    capture_method: CaptureMethod | None = None
    amount: MinorUnit | None = None  # the amount expected back, for the integrity check
    currency: Currency | None = None
    connector_metadata: dict[str, Any] = Field(default_factory=dict)


class RefundsData(DomainModel):
    refund_id: str  # the merchant's refund reference
    connector_transaction_id: str
    refund_amount: MinorUnit
    payment_amount: MinorUnit  # what was captured and may be refunded
    currency: Currency
    reason: str | None = None
    connector_metadata: dict[str, Any] = Field(default_factory=dict)


class RefundSyncData(DomainModel):
    connector_transaction_id: str
    connector_refund_id: str
    refund_id: str | None = None
    refund_amount: MinorUnit | None = None
    currency: Currency | None = None
    connector_metadata: dict[str, Any] = Field(default_factory=dict)


class AccessTokenRequestData(DomainModel):
    grant_type: str = "client_credentials"


# ---------------------------------------------------------------- router data

FlowDataT = TypeVar("FlowDataT", PaymentFlowData, RefundFlowData, AccessTokenFlowData)
RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")


@dataclass
class RouterDataV2(Generic[FlowDataT, RequestT, ResponseT]):
    """Everything one flow needs going in, and its result (`response`) coming out."""

    flow: Flow
    resource_common_data: FlowDataT
    connector_auth_type: ConnectorAuthType
    request: RequestT
    response: ResponseT | ErrorResponse | None = None

    @property
    def error(self) -> ErrorResponse | None:
        return self.response if isinstance(self.response, ErrorResponse) else None

    @property
    def reference_id(self) -> str:
        return (
            self.resource_common_data.connector_request_reference_id
            if isinstance(self.resource_common_data, PaymentFlowData | RefundFlowData)
            else ""
        )


REQUEST_TYPES: dict[Flow, type[DomainModel]] = {
    Flow.CREATE_ACCESS_TOKEN: AccessTokenRequestData,
    Flow.AUTHORIZE: PaymentsAuthorizeData,
    Flow.CAPTURE: PaymentsCaptureData,
    Flow.VOID: PaymentVoidData,
    Flow.REFUND: RefundsData,
    Flow.PSYNC: PaymentsSyncData,
    Flow.RSYNC: RefundSyncData,
}
RESPONSE_TYPES: dict[Flow, type[DomainModel]] = {
    Flow.CREATE_ACCESS_TOKEN: AccessTokenResponseData,
    Flow.AUTHORIZE: PaymentsResponseData,
    Flow.CAPTURE: PaymentsResponseData,
    Flow.VOID: PaymentsResponseData,
    Flow.REFUND: RefundsResponseData,
    Flow.PSYNC: PaymentsResponseData,
    Flow.RSYNC: RefundsResponseData,
}
FLOW_DATA_TYPES: dict[Flow, type[DomainModel]] = {
    Flow.CREATE_ACCESS_TOKEN: AccessTokenFlowData,
    Flow.AUTHORIZE: PaymentFlowData,
    Flow.CAPTURE: PaymentFlowData,
    Flow.VOID: PaymentFlowData,
    Flow.PSYNC: PaymentFlowData,
    Flow.REFUND: RefundFlowData,
    Flow.RSYNC: RefundFlowData,
}

# what a response transform gives back: the flow's response data (RESPONSE_TYPES) or the provider's error
FlowOutcome = PaymentsResponseData | RefundsResponseData | AccessTokenResponseData | ErrorResponse

AuthorizeRouterData = RouterDataV2[PaymentFlowData, PaymentsAuthorizeData, PaymentsResponseData]
CaptureRouterData = RouterDataV2[PaymentFlowData, PaymentsCaptureData, PaymentsResponseData]
VoidRouterData = RouterDataV2[PaymentFlowData, PaymentVoidData, PaymentsResponseData]
PSyncRouterData = RouterDataV2[PaymentFlowData, PaymentsSyncData, PaymentsResponseData]
RefundRouterData = RouterDataV2[RefundFlowData, RefundsData, RefundsResponseData]
RSyncRouterData = RouterDataV2[RefundFlowData, RefundSyncData, RefundsResponseData]
AccessTokenRouterData = RouterDataV2[AccessTokenFlowData, AccessTokenRequestData, AccessTokenResponseData]
