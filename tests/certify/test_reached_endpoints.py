"""A documented status endpoint no replay recorded is still checked: PayPal's order sync (PSync
reads GET /v2/checkout/orders/{id} only when Authorize left no payment, which no scenario does)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ClassVar

from connectors.paypal import transformers as t
from connectors.paypal.connector import Paypal
from harness.certify.checks.facts import reached_endpoints, statuses_check
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.workspace import Workspace
from harness.domain import AttemptStatus, Flow
from harness.domain.router_data import PaymentsResponseData

ROOT = Path(__file__).resolve().parents[2]
ORDER_SYNC = "/v2/checkout/orders/"


def order_sync_declined_pending(body: Any, rd: Any, ctx: Any) -> Any:
    result = t.psync_response(body, rd, ctx)
    orders = t.sync_target(rd)[0] == "orders"
    if orders and isinstance(result, PaymentsResponseData) and result.raw_status == "DECLINED":
        return result.model_copy(update={"status": AttemptStatus.PENDING})  # the broken rule
    return result


class OrderSyncDeclinedPending(Paypal):
    id = "broken_order_sync_declined_pending"
    base_url_key = "paypal"
    flows: ClassVar = {
        **Paypal.flows,
        Flow.PSYNC: dataclasses.replace(
            Paypal.flows[Flow.PSYNC], handle_response=order_sync_declined_pending
        ),
    }


def _session(cls: type) -> ConnectorSession:
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="paypal")
    return ConnectorSession(workspace, SuiteOptions(config_dir=workspace.configs))


def test_an_order_body_recorded_on_authorize_is_sent_through_psync_as_an_order_sync():
    session = _session(Paypal)
    reached = reached_endpoints(session)
    assert reached and all(r.flow is Flow.PSYNC and ORDER_SYNC in r.path for r in reached)
    # the PSync router data keeps only the metadata that makes the connector read the order
    request = reached[0].router_data.request
    built = session.workspace.connector.build_request(
        reached[0].router_data, session.workspace.base_url("sandbox")
    )
    assert ORDER_SYNC in built.url and request.connector_metadata
    [result] = statuses_check(Flow.PSYNC)(session)
    assert result.status == "passed" and "not exercised" not in result.message, result.message


def test_a_declined_capture_read_as_pending_on_an_order_sync_is_refused_naming_the_row():
    [result] = statuses_check(Flow.PSYNC)(_session(OrderSyncDeclinedPending))
    assert result.status == "failed", result.message
    assert "'purchase_units.0.payments.captures.0.status': 'DECLINED'} became Pending" in result.message
    assert "the facts say Failure" in result.message
