"""Deliberately broken connectors: Stripe with one rule broken each.

Each reuses Stripe's certification data (certification.toml, cassettes, spec) so that the only
difference the suite can see is the broken rule.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from connectors.paypal.connector import Paypal
from connectors.paypal.transformers import psync_path_params as paypal_psync_path_params
from connectors.paypal.transformers import refund_path_params as paypal_refund_path_params
from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import AttemptStatus, Currency, CurrencyRule, Flow, MinorUnitConverter
from harness.integration import status_from_table


def _with(flow: Flow, **changes: Any) -> dict[Flow, Any]:
    return {**Stripe.flows, flow: replace(Stripe.flows[flow], **changes)}


class FloatAmountRequest(t.StripePaymentIntentRequest):
    amount: float  # type: ignore[assignment]  # the broken rule: a float in a money path


def float_amount_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    good = t.authorize_request(rd, ctx)
    return FloatAmountRequest(
        **{**good.model_dump(context={"keep_secrets": True}), "amount": good.amount / 1}
    )


class FloatAmount(Stripe):
    id = "broken_float_amount"
    base_url_key = "stripe"
    flows: ClassVar = _with(
        Flow.AUTHORIZE, build_request=float_amount_request, request_model=FloatAmountRequest
    )


def two_decimal_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    good = t.authorize_request(rd, ctx)
    request = rd.request
    # the broken rule: every currency treated as two-decimal, so JPY 1000 goes out as 100000
    amount = int(Decimal(request.amount.value).scaleb(2 - request.currency.exponent))
    return good.model_copy(update={"amount": amount})


class WrongJpyExponent(Stripe):
    id = "broken_jpy_exponent"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, build_request=two_decimal_request)


def hardcoded_reference_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    return t.authorize_request(rd, ctx).model_copy(update={"metadata": {"order_id": "order_123"}})


class HardcodedReference(Stripe):
    id = "broken_hardcoded_reference"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, build_request=hardcoded_reference_request)


def upper_reference_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    reference = rd.resource_common_data.connector_request_reference_id
    return t.authorize_request(rd, ctx).model_copy(update={"metadata": {"order_id": reference.upper()}})


class UpperCasedReference(Stripe):
    id = "broken_upper_reference"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, build_request=upper_reference_request)


class PlainCard(t.StripeCard):
    number: str  # type: ignore[assignment]  # the broken rule: the card number is not a Secret


class PlainCardData(t.StripePaymentMethodData):
    card: PlainCard  # type: ignore[assignment]  # as above


class PlainCardRequest(t.StripePaymentIntentRequest):
    payment_method_data: PlainCardData  # type: ignore[assignment]  # as above


def plain_card_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    good = t.authorize_request(rd, ctx).model_dump(context={"keep_secrets": True})
    good["payment_method_data"]["card"]["number"] = rd.request.payment_method_data.card_number.expose()
    return PlainCardRequest(**good)


class UnmaskedCardNumber(Stripe):
    id = "broken_unmasked_card"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, build_request=plain_card_request, request_model=PlainCardRequest)


def charged_when_unknown(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.psync_response(intent, rd, ctx)
    # the broken rule: a catch-all that maps any unknown provider status to a terminal success
    status = status_from_table(intent.status, t.PAYMENT_INTENT_STATUS, unknown=AttemptStatus.CHARGED)
    return result.model_copy(update={"status": status})


class UnknownStatusCharged(Stripe):
    id = "broken_unknown_status"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.PSYNC, handle_response=charged_when_unknown)


def key_error_response(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.psync_response(intent, rd, ctx)
    order = intent.metadata["order_id"]  # the broken rule: indexing a field the provider may omit
    return result.model_copy(update={"connector_response_reference_id": order})


class KeyErrorOnMissingField(Stripe):
    id = "broken_key_error"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.PSYNC, handle_response=key_error_response)


class SameProductionUrl(Stripe):
    """Correct code; the broken rule lives in the config the test gives it."""

    id = "broken_production_url"
    base_url_key = "stripe"


# ------------------------------------------------------------------ bugs only the provider facts catch
# Each agrees with itself: its own currency table and converter, or its own status table, are wrong
# together, so only truth from outside the connector (specs/stripe.facts.toml) refuses it.


def _stripe_table_without(currency: Currency) -> MinorUnitConverter:
    rules = {c: r for c, r in t.STRIPE_CURRENCIES.rules.items() if c is not currency}
    return MinorUnitConverter(replace(t.STRIPE_CURRENCIES, rules=rules))


class MgaRowDropped(Stripe):
    """Stripe's MGA row (zero-decimal at Stripe, two in ISO 4217) forgotten: MGA 10.00 goes out as 1000."""

    id = "broken_mga_row_dropped"
    base_url_key = "stripe"
    amount_converter = _stripe_table_without(Currency.MGA)


