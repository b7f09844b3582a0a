"""Checkout.com's sandbox (unified payments API), simulated from its API reference and testing guide.

Facts used:

* request/response shapes of POST /payments, GET /payments/{id}, GET /payments/{id}/actions and
  POST /payments/{id}/captures|voids|refunds (https://api-reference.checkout.com/#tag/Payments):
  201 with `approved`, `status`, `response_code` for a processed payment; 202 with an `action_id`
  for captures, voids and refunds; 401 Unauthorized, 403 "<action> not allowed" and 404 "Payment
  not found" without a body; 422 with `request_id`, `error_type`, `error_codes`;
* test cards and the response codes they trigger
  (https://www.checkout.com/docs/developer-resources/testing/test-cards), and the amounts whose
  ending triggers a response code in "divide by 100" currencies
  (https://docs.checkout.com/testing/response-code-testing);
* amount rules (https://www.checkout.com/docs/payments/accept-payments/format-the-amount-value);
* error codes (https://www.checkout.com/docs/resources/codes/error-codes).

Simplifications, stated: an asynchronous action (a capture, void or refund, and the capture of a
payment requested with `capture: true`) is complete by the next request; any card number the
testing guide does not list as a decline is approved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from harness.integration.sandbox import Sandbox, SandboxRequest, SandboxResponse

BASE = "https://api.sandbox.checkout.com"
TODAY = dt.date(2025, 11, 27)  # the sandbox's fixed "today", for expiry checks
EPOCH = dt.datetime(2025, 11, 27, 9, 0, tzinfo=dt.UTC)

# Test cards -> (response code, response summary)
DECLINE_CARDS: dict[str, tuple[str, str]] = {
    "4734868958733862": ("200N7", "Decline for CVV2 failure"),
    "4567361325981788": (
        "200R3",
        "Issuer initiated a stop payment (revocation order) for all authorizations",
    ),
    "4111111111111129": ("20001", "Refer to card issuer"),
    "4024007103573027": ("20012", "Invalid transaction"),
    "4485381577182090": ("20014", "Invalid card number"),
    "4544249167673670": ("20051", "Insufficient Funds"),
    "4724117215951699": ("20054", "Expired Card"),
    "4897453568485113": ("20059", "Suspected Fraud"),
    "4556294593757189": ("20061", "Activity amount limit exceeded"),
    "4818924250131070": ("20062", "Restricted Card"),
    "4556253752712245": ("20063", "Security violation"),
    "4095254802642505": ("20068", "Response received too late / timeout"),
    "4532819413487978": ("20078", "Blocked, first use"),
}
# Amount endings (last two digits) -> (response code, response summary), "divide by 100" currencies only
DECLINE_AMOUNT_ENDINGS: dict[str, tuple[str, str]] = {
    "05": ("20005", "Declined - Do not honour"),
    "12": ("20012", "Invalid payment"),
    "14": ("20014", "Invalid card number"),
    "51": ("20051", "Insufficient funds"),
    "54": ("20087", "Bad track data"),
    "62": ("20062", "Restricted card"),
    "63": ("20063", "Security violation"),
    "33": ("30033", "Expired card - Pick up"),
}
DECLINE_AMOUNTS: dict[int, tuple[str, str]] = {9998: ("20068", "Response received too late / timeout")}
FULL_AMOUNT = {
    "BIF",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "VUV",
    "VND",
    "XAF",
    "XOF",
    "XPF",
}
DIVIDED_BY_1000 = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
SCHEMES = {"4": "Visa", "5": "Mastercard", "2": "Mastercard", "3": "American Express", "6": "Discover"}


class CheckoutSandbox(Sandbox):
    name = "checkout"
    credentials = {"api_key": "sk_sbox_authoring_placeholder"}
    sources = (
        "https://api-reference.checkout.com/#tag/Payments",
        "https://www.checkout.com/docs/developer-resources/testing/test-cards",
        "https://docs.checkout.com/testing/response-code-testing",
        "https://www.checkout.com/docs/payments/accept-payments/format-the-amount-value",
        "https://www.checkout.com/docs/resources/codes/error-codes",
    )

    def __init__(self) -> None:
        super().__init__()
        self.payments: dict[str, dict[str, Any]] = {}
        self.actions: dict[str, list[dict[str, Any]]] = {}

    # ------------------------------------------------------------ helpers

    def cko_id(self, prefix: str) -> str:
        return f"{prefix}_{self.new_id('', 26).lower()}"

    def now(self) -> str:
        return (EPOCH + dt.timedelta(seconds=self._counter)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def request_id(self) -> str:
        return self.new_id("", 13).upper()

    def invalid(self, *codes: str) -> SandboxResponse:
        request_id = self.request_id()
        body = {"request_id": request_id, "error_type": "request_invalid", "error_codes": list(codes)}
        return SandboxResponse(422, body, {"Cko-Request-Id": request_id})

    @staticmethod
    def empty(status: int) -> SandboxResponse:
        return SandboxResponse(status, b"", {})

    def links(self, payment: dict[str, Any]) -> dict[str, Any]:
        href = f"{BASE}/payments/{payment['id']}"
        links: dict[str, Any] = {"self": {"href": href}, "actions": {"href": f"{href}/actions"}}
        balances = payment["balances"]
        if balances["available_to_capture"]:
            links["capture"] = {"href": f"{href}/captures"}
        if balances["available_to_void"]:
            links["void"] = {"href": f"{href}/voids"}
        if balances["available_to_refund"]:
            links["refund"] = {"href": f"{href}/refunds"}
        return links

    def action(
        self, payment: dict[str, Any], kind: str, amount: int, reference: str | None
    ) -> dict[str, Any]:
        action: dict[str, Any] = {
            "id": self.cko_id("act"),
            "type": kind,
            "processed_on": self.now(),
            "amount": amount,
            "approved": True,
            "response_code": "10000",
            "response_summary": "Approved",
        }
        if reference:
            action["reference"] = reference
        self.actions[payment["id"]].insert(0, action)  # latest first
        return action

    # ------------------------------------------------------------ routing

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        auth = request.header("Authorization") or ""
        if not auth.startswith("Bearer sk_sbox_"):
            return self.empty(401)
        body: Any = {}
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                return self.invalid("request_malformed")
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/payments":
            return self.request_payment(body)
        match = re.fullmatch(r"/payments/([^/]+)(?:/(actions|captures|voids|refunds))?", path)
        if match is None:
            return self.empty(404)
        payment = self.payments.get(match.group(1))
        if payment is None:
            return self.empty(404)
        operation = (request.method, match.group(2))
        if operation == ("GET", None):
            return SandboxResponse(200, self.details(payment))
        if operation == ("GET", "actions"):
            return SandboxResponse(200, self.actions[payment["id"]])
        if operation == ("POST", "captures"):
            return self.capture(payment, body)
        if operation == ("POST", "voids"):
            return self.void(payment, body)
        if operation == ("POST", "refunds"):
            return self.refund(payment, body)
        return self.empty(404)

    # ------------------------------------------------------------ payments

    def validate_payment(self, body: dict[str, Any]) -> list[str]:
        codes: list[str] = []
        currency = body.get("currency")
        if not currency:
            codes.append("currency_required")
        elif not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
            codes.append("currency_invalid")
        amount = body.get("amount", 0)
        whole = isinstance(amount, int) and not isinstance(amount, bool)
        if not whole or not 0 <= amount <= 999_999_999 or (currency in DIVIDED_BY_1000 and amount % 10):
            codes.append("amount_invalid")  # no decimals, at most nine digits; 1000-currencies end in 0
        source = body.get("source")
        if not isinstance(source, dict):
            return [*codes, "payment_source_required"]
        number = source.get("number")
        if not number:
            codes.append("card_number_required")
        elif not (isinstance(number, str) and number.isdigit() and 12 <= len(number) <= 19):
            codes.append("card_number_invalid")
        month, year = source.get("expiry_month"), source.get("expiry_year")
        if month is None:
            codes.append("card_expiry_month_required")
        elif not isinstance(month, int) or not 1 <= month <= 12:
            codes.append("card_expiry_month_invalid")
        if year is None:
            codes.append("card_expiry_year_required")
        elif not isinstance(year, int) or not 1000 <= year <= 9999:
            codes.append("card_expiry_year_invalid")
        elif isinstance(month, int) and 1 <= month <= 12 and (year, month) < (TODAY.year, TODAY.month):
            codes.append("card_expired")
        cvv = source.get("cvv")
        if cvv is not None and not (isinstance(cvv, str) and cvv.isdigit() and 3 <= len(cvv) <= 4):
            codes.append("cvv_invalid")
        reference = body.get("reference")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 50):
            codes.append("reference_invalid")
        channel = body.get("processing_channel_id")
        if channel is not None and not (isinstance(channel, str) and re.fullmatch(r"pc_\w{26}", channel)):
            codes.append("processing_channel_id_invalid")
        return codes

    def outcome(self, number: str, amount: int, currency: str) -> tuple[str, str] | None:
        declined = DECLINE_CARDS.get(number)
        if declined is None and currency not in FULL_AMOUNT | DIVIDED_BY_1000:
            declined = DECLINE_AMOUNTS.get(amount) or DECLINE_AMOUNT_ENDINGS.get(f"{amount:02d}"[-2:])
        return declined

    def request_payment(self, body: dict[str, Any]) -> SandboxResponse:
        codes = self.validate_payment(body) if isinstance(body, dict) else ["request_malformed"]
        if codes:
            return self.invalid(*codes)
        source = body["source"]
        number: str = source["number"]
        amount: int = body.get("amount", 0)
        currency: str = body["currency"]
        capture = body.get("capture", True) is not False
        payment_id = self.cko_id("pay")
        declined = self.outcome(number, amount, currency)
        response_code, summary = declined or ("10000", "Approved")
        payment: dict[str, Any] = {
            "id": payment_id,
            "requested_on": self.now(),
            "amount": amount,
            "currency": currency,
            "payment_type": "Regular",
            "reference": body.get("reference"),
            "approved": declined is None,
            "status": "Declined" if declined else "Authorized",
            "capture": capture,
            "source": {
                "type": "card",
                "id": self.cko_id("src"),
                "expiry_month": source["expiry_month"],
                "expiry_year": source["expiry_year"],
                "scheme": SCHEMES.get(number[0], "Visa"),
                "last4": number[-4:],
                "fingerprint": hashlib.sha256(f"checkout-sandbox:{number}".encode()).hexdigest().upper(),
                "bin": number[:6],
                "card_type": "CREDIT",
                "issuer_country": "GB",
            },
            "balances": {
                "total_authorized": 0 if declined else amount,
                "total_voided": 0,
                "available_to_void": 0 if declined else amount,
                "total_captured": 0,
                "available_to_capture": 0 if declined else amount,
                "total_refunded": 0,
                "available_to_refund": 0,
            },
            "risk": {"flagged": False},
        }
        if body.get("description"):
            payment["description"] = body["description"]
        self.payments[payment_id] = payment
        self.actions[payment_id] = []
        authorization = self.action(payment, "Authorization", amount, body.get("reference"))
        authorization.update(approved=declined is None, response_code=response_code, response_summary=summary)
        if not declined:
            authorization["auth_code"] = f"{self._counter:06d}"[-6:]
        response: dict[str, Any] = {
            "id": payment_id,
            "action_id": authorization["id"],
            "amount": amount,
            "currency": currency,
            "approved": declined is None,
            "status": payment["status"],
            "response_code": response_code,
            "response_summary": summary,
            "balances": dict(payment["balances"]),
            "risk": {"flagged": False},
            "source": payment["source"],
            "processed_on": authorization["processed_on"],
            "reference": body.get("reference"),
            "processing": {"acquirer_transaction_id": f"{self._counter:021d}"},
            "_links": self.links(payment),
        }
        if declined is None:
            response["auth_code"] = authorization["auth_code"]
            response["expires_on"] = (EPOCH + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
            if capture:  # captured asynchronously: complete by the next request
                self.apply_capture(payment, amount, body.get("reference"))
        request_id = self.request_id()
        return SandboxResponse(201, response, {"Cko-Request-Id": request_id})

    def details(self, payment: dict[str, Any]) -> dict[str, Any]:
        details = {k: v for k, v in payment.items() if k != "capture"}
        details["_links"] = self.links(payment)
        return details

    # ------------------------------------------------------------ actions

    def apply_capture(self, payment: dict[str, Any], amount: int, reference: str | None) -> dict[str, Any]:
        balances = payment["balances"]
        balances["total_captured"] += amount
        balances["available_to_capture"] -= amount
        balances["available_to_refund"] += amount
        balances["available_to_void"] = 0
        payment["status"] = "Captured" if balances["available_to_capture"] == 0 else "Partially Captured"
        return self.action(payment, "Capture", amount, reference)

    def accepted(self, payment: dict[str, Any], action: dict[str, Any]) -> SandboxResponse:
        body: dict[str, Any] = {
            "action_id": action["id"],
            "_links": {"payment": {"href": f"{BASE}/payments/{payment['id']}"}},
        }
        if "reference" in action:
            body["reference"] = action["reference"]
        return SandboxResponse(202, body, {"Cko-Request-Id": self.request_id()})

    def action_amount(self, body: Any, default: int) -> int | None:
        if not isinstance(body, dict):
            return None
        amount = body.get("amount", default)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            return None
        return amount

    def capture(self, payment: dict[str, Any], body: Any) -> SandboxResponse:
        balances = payment["balances"]
        if (
            payment["status"] not in ("Authorized", "Partially Captured")
            or not balances["available_to_capture"]
        ):
            return self.empty(403)  # Capture not allowed
        amount = self.action_amount(body, balances["available_to_capture"])
        if amount is None:
            return self.invalid("amount_invalid")
        if amount > balances["available_to_capture"]:
            partial = payment["status"] == "Partially Captured"
            return self.invalid(
                "capture_value_greater_than_remaining_authorized"
                if partial
                else "capture_value_greater_than_authorized"
            )
        action = self.apply_capture(payment, amount, body.get("reference"))
        return self.accepted(payment, action)

    def void(self, payment: dict[str, Any], body: Any) -> SandboxResponse:
        balances = payment["balances"]
        if payment["status"] != "Authorized" or not balances["available_to_void"]:
            return self.empty(403)  # Void not allowed
        amount = balances["available_to_void"]
        balances.update(total_voided=amount, available_to_void=0, available_to_capture=0)
        payment["status"] = "Voided"
        action = self.action(
            payment, "Void", amount, body.get("reference") if isinstance(body, dict) else None
        )
        return self.accepted(payment, action)

    def refund(self, payment: dict[str, Any], body: Any) -> SandboxResponse:
        balances = payment["balances"]
        if not balances["available_to_refund"]:
            return self.empty(403)  # Refund not allowed
        amount = self.action_amount(body, balances["available_to_refund"])
        if amount is None:
            return self.invalid("amount_invalid")
        if amount > balances["available_to_refund"]:
            return self.invalid("amount_exceeds_balance")
        balances["total_refunded"] += amount
        balances["available_to_refund"] -= amount
        payment["status"] = "Refunded" if balances["available_to_refund"] == 0 else "Partially Refunded"
        action = self.action(payment, "Refund", amount, body.get("reference"))
        return self.accepted(payment, action)
