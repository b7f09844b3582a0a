"""The typed payment domain: money, currency, secrets, router data, flows, statuses, errors."""

# the names below load on first use (PEP 562): `certify new`, `certify --help` and the other commands
# that never touch router data skip the pydantic models (~0.15 s of every process start)
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.domain.amounts import (
        AmountConverter,
        CurrencyRule,
        CurrencyTable,
        MinorUnitConverter,
        StringMajorUnitConverter,
        StringMinorUnitConverter,
        table_for,
    )
    from harness.domain.auth import (
        BodyKey,
        ConnectorAuthType,
        HeaderKey,
        MultiAuthKey,
        NoKey,
        SignatureKey,
    )
    from harness.domain.currency import Currency
    from harness.domain.errors import (
        AmountNotRepresentableError,
        ConfigError,
        ConnectorError,
        HarnessError,
        IntegrityCheckError,
        InvalidDataError,
        MissingRequiredFieldError,
        NotImplementedFlowError,
        NotSupportedError,
        ResponseDeserializationError,
        ResponseHandlingError,
        TransformTypeError,
    )
    from harness.domain.flows import FLOW_ORDER, Flow
    from harness.domain.money import MinorUnit
    from harness.domain.payment_method import Address, Card
    from harness.domain.router_data import (
        AccessTokenFlowData,
        AccessTokenRequestData,
        AccessTokenResponseData,
        ErrorResponse,
        FlowOutcome,
        PaymentFlowData,
        PaymentsAuthorizeData,
        PaymentsCaptureData,
        PaymentsResponseData,
        PaymentsSyncData,
        PaymentVoidData,
        RefundFlowData,
        RefundsData,
        RefundsResponseData,
        RefundSyncData,
        RouterDataV2,
    )
    from harness.domain.secret import Maskable, Secret
    from harness.domain.status import AttemptStatus, CaptureMethod, RefundStatus
    from harness.domain.webhooks import (
        WebhookAnswer,
        WebhookEvent,
        WebhookObject,
        WebhookReference,
        WebhookSourceError,
    )

_EXPORTS = {
    "AccessTokenFlowData": "harness.domain.router_data",
    "AccessTokenRequestData": "harness.domain.router_data",
    "AccessTokenResponseData": "harness.domain.router_data",
    "Address": "harness.domain.payment_method",
    "AmountConverter": "harness.domain.amounts",
    "AmountNotRepresentableError": "harness.domain.errors",
    "AttemptStatus": "harness.domain.status",
    "BodyKey": "harness.domain.auth",
    "CaptureMethod": "harness.domain.status",
    "Card": "harness.domain.payment_method",
    "ConfigError": "harness.domain.errors",
    "ConnectorAuthType": "harness.domain.auth",
    "ConnectorError": "harness.domain.errors",
    "Currency": "harness.domain.currency",
    "CurrencyRule": "harness.domain.amounts",
    "CurrencyTable": "harness.domain.amounts",
    "ErrorResponse": "harness.domain.router_data",
    "FLOW_ORDER": "harness.domain.flows",
    "Flow": "harness.domain.flows",
    "FlowOutcome": "harness.domain.router_data",
    "HarnessError": "harness.domain.errors",
    "HeaderKey": "harness.domain.auth",
    "IntegrityCheckError": "harness.domain.errors",
    "InvalidDataError": "harness.domain.errors",
    "Maskable": "harness.domain.secret",
    "MinorUnit": "harness.domain.money",
    "MinorUnitConverter": "harness.domain.amounts",
    "MissingRequiredFieldError": "harness.domain.errors",
    "MultiAuthKey": "harness.domain.auth",
    "NoKey": "harness.domain.auth",
    "NotImplementedFlowError": "harness.domain.errors",
    "NotSupportedError": "harness.domain.errors",
    "PaymentFlowData": "harness.domain.router_data",
    "PaymentVoidData": "harness.domain.router_data",
    "PaymentsAuthorizeData": "harness.domain.router_data",
    "PaymentsCaptureData": "harness.domain.router_data",
    "PaymentsResponseData": "harness.domain.router_data",
    "PaymentsSyncData": "harness.domain.router_data",
    "RefundFlowData": "harness.domain.router_data",
    "RefundStatus": "harness.domain.status",
    "RefundSyncData": "harness.domain.router_data",
    "RefundsData": "harness.domain.router_data",
    "RefundsResponseData": "harness.domain.router_data",
    "ResponseDeserializationError": "harness.domain.errors",
    "ResponseHandlingError": "harness.domain.errors",
    "RouterDataV2": "harness.domain.router_data",
    "Secret": "harness.domain.secret",
    "SignatureKey": "harness.domain.auth",
    "StringMajorUnitConverter": "harness.domain.amounts",
    "StringMinorUnitConverter": "harness.domain.amounts",
    "TransformTypeError": "harness.domain.errors",
    "WebhookAnswer": "harness.domain.webhooks",
    "WebhookEvent": "harness.domain.webhooks",
    "WebhookObject": "harness.domain.webhooks",
    "WebhookReference": "harness.domain.webhooks",
    "WebhookSourceError": "harness.domain.webhooks",
    "table_for": "harness.domain.amounts",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FLOW_ORDER",
    "AccessTokenFlowData",
    "AccessTokenRequestData",
    "AccessTokenResponseData",
    "Address",
    "AmountConverter",
    "AmountNotRepresentableError",
    "AttemptStatus",
    "BodyKey",
    "CaptureMethod",
    "Card",
    "ConfigError",
    "ConnectorAuthType",
    "ConnectorError",
    "Currency",
    "CurrencyRule",
    "CurrencyTable",
    "ErrorResponse",
    "Flow",
    "FlowOutcome",
    "HarnessError",
    "HeaderKey",
    "IntegrityCheckError",
    "InvalidDataError",
    "Maskable",
    "MinorUnit",
    "MinorUnitConverter",
    "MissingRequiredFieldError",
    "MultiAuthKey",
    "NoKey",
    "NotImplementedFlowError",
    "NotSupportedError",
    "PaymentFlowData",
    "PaymentVoidData",
    "PaymentsAuthorizeData",
    "PaymentsCaptureData",
    "PaymentsResponseData",
    "PaymentsSyncData",
    "RefundFlowData",
    "RefundStatus",
    "RefundSyncData",
    "RefundsData",
    "RefundsResponseData",
    "ResponseDeserializationError",
    "ResponseHandlingError",
    "RouterDataV2",
    "Secret",
    "SignatureKey",
    "StringMajorUnitConverter",
    "StringMinorUnitConverter",
    "TransformTypeError",
    "WebhookAnswer",
    "WebhookEvent",
    "WebhookObject",
    "WebhookReference",
    "WebhookSourceError",
    "table_for",
]
