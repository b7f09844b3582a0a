"""A flow's documented reference length: scenario references fit it, and the reference property
refuses a connector that truncates (or silently accepts) a reference above it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st

from connectors.stripe import transformers as t
from connectors.stripe.connector import Stripe
from harness.certify.catalog import SCENARIOS
from harness.certify.properties import PropertyContext, profile_named, reference_property, run_property
from harness.certify.runner import scenario_reference
from harness.certify.strategies import reference_ids
from harness.domain import Currency, Flow, HeaderKey, InvalidDataError, Secret

LIMIT = 20


def _authorize_with(build: Any) -> Any:
    return replace(Stripe.flows[Flow.AUTHORIZE], build_request=build, reference_max_length=LIMIT)


def refusing_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    if len(rd.resource_common_data.connector_request_reference_id) > LIMIT:
        raise InvalidDataError(f"reference: longer than {LIMIT} characters", field="reference")
    return t.authorize_request(rd, ctx)


def truncating_request(rd: Any, ctx: Any) -> t.StripePaymentIntentRequest:
    reference = rd.resource_common_data.connector_request_reference_id
    return t.authorize_request(rd, ctx).model_copy(update={"metadata": {"order_id": reference[:LIMIT]}})


class Refusing(Stripe):
    id = "limit_refusing"
    flows: ClassVar = {**Stripe.flows, Flow.AUTHORIZE: _authorize_with(refusing_request)}


class BypassesTheBase(Stripe):
    """The base refuses an over-long reference before any transform; these connectors switch that
    off (their own request path), so that the reference property alone must catch them."""

    def check_request(self, router_data: Any) -> None:
        return None


class Truncating(BypassesTheBase):
    id = "limit_truncating"
    flows: ClassVar = {**Stripe.flows, Flow.AUTHORIZE: _authorize_with(truncating_request)}


class Ignoring(BypassesTheBase):
    id = "limit_ignoring"
    flows: ClassVar = {**Stripe.flows, Flow.AUTHORIZE: _authorize_with(t.authorize_request)}


def outcome(cls: type[Stripe]) -> Any:
    connector = cls()
    ctx = PropertyContext(
        connector=connector,
        base_url="https://api.stripe.com/",
        auth=HeaderKey(api_key=Secret("sk_test_reference_limits")),
        default_currency=Currency.USD,
        sample_chain=lambda flow: ("pi_property", {}),
    )
    cases = st.fixed_dictionaries({"reference": reference_ids()})
    return run_property(reference_property(ctx, connector.flows[Flow.AUTHORIZE]), cases, profile_named("ci"))


def test_a_connector_that_refuses_long_references_with_a_typed_error_passes():
    result = outcome(Refusing)
    assert result.passed, result.message


@pytest.mark.parametrize(("cls", "words"), [(Truncating, "not refused"), (Ignoring, "not refused")])
def test_a_connector_that_truncates_or_ignores_the_limit_fails(cls, words):
    result = outcome(cls)
    assert not result.passed
    assert words in result.message
    assert "reference=" in (result.example or "")


def test_scenario_references_fit_the_limit_deterministically_and_stay_distinct():
    assert scenario_reference("rsync", "refund", LIMIT) == "rsync_refund"
    assert scenario_reference("authorize_manual_capture", "authorize") == "authorize_manual_capture_authorize"
    every = {
        scenario_reference(scenario.id, step.name, LIMIT)
        for scenario in SCENARIOS.values()
        for step in scenario.steps
    }
    assert all(len(reference) <= LIMIT for reference in every)
    first = scenario_reference("refund_multiple_partial", "refund_1", LIMIT)
    second = scenario_reference("refund_multiple_partial", "refund_2", LIMIT)
    assert first != second and first.startswith("refund_mul")
    assert first == scenario_reference("refund_multiple_partial", "refund_1", LIMIT)
    assert len(scenario_reference("authorize_auto_capture", "authorize", 6)) == 6
