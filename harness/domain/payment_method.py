"""Payment method data. Every card field is a `Secret` from the moment it is built."""

from __future__ import annotations

from pydantic import field_validator

from harness.domain.model import DomainModel
from harness.domain.secret import Secret


class Card(DomainModel):
    """Raw card data. Validation checks shape only: decline scenarios send impossible expiries."""

    card_number: Secret[str]
    card_exp_month: Secret[str]
    card_exp_year: Secret[str]
    card_cvc: Secret[str]
    card_holder_name: Secret[str] | None = None
    card_network: str | None = None

    @field_validator("card_number")
    @classmethod
    def _digits(cls, value: Secret[str]) -> Secret[str]:
        number = value.expose()
        if not isinstance(number, str) or not number.isdigit() or not 12 <= len(number) <= 19:
            raise ValueError("card_number must be 12 to 19 digits")
        return value

    @field_validator("card_exp_month", "card_exp_year", "card_cvc")
    @classmethod
    def _numeric(cls, value: Secret[str]) -> Secret[str]:
        raw = value.expose()
        if not isinstance(raw, str) or not raw.isdigit():
            raise ValueError("must be a string of digits")
        return value

    def exp_year_four_digits(self) -> Secret[str]:
        return self.card_exp_year.map(lambda year: year if len(year) == 4 else f"20{year[-2:]}")

    def exp_month_two_digits(self) -> Secret[str]:
        return self.card_exp_month.map(lambda month: month.zfill(2))


class Address(DomainModel):
    first_name: Secret[str] | None = None
    last_name: Secret[str] | None = None
    line1: Secret[str] | None = None
    line2: Secret[str] | None = None
    city: str | None = None
    state: str | None = None
    zip: Secret[str] | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
