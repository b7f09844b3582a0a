"""Adyen's test platform (Checkout API v71), simulated from its API reference and testing guides.

Facts used:
* POST /v71/payments answers 200 with a PaymentResponse; a card payment with raw card details
  that is authorised has resultCode Authorised, a pspReference of 16 characters and
  additionalData such as authCode and refusalReasonRaw AUTHORISED (the v71 examples), and echoes
  the amount and merchantReference.
* On the test platform, paymentMethod.holderName set to a value of the "Values for testing refusal
  reasons" table triggers that refusal: resultCode Refused with refusalReason and refusalReasonCode
  (https://docs.adyen.com/development-resources/testing/result-codes,
  https://docs.adyen.com/development-resources/refusal-reasons).
* An expiry month outside 1..12 is refused with HTTP 422, errorType validation, message "The
  provided Expiry Date is not valid.: Expiry month should be between 1 and 12 inclusive" (Adyen
  appends the month sent; this simulation leaves it out so that no card field reaches a cassette).
  The errorCode 129 ("Expiry Date Invalid") comes from the error-codes list.
* Captures, cancels and refunds answer 201 with status received, echoing the payment's
  pspReference as paymentPspReference and giving the modification its own pspReference; the
  outcome is a webhook, so a cancel of a captured payment is acknowledged like any other.
* Errors are ServiceError objects: 401 errorCode 000 "HTTP Status Response - Unauthorized"
  (security), 403 errorCode 901 "Invalid Merchant Account" (security), 422 errorCode 14_030
  "Return URL is missing." (validation), 422 errorCode 167 "Original pspReference required for
  this operation" (validation) for a pspReference the platform does not know
  (https://docs.adyen.com/development-resources/error-codes).
"""

from __future__ import annotations

import json
import re
from typing import Any

from harness.integration.sandbox import Sandbox, SandboxRequest, SandboxResponse

# holderName -> (refusalReason, resultCode, refusalReasonCode): a part of Adyen's testing table
TEST_HOLDER_NAMES: dict[str, tuple[str, str, str]] = {
    "UNKNOWN": ("Unknown", "Error", "0"),
    "DECLINED": ("Refused", "Refused", "2"),
    "REFERRAL": ("Referral", "Refused", "3"),
    "ERROR": ("Acquirer Error", "Error", "4"),
    "BLOCK_CARD": ("Blocked Card", "Refused", "5"),
    "CARD_EXPIRED": ("Expired Card", "Refused", "6"),
    "INVALID_AMOUNT": ("Invalid Amount", "Refused", "7"),
    "INVALID_CARD_NUMBER": ("Invalid Card Number", "Refused", "8"),
    "ISSUER_UNAVAILABLE": ("Issuer Unavailable", "Refused", "9"),
    "NOT_SUPPORTED": ("Not supported", "Refused", "10"),
    "NOT_3D_AUTHENTICATED": ("3D Not Authenticated", "Refused", "11"),
    "NOT_ENOUGH_BALANCE": ("Not enough balance", "Refused", "12"),
    "ACQUIRER_FRAUD": ("Acquirer Fraud", "Refused", "14"),
    "CANCELLED": ("Cancelled", "Refused", "15"),
    "SHOPPER_CANCELLED": ("Shopper Cancelled", "Refused", "16"),
    "FRAUD": ("FRAUD", "Refused", "20"),
    "NOT_SUBMITTED": ("Not Submitted", "Refused", "21"),
    "TRANSACTION_NOT_PERMITTED": ("Transaction Not Permitted", "Refused", "23"),
    "CVC_DECLINED": ("CVC Declined", "Refused", "24"),
    "RESTRICTED_CARD": ("Restricted Card", "Refused", "25"),
    "REVOCATION_OF_AUTH": ("Revocation Of Auth", "Refused", "26"),
    "DECLINED_NON_GENERIC": ("Declined Non Generic", "Refused", "27"),
}
# not in Adyen's currency table (https://docs.adyen.com/development-resources/currency-codes/)
UNKNOWN_CURRENCIES = {"ANG", "BGN", "BIF", "CLF", "MGA", "UYI", "UYW", "XXX"}
# holderName PENDING: resultCode Received, the initial state of a payment that is processed later
# (https://docs.adyen.com/development-resources/testing/result-codes/, RequestedTestAcquirerResponseCode 13)
PENDING_HOLDER_NAME = "PENDING"


