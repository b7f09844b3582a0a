"""Idempotency keys derived from router data.

A provider that accepts an idempotency key answers a retried request with the first answer
instead of charging, capturing or refunding twice. That works only when a retry of one operation
carries the same key and two operations never share one. The key is therefore derived from what
identifies the operation in the router data (the flow, the merchant, the payment attempt, the
reference the provider receives, the refund reference), never drawn at random: building the same
operation twice from the same router data gives the same key, and replay can compare it exactly.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from harness.domain.flows import Flow
from harness.integration.http import HttpRequest

# Fixed namespace of the harness's keys (uuid5 of the project's name); changing it changes every key.
KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "certify:idempotency-key")

# The flows that change money or state at the provider: a lost answer to one of these is retried.
STATE_CHANGING_FLOWS = frozenset({Flow.AUTHORIZE, Flow.CAPTURE, Flow.VOID, Flow.REFUND})


def operation_identity(router_data: Any) -> str:
    """What names one operation: a retry of it has the same identity, another operation does not."""
    data = router_data.resource_common_data
    request = router_data.request
    parts = [
        router_data.flow.value,
        getattr(data, "merchant_id", "") or "",
        getattr(data, "payment_id", "") or "",
        getattr(data, "attempt_id", "") or "",
        getattr(data, "connector_request_reference_id", "") or "",
        # the merchant's refund reference from the request (the flow data's refund_id becomes the
        # provider's refund id once the refund answers, so a retry could not rely on it)
        (getattr(request, "refund_id", "") or "") if router_data.flow is Flow.REFUND else "",
        getattr(request, "connector_transaction_id", "") or "",
    ]
    return "/".join(parts)


def idempotency_key(router_data: Any) -> str:
    """The key for this operation: a UUID (36 characters, within every provider's limit: Adyen 64)."""
    return _key_of(operation_identity(router_data))


@functools.lru_cache(maxsize=16384)  # property checks build one operation many times
def _key_of(identity: str) -> str:
    return str(uuid.uuid5(KEY_NAMESPACE, identity))


def idempotency_key_of(request: HttpRequest, header: str | None) -> str | None:
    """The idempotency key this request carries in `header`, or None when it carries none."""
    if not header:
        return None
    value = request.header(header)
    if value is None:
        return None
    # an idempotency key is an operation's name, never a credential (see harness.certify.cassettes)
    text = value.expose()
    return text or None
