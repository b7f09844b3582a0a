"""`connectors/<name>/certification.toml`: what a connector claims and the test data behind it.

connector = "stripe"
min_strength = 0.95   optional: the `certify mutate` strength this connector must reach (never below 0.9)
[defaults]            currency and amount (minor units) of every scenario
[scenarios]           supported = ["authorize_manual_capture", ...]
[exempt]              <scenario> = "why it cannot run (a sandbox limitation): a gap, costs score"
[cards.<profile>]     number, exp_month, exp_year, cvc, holder_name, optional amount
[unknown_payment]     connector_transaction_id the provider never issued
[metadata]            per-merchant settings (URL placeholders, merchant account...)
[contract_exempt]     "response /json/pointer" = "the published spec's known gap, and where it is reported"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.certify.catalog import SCENARIOS
from harness.certify.tomlfiles import read_toml
from harness.defaults import MUTATION_STRENGTH_FLOOR
from harness.domain.currency import Currency
from harness.domain.errors import HarnessError
from harness.domain.money import MinorUnit
from harness.domain.payment_method import Address, Card
from harness.domain.secret import Secret
from harness.domain.sensitive import PUBLISHED_TEST_CARDS


class CertificationError(HarnessError):
    """certification.toml is missing, malformed or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class CardProfile(_Strict):
    number: str
    exp_month: str
    exp_year: str
    cvc: str
    holder_name: str | None = None
    amount: int | None = None  # a magic amount that triggers this outcome, in minor units
    billing_zip: str | None = None  # a billing postal code that triggers this outcome
    note: str | None = None  # where the provider documents this test data

    def card(self) -> Card:
        return Card(
            card_number=Secret(self.number),
            card_exp_month=Secret(self.exp_month),
            card_exp_year=Secret(self.exp_year),
            card_cvc=Secret(self.cvc),
            card_holder_name=Secret(self.holder_name) if self.holder_name else None,
        )

    def billing_address(self) -> Address | None:
        return Address(zip=Secret(self.billing_zip)) if self.billing_zip else None

    def secret_values(self) -> list[str]:
        """Number, holder name, CVC and expiry (as MM/YY, MM/YYYY, MM-YYYY, YYYY-MM): the redactor
        masks the short ones only as whole tokens, and never the month or year alone, which would
        mask ordinary numbers ("12 passed")."""
        month, year = self.exp_month.zfill(2), self.exp_year
        expiry = [f"{month}/{year[-2:]}", f"{month}/{year}", f"{month}-{year}", f"{year}-{month}"]
        # a published test card's CVC ("100") is documented test data, and masking it as a bare
        # number would hide counts ("held for 100 examples"); next to a CVC name it is still masked
        cvc = [] if self.number in PUBLISHED_TEST_CARDS else [self.cvc]
        return [self.number, *([self.holder_name] if self.holder_name else []), *cvc, *expiry]


class Defaults(_Strict):
    currency: Currency = Currency.USD
    amount: int = Field(default=1000, gt=0)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Currency:
        return Currency.parse(value, field="defaults.currency")


class Scenarios(_Strict):
    supported: list[str] = Field(default_factory=list)


class UnknownPayment(_Strict):
    connector_transaction_id: str = "unknown_payment_certify"


class Certification(_Strict):
    connector: str
    defaults: Defaults = Field(default_factory=Defaults)
    scenarios: Scenarios = Field(default_factory=Scenarios)
    exempt: dict[str, str] = Field(default_factory=dict)
    cards: dict[str, CardProfile] = Field(default_factory=dict)
    unknown_payment: UnknownPayment = Field(default_factory=UnknownPayment)
    metadata: dict[str, str] = Field(default_factory=dict)
    contract_exempt: dict[str, str] = Field(default_factory=dict)
    min_strength: float | None = None

    @field_validator("min_strength", mode="before")
    @classmethod
    def _min_strength(cls, value: Any) -> Any:
        # a connector may ask more of its certificate than the harness does, never less
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or value > 1:
            raise ValueError(f"must be a share between {MUTATION_STRENGTH_FLOOR} and 1, not {value!r}")
        if value < MUTATION_STRENGTH_FLOOR:
            raise ValueError(
                f"{value} is below the harness floor {MUTATION_STRENGTH_FLOOR}: a connector may raise the "
                "floor, never lower it (remove the key or set it to the floor or above)"
            )
        return float(value)

    @field_validator("contract_exempt")
    @classmethod
    def _exemptions(cls, value: dict[str, str]) -> dict[str, str]:
        for location, reason in value.items():
            where, _, pointer = location.partition(" ")
            if where not in ("request", "response") or not pointer.startswith("/"):
                raise ValueError(
                    f"contract_exempt: {location!r} is not 'request /pointer' or 'response /pointer'"
                )
            if not reason.strip():
                raise ValueError(f"contract_exempt: {location!r} needs its reason (the spec's known gap)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Certification:
        for where, ids in (("scenarios.supported", self.scenarios.supported), ("exempt", list(self.exempt))):
            for scenario_id in ids:
                if scenario_id not in SCENARIOS:
                    raise ValueError(f"{where}: unknown scenario {scenario_id!r}")
        both = set(self.scenarios.supported) & set(self.exempt)
        if both:
            raise ValueError(f"scenarios both supported and exempt: {', '.join(sorted(both))}")
        for scenario_id, reason in self.exempt.items():
            if not reason.strip():
                raise ValueError(f"exempt.{scenario_id}: an exemption needs its reason")
        for scenario_id in self.scenarios.supported:
            for step in SCENARIOS[scenario_id].steps:
                if step.flow.value == "Authorize" and step.card not in self.cards:
                    raise ValueError(f"cards.{step.card} is needed by scenario {scenario_id}")
        return self

    @property
    def amount(self) -> MinorUnit:
        return MinorUnit(self.defaults.amount)

    @property
    def currency(self) -> Currency:
        return self.defaults.currency

    def secret_values(self) -> list[str]:
        """Test-data values that must never appear unmasked in anything the harness writes."""
        values: list[str] = []
        for profile in self.cards.values():
            values.extend(profile.secret_values())
        return values


def load_certification(path: Path) -> Certification:
    if not path.is_file():
        raise CertificationError(
            "certification.toml not found",
            path=str(path),
            hint="run `certify new NAME` or copy a shipped one",
        )
    try:
        data = read_toml(path)
    except tomllib.TOMLDecodeError as error:
        raise CertificationError(f"malformed TOML: {error}", path=str(path), hint="fix the syntax") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CertificationError(f"unreadable ({type(error).__name__})", path=str(path)) from None
    try:
        return Certification.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise CertificationError(
            f"{where + ': ' if where else ''}{message}",
            path=str(path),
            hint="see README, 'Adding a connector'",
        ) from None
