"""PayPal's REST sandbox, simulated from its API reference and testing guides.

Facts used: the client-credentials token endpoint and its OAuth error shape
(https://developer.paypal.com/api/rest/authentication/), Orders v2 create/show with a card
payment source and the `PayPal-Request-Id` rule (400 PAYPAL_REQUEST_ID_REQUIRED), Payments v2
authorization show/capture/void (204, or 200 with `Prefer: return=representation`), capture
show/refund, refund show, the status enums and the 4xx issues of each operation
(https://developer.paypal.com/docs/api/orders/v2/, https://developer.paypal.com/docs/api/payments/v2/),
the error object (https://developer.paypal.com/api/rest/responses/), the currency rules
(https://developer.paypal.com/reference/currency-codes) and the card rejection triggers, whose
orders are created COMPLETED with a DECLINED capture and the trigger's processor response code
(https://developer.paypal.com/tools/sandbox/card-testing/).
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

from harness.integration.sandbox import Sandbox, SandboxRequest, SandboxResponse

BASE = "https://api-m.sandbox.paypal.com"
# card payments: the card brand currency table (docs/checkout/advanced/eligibility), 22 currencies
SUPPORTED = {
    "AUD", "BRL", "CAD", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MXN", "TWD",
    "NZD", "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD",
}  # fmt: skip
ZERO_DIGIT = {"HUF", "JPY", "TWD"}
MAX_VALUE = Decimal("999999999999999.99")
SANDBOX_MONTH = "2026-11"  # the sandbox's "today" for expiry checks (no clock in authored data)

# trigger in the card name -> processor response code (card-testing guide, Visa numbers only)
REJECTION_TRIGGERS = {
    "CCREJECT-REFUSED": "0500",
    "CCREJECT-SF": "9500",
    "CCREJECT-EC": "5400",
    "CCREJECT-IRC": "5180",
    "CCREJECT-IF": "5120",
    "CCREJECT-LS": "9520",
    "CCREJECT-IA": "1330",
    "CCREJECT-BANK_ERROR": "5100",
    "CCREJECT-CVV_F": "00N7",
}

MESSAGES = {
    400: ("INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."),
    401: (
        "AUTHENTICATION_FAILURE",
        "Authentication failed due to missing authorization header, or invalid authentication credentials.",
    ),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    422: (
        "UNPROCESSABLE_ENTITY",
        "The requested action could not be performed, semantically incorrect, or failed business validation.",
    ),
}


class PaypalSandbox(Sandbox):
    name = "paypal"
    api_version = "v2"
    credentials = {"key1": "paypal_client_id_placeholder", "api_key": "paypal_client_secret_placeholder"}
    sources = (
        "https://developer.paypal.com/api/rest/authentication/",
        "https://developer.paypal.com/docs/api/orders/v2/",
        "https://developer.paypal.com/docs/api/payments/v2/",
        "https://developer.paypal.com/api/rest/responses/",
        "https://developer.paypal.com/reference/currency-codes",
        "https://developer.paypal.com/tools/sandbox/card-testing/",
    )

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.orders: dict[str, dict[str, Any]] = {}
        self.authorizations: dict[str, dict[str, Any]] = {}
        self.captures: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.replies: dict[tuple[str, str], SandboxResponse] = {}  # PayPal-Request-Id idempotency
        self.clock = 0

    # ------------------------------------------------------------ helpers

    def paypal_id(self) -> str:
        return self.new_id("", 17).upper()

    def now(self) -> str:
        self.clock += 1
        minutes, seconds = divmod(self.clock, 60)
        return f"2026-11-27T06:{minutes % 60:02d}:{seconds:02d}Z"

    def error(
        self, status: int, issue: str, description: str, *, field: str | None = None, location: str = "body"
    ) -> SandboxResponse:
        name, message = MESSAGES[status]
        detail: dict[str, Any] = {"issue": issue, "description": description}
        if field is not None:
            detail.update(field=field, location=location)
        body = {
            "name": name,
            "message": message,
            "debug_id": self.new_id("", 13).lower(),
            "details": [detail],
            "links": [
                {
                    "href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue}",
                    "rel": "information_link",
                    "method": "GET",
                }
            ],
        }
        return SandboxResponse(status, body)

    def not_found(self, kind: str, field: str) -> SandboxResponse:
        return self.error(
            404,
            "INVALID_RESOURCE_ID",
            "Specified resource ID does not exist. Please check the resource ID and try again.",
            field=field,
            location="path",
        )

    @staticmethod
    def format_value(amount: Decimal, currency: str) -> str:
        return str(amount.quantize(Decimal(1) if currency in ZERO_DIGIT else Decimal("0.01")))

    def check_money(self, money: Any, field: str) -> tuple[Decimal, str] | SandboxResponse:
        if not isinstance(money, dict) or "value" not in money or "currency_code" not in money:
            return self.error(
                400, "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", field=field
            )
        currency, raw = money["currency_code"], money["value"]
        if not isinstance(raw, str) or not re.fullmatch(r"-?([0-9]+|[0-9]*\.[0-9]+)", raw):
            return self.error(
                400,
                "INVALID_PARAMETER_SYNTAX",
                "The value of a field does not conform to the expected format.",
                field=f"{field}/value",
            )
        if currency not in SUPPORTED:
            return self.error(
                422,
                "INVALID_CURRENCY_CODE",
                "Currency code is invalid or is not currently supported.",
                field=f"{field}/currency_code",
            )
        try:
            value = Decimal(raw)
        except InvalidOperation:
            return self.error(400, "INVALID_PARAMETER_SYNTAX", "Not a decimal value.", field=f"{field}/value")
        fraction = raw.partition(".")[2]
        if currency in ZERO_DIGIT and fraction:
            return self.error(
                422,
                "DECIMALS_NOT_SUPPORTED",
                "Currency does not support decimals.",
                field=f"{field}/value",
            )
        if len(fraction) > 2:
            return self.error(
                422,
                "DECIMAL_PRECISION",
                "If the currency supports decimals, only two decimal place precision is supported.",
                field=f"{field}/value",
            )
        if value <= 0:
            return self.error(
                422, "CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero.", field=f"{field}/value"
            )
        if value > MAX_VALUE:
            return self.error(
                422,
                "MAX_VALUE_EXCEEDED",
                "Should be less than or equal to 999999999999999.99.",
                field=f"{field}/value",
            )
        return value, currency

    def money(self, value: Decimal, currency: str) -> dict[str, str]:
        return {"currency_code": currency, "value": self.format_value(value, currency)}

    def link(self, path: str, rel: str, method: str = "GET") -> dict[str, str]:
        return {"href": f"{BASE}{path}", "rel": rel, "method": method}

    # ------------------------------------------------------------ routing

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/v1/oauth2/token":
            return self.token(request)
        auth = request.header("Authorization") or ""
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            name, message = MESSAGES[401]
            return SandboxResponse(401, {"name": name, "message": message, "links": []})
        body: Any = {}
        if request.body:
            try:
                body = json.loads(request.body, parse_float=Decimal)
            except ValueError:
                return self.error(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
        request_id = request.header("PayPal-Request-Id")
        key = (path, request_id) if request.method == "POST" and request_id else None
        if key is not None and key in self.replies:
            return self.replies[key]
        answer = self.route(request, path, body)
        if key is not None and answer.status < 500:
            self.replies[key] = answer
        return answer

    def route(self, request: SandboxRequest, path: str, body: Any) -> SandboxResponse:
        prefer = (request.header("Prefer") or "").strip()
        if request.method == "POST" and path == "/v2/checkout/orders":
            return self.create_order(body, request.header("PayPal-Request-Id"))
        if request.method == "GET" and (m := re.fullmatch(r"/v2/checkout/orders/([^/]+)", path)):
            order = self.orders.get(m.group(1))
            return SandboxResponse(200, order) if order else self.not_found("order", "order_id")
        if m := re.fullmatch(r"/v2/payments/authorizations/([^/]+)(/capture|/void)?", path):
            authorization_id, action = m.group(1), m.group(2)
            if authorization_id not in self.authorizations:
                return self.not_found("authorization", "authorization_id")
            if request.method == "GET" and action is None:
                return SandboxResponse(200, self.authorizations[authorization_id])
            if request.method == "POST" and action == "/capture":
                return self.capture(authorization_id, body)
            if request.method == "POST" and action == "/void":
                return self.void(authorization_id, prefer)
        if m := re.fullmatch(r"/v2/payments/captures/([^/]+)(/refund)?", path):
            capture_id, action = m.group(1), m.group(2)
            if capture_id not in self.captures:
                return self.not_found("capture", "capture_id")
            if request.method == "GET" and action is None:
                return SandboxResponse(200, self.captures[capture_id])
            if request.method == "POST" and action == "/refund":
                return self.refund(capture_id, body)
        if request.method == "GET" and (m := re.fullmatch(r"/v2/payments/refunds/([^/]+)", path)):
            if m.group(1) not in self.refunds:
                return self.not_found("refund", "refund_id")
            return SandboxResponse(200, self.stored_refund(m.group(1)))
        return SandboxResponse(
            404, {"name": "RESOURCE_NOT_FOUND", "message": "The requested resource was not found."}
        )

    # ------------------------------------------------------------ oauth

    def token(self, request: SandboxRequest) -> SandboxResponse:
        auth = request.header("Authorization") or ""
        expected = f"{self.credentials['key1']}:{self.credentials['api_key']}".encode()
        if auth != "Basic " + base64.b64encode(expected).decode():
            return SandboxResponse(
                401, {"error": "invalid_client", "error_description": "Client Authentication failed"}
            )
        form = dict(parse_qsl(request.body.decode()))
        if form.get("grant_type") != "client_credentials":
            return SandboxResponse(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Grant Type is NULL or not supported",
                },
            )
        token = "A21AA" + self.new_id("", 40)
        self.tokens.add(token)
        return SandboxResponse(
            200,
            {
                "scope": "https://uri.paypal.com/services/payments/payment/authcapture "
                "https://uri.paypal.com/services/payments/refund openid",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": f"2026-11-27T06:00:00Z{self.new_id('', 20)}",
            },
        )

    # ------------------------------------------------------------ orders

    def create_order(self, body: Any, request_id: str | None) -> SandboxResponse:
        if not isinstance(body, dict):
            return self.error(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
        intent = body.get("intent")
        if intent not in ("CAPTURE", "AUTHORIZE"):
            return self.error(
                400, "INVALID_PARAMETER_VALUE", "A parameter value is not valid.", field="/intent"
            )
        units = body.get("purchase_units")
        if not isinstance(units, list) or len(units) != 1 or not isinstance(units[0], dict):
            return self.error(
                400, "INVALID_ARRAY_MAX_ITEMS", "One purchase unit per order here.", field="/purchase_units"
            )
        unit = units[0]
        checked = self.check_money(unit.get("amount"), "/purchase_units/@reference_id=default/amount")
        if isinstance(checked, SandboxResponse):
            return checked
        value, currency = checked
        source = body.get("payment_source")
        card = source.get("card") if isinstance(source, dict) else None
        if not isinstance(card, dict):
            return self.error(
                400, "MISSING_REQUIRED_PARAMETER", "A required parameter is missing.", field="/payment_source"
            )
        if not request_id:
            return self.error(
                400,
                "PAYPAL_REQUEST_ID_REQUIRED",
                "A PayPal-Request-Id is required if you are trying to process payment for an Order.",
            )
        for name, pattern in (
            ("number", r"[0-9]{13,19}"),
            ("expiry", r"[0-9]{4}-(0[1-9]|1[0-2])"),
            ("security_code", r"[0-9]{3,4}"),
        ):
            if not re.fullmatch(pattern, str(card.get(name, ""))):
                # PayPal echoes the offending value; the simulation never does (it may be card data)
                return self.error(
                    400,
                    "INVALID_PARAMETER_SYNTAX",
                    "The value of a field does not conform to the expected format.",
                    field=f"/payment_source/card/{name}",
                )
        if card["expiry"] < SANDBOX_MONTH:
            return self.error(422, "CARD_EXPIRED", "The card is expired", field="/payment_source/card/expiry")
        order_id = self.paypal_id()
        payment_id = self.paypal_id()
        created = self.now()
        trigger = str(card.get("name", ""))
        code = REJECTION_TRIGGERS.get(trigger) if str(card["number"]).startswith("4") else None
        processor = (
            {"avs_code": "G", "cvv_code": "P", "response_code": code}
            if code
            else {"avs_code": "Y", "cvv_code": "M", "response_code": "0000"}
        )
        payment: dict[str, Any] = {
            "id": payment_id,
            "amount": self.money(value, currency),
            "seller_protection": {"status": "NOT_ELIGIBLE"},
            "processor_response": processor,
            "create_time": created,
            "update_time": created,
        }
        if unit.get("invoice_id") is not None:
            payment["invoice_id"] = unit["invoice_id"]
        related = {"order_id": order_id}
        payments: dict[str, Any]
        if intent == "CAPTURE":
            payment.update(
                status="DECLINED" if code else "COMPLETED",
                final_capture=True,
                links=[
                    self.link(f"/v2/payments/captures/{payment_id}", "self"),
                    self.link(f"/v2/payments/captures/{payment_id}/refund", "refund", "POST"),
                    self.link(f"/v2/checkout/orders/{order_id}", "up"),
                ],
            )
            self.captures[payment_id] = {**payment, "supplementary_data": {"related_ids": related}}
            payments = {"captures": [payment]}
        else:
            payment.update(
                status="DENIED" if code else "CREATED",
                expiration_time="2026-12-26T06:00:00Z",
                links=[
                    self.link(f"/v2/payments/authorizations/{payment_id}", "self"),
                    self.link(f"/v2/payments/authorizations/{payment_id}/capture", "capture", "POST"),
                    self.link(f"/v2/payments/authorizations/{payment_id}/void", "void", "POST"),
                    self.link(f"/v2/checkout/orders/{order_id}", "up"),
                ],
            )
            self.authorizations[payment_id] = {**payment, "supplementary_data": {"related_ids": related}}
            payments = {"authorizations": [payment]}
        purchase_unit: dict[str, Any] = {
            "reference_id": unit.get("reference_id", "default"),
            "amount": self.money(value, currency),
            "payee": {"email_address": "merchant@example.com", "merchant_id": "C7CYMKZDG8D6E"},
            "payments": payments,
        }
        if unit.get("invoice_id") is not None:
            purchase_unit["invoice_id"] = unit["invoice_id"]
        order = {
            "id": order_id,
            "intent": intent,
            "status": "COMPLETED",
            "payment_source": {
                "card": {"last_digits": str(card["number"])[-4:], "brand": "VISA", "type": "CREDIT"}
            },
            "purchase_units": [purchase_unit],
            "create_time": created,
            "update_time": created,
            "links": [self.link(f"/v2/checkout/orders/{order_id}", "self")],
        }
        self.orders[order_id] = order
        return SandboxResponse(201, order)

    def sync_order(self, order_id: str) -> None:
        """Mirror a payment's new state into the order's purchase unit."""
        order = self.orders.get(order_id)
        if order is None:
            return
        payments = order["purchase_units"][0]["payments"]
        for kind, table in (("authorizations", self.authorizations), ("captures", self.captures)):
            related = [
                p for p in table.values() if p["supplementary_data"]["related_ids"]["order_id"] == order_id
            ]
            if related:
                payments[kind] = [{k: v for k, v in p.items() if k != "supplementary_data"} for p in related]
        refunds = [r for r in self.refunds.values() if r.get("_order_id") == order_id]
        if refunds:
            payments["refunds"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in refunds]

    # ------------------------------------------------------------ authorizations

    def capture(self, authorization_id: str, body: Any) -> SandboxResponse:
        authorization = self.authorizations[authorization_id]
        status = authorization["status"]
        refusals = {
            "VOIDED": ("AUTHORIZATION_VOIDED", "A voided authorization cannot be captured or reauthorized."),
            "CAPTURED": ("AUTHORIZATION_ALREADY_CAPTURED", "Authorization has previously been captured."),
            "DENIED": ("AUTHORIZATION_DENIED", "An denied authorization cannot be captured."),
        }
        if status in refusals:
            issue, description = refusals[status]
            return self.error(422, issue, description)
        authorized = Decimal(authorization["amount"]["value"])
        currency = authorization["amount"]["currency_code"]
        captured = sum(
            (
                Decimal(c["amount"]["value"])
                for c in self.captures.values()
                if c["supplementary_data"]["related_ids"].get("authorization_id") == authorization_id
            ),
            Decimal(0),
        )
        body = body if isinstance(body, dict) else {}
        if "amount" in body:
            checked = self.check_money(body["amount"], "/amount")
            if isinstance(checked, SandboxResponse):
                return checked
            value, requested_currency = checked
            if requested_currency != currency:
                return self.error(
                    422,
                    "AUTH_CAPTURE_CURRENCY_MISMATCH",
                    "Currency of capture must be the same as currency of authorization.",
                )
        else:
            value = authorized - captured
        if captured + value > authorized * Decimal("1.15"):
            return self.error(
                422,
                "MAX_CAPTURE_AMOUNT_EXCEEDED",
                "Capture amount exceeds allowable limit.",
                field="/amount/value",
            )
        final = bool(body.get("final_capture", False))
        capture_id = self.paypal_id()
        order_id = authorization["supplementary_data"]["related_ids"]["order_id"]
        created = self.now()
        capture = {
            "id": capture_id,
            "amount": self.money(value, currency),
            "final_capture": final,
            "seller_protection": {"status": "NOT_ELIGIBLE"},
            "status": "COMPLETED",
            "processor_response": {"avs_code": "Y", "cvv_code": "M", "response_code": "0000"},
            "supplementary_data": {
                "related_ids": {"order_id": order_id, "authorization_id": authorization_id}
            },
            "create_time": created,
            "update_time": created,
            "links": [
                self.link(f"/v2/payments/captures/{capture_id}", "self"),
                self.link(f"/v2/payments/captures/{capture_id}/refund", "refund", "POST"),
                self.link(f"/v2/payments/authorizations/{authorization_id}", "up"),
            ],
        }
        if authorization.get("invoice_id"):
            capture["invoice_id"] = authorization["invoice_id"]
        self.captures[capture_id] = capture
        done = final or captured + value >= authorized
        links = authorization["links"]
        if done:  # nothing left to capture or void
            links = [link for link in links if link["rel"] in ("self", "up")]
        authorization.update(
            status="CAPTURED" if done else "PARTIALLY_CAPTURED", update_time=created, links=links
        )
        self.sync_order(order_id)
        return SandboxResponse(201, capture)

    def void(self, authorization_id: str, prefer: str) -> SandboxResponse:
        authorization = self.authorizations[authorization_id]
        status = authorization["status"]
        if status == "CAPTURED":  # after a partial, non-final capture the rest may still be voided
            return self.error(
                422,
                "PREVIOUSLY_CAPTURED",
                "Authorization has been previously captured and hence cannot be voided.",
            )
        if status == "VOIDED":
            return self.error(
                422,
                "PREVIOUSLY_VOIDED",
                "Authorization has been previously voided and hence cannot be voided again.",
            )
        if status == "DENIED":
            return self.error(422, "AUTHORIZATION_DENIED", "A denied authorization cannot be voided.")
        # a voided authorization keeps only its self and up links
        links = [link for link in authorization["links"] if link["rel"] in ("self", "up")]
        authorization.update(status="VOIDED", update_time=self.now(), links=links)
        order_id = authorization["supplementary_data"]["related_ids"]["order_id"]
        if status == "CREATED" and order_id in self.orders:
            self.orders[order_id]["status"] = "VOIDED"
        self.sync_order(order_id)
        if prefer == "return=representation":
            return SandboxResponse(200, authorization)
        return SandboxResponse(204, b"")

    # ------------------------------------------------------------ refunds

    def refund(self, capture_id: str, body: Any) -> SandboxResponse:
        capture = self.captures[capture_id]
        if capture["status"] == "REFUNDED":
            return self.error(422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded")
        if capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
            return self.error(422, "REFUND_NOT_ALLOWED", "Capture cannot be refunded.")
        currency = capture["amount"]["currency_code"]
        refunded = sum(
            (Decimal(r["amount"]["value"]) for r in self.refunds.values() if r["_capture_id"] == capture_id),
            Decimal(0),
        )
        remaining = Decimal(capture["amount"]["value"]) - refunded
        body = body if isinstance(body, dict) else {}
        if "amount" in body:
            checked = self.check_money(body["amount"], "/amount")
            if isinstance(checked, SandboxResponse):
                return checked
            value, requested_currency = checked
            if requested_currency != currency:
                return self.error(
                    422,
                    "REFUND_CAPTURE_CURRENCY_MISMATCH",
                    "Refund must be in the same currency as the capture",
                )
        else:
            value = remaining
        if value > remaining:
            return self.error(
                422,
                "REFUND_AMOUNT_EXCEEDED",
                "The refund amount must be less than or equal to the capture amount that has not yet been "
                "refunded.",
            )
        invoice_id = body.get("invoice_id")
        if invoice_id is not None and any(
            r.get("invoice_id") == invoice_id and r["_capture_id"] == capture_id
            for r in self.refunds.values()
        ):
            return self.error(
                422, "DUPLICATE_INVOICE_ID", "Invoice ID was previously used to refund a capture."
            )
        refund_id = self.paypal_id()
        created = self.now()
        total = refunded + value
        refund: dict[str, Any] = {
            "id": refund_id,
            "amount": self.money(value, currency),
            "status": "COMPLETED",
            "seller_payable_breakdown": {
                "gross_amount": self.money(value, currency),
                "net_amount": self.money(value, currency),
                "total_refunded_amount": self.money(total, currency),
            },
            "create_time": created,
            "update_time": created,
            "links": [
                self.link(f"/v2/payments/refunds/{refund_id}", "self"),
                self.link(f"/v2/payments/captures/{capture_id}", "up"),
            ],
        }
        if invoice_id is not None:
            refund["invoice_id"] = invoice_id
        if body.get("note_to_payer"):
            refund["note_to_payer"] = body["note_to_payer"]
        order_id = capture["supplementary_data"]["related_ids"]["order_id"]
        self.refunds[refund_id] = {**refund, "_capture_id": capture_id, "_order_id": order_id}
        capture.update(
            status="REFUNDED" if total >= Decimal(capture["amount"]["value"]) else "PARTIALLY_REFUNDED"
        )
        self.sync_order(order_id)
        return SandboxResponse(201, refund)

    def stored_refund(self, refund_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.refunds[refund_id].items() if not k.startswith("_")}
