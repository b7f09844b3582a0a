import pytest

from harness.domain import Currency, InvalidDataError


def test_every_active_iso_code_is_there_with_its_exponent():
    assert len(Currency) >= 160
    assert Currency.JPY.exponent == 0
    assert Currency.USD.exponent == 2
    assert Currency.KWD.exponent == 3
    assert Currency.CLF.exponent == 4
    assert Currency.UYW.exponent == 4
    assert Currency.ISK.exponent == 0
    assert Currency.MGA.exponent == 2
    assert {c.exponent for c in Currency} == {0, 2, 3, 4}


def test_parse_is_case_insensitive_and_refuses_unknown_codes():
    assert Currency.parse("usd") is Currency.USD
    with pytest.raises(InvalidDataError, match="not an ISO 4217"):
        Currency.parse("XYZ")
    with pytest.raises(InvalidDataError, match="expected an ISO 4217 code"):
        Currency.parse(840)
