from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from harness.domain import Currency, InvalidDataError, MinorUnit, PaymentsCaptureData


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10.5, "floats are never amounts"),
        (10.0, "floats are never amounts"),
        (True, "a bool is not an amount"),
        ("10", "got str"),
        (Decimal("10.5"), "Decimal with a fraction"),
        (Decimal("NaN"), "Decimal with a fraction"),
        (-1, "cannot be negative"),
        (2**63, "64-bit"),
        (None, "got NoneType"),
    ],
)
def test_minor_unit_refuses_what_is_not_a_count_of_minor_units(value, expected):
    with pytest.raises(InvalidDataError, match=expected) as caught:
        MinorUnit(value, field="amount_to_capture")
    assert str(caught.value).startswith("amount_to_capture:")


def test_minor_unit_accepts_integers_and_integral_decimals():
    assert MinorUnit(1000).value == 1000
    assert MinorUnit(Decimal("1000")).value == 1000
    assert MinorUnit(MinorUnit(5)) == MinorUnit(5)


def test_minor_unit_arithmetic_stays_exact_and_non_negative():
    assert MinorUnit(700) + MinorUnit(300) == MinorUnit(1000)
    assert MinorUnit(1000) - MinorUnit(300) == MinorUnit(700)
    assert MinorUnit(1000).split(3) == MinorUnit(333)
    with pytest.raises(InvalidDataError):
        MinorUnit(1) - MinorUnit(2)
    with pytest.raises(TypeError):
        MinorUnit(1) + 1  # type: ignore[operator]  # the point of the test
    with pytest.raises(TypeError):
        assert MinorUnit(1) < 2  # type: ignore[operator]  # the point of the test


def test_minor_unit_has_no_float_conversion():
    with pytest.raises(TypeError):
        float(MinorUnit(10))  # type: ignore[arg-type]  # the point of the test


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_minor_unit_round_trips_through_pydantic(value):
    class Holder(BaseModel):
        amount: MinorUnit

    holder = Holder(amount=value)
    assert holder.amount == MinorUnit(value)
    assert Holder.model_validate_json(holder.model_dump_json()).amount == MinorUnit(value)


def test_a_model_field_error_names_the_field():
    with pytest.raises(ValidationError) as caught:
        PaymentsCaptureData(
            amount_to_capture=10.5,  # type: ignore[arg-type]  # the point of the test
            payment_amount=MinorUnit(1000),
            currency=Currency.USD,
            connector_transaction_id="pi_1",
        )
    text = str(caught.value)
    assert "amount_to_capture" in text
    assert "10.5" not in text  # inputs are hidden from errors
