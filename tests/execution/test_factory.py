"""Router data builders: one typed builder per flow, and the any-flow one the suite uses agrees."""

from __future__ import annotations

import pytest

from harness.domain import CaptureMethod, Currency, Flow, HeaderKey, MinorUnit, Secret
from harness.domain.router_data import FLOW_DATA_TYPES, REQUEST_TYPES
from harness.execution.factory import (
    access_token_data,
    authorize_data,
    capture_data,
    make_router_data,
    payment_flow_data,
    psync_data,
    refund_data,
    refund_flow_data,
    rsync_data,
    void_data,
)

AUTH = HeaderKey(api_key=Secret("sk_test_CANARY_factory_key"))


def typed(flow: Flow):
    payment = payment_flow_data("order_7", request_id="req_7")
    refund = refund_flow_data("order_7", refund_id="refund_7", request_id="req_7")
    return {
        Flow.CREATE_ACCESS_TOKEN: lambda: access_token_data(auth=AUTH, request_id="req_7"),
        Flow.AUTHORIZE: lambda: authorize_data(
            payment,
            auth=AUTH,
            amount=MinorUnit(700),
            currency=Currency.EUR,
            capture_method=CaptureMethod.MANUAL,
        ),
        Flow.CAPTURE: lambda: capture_data(
            payment,
            auth=AUTH,
            amount_to_capture=MinorUnit(700),
            payment_amount=MinorUnit(700),
            currency=Currency.EUR,
            connector_transaction_id="txn_7",
        ),
        Flow.VOID: lambda: void_data(payment, auth=AUTH, connector_transaction_id="txn_7"),
        Flow.PSYNC: lambda: psync_data(
            payment,
            auth=AUTH,
            connector_transaction_id="txn_7",
            capture_method=CaptureMethod.MANUAL,
            expected_amount=MinorUnit(700),
            expected_currency=Currency.EUR,
        ),
        Flow.REFUND: lambda: refund_data(
            refund,
            auth=AUTH,
            refund_amount=MinorUnit(700),
            payment_amount=MinorUnit(700),
            currency=Currency.EUR,
            connector_transaction_id="txn_7",
        ),
        Flow.RSYNC: lambda: rsync_data(
            refund,
            auth=AUTH,
            connector_transaction_id="txn_7",
            connector_refund_id="re_7",
            expected_amount=MinorUnit(700),
            expected_currency=Currency.EUR,
        ),
    }[flow]()


@pytest.mark.parametrize("flow", list(Flow), ids=lambda flow: flow.value)
def test_each_flow_has_a_builder_giving_the_domain_types_of_that_flow(flow):
    router_data = typed(flow)
    assert router_data.flow is flow
    assert type(router_data.request) is REQUEST_TYPES[flow]
    assert type(router_data.resource_common_data) is FLOW_DATA_TYPES[flow]


@pytest.mark.parametrize("flow", list(Flow), ids=lambda flow: flow.value)
def test_the_any_flow_builder_gives_what_the_flows_own_builder_gives(flow):
    any_flow = make_router_data(
        flow,
        auth=AUTH,
        amount=MinorUnit(700),
        currency=Currency.EUR,
        reference="order_7",
        capture_method=CaptureMethod.MANUAL,
        connector_transaction_id="txn_7",
        connector_refund_id="re_7",
        refund_id="refund_7",
        request_id="req_7",
    )
    assert any_flow == typed(flow)


def test_the_router_ids_differ_from_the_reference_the_provider_receives():
    flow_data = payment_flow_data("order_7")
    assert flow_data.connector_request_reference_id == "order_7"
    assert "order_7" != flow_data.payment_id != flow_data.attempt_id
