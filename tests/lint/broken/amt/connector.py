"""AMT: the capture amount goes out as a float."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.domain import Flow


class FloatCaptureRequest(t.StripeCaptureRequest):
    amount_to_capture: float  # type: ignore[assignment]  # the broken rule: a float amount


def float_capture_request(rd: Any, ctx: Any) -> FloatCaptureRequest:
    amount = ctx.amount(rd.request.amount_to_capture, rd.request.currency, field="amount_to_capture")
    return FloatCaptureRequest(amount_to_capture=float(amount))


class FloatAmount(Stripe):
    id = "broken_lint_amt"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.CAPTURE: replace(
            Stripe.flows[Flow.CAPTURE], build_request=float_capture_request, request_model=FloatCaptureRequest
        ),
    }
