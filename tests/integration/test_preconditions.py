"""The base refuses, before any transform runs, what every connector's declaration rules out:
credentials of another variant, a reference above the flow's documented length, a capture above
the authorization and a refund above the capture. A connector that checks none of these itself
(the probe below) is still protected, and so is every shipped connector."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from harness.domain import (
    BodyKey,
    Currency,
    Flow,
    HeaderKey,
    InvalidDataError,
    MinorUnit,
    MinorUnitConverter,
    NotSupportedError,
    Secret,
    table_for,
)
from harness.domain.errors import ConnectorError
from harness.execution.factory import make_router_data, placeholder_auth
from harness.integration import (
    AuthSpec,
    ConnectorV2,
    ContentType,
    FlowSpec,
    Method,
    RequestContext,
    credentials,
    flow_table,
    registry,
)

BASE = "https://provider.example/"
CANARY_KEY = "CANARYprecondKey7731"
TRANSFORMED: list[Flow] = []


class ProbeBody(BaseModel):
    amount: int
    reference: str


def probe_request(rd: Any, ctx: RequestContext) -> ProbeBody:
    """A transform that checks nothing: whatever reaches it is sent."""
    TRANSFORMED.append(rd.flow)
    request = rd.request
    amount = getattr(request, "amount_to_capture", None) or getattr(request, "refund_amount", None)
    if amount is None:
        amount = request.amount
    return ProbeBody(amount=amount.value, reference=rd.resource_common_data.connector_request_reference_id)


def probe_flow(flow: Flow, path: str) -> FlowSpec:
    return FlowSpec(
        flow,
        Method.POST,
        path,
        request_model=ProbeBody,
        build_request=probe_request,
        content_type=ContentType.JSON,
        response_model=ProbeBody,
        handle_response=lambda model, rd, ctx: model,
        reference_field="reference",
        reference_max_length=12,
    )


class Probe(ConnectorV2):
    id = "probe_preconditions"
    display_name = "Probe Pay"
    auth = AuthSpec(HeaderKey, env={"api_key": "PROBE_API_KEY"})
    amount_converter = MinorUnitConverter(
        table_for(supported=(Currency.USD, Currency.JPY), source="https://provider.example/currencies")
    )
    flows: ClassVar = flow_table(
        probe_flow(Flow.AUTHORIZE, "payments"),
        probe_flow(Flow.CAPTURE, "payments/{connector_transaction_id}/captures"),
        probe_flow(Flow.REFUND, "payments/{connector_transaction_id}/refunds"),
    )


def probe_data(flow: Flow, **kw: Any) -> Any:
    values: dict[str, Any] = dict(
        auth=HeaderKey(api_key=Secret(CANARY_KEY)),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="order_1",
        connector_transaction_id="pay_1",
    )
    values.update(kw)
    return make_router_data(flow, **values)


def refused(flow: Flow, kind: type[ConnectorError] = InvalidDataError, **kw: Any) -> ConnectorError:
    TRANSFORMED.clear()
    with pytest.raises(kind) as caught:
        Probe().build_request(probe_data(flow, **kw), BASE)
    assert TRANSFORMED == [], "the transform ran before the base refused the request"
    assert (caught.value.connector, caught.value.flow) == (Probe.id, flow.value)
    return caught.value


def test_a_valid_request_reaches_the_transform():
    TRANSFORMED.clear()
    for flow in (Flow.AUTHORIZE, Flow.CAPTURE, Flow.REFUND):
        Probe().build_request(probe_data(flow, reference="x" * 12), BASE)
    assert TRANSFORMED == [Flow.AUTHORIZE, Flow.CAPTURE, Flow.REFUND]


def test_credentials_of_another_variant_are_refused_without_their_values():
    error = refused(Flow.AUTHORIZE, auth=BodyKey(api_key=Secret(CANARY_KEY), key1=Secret(CANARY_KEY)))
    assert error.field == "auth"
    assert "Probe Pay needs HeaderKey credentials (api_key), not BodyKey" in str(error)
    assert "PROBE_API_KEY" in str(error)  # what to do
    assert CANARY_KEY not in str(error) and CANARY_KEY not in repr(error)


def test_a_reference_above_the_declared_length_is_refused_never_cut():
    error = refused(Flow.CAPTURE, reference="x" * 13)
    assert error.field == "reference"
    assert "reference is 13 characters; Probe Pay takes at most 12" in str(error)


@pytest.mark.parametrize(
    ("flow", "field", "limit_name"),
    [
        (Flow.CAPTURE, "amount_to_capture", "authorized amount"),
        (Flow.REFUND, "refund_amount", "captured amount"),
    ],
)
def test_a_capture_or_refund_above_what_it_draws_from_is_refused(flow, field, limit_name):
    error = refused(flow, amount=MinorUnit(1001), payment_amount=MinorUnit(1000))
    assert error.field == field
    assert f"{field} (1001) is above {limit_name} (1000)" in str(error)
    TRANSFORMED.clear()
    Probe().build_request(probe_data(flow, amount=MinorUnit(1000), payment_amount=MinorUnit(1000)), BASE)
    assert [flow] == TRANSFORMED  # equal is allowed: a full capture or refund


@pytest.mark.parametrize(
    ("flow", "field"),
    [(Flow.AUTHORIZE, "amount"), (Flow.CAPTURE, "amount_to_capture"), (Flow.REFUND, "refund_amount")],
)
def test_an_amount_the_declared_converter_refuses_never_reaches_a_transform_that_skips_it(flow, field):
    # the probe's transform sends amount.value without ctx.amount: the base has converted it already
    assert (
        refused(flow, NotSupportedError, currency=Currency.EUR).field == field
    )  # not in the declared supported set
    if flow is not Flow.AUTHORIZE:  # router data refuses a zero authorization itself
        assert "zero amount" in str(refused(flow, amount=MinorUnit(0), payment_amount=MinorUnit(0)))
    TRANSFORMED.clear()
    Probe().build_request(probe_data(flow, currency=Currency.JPY), BASE)
    assert [flow] == TRANSFORMED


def test_credentials_narrows_to_the_declared_variant_and_refuses_another():
    key = HeaderKey(api_key=Secret(CANARY_KEY))
    assert credentials(key, HeaderKey) is key
    with pytest.raises(InvalidDataError, match="expected BodyKey credentials, got HeaderKey") as caught:
        credentials(key, BodyKey)
    assert CANARY_KEY not in str(caught.value)


# ------------------------------------------------------------------ every shipped connector

SHIPPED = [registry.load(name) for name in registry.names()]


def shipped_data(cls: type[ConnectorV2], flow: Flow, **kw: Any) -> Any:
    values: dict[str, Any] = dict(
        auth=placeholder_auth(cls.auth.type),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="ref_1",
        connector_transaction_id="txn_1",
        connector_refund_id="rf_1",
        connector_metadata={
            "card_last4": "1111",
            "authorization_id": "a1",
            "capture_id": "c1",
            "order_id": "o1",
        },
    )
    values.update(kw)
    return make_router_data(flow, **values)


def other_auth(cls: type[ConnectorV2]) -> Any:
    return placeholder_auth(BodyKey if cls.auth.type is HeaderKey else HeaderKey)


@pytest.mark.parametrize("cls", SHIPPED, ids=lambda c: c.id)
def test_every_shipped_connector_refuses_credentials_of_another_variant_on_every_flow(cls):
    for flow in cls.flows:
        with pytest.raises(InvalidDataError, match=f"needs {cls.auth.type.auth_type} credentials") as caught:
            cls().build_request(shipped_data(cls, flow, auth=other_auth(cls)), BASE)
        assert caught.value.flow == flow.value


LIMITED = [(cls, flow) for cls in SHIPPED for flow, spec in cls.flows.items() if spec.reference_max_length]


def test_the_reference_limit_is_declared_where_providers_document_one():
    assert {cls.id for cls, _ in LIMITED} >= {"adyen", "checkout", "authorizedotnet"}


@pytest.mark.parametrize(("cls", "flow"), LIMITED, ids=lambda v: getattr(v, "id", getattr(v, "value", v)))
def test_every_shipped_connector_refuses_a_reference_above_its_declared_limit(cls, flow):
    limit = cls.flows[flow].reference_max_length
    cls().build_request(shipped_data(cls, flow, reference="r" * limit), BASE)
    with pytest.raises(InvalidDataError, match=f"is {limit + 1} characters;.* takes at most {limit}"):
        cls().build_request(shipped_data(cls, flow, reference="r" * (limit + 1)), BASE)


BOUNDED = [(cls, flow) for cls in SHIPPED for flow in (Flow.CAPTURE, Flow.REFUND) if flow in cls.flows]


@pytest.mark.parametrize(("cls", "flow"), BOUNDED, ids=lambda v: getattr(v, "id", getattr(v, "value", v)))
def test_every_shipped_connector_refuses_a_capture_or_refund_above_its_limit(cls, flow):
    with pytest.raises(InvalidDataError, match=r"\(1001\) is above .* amount \(1000\)"):
        cls().build_request(
            shipped_data(cls, flow, amount=MinorUnit(1001), payment_amount=MinorUnit(1000)), BASE
        )