class IskMultipleDropped(Stripe):
    """ISK sent as whole kronur x 100 but without the 'multiple of 100' rule."""

    id = "broken_isk_multiple_dropped"
    base_url_key = "stripe"
    amount_converter = MinorUnitConverter(
        replace(
            t.STRIPE_CURRENCIES,
            rules={
                **t.STRIPE_CURRENCIES.rules,
                Currency.ISK: CurrencyRule(exponent=2, note="two-decimal at Stripe"),
            },
        )
    )


def capture_processing_charged(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.capture_response(intent, rd, ctx)
    if intent.status == "processing":  # the broken rule: an acknowledged capture read as final
        return result.model_copy(update={"status": AttemptStatus.CHARGED})
    return result


class PendingCaptureCharged(Stripe):
    id = "broken_pending_capture_charged"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.CAPTURE, handle_response=capture_processing_charged)


class ErrorCodeAndMessageSwapped(Stripe):
    id = "broken_error_swapped"
    base_url_key = "stripe"

    def parse_error(self, response: Any, ctx: Any) -> Any:
        error = t.error_response(response, ctx)
        return error.model_copy(update={"code": error.message, "message": error.code})


class ErrorTypeAsCode(Stripe):
    id = "broken_error_type_as_code"
    base_url_key = "stripe"

    def parse_error(self, response: Any, ctx: Any) -> Any:
        error = t.error_response(response, ctx)
        kind = (response.decoded().get("error") or {}).get("type", "")
        return error.model_copy(update={"code": kind})


class DeclineCodeDropped(Stripe):
    id = "broken_decline_code_dropped"
    base_url_key = "stripe"

    def parse_error(self, response: Any, ctx: Any) -> Any:
        error = t.error_response(response, ctx)
        decline = (response.decoded().get("error") or {}).get("decline_code")
        dropped = {k: None for k in ("reason", "network_decline_code")}
        if decline and error.message and decline in error.message:
            dropped["message"] = error.message.replace(decline, "")  # type: ignore[assignment]
        return error.model_copy(update=dropped)


class NoCurrencyFieldDeclared(Stripe):
    """The Authorize flow hides where its currency goes: the money property would check no currency."""

    id = "broken_no_currency_field"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, currency_field=None)


def pending_without_raw_status(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.psync_response(intent, rd, ctx)
    if getattr(result, "status", None) is AttemptStatus.PENDING:
        # the broken rule: Pending is reported, but the provider's own word for it is thrown away
        return result.model_copy(update={"raw_status": None})
    return result


class UnknownStatusRawDropped(Stripe):
    id = "broken_unknown_status_raw_dropped"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.PSYNC, handle_response=pending_without_raw_status)


class NoPSyncStatusField(Stripe):
    """PSync hides where its status is: the unknown-status property would have nothing to check."""

    id = "broken_no_psync_status_field"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.PSYNC, status_field=None)


class NoAuthorizeReferenceField(Stripe):
    """Authorize hides where the merchant's reference goes: the reference property would check nothing."""

    id = "broken_no_reference_field"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, reference_field=None)


def confirmation_awaited_charged(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.authorize_response(intent, rd, ctx)
    # the broken rule: a value the facts say a confirming request never gets back, read as final
    if intent.status == "requires_confirmation":
        return result.model_copy(update={"status": AttemptStatus.CHARGED})
    return result


class NotReturnedStatusCharged(Stripe):
    id = "broken_not_returned_charged"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, handle_response=confirmation_awaited_charged)


