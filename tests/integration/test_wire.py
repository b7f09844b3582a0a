"""The shared wire-model bases and the response context's currency reader, which every connector
uses instead of its own copy."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from harness.domain import Currency, Flow, InvalidDataError, MinorUnitConverter, table_for
from harness.integration import ResponseContext
from harness.integration.wire import CamelWireRequest, CamelWireResponse, WireRequest, WireResponse


class Capture(WireRequest):
    amount_to_capture: int


class CamelCapture(CamelWireRequest):
    amount_to_capture: int


class Refund(WireResponse):
    id: str
    links: dict[str, str] = Field(default_factory=dict, alias="_links")


class CamelRefund(CamelWireResponse):
    refund_id: str


def test_a_request_model_refuses_a_field_it_does_not_declare():
    assert Capture(amount_to_capture=5).model_dump() == {"amount_to_capture": 5}
    with pytest.raises(ValidationError, match="amount_to_captur"):
        Capture(amount_to_capture=5, amount_to_captur=6)  # type: ignore[call-arg]


def test_a_camel_request_model_writes_camel_case_and_accepts_the_python_name():
    assert CamelCapture(amount_to_capture=5).model_dump(by_alias=True) == {"amountToCapture": 5}
    with pytest.raises(ValidationError):
        CamelCapture.model_validate({"amountToCapture": 5, "extra": 1})


def test_a_response_model_keeps_what_the_provider_adds_and_accepts_name_or_alias():
    refund = Refund.model_validate({"id": "re_1", "_links": {"self": "x"}, "new_field": 1})
    assert refund.links == {"self": "x"} and refund.model_extra == {"new_field": 1}
    assert Refund(id="re_1", links={"a": "b"}).links == {"a": "b"}
    assert CamelRefund.model_validate({"refundId": "r1", "pspReference": "p"}).refund_id == "r1"


def test_the_response_currency_is_read_in_any_case_or_refused_naming_field_connector_and_flow():
    ctx = ResponseContext("probe", Flow.REFUND, MinorUnitConverter(table_for(source="x")), 200)
    assert ctx.currency("usd") is Currency.USD
    with pytest.raises(InvalidDataError) as caught:
        ctx.currency("ZZZ", field="amount.currency")
    assert "amount.currency" in str(caught.value)
    assert (caught.value.connector, caught.value.flow) == ("probe", Flow.REFUND.value)
