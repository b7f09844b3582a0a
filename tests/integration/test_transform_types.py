"""The base holds transforms to the types their flow declares: the request model of the flow table,
and the flow's response data (or an ErrorResponse) out of a response transform."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.certify.checks.plan import certify_workspace
from harness.certify.workspace import Workspace
from harness.domain import AttemptStatus, Currency, Flow, HeaderKey, MinorUnit, Secret, TransformTypeError
from harness.execution.executor import execute
from harness.execution.factory import make_router_data
from harness.integration.http import BaseTransport, HttpRequest, HttpResponse
from tests.connectors import stripe_bodies as bodies

ROOT = Path(__file__).resolve().parents[2]


class LooseCapture(BaseModel):
    amount_to_capture: int


def capture_with_a_loose_model(rd: Any, ctx: Any) -> Any:
    # the broken rule: a body model the flow table does not declare (none of its field rules apply)
    return LooseCapture(amount_to_capture=rd.request.amount_to_capture.value)


class UndeclaredCaptureModel(Stripe):
    id = "broken_undeclared_capture_model"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.CAPTURE: replace(Stripe.flows[Flow.CAPTURE], build_request=capture_with_a_loose_model),
    }


def psync_as_a_dict(intent: t.StripePaymentIntent, rd: Any, ctx: Any) -> Any:
    # the broken rule: the parsed wire fields handed back instead of PaymentsResponseData
    return intent.model_dump()


class PSyncReturnsADict(Stripe):
    id = "broken_psync_returns_a_dict"
    base_url_key = "stripe"
    flows: ClassVar = {
        **Stripe.flows,
        Flow.PSYNC: replace(Stripe.flows[Flow.PSYNC], handle_response=psync_as_a_dict),
    }


class Answers(BaseTransport):
    def __init__(self, body: dict) -> None:
        self.body = body
        self.requests: list[HttpRequest] = []

    def handle_request(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return HttpResponse(200, json.dumps(self.body).encode(), {"Content-Type": "application/json"})


def router_data(flow: Flow):
    return make_router_data(
        flow,
        auth=HeaderKey(api_key=Secret("sk_test_CANARY_types_key")),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_ref_1",
        connector_transaction_id="pi_3PqCertify0001",
    )


def test_a_request_body_of_another_model_than_declared_is_a_typed_error_naming_the_flow():
    transport = Answers(bodies.payment_intent("succeeded"))
    execution = execute(
        UndeclaredCaptureModel(), router_data(Flow.CAPTURE), transport, "https://api.stripe.com/"
    )
    assert isinstance(execution.error, TransformTypeError)
    message = str(execution.error)
    assert "[broken_undeclared_capture_model/Capture]" in message
    assert (
        "build_request returned LooseCapture, not the declared request model StripeCaptureRequest" in message
    )
    assert transport.requests == []  # refused before anything reaches the provider
    assert "sk_test_CANARY_types_key" not in message


def test_a_response_transform_returning_another_type_is_a_typed_error_naming_the_flow():
    transport = Answers(bodies.payment_intent("succeeded"))
    execution = execute(PSyncReturnsADict(), router_data(Flow.PSYNC), transport, "https://api.stripe.com/")
    assert isinstance(execution.error, TransformTypeError)
    assert (
        "[broken_psync_returns_a_dict/PSync] handle_response returned dict, not PaymentsResponseData"
        in str(execution.error)
    )
    assert execution.crash is None


def test_the_shipped_transforms_pass_the_same_checks():
    transport = Answers(bodies.payment_intent("succeeded"))
    capture = execute(Stripe(), router_data(Flow.CAPTURE), transport, "https://api.stripe.com/")
    psync = execute(Stripe(), router_data(Flow.PSYNC), transport, "https://api.stripe.com/")
    assert capture.ok and psync.ok and psync.result.status is AttemptStatus.CHARGED


def test_a_connector_with_an_undeclared_request_model_is_not_certified():
    result = certify_workspace(
        UndeclaredCaptureModel.id,
        lambda: Workspace(
            name=UndeclaredCaptureModel.id,
            connector_cls=UndeclaredCaptureModel,
            root=ROOT,
            data_name="stripe",
        ),
    )
    assert result.verdict == "not_certified"
    failing = [check for check in result.checks if check.id in result.failing]
    assert any(check.id.startswith("scenario:") for check in failing), result.failing
    assert any("transform_type_mismatch" in (check.message or "") for check in failing), [
        check.message for check in failing
    ]
