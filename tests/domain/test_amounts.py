from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.stripe.transformers import STRIPE_CURRENCIES
from harness.domain import (
    AmountNotRepresentableError,
    Currency,
    CurrencyRule,
    InvalidDataError,
    MinorUnit,
    MinorUnitConverter,
    NotSupportedError,
    StringMajorUnitConverter,
    StringMinorUnitConverter,
    table_for,
)

CONVERTERS = [MinorUnitConverter(), StringMinorUnitConverter(), StringMajorUnitConverter()]
amounts = st.integers(min_value=0, max_value=10**15).map(MinorUnit)


@pytest.mark.parametrize("converter", CONVERTERS, ids=lambda c: c.kind)
@given(amount=amounts, currency=st.sampled_from(list(Currency)))
def test_every_converter_round_trips_every_currency_exactly(converter, amount, currency):
    assert converter.convert_back(converter.convert(amount, currency), currency) == amount


@given(amount=amounts, currency=st.sampled_from(list(Currency)))
def test_major_unit_string_is_the_exact_decimal_value(amount, currency):
    text = StringMajorUnitConverter().convert(amount, currency)
    assert Decimal(text) == Decimal(amount.value).scaleb(-currency.exponent)
    if currency.exponent:
        assert len(text.split(".")[1]) == currency.exponent
    else:
        assert "." not in text


def test_clf_has_four_decimals_and_round_trips():
    converter = StringMajorUnitConverter()
    assert converter.convert(MinorUnit(12345), Currency.CLF) == "1.2345"
    assert converter.convert_back("1.2345", Currency.CLF) == MinorUnit(12345)
    assert converter.convert(MinorUnit(1), Currency.CLF) == "0.0001"
    assert converter.convert_back("0.0001", Currency.CLF) == MinorUnit(1)


@pytest.mark.parametrize("text", ["1e3", "-1", " 1", "1,00", "01.00", ".5", "1.", "NaN", "Infinity", ""])
def test_major_unit_parser_refuses_anything_but_plain_decimals(text):
    with pytest.raises(InvalidDataError):
        StringMajorUnitConverter().convert_back(text, Currency.USD)


def test_major_unit_parser_refuses_sub_minor_precision_instead_of_rounding():
    with pytest.raises(AmountNotRepresentableError, match="more decimals"):
        StringMajorUnitConverter().convert_back("10.505", Currency.USD)
    assert StringMajorUnitConverter().convert_back("10.500", Currency.USD) == MinorUnit(1050)


def test_a_provider_exponent_above_iso_scales_up_and_back():
    converter = MinorUnitConverter(STRIPE_CURRENCIES)
    assert converter.convert(MinorUnit(5), Currency.ISK) == 500  # ISK 5 is 500 at Stripe
    assert converter.convert_back(500, Currency.ISK) == MinorUnit(5)
    with pytest.raises(AmountNotRepresentableError, match="fraction of the ISO minor unit"):
        converter.convert_back(550, Currency.ISK)


def test_a_provider_exponent_below_iso_refuses_fractions():
    converter = MinorUnitConverter(STRIPE_CURRENCIES)
    assert converter.convert(MinorUnit(12300), Currency.MGA) == 123  # zero-decimal at Stripe
    with pytest.raises(AmountNotRepresentableError, match="fraction the provider cannot carry"):
        converter.convert(MinorUnit(12345), Currency.MGA)
    assert converter.convert_back(123, Currency.MGA) == MinorUnit(12300)


def test_three_decimal_currencies_must_end_in_zero_at_stripe():
    converter = MinorUnitConverter(STRIPE_CURRENCIES)
    assert converter.convert(MinorUnit(5120), Currency.KWD) == 5120
    with pytest.raises(AmountNotRepresentableError, match="multiples of 10"):
        converter.convert(MinorUnit(5124), Currency.KWD)


def test_limits_and_supported_currencies_are_typed_errors():
    table = table_for(
        ([Currency.USD], CurrencyRule(minimum=50)),
        supported=[Currency.USD, Currency.EUR],
        default=CurrencyRule(maximum=99_999_999),
    )
    converter = StringMinorUnitConverter(table)
    assert converter.convert(MinorUnit(50), Currency.USD) == "50"
    with pytest.raises(AmountNotRepresentableError, match="below the provider minimum"):
        converter.convert(MinorUnit(49), Currency.USD)
    with pytest.raises(AmountNotRepresentableError, match="above the provider maximum"):
        converter.convert(MinorUnit(100_000_000), Currency.EUR)
    with pytest.raises(NotSupportedError, match="JPY is not supported"):
        converter.convert(MinorUnit(1), Currency.JPY)


def test_converters_refuse_raw_numbers():
    with pytest.raises(InvalidDataError):
        MinorUnitConverter().convert(1000, Currency.USD)  # type: ignore[arg-type]  # the point of the test
    with pytest.raises(InvalidDataError):
        MinorUnitConverter().convert_back(10.0, Currency.USD)  # type: ignore[arg-type]  # the point of the test
