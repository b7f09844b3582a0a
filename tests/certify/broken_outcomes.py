"""Deliberately broken connectors: each drops or changes one field of an answer that the facts
read from the recorded body (facts:outcome:<scenario>). A shipped connector's data, one rule broken."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.adyen import transformers as adyen_t
from connectors.adyen.connector import Adyen
from connectors.checkout import transformers as checkout_t
from connectors.checkout.connector import Checkout
from connectors.paypal import transformers as paypal_t
from connectors.paypal.connector import Paypal
from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import AttemptStatus, Flow
from harness.domain.router_data import ErrorResponse
from harness.integration.http import HttpResponse


class DeclineWithoutPaymentId(Stripe):
    id = "broken_decline_without_payment_id"
    base_url_key = "stripe"

    def parse_error(self, response: HttpResponse, ctx: Any) -> ErrorResponse:
        # the broken rule: the declined PaymentIntent's id is dropped, so the payment cannot be synced
        return t.error_response(response, ctx).model_copy(update={"connector_transaction_id": None})


class DeclineAsGenericFailure(Stripe):
    id = "broken_decline_as_generic_failure"
    base_url_key = "stripe"

    def parse_error(self, response: HttpResponse, ctx: Any) -> ErrorResponse:
        error = t.error_response(response, ctx)
        # the broken rule: a card decline reads as a generic Failure, not AuthorizationFailed
        if error.attempt_status is AttemptStatus.AUTHORIZATION_FAILED:
            return error.model_copy(update={"attempt_status": AttemptStatus.FAILURE})
        return error


class ErrorHttpStatusLost(Stripe):
    id = "broken_error_http_status_lost"
    base_url_key = "stripe"

    def parse_error(self, response: HttpResponse, ctx: Any) -> ErrorResponse:
        # the broken rule: every error claims HTTP 400, whatever the provider answered
        return t.error_response(response, ctx).model_copy(update={"status_code": 400})


def upper_raw_status_response(intent: Any, rd: Any, ctx: Any) -> Any:
    result = t.authorize_response(intent, rd, ctx)
    # the broken rule: the raw status is rewritten instead of kept as the provider sent it
    if getattr(result, "raw_status", None):
        return result.model_copy(update={"raw_status": result.raw_status.upper()})
    return result


class RawStatusRewritten(Stripe):
    id = "broken_raw_status_rewritten"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.AUTHORIZE: replace(Stripe.flows[Flow.AUTHORIZE], handle_response=upper_raw_status_response),
    }


def refusal_without_psp_reference(resp: Any, rd: Any, ctx: Any) -> Any:
    result = adyen_t.authorize_response(resp, rd, ctx)
    # the broken rule: a refused payment's pspReference is dropped
    if isinstance(result, ErrorResponse):
        return result.model_copy(update={"connector_transaction_id": None})
    return result


class RefusalWithoutPspReference(Adyen):
    id = "broken_refusal_without_psp_reference"
    base_url_key = "adyen"
    flows: ClassVar = {
        **Adyen.flows,
        Flow.AUTHORIZE: replace(Adyen.flows[Flow.AUTHORIZE], handle_response=refusal_without_psp_reference),
    }


def refusal_without_reason(resp: Any, rd: Any, ctx: Any) -> Any:
    result = adyen_t.authorize_response(resp, rd, ctx)
    # the broken rule: a refused payment's refusalReason is not kept as the reason
    if isinstance(result, ErrorResponse):
        return result.model_copy(update={"reason": None})
    return result


class RefusalWithoutReason(Adyen):
    id = "broken_refusal_without_reason"
    base_url_key = "adyen"
    flows: ClassVar = {
        **Adyen.flows,
        Flow.AUTHORIZE: replace(Adyen.flows[Flow.AUTHORIZE], handle_response=refusal_without_reason),
    }


class ErrorCodesDropped(Checkout):
    id = "broken_error_codes_dropped"
    base_url_key = "checkout"

    def parse_error(self, response: HttpResponse, ctx: Any) -> ErrorResponse:
        # the broken rule: only the first of the error codes survives (as the code), the list is dropped
        return checkout_t.error_response(response, ctx).model_copy(update={"reason": None})


def decline_meaning_dropped_from_reason(order: Any, rd: Any, ctx: Any) -> Any:
    result = paypal_t.authorize_response(order, rd, ctx)
    # the broken rule: a processor decline keeps its code but not what the code means, as the reason
    if isinstance(result, ErrorResponse):
        return result.model_copy(update={"reason": None})
    return result


class DeclineMeaningDroppedFromReason(Paypal):
    id = "broken_decline_meaning_dropped_from_reason"
    base_url_key = "paypal"
    flows: ClassVar = {
        **Paypal.flows,
        Flow.AUTHORIZE: replace(
            Paypal.flows[Flow.AUTHORIZE], handle_response=decline_meaning_dropped_from_reason
        ),
    }


def decline_message_without_meaning(order: Any, rd: Any, ctx: Any) -> Any:
    result = paypal_t.authorize_response(order, rd, ctx)
    # the broken rule: the message says only that the capture was declined, not why
    if isinstance(result, ErrorResponse):
        return result.model_copy(update={"message": "capture DECLINED"})
    return result


class DeclineMessageWithoutMeaning(Paypal):
    id = "broken_decline_message_without_meaning"
    base_url_key = "paypal"
    flows: ClassVar = {
        **Paypal.flows,
        Flow.AUTHORIZE: replace(
            Paypal.flows[Flow.AUTHORIZE], handle_response=decline_message_without_meaning
        ),
    }