class RSyncByPaymentId(Stripe):
    """Syncs the payment intent's id where the refund's belongs: the refund id never reaches Stripe."""

    id = "broken_rsync_by_payment_id"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.RSYNC, path="v1/refunds/{connector_transaction_id}")


class PSyncByReference(Stripe):
    """Syncs one fixed intent (a merchant reference pasted in): the payment's id never reaches Stripe."""

    id = "broken_psync_by_reference"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.PSYNC, path="v1/payment_intents/property_reference")


def captures_unless_told(rd: Any) -> dict[str, str]:
    if rd.request.connector_metadata:
        return paypal_psync_path_params(rd)
    # the broken rule: a payment synced by its id alone is taken for a capture, whatever it is
    return {
        "api": "payments",
        "collection": "captures",
        "resource_id": str(rd.request.connector_transaction_id),
    }


class PSyncGuessesTheResource(Paypal):
    """Without its metadata, syncs every payment as a capture: an authorization is asked at /captures."""

    id = "broken_psync_guesses_the_resource"
    base_url_key = "paypal"
    flows: ClassVar = {
        **Paypal.flows,
        Flow.PSYNC: replace(Paypal.flows[Flow.PSYNC], path_params=captures_unless_told),
    }


def refund_reference_unless_told(rd: Any) -> dict[str, str]:
    if rd.request.connector_metadata:
        return paypal_refund_path_params(rd)
    # the broken rule: without the metadata, the merchant reference is taken for the capture's id
    return {"capture_id": rd.resource_common_data.connector_request_reference_id}


class RefundByReferenceAlone(Paypal):
    """Given only the payment's id, refunds the capture named by the merchant reference."""

    id = "broken_refund_by_reference_alone"
    base_url_key = "paypal"
    flows: ClassVar = {
        **Paypal.flows,
        Flow.REFUND: replace(Paypal.flows[Flow.REFUND], path_params=refund_reference_unless_told),
    }


def authorized_amount_as_captured(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.psync_response(intent, rd, ctx)
    # the broken rule: the amount the intent holds is reported as captured whatever its state
    return result.model_copy(update={"amount_captured": result.amount})


class AuthorizedAmountAsCaptured(Stripe):
    id = "broken_authorized_amount_as_captured"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.PSYNC, handle_response=authorized_amount_as_captured)


def capturable_dropped(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.authorize_response(intent, rd, ctx)
    # the broken rule: what the authorization left to capture is never reported
    return result.model_copy(update={"amount_capturable": None})


class AmountCapturableDropped(Stripe):
    id = "broken_amount_capturable_dropped"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, handle_response=capturable_dropped)


def received_as_requested(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    result = t.capture_response(intent, rd, ctx)
    # the broken rule: the amount asked to capture is reported, not what Stripe says it collected
    if hasattr(result, "amount_captured"):
        return result.model_copy(update={"amount_captured": rd.request.payment_amount})
    return result


class CapturedAmountAsRequested(Stripe):
    id = "broken_captured_amount_as_requested"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.CAPTURE, handle_response=received_as_requested)


def none_in_message(response: Any, ctx: Any) -> Any:
    result = t.error_response(response, ctx)
    # the broken rule: a field the answer lacks is formatted into the message as Python's None
    return result.model_copy(update={"message": f"{None}: {result.message}"})


class NoneInErrorMessage(Stripe):
    id = "broken_none_in_error_message"
    base_url_key = "stripe"

    def parse_error(self, response: Any, ctx: Any) -> Any:
        return none_in_message(response, ctx)


def capture_method_typo_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    good = t.authorize_request(rd, ctx)
    # the broken rule: another provider's name for a manual capture, which Stripe's enum does not hold
    if good.capture_method == "manual":
        return good.model_copy(update={"capture_method": "manual_capture"})
    return good


class CaptureMethodOutsideTheEnum(Stripe):
    id = "broken_capture_method_enum"
    base_url_key = "stripe"
    flows: ClassVar = _with(Flow.AUTHORIZE, build_request=capture_method_typo_request)
