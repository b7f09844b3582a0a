"""PayPal response bodies written from the examples in PayPal's Orders v2 / Payments v2 reference
and the card-testing guide (a declined card leaves the order COMPLETED with a DECLINED capture)."""

from __future__ import annotations

from typing import Any

ORDER_ID = "5O190127TN364715T"
AUTHORIZATION_ID = "0VF52814937998046"
CAPTURE_ID = "2GG279541U471931P"
REFUND_ID = "1JU08902781691411"
BASE = "https://api-m.sandbox.paypal.com"


def money(value: str = "10.00", currency: str = "USD") -> dict[str, str]:
    return {"currency_code": currency, "value": value}


def processor(code: str = "0000") -> dict[str, str]:
    if code == "0000":
        return {"avs_code": "Y", "cvv_code": "M", "response_code": code}
    return {"avs_code": "G", "cvv_code": "P", "response_code": code}


def authorization(
    status: str = "CREATED", *, value: str = "10.00", currency: str = "USD", **extra: Any
) -> dict:
    body = {
        "id": AUTHORIZATION_ID,
        "status": status,
        "amount": money(value, currency),
        "invoice_id": "order_ref_1",
        "expiration_time": "2026-12-26T06:00:00Z",
        "processor_response": processor(),
        "supplementary_data": {"related_ids": {"order_id": ORDER_ID}},
        "links": [{"href": f"{BASE}/v2/payments/authorizations/{AUTHORIZATION_ID}", "rel": "self"}],
    }
    body.update(extra)
    return body


def capture(
    status: str = "COMPLETED",
    *,
    value: str = "10.00",
    currency: str = "USD",
    code: str = "0000",
    after_authorization: bool = True,
    **extra: Any,
) -> dict:
    related = {"order_id": ORDER_ID}
    if after_authorization:
        related["authorization_id"] = AUTHORIZATION_ID
    body = {
        "id": CAPTURE_ID,
        "status": status,
        "amount": money(value, currency),
        "final_capture": True,
        "invoice_id": "order_ref_1",
        "processor_response": processor(code),
        "seller_protection": {"status": "NOT_ELIGIBLE"},
        "supplementary_data": {"related_ids": related},
        "links": [{"href": f"{BASE}/v2/payments/captures/{CAPTURE_ID}", "rel": "self", "method": "GET"}],
    }
    body.update(extra)
    return body


def order(
    status: str = "COMPLETED",
    *,
    intent: str = "AUTHORIZE",
    payment: dict | None = None,
    value: str = "10.00",
    currency: str = "USD",
) -> dict:
    unit: dict[str, Any] = {
        "reference_id": "order_ref_1",
        "invoice_id": "order_ref_1",
        "amount": money(value, currency),
    }
    if payment is not None:
        kind = "authorizations" if intent == "AUTHORIZE" else "captures"
        payment = {k: v for k, v in payment.items() if k != "supplementary_data"}
        unit["payments"] = {kind: [payment]}
    return {
        "id": ORDER_ID,
        "intent": intent,
        "status": status,
        "payment_source": {"card": {"last_digits": "1881", "brand": "VISA", "type": "CREDIT"}},
        "purchase_units": [unit],
        "links": [{"href": f"{BASE}/v2/checkout/orders/{ORDER_ID}", "rel": "self", "method": "GET"}],
    }


def refund(status: str = "COMPLETED", *, value: str = "10.00", up: str = CAPTURE_ID) -> dict:
    return {
        "id": REFUND_ID,
        "status": status,
        "amount": money(value),
        "invoice_id": "refund_ref_1",
        "links": [
            {"href": f"{BASE}/v2/payments/refunds/{REFUND_ID}", "rel": "self", "method": "GET"},
            {"href": f"{BASE}/v2/payments/captures/{up}", "rel": "up", "method": "GET"},
        ],
    }


def error(
    name: str, message: str, issue: str | None = None, description: str | None = None, **detail: Any
) -> dict:
    body: dict[str, Any] = {"name": name, "message": message, "debug_id": "90957fca61718"}
    if issue is not None:
        body["details"] = [{"issue": issue, "description": description or issue, **detail}]
    body["links"] = [
        {
            "href": "https://developer.paypal.com/api/rest/reference/orders/v2/errors/",
            "rel": "information_link",
        }
    ]
    return body


UNPROCESSABLE = (
    "UNPROCESSABLE_ENTITY",
    "The requested action could not be performed, semantically incorrect, or failed business validation.",
)
INVALID_REQUEST = (
    "INVALID_REQUEST",
    "Request is not well-formed, syntactically incorrect, or violates schema.",
)
NOT_FOUND = ("RESOURCE_NOT_FOUND", "The specified resource does not exist.")
