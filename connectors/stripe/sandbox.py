"""Stripe's test mode, simulated from its API reference and testing guide.

Facts used: PaymentIntent create/capture/cancel/retrieve and Refund create/retrieve shapes
(https://docs.stripe.com/api/payment_intents, https://docs.stripe.com/api/refunds), the error
object (https://docs.stripe.com/api/errors), the test cards and their decline codes
(https://docs.stripe.com/testing), three-decimal and zero-decimal currency rules
(https://docs.stripe.com/currencies).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from harness.integration.encoding import decode_form
from harness.integration.sandbox import Sandbox, SandboxRequest, SandboxResponse

# number -> (code, decline_code, message); None means the payment succeeds
TEST_CARDS: dict[str, tuple[str, str | None, str] | None] = {
    "4242424242424242": None,
    "4000056655665556": None,
    "5555555555554444": None,
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000000127": ("incorrect_cvc", None, "Your card's security code is incorrect."),
    "4000000000000069": ("expired_card", None, "Your card has expired."),
    "4000000000003220": None,
    "4000002760003184": None,
    "4000000000007726": None,
    "4000000000000119": (
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}
# zero-decimal currencies sent with two decimals that must be 00 (https://docs.stripe.com/currencies#special-cases)
WHOLE_UNITS_TIMES_100 = {"isk", "ugx"}
# 3D Secure 2 must be completed: the confirm answer is requires_action (https://docs.stripe.com/testing#regulatory-cards)
AUTHENTICATION_REQUIRED_CARDS = {"4000000000003220", "4000002760003184"}
# the charge succeeds; a refund starts pending and later succeeds (https://docs.stripe.com/testing#refunds)
REFUND_PENDING_CARDS = {"4000000000007726"}


def error(status: int, kind: str, code: str, message: str, **extra: Any) -> SandboxResponse:
    body = {
        "type": kind,
        "code": code,
        "message": message,
        "doc_url": f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}",
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return SandboxResponse(status, {"error": body})


class StripeSandbox(Sandbox):
    name = "stripe"
    api_version = "2024-06-20"
    credentials = {"api_key": "sk_test_authoring_placeholder"}
    sources = (
        "https://docs.stripe.com/api/payment_intents/create",
        "https://docs.stripe.com/api/payment_intents/capture",
        "https://docs.stripe.com/api/payment_intents/cancel",
        "https://docs.stripe.com/api/payment_intents/retrieve",
        "https://docs.stripe.com/api/refunds/create",
        "https://docs.stripe.com/api/refunds/retrieve",
        "https://docs.stripe.com/api/errors",
        "https://docs.stripe.com/testing",
    )

    def __init__(self, *, success_cards: Iterable[str] = ()) -> None:
        super().__init__()
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        # extra numbers that succeed like 4242424242424242 (the recording tests' canary card)
        self.success_cards = frozenset(success_cards)
        self._requests = 0

    # ------------------------------------------------------------ routing

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Every answer carries `Request-Id` (https://docs.stripe.com/api/request_ids) and the API
        version that answered in `Stripe-Version`."""
        answer = self.route(request)
        self._requests += 1
        digest = hashlib.sha256(f"{self.name}:request:{self._requests}".encode()).hexdigest()
        answer.headers.setdefault("Request-Id", f"req_{digest[:14]}")
        answer.headers.setdefault("Stripe-Version", request.header("Stripe-Version") or str(self.api_version))
        return answer

    def route(self, request: SandboxRequest) -> SandboxResponse:
        auth = request.header("Authorization") or ""
        if not auth.startswith("Bearer sk_test_"):
            return error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key provided.")
        form = decode_form(request.body) if request.body else {}
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/v1/payment_intents":
            return self.create_intent(form)
        if match := re.fullmatch(r"/v1/payment_intents/([^/]+)/capture", path):
            return self.capture(match.group(1), form)
        if match := re.fullmatch(r"/v1/payment_intents/([^/]+)/cancel", path):
            return self.cancel(match.group(1), form)
        if request.method == "GET" and (match := re.fullmatch(r"/v1/payment_intents/([^/]+)", path)):
            found = self.retrieve(self.intents, match.group(1), "payment_intent", "intent")
            return SandboxResponse(200, self.public(found.body)) if found.status == 200 else found
        if request.method == "POST" and path == "/v1/refunds":
            return self.create_refund(form)
        if request.method == "GET" and (match := re.fullmatch(r"/v1/refunds/([^/]+)", path)):
            refund = self.refunds.get(match.group(1))
            if refund is not None and refund["status"] == "pending":  # "some time later": by the next read
                refund["status"] = "succeeded"
            return self.retrieve(self.refunds, match.group(1), "refund", "id")
        return error(
            404,
            "invalid_request_error",
            "resource_missing",
            f"Unrecognized request URL ({request.method}: {path}).",
        )

    def retrieve(self, table: dict[str, Any], object_id: str, kind: str, param: str) -> SandboxResponse:
        if object_id not in table:
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                f"No such {kind}: '{object_id}'",
                param=param,
            )
        return SandboxResponse(200, table[object_id])

    # ------------------------------------------------------------ payment intents

    def create_intent(self, form: dict[str, Any]) -> SandboxResponse:
        for required in ("amount", "currency"):
            if required not in form:
                return error(
                    400,
                    "invalid_request_error",
                    "parameter_missing",
                    f"Missing required param: {required}.",
                    param=required,
                )
        if not str(form["amount"]).isdigit():
            return error(
                400,
                "invalid_request_error",
                "parameter_invalid_integer",
                "Invalid integer: amount",
                param="amount",
            )
        amount, currency = int(form["amount"]), str(form["currency"])
        if currency in THREE_DECIMAL and amount % 10:
            return error(
                400,
                "invalid_request_error",
                "invalid_amount",
                "Amounts in three-decimal currencies must end in 0.",
                param="amount",
            )
        if currency in WHOLE_UNITS_TIMES_100 and amount % 100:
            return error(
                400,
                "invalid_request_error",
                "invalid_amount",
                f"Amounts in {currency.upper()} must be whole units: send a multiple of 100.",
                param="amount",
            )
        card = (form.get("payment_method_data") or {}).get("card") or {}
        intent_id = self.new_id("pi_3")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "capture_method": form.get("capture_method", "automatic"),
            "client_secret": f"{intent_id}_secret_{self.new_id('', 25)}",
            "confirmation_method": "automatic",
            "created": 1764201600 + self._counter,
            "currency": currency,
            "description": form.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": form.get("metadata") or {},
            "payment_method": self.new_id("pm_1"),
            "payment_method_types": ["card"],
            "status": "requires_payment_method",
        }
        month = str(card.get("exp_month", ""))
        if not month.isdigit() or not 1 <= int(month) <= 12:
            return error(
                402,
                "card_error",
                "invalid_expiry_month",
                "Your card's expiration month is invalid.",
                param="exp_month",
            )
        number = str(card.get("number"))
        outcome = (
            None
            if number in self.success_cards
            else TEST_CARDS.get(number, ("card_declined", "generic_decline", "Your card was declined."))
        )
        charge_id = self.new_id("ch_3")
        intent["latest_charge"] = charge_id
        if outcome is not None:
            code, decline_code, message = outcome
            last_error = {"type": "card_error", "code": code, "message": message, "charge": charge_id}
            if decline_code:
                last_error["decline_code"] = decline_code
            intent["last_payment_error"] = last_error
            self.intents[intent_id] = intent
            return error(
                402,
                "card_error",
                code,
                message,
                decline_code=decline_code,
                charge=charge_id,
                payment_intent=self.public(intent),
            )
        intent["refund_pending"] = number in REFUND_PENDING_CARDS  # sandbox state, removed below
        if number in AUTHENTICATION_REQUIRED_CARDS:
            intent.update(
                status="requires_action",
                next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}},
            )
        elif intent["capture_method"] == "manual":
            intent.update(status="requires_capture", amount_capturable=amount)
        else:
            intent.update(status="succeeded", amount_received=amount)
        self.intents[intent_id] = intent
        return SandboxResponse(200, self.public(intent))

    @staticmethod
    def public(intent: dict[str, Any]) -> dict[str, Any]:
        """The PaymentIntent as the API shows it, without the sandbox's own bookkeeping."""
        return {k: v for k, v in intent.items() if k != "refund_pending"}

    def capture(self, intent_id: str, form: dict[str, Any]) -> SandboxResponse:
        intent = self.intents.get(intent_id)
        if intent is None:
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                f"No such payment_intent: '{intent_id}'",
                param="intent",
            )
        if intent["status"] != "requires_capture":
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}. "
                "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
                payment_intent=self.public(intent),
            )
        amount = int(form.get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                "The amount to capture is greater than the amount capturable.",
                param="amount_to_capture",
            )
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        return SandboxResponse(200, self.public(intent))

    def cancel(self, intent_id: str, form: dict[str, Any]) -> SandboxResponse:
        intent = self.intents.get(intent_id)
        if intent is None:
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                f"No such payment_intent: '{intent_id}'",
                param="intent",
            )
        if intent["status"] in ("succeeded", "canceled"):
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}. Only a "
                "PaymentIntent with one of the following statuses may be canceled: requires_payment_method, "
                "requires_capture, requires_confirmation, requires_action, processing.",
                payment_intent=self.public(intent),
            )
        intent.update(
            status="canceled", amount_capturable=0, cancellation_reason=form.get("cancellation_reason")
        )
        return SandboxResponse(200, self.public(intent))

    # ------------------------------------------------------------ refunds

    def create_refund(self, form: dict[str, Any]) -> SandboxResponse:
        intent_id = form.get("payment_intent")
        intent = self.intents.get(str(intent_id))
        if intent is None:
            return error(
                404,
                "invalid_request_error",
                "resource_missing",
                f"No such payment_intent: '{intent_id}'",
                param="payment_intent",
            )
        refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent_id)
        amount = int(form.get("amount", intent["amount_received"] - refunded))
        if intent["status"] != "succeeded":
            return error(
                400,
                "invalid_request_error",
                "charge_not_refundable",
                "This PaymentIntent has no successful charge to refund.",
            )
        if amount > intent["amount_received"] - refunded:
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({intent['amount_received'] - refunded})",
                param="amount",
            )
        refund_id = self.new_id("re_3")
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": self.new_id("txn_3"),
            "charge": intent["latest_charge"],
            "created": 1764201600 + self._counter,
            "currency": intent["currency"],
            "metadata": form.get("metadata") or {},
            "payment_intent": intent_id,
            "reason": form.get("reason"),
            "status": "pending" if intent.get("refund_pending") else "succeeded",
        }
        self.refunds[refund_id] = refund
        return SandboxResponse(200, refund)
