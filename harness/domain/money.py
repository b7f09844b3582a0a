"""`MinorUnit`: an amount as an integer count of the currency's ISO 4217 minor unit.

There is no float anywhere in a money path: a float, a bool, a string or a Decimal with a
fraction is refused at construction with a message that names the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from harness.domain.errors import InvalidDataError

MAX_MINOR_UNITS: Final = 2**63 - 1  # the i64 range of UCS's MinorUnit


class MinorUnit:
    """A non-negative integer amount in ISO 4217 minor units (cents for USD, yen for JPY)."""

    __slots__ = ("_value",)
    _value: int

    def __init__(self, value: object, *, field: str = "amount") -> None:
        object.__setattr__(self, "_value", _coerce(value, field))

    @property
    def value(self) -> int:
        return self._value

    @classmethod
    def zero(cls) -> MinorUnit:
        return cls(0)

    # arithmetic stays inside MinorUnit and inside the non-negative range
    def __add__(self, other: MinorUnit) -> MinorUnit:
        if not isinstance(other, MinorUnit):
            return NotImplemented
        return MinorUnit(self._value + other._value)

    def __sub__(self, other: MinorUnit) -> MinorUnit:
        if not isinstance(other, MinorUnit):
            return NotImplemented
        return MinorUnit(self._value - other._value, field="difference")

    def split(self, parts: int) -> MinorUnit:
        """This amount divided into `parts` equal parts, rounded down (the remainder stays)."""
        if type(parts) is not int or parts <= 0:
            raise InvalidDataError("parts: expected a positive integer")
        return MinorUnit(self._value // parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MinorUnit) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("MinorUnit", self._value))

    def __lt__(self, other: MinorUnit) -> bool:
        return self._value < _other(other)

    def __le__(self, other: MinorUnit) -> bool:
        return self._value <= _other(other)

    def __gt__(self, other: MinorUnit) -> bool:
        return self._value > _other(other)

    def __ge__(self, other: MinorUnit) -> bool:
        return self._value >= _other(other)

    def __bool__(self) -> bool:
        return self._value != 0

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("MinorUnit is immutable")

    def __repr__(self) -> str:
        return f"MinorUnit({self._value})"

    def __str__(self) -> str:
        return str(self._value)

    def __reduce__(self) -> tuple[type[MinorUnit], tuple[int]]:
        return (MinorUnit, (self._value,))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: object, info: core_schema.ValidationInfo) -> MinorUnit:
            if isinstance(value, MinorUnit):
                return value
            return MinorUnit(value, field=info.field_name or "amount")

        return core_schema.with_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda amount: amount.value, return_schema=core_schema.int_schema()
            ),
            json_schema_input_schema=core_schema.int_schema(ge=0),
        )


def _other(other: object) -> int:
    if not isinstance(other, MinorUnit):
        raise TypeError(f"cannot compare MinorUnit with {type(other).__name__}")
    return other._value


def _coerce(value: object, field: str) -> int:
    if isinstance(value, MinorUnit):
        return value.value
    if isinstance(value, bool):
        raise InvalidDataError(f"{field}: a bool is not an amount", field=field)
    if isinstance(value, int):
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise InvalidDataError(
                f"{field}: a Decimal with a fraction is not a count of minor units", field=field
            )
        number = int(value)
    elif isinstance(value, float):
        raise InvalidDataError(
            f"{field}: floats are never amounts; pass an integer count of minor units", field=field
        )
    else:
        raise InvalidDataError(
            f"{field}: expected an integer count of minor units, got {type(value).__name__}", field=field
        )
    if number < 0:
        raise InvalidDataError(f"{field}: an amount cannot be negative", field=field)
    if number > MAX_MINOR_UNITS:
        raise InvalidDataError(f"{field}: amount exceeds the 64-bit range", field=field)
    return number
