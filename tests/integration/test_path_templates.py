"""Path templates: the harness fills every id into the URL as exactly one escaped segment, and
refuses an empty id or a dot segment, for every flow of every shipped connector."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from connectors.stripe.connector import Stripe
from harness.domain import Currency, Flow, InvalidDataError, MinorUnit
from harness.domain.errors import MissingRequiredFieldError
from harness.execution.factory import make_router_data, placeholder_auth
from harness.integration import registry
from harness.integration.connector import ConnectorDeclarationError

BASE = "https://provider.example/"
HOSTILE = "A/../B?x=1#frag"

FLOWS_WITH_IDS = [
    (name, flow)
    for name in registry.names()
    for flow, spec in registry.load(name).flows.items()
    if spec.path_placeholders
]


def router_data(cls, flow: Flow, value: str):
    connector_metadata = {key: value for key in ("authorization_id", "capture_id", "order_id")}
    return make_router_data(
        flow,
        auth=placeholder_auth(cls.auth.type),
        amount=MinorUnit(1000),
        currency=Currency.USD,
        reference="ref_1",
        connector_transaction_id=value,
        connector_refund_id=value,
        connector_metadata=connector_metadata if cls.id == "paypal" else {},
    )


def test_some_flows_of_every_id_carrying_connector_are_covered():
    assert {name for name, _ in FLOWS_WITH_IDS} >= {"stripe", "adyen", "checkout", "paypal"}


@pytest.mark.parametrize(("name", "flow"), FLOWS_WITH_IDS, ids=lambda v: getattr(v, "value", v))
def test_an_id_is_one_escaped_segment(name, flow):
    cls = registry.load(name)
    url = cls().get_url(router_data(cls, flow, HOSTILE), BASE)
    parts = urlsplit(url)
    assert not parts.query and not parts.fragment, url
    assert "A%2F..%2FB%3Fx%3D1%23frag" in parts.path, url
    assert "/../" not in parts.path


@pytest.mark.parametrize(("name", "flow"), FLOWS_WITH_IDS, ids=lambda v: getattr(v, "value", v))
@pytest.mark.parametrize("value", ["", "  ", ".", ".."])
def test_an_empty_or_dot_id_is_a_typed_error(name, flow, value):
    cls = registry.load(name)
    with pytest.raises((MissingRequiredFieldError, InvalidDataError)) as caught:
        cls().get_url(router_data(cls, flow, value), BASE)
    assert caught.value.connector == cls.id and caught.value.flow == flow.value


def test_a_path_function_is_refused_at_declaration():
    with pytest.raises(ConnectorDeclarationError, match="template string"):

        class LambdaPath(Stripe):
            id = "lambda_path"
            flows: ClassVar = {
                **Stripe.flows,
                Flow.PSYNC: replace(Stripe.flows[Flow.PSYNC], path=lambda rd: "v1/x"),  # type: ignore[arg-type]
            }


def test_a_malformed_template_is_refused_at_declaration():
    with pytest.raises(ConnectorDeclarationError, match="path"):

        class BadTemplate(Stripe):
            id = "bad_template"
            flows: ClassVar = {
                **Stripe.flows,
                Flow.PSYNC: replace(Stripe.flows[Flow.PSYNC], path="v1/payment_intents/{unclosed"),
            }


def test_the_declaration_shows_each_flows_path():
    flows = {f["flow"]: f["path"] for f in Stripe.declaration()["flows"]}
    assert flows["Capture"] == "v1/payment_intents/{connector_transaction_id}/capture"
