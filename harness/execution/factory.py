"""Router data for one flow from plain parameters: one typed builder per flow, and `make_router_data`
for the suite and `certify probe`/`parse`, which hold the flow as a value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.domain.auth import ConnectorAuthType
from harness.domain.currency import Currency
from harness.domain.flows import Flow
from harness.domain.money import MinorUnit
from harness.domain.payment_method import Address, Card
from harness.domain.router_data import (
    AccessTokenFlowData,
    AccessTokenRequestData,
    AccessTokenResponseData,
    AccessTokenRouterData,
    AuthorizeRouterData,
    CaptureRouterData,
    PaymentFlowData,
    PaymentsAuthorizeData,
    PaymentsCaptureData,
    PaymentsSyncData,
    PaymentVoidData,
    PSyncRouterData,
    RefundFlowData,
    RefundRouterData,
    RefundsData,
    RefundSyncData,
    RouterDataV2,
    RSyncRouterData,
    VoidRouterData,
)
from harness.domain.secret import Secret
from harness.domain.status import CaptureMethod
from harness.integration.connector import AnyRouterData

# A Visa test number published by every major provider; used only when no test data is given.
DEFAULT_TEST_CARD = Card(
    card_number=Secret("4111111111111111"),
    card_exp_month=Secret("03"),
    card_exp_year=Secret("2030"),
    card_cvc=Secret("737"),
    card_holder_name=Secret("Test Holder"),
)


# ------------------------------------------------------------------ one typed builder per flow


def payment_flow_data(
    reference: str,
    *,
    request_id: str | None = None,
    merchant_id: str = "merchant_certify",
    metadata: Mapping[str, str] | None = None,
    access_token: AccessTokenResponseData | None = None,
    description: str | None = None,
) -> PaymentFlowData:
    return PaymentFlowData(
        merchant_id=merchant_id,
        # the router's own ids differ from the reference the provider receives, so a connector that
        # sends one for the other is seen
        payment_id=f"pay_{reference}",
        attempt_id=f"pay_{reference}_1",
        connector_request_reference_id=reference,
        request_id=request_id,
        test_mode=True,
        access_token=access_token,
        connector_meta_data=dict(metadata or {}),
        description=description,
    )


def refund_flow_data(
    reference: str,
    *,
    refund_id: str | None = None,
    request_id: str | None = None,
    merchant_id: str = "merchant_certify",
    metadata: Mapping[str, str] | None = None,
    access_token: AccessTokenResponseData | None = None,
) -> RefundFlowData:
    return RefundFlowData(
        merchant_id=merchant_id,
        connector_request_reference_id=reference,
        refund_id=refund_id,
        request_id=request_id,
        test_mode=True,
        access_token=access_token,
        connector_meta_data=dict(metadata or {}),
    )


def access_token_data(
    *, auth: ConnectorAuthType, request_id: str | None = None, metadata: Mapping[str, str] | None = None
) -> AccessTokenRouterData:
    return RouterDataV2(
        flow=Flow.CREATE_ACCESS_TOKEN,
        resource_common_data=AccessTokenFlowData(
            request_id=request_id, test_mode=True, connector_meta_data=dict(metadata or {})
        ),
        connector_auth_type=auth,
        request=AccessTokenRequestData(),
    )


def authorize_data(
    flow_data: PaymentFlowData,
    *,
    auth: ConnectorAuthType,
    amount: MinorUnit,
    currency: Currency,
    capture_method: CaptureMethod = CaptureMethod.AUTOMATIC,
    card: Card | None = None,
    billing_address: Address | None = None,
) -> AuthorizeRouterData:
    request = PaymentsAuthorizeData(
        payment_method_data=card or DEFAULT_TEST_CARD,
        billing_address=billing_address,
        amount=amount,
        currency=currency,
        capture_method=capture_method,
        description=flow_data.description,
    )
    return RouterDataV2(
        flow=Flow.AUTHORIZE, resource_common_data=flow_data, connector_auth_type=auth, request=request
    )


def capture_data(
    flow_data: PaymentFlowData,
    *,
    auth: ConnectorAuthType,
    amount_to_capture: MinorUnit,
    payment_amount: MinorUnit,
    currency: Currency,
    connector_transaction_id: str,
    connector_metadata: Mapping[str, Any] | None = None,
) -> CaptureRouterData:
    request = PaymentsCaptureData(
        amount_to_capture=amount_to_capture,
        payment_amount=payment_amount,
        currency=currency,
        connector_transaction_id=connector_transaction_id,
        connector_metadata=dict(connector_metadata or {}),
    )
    return RouterDataV2(
        flow=Flow.CAPTURE, resource_common_data=flow_data, connector_auth_type=auth, request=request
    )


def void_data(
    flow_data: PaymentFlowData,
    *,
    auth: ConnectorAuthType,
    connector_transaction_id: str,
    connector_metadata: Mapping[str, Any] | None = None,
    cancellation_reason: str = "requested_by_customer",
) -> VoidRouterData:
    request = PaymentVoidData(
        connector_transaction_id=connector_transaction_id,
        cancellation_reason=cancellation_reason,
        connector_metadata=dict(connector_metadata or {}),
    )
    return RouterDataV2(
        flow=Flow.VOID, resource_common_data=flow_data, connector_auth_type=auth, request=request
    )


def psync_data(
    flow_data: PaymentFlowData,
    *,
    auth: ConnectorAuthType,
    connector_transaction_id: str,
    capture_method: CaptureMethod = CaptureMethod.AUTOMATIC,
    expected_amount: MinorUnit | None = None,
    expected_currency: Currency | None = None,
    connector_metadata: Mapping[str, Any] | None = None,
) -> PSyncRouterData:
    request = PaymentsSyncData(
        connector_transaction_id=connector_transaction_id,
        capture_method=capture_method,
        amount=expected_amount,
        currency=expected_currency,
        connector_metadata=dict(connector_metadata or {}),
    )
    return RouterDataV2(
        flow=Flow.PSYNC, resource_common_data=flow_data, connector_auth_type=auth, request=request
    )


def refund_data(
    flow_data: RefundFlowData,
    *,
    auth: ConnectorAuthType,
    refund_amount: MinorUnit,
    payment_amount: MinorUnit,
    currency: Currency,
    connector_transaction_id: str,
    connector_metadata: Mapping[str, Any] | None = None,
) -> RefundRouterData:
    request = RefundsData(
        refund_id=flow_data.refund_id or flow_data.connector_request_reference_id,
        connector_transaction_id=connector_transaction_id,
        refund_amount=refund_amount,
        payment_amount=payment_amount,
        currency=currency,
        connector_metadata=dict(connector_metadata or {}),
    )
    return RouterDataV2(
        flow=Flow.REFUND, resource_common_data=flow_data, connector_auth_type=auth, request=request
    )


def rsync_data(
    flow_data: RefundFlowData,
    *,
    auth: ConnectorAuthType,
    connector_transaction_id: str,
    connector_refund_id: str,
    expected_amount: MinorUnit | None = None,
    expected_currency: Currency | None = None,
    connector_metadata: Mapping[str, Any] | None = None,
) -> RSyncRouterData:
    request = RefundSyncData(
        connector_transaction_id=connector_transaction_id,
        connector_refund_id=connector_refund_id,
        refund_id=flow_data.refund_id,
        refund_amount=expected_amount,
        currency=expected_currency,
        connector_metadata=dict(connector_metadata or {}),
    )
    return RouterDataV2(
        flow=Flow.RSYNC, resource_common_data=flow_data, connector_auth_type=auth, request=request
    )


# ------------------------------------------------------------- any flow, for callers holding a Flow value


def make_router_data(
    flow: Flow,
    *,
    auth: ConnectorAuthType,
    amount: MinorUnit,
    currency: Currency,
    reference: str,
    capture_method: CaptureMethod = CaptureMethod.AUTOMATIC,
    card: Card | None = None,
    billing_address: Address | None = None,
    connector_transaction_id: str = "",
    connector_refund_id: str = "",
    payment_amount: MinorUnit | None = None,
    refund_id: str | None = None,
    request_id: str | None = None,
    merchant_id: str = "merchant_certify",
    metadata: Mapping[str, str] | None = None,
    connector_metadata: Mapping[str, Any] | None = None,
    access_token: AccessTokenResponseData | None = None,
    description: str | None = None,
    with_expected_amount: bool = True,
) -> AnyRouterData:
    """Router data for `flow` (the suite and `certify probe` hold the flow as a value); each flow's
    typed builder above does the work. `reference` becomes `connector_request_reference_id` unchanged."""
    limit = payment_amount if payment_amount is not None else amount
    expected_amount = amount if with_expected_amount else None
    expected_currency = currency if with_expected_amount else None
    if flow is Flow.CREATE_ACCESS_TOKEN:
        return access_token_data(auth=auth, request_id=request_id, metadata=metadata)
    if flow in (Flow.REFUND, Flow.RSYNC):
        refund_flow = refund_flow_data(
            reference,
            refund_id=refund_id,
            request_id=request_id,
            merchant_id=merchant_id,
            metadata=metadata,
            access_token=access_token,
        )
        if flow is Flow.REFUND:
            return refund_data(
                refund_flow,
                auth=auth,
                refund_amount=amount,
                payment_amount=limit,
                currency=currency,
                connector_transaction_id=connector_transaction_id,
                connector_metadata=connector_metadata,
            )
        return rsync_data(
            refund_flow,
            auth=auth,
            connector_transaction_id=connector_transaction_id,
            connector_refund_id=connector_refund_id,
            expected_amount=expected_amount,
            expected_currency=expected_currency,
            connector_metadata=connector_metadata,
        )
    payment_flow = payment_flow_data(
        reference,
        request_id=request_id,
        merchant_id=merchant_id,
        metadata=metadata,
        access_token=access_token,
        description=description,
    )
    if flow is Flow.AUTHORIZE:
        return authorize_data(
            payment_flow,
            auth=auth,
            amount=amount,
            currency=currency,
            capture_method=capture_method,
            card=card,
            billing_address=billing_address,
        )
    if flow is Flow.CAPTURE:
        return capture_data(
            payment_flow,
            auth=auth,
            amount_to_capture=amount,
            payment_amount=limit,
            currency=currency,
            connector_transaction_id=connector_transaction_id,
            connector_metadata=connector_metadata,
        )
    if flow is Flow.VOID:
        return void_data(
            payment_flow,
            auth=auth,
            connector_transaction_id=connector_transaction_id,
            connector_metadata=connector_metadata,
        )
    return psync_data(
        payment_flow,
        auth=auth,
        connector_transaction_id=connector_transaction_id,
        capture_method=capture_method,
        expected_amount=expected_amount,
        expected_currency=expected_currency,
        connector_metadata=connector_metadata,
    )


def placeholder_auth(auth_type: type[ConnectorAuthType]) -> ConnectorAuthType:
    """Credentials that are obviously not real, for probes (the output masks them anyway)."""
    return auth_type.from_values({name: f"probe_{name}" for name in auth_type.field_names()})
