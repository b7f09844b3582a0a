"""Stripe response bodies authored from the examples in Stripe's API reference."""

from __future__ import annotations

from typing import Any


def payment_intent(
    status: str, *, amount: int = 1000, received: int | None = None, capturable: int = 0, **extra: Any
) -> dict:
    if received is None:
        received = amount if status == "succeeded" else 0
    body = {
        "id": "pi_3PqCertify0001",
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": capturable,
        "amount_received": received,
        "currency": "usd",
        "status": status,
        "capture_method": "manual",
        "client_secret": "pi_3PqCertify0001_secret_CANARYclientsecret",
        "latest_charge": "ch_3PqCertify0001",
        "last_payment_error": None,
        "livemode": False,
        "metadata": {"order_id": "order_ref_1"},
    }
    body.update(extra)
    return body


def refund(status: str, *, amount: int = 1000) -> dict:
    return {
        "id": "re_3PqCertify0001",
        "object": "refund",
        "amount": amount,
        "currency": "usd",
        "status": status,
        "payment_intent": "pi_3PqCertify0001",
        "charge": "ch_3PqCertify0001",
        "metadata": {"order_id": "refund_ref_1"},
    }


def card_error(code: str, message: str, *, decline_code: str | None = None, param: str | None = None) -> dict:
    error: dict[str, Any] = {"type": "card_error", "code": code, "message": message}
    if decline_code:
        error["decline_code"] = decline_code
    if param:
        error["param"] = param
    error["payment_intent"] = payment_intent("requires_payment_method")
    return {"error": error}


def invalid_request(code: str, message: str, *, param: str | None = None) -> dict:
    error: dict[str, Any] = {"type": "invalid_request_error", "code": code, "message": message}
    if param:
        error["param"] = param
    return {"error": error}
