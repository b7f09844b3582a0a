"""Router data for one flow from plain parameters: used by `certify probe`/`parse` and the suite."""

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
    PaymentFlowData,
    PaymentsAuthorizeData,
    PaymentsCaptureData,
    PaymentsSyncData,
    PaymentVoidData,
    RefundFlowData,
    RefundsData,
    RefundSyncData,
    RouterDataV2,
)
from harness.domain.secret import Secret
from harness.domain.status import CaptureMethod

# A Visa test number published by every major provider; used only when no test data is given.
DEFAULT_TEST_CARD = Card(
    card_number=Secret("4111111111111111"),
    card_exp_month=Secret("03"),
    card_exp_year=Secret("2030"),
    card_cvc=Secret("737"),
    card_holder_name=Secret("Test Holder"),
)


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
) -> RouterDataV2[Any, Any, Any]:
    """Router data for `flow`. `reference` becomes `connector_request_reference_id` unchanged."""
    meta = dict(metadata or {})
    chain_meta = dict(connector_metadata or {})
    limit = payment_amount if payment_amount is not None else amount
    if flow is Flow.CREATE_ACCESS_TOKEN:
        return RouterDataV2(
            flow=flow,
            resource_common_data=AccessTokenFlowData(
                request_id=request_id, test_mode=True, connector_meta_data=meta
            ),
            connector_auth_type=auth,
            request=AccessTokenRequestData(),
        )
    if flow in (Flow.REFUND, Flow.RSYNC):
        refund_data = RefundFlowData(
            merchant_id=merchant_id,
            connector_request_reference_id=reference,
            refund_id=refund_id,
            request_id=request_id,
            test_mode=True,
            access_token=access_token,
            connector_meta_data=meta,
        )
        request: Any
        if flow is Flow.REFUND:
            request = RefundsData(
                refund_id=refund_id or reference,
                connector_transaction_id=connector_transaction_id,
                refund_amount=amount,
                payment_amount=limit,
                currency=currency,
                connector_metadata=chain_meta,
            )
        else:
            request = RefundSyncData(
                connector_transaction_id=connector_transaction_id,
                connector_refund_id=connector_refund_id,
                refund_id=refund_id,
                refund_amount=amount if with_expected_amount else None,
                currency=currency if with_expected_amount else None,
                connector_metadata=chain_meta,
            )
        return RouterDataV2(
            flow=flow, resource_common_data=refund_data, connector_auth_type=auth, request=request
        )

    payment_data = PaymentFlowData(
        merchant_id=merchant_id,
        # the router's own ids differ from the reference the provider receives, so a connector that
        # sends one for the other is seen
        payment_id=f"pay_{reference}",
        attempt_id=f"pay_{reference}_1",
        connector_request_reference_id=reference,
        request_id=request_id,
        test_mode=True,
        access_token=access_token,
        connector_meta_data=meta,
        description=description,
    )
    if flow is Flow.AUTHORIZE:
        request = PaymentsAuthorizeData(
            payment_method_data=card or DEFAULT_TEST_CARD,
            billing_address=billing_address,
            amount=amount,
            currency=currency,
            capture_method=capture_method,
            description=description,
        )
    elif flow is Flow.CAPTURE:
        request = PaymentsCaptureData(
            amount_to_capture=amount,
            payment_amount=limit,
            currency=currency,
            connector_transaction_id=connector_transaction_id,
            connector_metadata=chain_meta,
        )
    elif flow is Flow.VOID:
        request = PaymentVoidData(
            connector_transaction_id=connector_transaction_id,
            cancellation_reason="requested_by_customer",
            connector_metadata=chain_meta,
        )
    else:
        request = PaymentsSyncData(
            connector_transaction_id=connector_transaction_id,
            capture_method=capture_method,
            amount=amount if with_expected_amount else None,
            currency=currency if with_expected_amount else None,
            connector_metadata=chain_meta,
        )
    return RouterDataV2(
        flow=flow, resource_common_data=payment_data, connector_auth_type=auth, request=request
    )


def placeholder_auth(auth_type: type[ConnectorAuthType]) -> ConnectorAuthType:
    """Credentials that are obviously not real, for probes (the output masks them anyway)."""
    return auth_type.from_values({name: f"probe_{name}" for name in auth_type.field_names()})
