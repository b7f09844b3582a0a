"""Amount converters and per-provider currency tables.

A `MinorUnit` is in the ISO 4217 minor unit. Providers deviate: Stripe wants ISK with two
decimals, some want three-decimal amounts ending in 0, others refuse decimals for a currency
that has them. A connector states its deviations in one `CurrencyTable`; the converters
apply it exactly, and an amount that cannot be sent exactly is an
`AmountNotRepresentableError`, never a rounding.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Generic, TypeVar

from harness.domain.currency import Currency
from harness.domain.errors import AmountNotRepresentableError, InvalidDataError, NotSupportedError
from harness.domain.money import MinorUnit

T = TypeVar("T")

_MAJOR_UNIT_PATTERN = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")
_MINOR_UNIT_PATTERN = re.compile(r"^(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class CurrencyRule:
    """How one provider treats one currency. `None` means "as ISO 4217" / "no limit"."""

    exponent: int | None = None  # digits the provider expects, when it differs from ISO
    multiple_of: int | None = None  # amounts in the provider's unit must be multiples of this
    minimum: int | None = None  # smallest amount, in the provider's unit (as providers document it)
    maximum: int | None = None  # largest amount, in the provider's unit
    note: str = ""  # the provider's own words, shortened, for the report

    def merged_over(self, default: CurrencyRule) -> CurrencyRule:
        return CurrencyRule(
            exponent=self.exponent if self.exponent is not None else default.exponent,
            multiple_of=self.multiple_of if self.multiple_of is not None else default.multiple_of,
            minimum=self.minimum if self.minimum is not None else default.minimum,
            maximum=self.maximum if self.maximum is not None else default.maximum,
            note=self.note or default.note,
        )


@dataclass(frozen=True)
class CurrencyTable:
    """A provider's currency deviations: one row per currency that differs from ISO 4217."""

    rules: Mapping[Currency, CurrencyRule] = field(default_factory=dict)
    supported: frozenset[Currency] | None = None  # None: every ISO 4217 currency
    default: CurrencyRule = CurrencyRule()  # applies to every currency (a general maximum, say)
    source: str = ""  # where the provider documents these rules

    def is_supported(self, currency: Currency) -> bool:
        return self.supported is None or currency in self.supported

    def supported_currencies(self) -> list[Currency]:
        return sorted(self.supported if self.supported is not None else Currency, key=lambda c: c.value)

    def rule(self, currency: Currency) -> CurrencyRule:
        row = self.rules.get(currency)
        return row.merged_over(self.default) if row else self.default

    def provider_exponent(self, currency: Currency) -> int:
        exponent = self.rule(currency).exponent
        return currency.exponent if exponent is None else exponent

    def to_provider_units(self, amount: MinorUnit, currency: Currency, *, field: str = "amount") -> int:
        """The amount as an integer in the provider's minor unit, or a typed error."""
        if not isinstance(amount, MinorUnit):
            raise InvalidDataError(f"{field}: expected MinorUnit, got {type(amount).__name__}", field=field)
        if not self.is_supported(currency):
            raise NotSupportedError(f"currency {currency.value} is not supported", field=field)
        rule = self.rule(currency)
        value = amount.value
        exponent = self.provider_exponent(currency)
        shift = exponent - currency.exponent
        if shift >= 0:
            units = value * 10**shift
        else:
            units, remainder = divmod(value, 10**-shift)
            if remainder:
                raise AmountNotRepresentableError(
                    f"{field}: {value} {currency.value} minor units has a fraction the provider cannot "
                    f"carry (it takes {exponent} decimals)",
                    field=field,
                )
        if rule.multiple_of and units % rule.multiple_of:
            raise AmountNotRepresentableError(
                f"{field}: {currency.value} amounts must be multiples of {rule.multiple_of} in the "
                f"provider's unit; {units} is not",
                field=field,
            )
        if rule.minimum is not None and units < rule.minimum:
            raise AmountNotRepresentableError(
                f"{field}: {units} is below the provider minimum {rule.minimum} for {currency.value}",
                field=field,
            )
        if rule.maximum is not None and units > rule.maximum:
            raise AmountNotRepresentableError(
                f"{field}: {units} is above the provider maximum {rule.maximum} for {currency.value}",
                field=field,
            )
        return units

    def from_provider_units(self, units: int, currency: Currency, *, field: str = "amount") -> MinorUnit:
        """An integer in the provider's minor unit back to ISO minor units, exactly."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidDataError(f"{field}: expected an integer amount, got {type(units).__name__}")
        if units < 0:
            raise InvalidDataError(f"{field}: negative amount", field=field)
        shift = self.provider_exponent(currency) - currency.exponent
        if shift >= 0:
            value, remainder = divmod(units, 10**shift)
            if remainder:
                raise AmountNotRepresentableError(
                    f"{field}: {units} in the provider's unit is a fraction of the ISO minor unit of "
                    f"{currency.value}",
                    field=field,
                )
            return MinorUnit(value, field=field)
        return MinorUnit(units * 10**-shift, field=field)

    def rows(self) -> list[dict[str, object]]:
        """The table as plain rows for reports and docs."""
        out: list[dict[str, object]] = []
        for currency in sorted(self.rules, key=lambda c: c.value):
            rule = self.rule(currency)
            out.append(
                {
                    "currency": currency.value,
                    "iso_exponent": currency.exponent,
                    "provider_exponent": self.provider_exponent(currency),
                    "multiple_of": rule.multiple_of,
                    "minimum": rule.minimum,
                    "maximum": rule.maximum,
                    "note": rule.note,
                }
            )
        return out


def table_for(
    *groups: tuple[Iterable[Currency], CurrencyRule],
    supported: Iterable[Currency] | None = None,
    default: CurrencyRule | None = None,
    source: str = "",
) -> CurrencyTable:
    """Build a table from groups of currencies that share a rule; later groups refine earlier ones."""
    rules: dict[Currency, CurrencyRule] = {}
    for currencies, rule in groups:
        for currency in currencies:
            rules[currency] = rule.merged_over(rules[currency]) if currency in rules else rule
    return CurrencyTable(
        rules=rules,
        supported=frozenset(supported) if supported is not None else None,
        default=default or CurrencyRule(),
        source=source,
    )


class AmountConverter(ABC, Generic[T]):
    """Turns a `MinorUnit` into the provider's wire value and back, exactly."""

    kind: ClassVar[str]

    def __init__(self, table: CurrencyTable | None = None) -> None:
        self.table = table or CurrencyTable()

    @abstractmethod
    def convert(self, amount: MinorUnit, currency: Currency, *, field: str = "amount") -> T: ...

    @abstractmethod
    def convert_back(self, value: T, currency: Currency, *, field: str = "amount") -> MinorUnit: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MinorUnitConverter(AmountConverter[int]):
    """Integer in the provider's minor unit: `1000` for USD 10.00 (Stripe, Adyen, Checkout.com)."""

    kind = "MinorUnit"

    def convert(self, amount: MinorUnit, currency: Currency, *, field: str = "amount") -> int:
        return self.table.to_provider_units(amount, currency, field=field)

    def convert_back(self, value: int, currency: Currency, *, field: str = "amount") -> MinorUnit:
        return self.table.from_provider_units(value, currency, field=field)