def service_error(status: int, code: str, message: str, kind: str, psp: str | None = None) -> SandboxResponse:
    body: dict[str, Any] = {"status": status, "errorCode": code, "message": message, "errorType": kind}
    if psp:
        body["pspReference"] = psp
    return SandboxResponse(status, body)


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class AdyenSandbox(Sandbox):
    name = "adyen"
    api_version = "71"
    credentials = {"api_key": "AQE_test_authoring_placeholder_key", "key1": "CertifyAuthoringECOM"}
    sources = (
        "https://docs.adyen.com/api-explorer/Checkout/71/post/payments",
        "https://docs.adyen.com/api-explorer/Checkout/71/post/payments/(paymentPspReference)/captures",
        "https://docs.adyen.com/api-explorer/Checkout/71/post/payments/(paymentPspReference)/cancels",
        "https://docs.adyen.com/api-explorer/Checkout/71/post/payments/(paymentPspReference)/refunds",
        "https://github.com/Adyen/adyen-openapi/blob/main/json/CheckoutService-v71.json",
        "https://docs.adyen.com/online-payments/capture",
        "https://docs.adyen.com/development-resources/testing/result-codes",
        "https://docs.adyen.com/development-resources/refusal-reasons",
        "https://docs.adyen.com/development-resources/error-codes",
        "https://docs.adyen.com/development-resources/test-cards-and-credentials/test-card-numbers",
        "https://docs.adyen.com/development-resources/currency-codes",
    )

    def __init__(self) -> None:
        super().__init__()
        self.payments: dict[str, dict[str, Any]] = {}

    def psp_reference(self) -> str:
        return self.new_id("", 16).upper()

    # ------------------------------------------------------------ routing

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.header("X-API-Key") != self.credentials["api_key"]:
            return service_error(401, "000", "HTTP Status Response - Unauthorized", "security")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return service_error(400, "702", "Unexpected input", "validation")
        if not isinstance(body, dict):
            return service_error(400, "702", "Unexpected input", "validation")
        if body.get("merchantAccount") != self.credentials["key1"]:
            return service_error(403, "901", "Invalid Merchant Account", "security", self.psp_reference())
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/v71/payments":
            return self.payment(body)
        match = re.fullmatch(r"/v71/payments/([^/]+)/(captures|cancels|refunds)", path)
        if request.method == "POST" and match:
            return self.modification(match.group(1), match.group(2), body)
        return service_error(404, "000", "Not Found", "validation")

    # ------------------------------------------------------------ payments

    def amount_problem(self, amount: Any) -> SandboxResponse | None:
        if not isinstance(amount, dict) or not isinstance(amount.get("value"), int):
            return service_error(422, "100", "Required object 'amount' is not provided.", "validation")
        if amount["value"] < 0:
            return service_error(422, "137", "Field 'amount' is not valid.", "validation")
        if amount.get("currency") in UNKNOWN_CURRENCIES or not re.fullmatch(
            r"[A-Z]{3}", str(amount.get("currency"))
        ):
            return service_error(422, "138", "Unsupported currency specified", "validation")
        return None

    def payment(self, body: dict[str, Any]) -> SandboxResponse:
        problem = self.amount_problem(body.get("amount"))
        if problem is not None:
            return problem
        if not body.get("reference"):
            return service_error(422, "130", "Required field 'reference' is not provided.", "validation")
        if not body.get("returnUrl"):
            return service_error(422, "14_030", "Return URL is missing.", "validation", self.psp_reference())
        card = body.get("paymentMethod") or {}
        if card.get("type") != "scheme" or not luhn_ok(str(card.get("number", ""))):
            return service_error(422, "101", "Invalid card number", "validation", self.psp_reference())
        month = str(card.get("expiryMonth", ""))
        if not month.isdigit() or not 1 <= int(month) <= 12:
            return service_error(
                422,
                "129",
                "The provided Expiry Date is not valid.: Expiry month should be between 1 and 12 inclusive",
                "validation",
                self.psp_reference(),
            )
        cvc = str(card.get("cvc", ""))
        if cvc and (not cvc.isdigit() or not 3 <= len(cvc) <= 4):
            return service_error(
                422, "103", "CVC is not the right length", "validation", self.psp_reference()
            )
        psp = self.psp_reference()
        amount = body["amount"]
        answer: dict[str, Any] = {
            "pspReference": psp,
            "merchantReference": body["reference"],
            "amount": amount,
        }
        outcome = TEST_HOLDER_NAMES.get(str(card.get("holderName", "")))
        if outcome is not None:
            reason, result_code, code = outcome
            answer.update(resultCode=result_code, refusalReason=reason, refusalReasonCode=code)
            return SandboxResponse(200, answer)
        if card.get("holderName") == PENDING_HOLDER_NAME:
            answer.update(resultCode="Received", paymentMethod={"brand": "mc", "type": "scheme"})
            return SandboxResponse(200, answer)
        manual = (body.get("additionalData") or {}).get("manualCapture") == "true"
        self.payments[psp] = {
            "amount": amount["value"],
            "currency": amount["currency"],
            "manual": manual,
            "modifications": [],
        }
        answer.update(
            resultCode="Authorised",
            additionalData={
                "cvcResult": "1 Matches",
                "authCode": self.new_id("", 6).upper(),
                "avsResult": "4 AVS not supported for this card type",
                "avsResultRaw": "4",
                "cvcResultRaw": "M",
                "refusalReasonRaw": "AUTHORISED",
                "acquirerCode": "TestPmmAcquirer",
                "acquirerReference": self.new_id("", 11).upper(),
            },
            paymentMethod={"brand": "mc", "type": "scheme"},
        )
        return SandboxResponse(200, answer)

    # ------------------------------------------------------------ modifications

    def modification(self, payment_psp: str, kind: str, body: dict[str, Any]) -> SandboxResponse:
        payment = self.payments.get(payment_psp)
        if payment is None:
            return service_error(
                422, "167", "Original pspReference required for this operation", "validation"
            )
        answer: dict[str, Any] = {
            "merchantAccount": body["merchantAccount"],
            "paymentPspReference": payment_psp,
        }
        if body.get("reference"):
            answer["reference"] = body["reference"]
        if kind in ("captures", "refunds"):
            problem = self.amount_problem(body.get("amount"))
            if problem is not None:
                return problem
            if body["amount"]["currency"] != payment["currency"]:
                return service_error(422, "138", "Unsupported currency specified", "validation")
            answer["amount"] = body["amount"]
        if kind == "refunds" and body.get("merchantRefundReason"):
            answer["merchantRefundReason"] = body["merchantRefundReason"]
        psp = self.psp_reference()
        payment["modifications"].append((kind, psp))
        answer.update(pspReference=psp, status="received")
        return SandboxResponse(201, answer)
