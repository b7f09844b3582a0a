"""Checkout.com response bodies authored from the examples in its API reference and testing guide."""

from __future__ import annotations

from typing import Any

PAYMENT_ID = "pay_mbabizu24mvu3mela5njyhpit4"
ACTION_ID = "act_y3oqhf46pyzuxjbcn2giaqnb44"
REFUND_ACTION_ID = "act_fd3h6evhpn3uxdoqbuu3lqnqbm"
LINKS = {
    "self": {"href": f"https://api.sandbox.checkout.com/payments/{PAYMENT_ID}"},
    "actions": {"href": f"https://api.sandbox.checkout.com/payments/{PAYMENT_ID}/actions"},
}


def balances(authorized: int = 1000, captured: int = 0, refunded: int = 0, voided: int = 0) -> dict[str, int]:
    capturable = 0 if voided else authorized - captured
    return {
        "total_authorized": authorized,
        "total_voided": voided,
        "available_to_void": capturable if not captured else 0,
        "total_captured": captured,
        "available_to_capture": capturable,
        "total_refunded": refunded,
        "available_to_refund": captured - refunded,
    }


def payment(status: str = "Authorized", *, amount: int = 1000, approved: bool = True, **extra: Any) -> dict:
    """A 201 payment response (`POST /payments`)."""
    body: dict[str, Any] = {
        "id": PAYMENT_ID,
        "action_id": ACTION_ID,
        "amount": amount,
        "currency": "USD",
        "approved": approved,
        "status": status,
        "auth_code": "770687",
        "response_code": "10000",
        "response_summary": "Approved",
        "balances": balances(amount),
        "source": {
            "type": "card",
            "id": "src_nwd3m4in3hkuddfpjsaevunhdy",
            "expiry_month": 12,
            "expiry_year": 2034,
            "last4": "4242",
            "bin": "424242",
            "scheme": "Visa",
        },
        "processed_on": "2025-11-27T09:00:00Z",
        "reference": "order_ref_1",
        "_links": dict(LINKS),
    }
    body.update(extra)
    return body


def declined(code: str, summary: str) -> dict:
    """A declined payment: still 201, `approved: false`, status Declined, the response code."""
    return payment(
        "Declined",
        approved=False,
        response_code=code,
        response_summary=summary,
        balances=balances(0),
    )


def details(status: str, *, amount: int = 1000, **extra: Any) -> dict:
    """`GET /payments/{id}`."""
    body: dict[str, Any] = {
        "id": PAYMENT_ID,
        "requested_on": "2025-11-27T09:00:00Z",
        "amount": amount,
        "currency": "USD",
        "payment_type": "Regular",
        "reference": "order_ref_1",
        "approved": True,
        "status": status,
        "balances": balances(amount),
        "_links": dict(LINKS),
    }
    body.update(extra)
    return body


def accepted(action_id: str = ACTION_ID, reference: str = "order_ref_1") -> dict:
    """`202 Accepted` for a capture, void or refund."""
    return {
        "action_id": action_id,
        "reference": reference,
        "_links": {"payment": {"href": f"https://api.sandbox.checkout.com/payments/{PAYMENT_ID}"}},
    }


def action(
    kind: str, *, action_id: str, amount: int = 1000, approved: bool | None = True, code: str = "10000"
) -> dict:
    body: dict[str, Any] = {
        "id": action_id,
        "type": kind,
        "processed_on": "2025-11-27T09:00:05Z",
        "amount": amount,
        "response_code": code,
        "response_summary": "Approved" if code == "10000" else "Declined",
    }
    if approved is not None:
        body["approved"] = approved
    return body


def actions(refund: dict) -> list[dict]:
    """`GET /payments/{id}/actions`, latest first."""
    return [
        refund,
        action("Capture", action_id="act_gefycn3jcvuupboxfmqrhk2aym"),
        action("Authorization", action_id=ACTION_ID),
    ]


def validation_error(*codes: str, error_type: str = "request_invalid") -> dict:
    return {"request_id": "0HL80RJLS76I7", "error_type": error_type, "error_codes": list(codes)}