class StringMinorUnitConverter(AmountConverter[str]):
    """String of the integer in the provider's minor unit: `"1000"` for USD 10.00."""

    kind = "StringMinorUnit"

    def convert(self, amount: MinorUnit, currency: Currency, *, field: str = "amount") -> str:
        return str(self.table.to_provider_units(amount, currency, field=field))

    def convert_back(self, value: str, currency: Currency, *, field: str = "amount") -> MinorUnit:
        if not isinstance(value, str) or not _MINOR_UNIT_PATTERN.match(value):
            raise InvalidDataError(f"{field}: expected a string of digits", field=field)
        return self.table.from_provider_units(int(value), currency, field=field)


class StringMajorUnitConverter(AmountConverter[str]):
    """Decimal string in major units with the provider's digits: `"10.00"`, `"1000"` for JPY."""

    kind = "StringMajorUnit"

    def convert(self, amount: MinorUnit, currency: Currency, *, field: str = "amount") -> str:
        units = self.table.to_provider_units(amount, currency, field=field)
        exponent = self.table.provider_exponent(currency)
        if exponent == 0:
            return str(units)
        whole, fraction = divmod(units, 10**exponent)
        return f"{whole}.{fraction:0{exponent}d}"

    def convert_back(self, value: str, currency: Currency, *, field: str = "amount") -> MinorUnit:
        if not isinstance(value, str) or not _MAJOR_UNIT_PATTERN.match(value):
            raise InvalidDataError(f"{field}: expected a decimal string such as 10.00", field=field)
        exponent = self.table.provider_exponent(currency)
        try:
            scaled = Decimal(value).scaleb(exponent)
        except InvalidOperation:
            raise InvalidDataError(f"{field}: not a decimal number", field=field) from None
        if scaled != scaled.to_integral_value():
            raise AmountNotRepresentableError(
                f"{field}: {value} has more decimals than {currency.value} carries at this provider "
                f"({exponent})",
                field=field,
            )
        return self.table.from_provider_units(int(scaled), currency, field=field)

