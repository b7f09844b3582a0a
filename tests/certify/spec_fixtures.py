"""Small provider OpenAPI documents written for the spec import and drift tests (not real APIs)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from harness.certify.specimport import UsedOperation

USED = [
    UsedOperation("Authorize", "POST", "v1/payments"),
    UsedOperation("Capture", "POST", "v1/payments/{connector_transaction_id}/captures"),
    UsedOperation("PSync", "GET", "v1/payments/{connector_transaction_id}"),
]


def provider_v1() -> dict[str, Any]:
    """OpenAPI 3.0: prose at keyword positions, a property named `description`, a nullable field."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Example PSP", "version": "1.0", "description": "The Example PSP API."},
        "servers": [{"url": "https://api.psp.test/v1", "description": "sandbox"}],
        "tags": [{"name": "Payments"}],
        "paths": {
            "/payments": {
                "post": {
                    "summary": "Create a payment",
                    "description": "Creates a payment.",
                    "x-sdk-method": "create",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/PaymentRequest"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Created",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}
                            },
                        },
                        "422": {"$ref": "#/components/responses/Invalid"},
                    },
                }
            },
            "/payments/{paymentId}": {
                "get": {
                    "parameters": [
                        {"name": "paymentId", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}
                            },
                        }
                    },
                }
            },
            "/payments/{paymentId}/captures": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/CaptureRequest"}}
                        }
                    },
                    "responses": {
                        "201": {
                            "description": "Created",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Capture"}}
                            },
                        }
                    },
                }
            },
            "/payouts": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payout"}}}
                    },
                    "responses": {"200": {"description": "OK"}},
                }
            },
        },
        "components": {
            "schemas": {
                "Amount": {
                    "type": "object",
                    "required": ["value", "currency"],
                    "properties": {
                        "value": {"type": "integer", "description": "Minor units.", "example": 1000},
                        "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                    },
                },
                "PaymentRequest": {
                    "type": "object",
                    "required": ["amount"],
                    "properties": {
                        "amount": {"$ref": "#/components/schemas/Amount"},
                        "description": {"type": "string", "description": "Shown on the statement."},
                    },
                },
                "Payment": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["Authorized", "Captured", "Declined"]},
                        "amount": {"$ref": "#/components/schemas/Amount"},
                        "description": {"type": "string"},
                        "declineReason": {"type": "string", "nullable": True},
                    },
                },
                "CaptureRequest": {
                    "type": "object",
                    "properties": {"amount": {"$ref": "#/components/schemas/Amount"}},
                },
                "Capture": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": ["received"]},
                    },
                },
                "Error": {"type": "object", "properties": {"code": {"type": "string"}}},
                "Payout": {"type": "object", "properties": {"iban": {"type": "string"}}},
            },
            "responses": {
                "Invalid": {
                    "description": "Invalid",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
        },
    }


def provider_v2() -> dict[str, Any]:
    """v1 plus three moves: a new required request field, a new status, a retyped response field."""
    document = copy.deepcopy(provider_v1())
    document["info"]["version"] = "2.0"
    schemas = document["components"]["schemas"]
    schemas["PaymentRequest"]["required"] = ["amount", "reference"]
    schemas["PaymentRequest"]["properties"]["reference"] = {"type": "string"}
    schemas["Payment"]["properties"]["status"]["enum"].append("PendingReview")
    schemas["Payment"]["properties"]["id"] = {"type": "integer"}
    return document


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


FACTS = """
[provider]
name = "Example PSP"

[[statuses]]
flow = "Authorize"
field = "status"
values = ["Authorized", "Captured", "Declined"]
values_source = "spec:example/psp@1.0#/components/schemas/Payment/properties/status"

  [[statuses.rows]]
  value = "Authorized"
  means = "Authorized"
  source = "https://docs.psp.test/statuses"

  [[statuses.rows]]
  value = "Declined"
  means = "Failure"
  source = "https://docs.psp.test/statuses"

  [[statuses.not_returned]]
  value = "Captured"
  source = "https://docs.psp.test/statuses#authorize"
"""

CASSETTE = """version: 1
interactions:
- request:
    method: POST
    uri: https://api.psp.test/v1/payments
    body: '{"amount":{"value":1000,"currency":"USD"}}'
    headers:
      Content-Type:
      - application/json
  response:
    status:
      code: 201
      message: Created
    headers:
      Content-Type:
      - application/json
    body:
      string: '{"id": "pay_1", "status": "Authorized", "amount": {"value": 1000, "currency": "USD"}}'
metadata:
  provenance:
    kind: authored-from-docs
    authored_at: '2026-11-01T00:00:00Z'
    sources:
    - https://docs.psp.test/payments
"""
