"""Provider facts (`specs/<name>.facts.toml`): the oracle of a connector's certification.

Written from the provider's documentation and published spec, each fact with its source (the
shape is in specs/FACTS.md). The suite checks the connector's own tables against these facts and
takes its expected values from them plus ISO 4217; connector code never reads them.
"""

from __future__ import annotations

import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from harness.certify.catalog import SCENARIOS
from harness.certify.tomlfiles import read_toml
from harness.domain.amounts import CurrencyRule, CurrencyTable, table_for
from harness.domain.currency import Currency
from harness.domain.errors import HarnessError
from harness.domain.flows import Flow
from harness.domain.status import AttemptStatus, RefundStatus

# a flow named in a facts file ("Capture"): read by value, one rule for every table that names one
FlowName = Annotated[Flow, BeforeValidator(Flow)]

PRESENT = "<present>"
ABSENT = "<absent>"
REFUND_FLOWS = frozenset({Flow.REFUND, Flow.RSYNC})
# a documented class of values such as Checkout.com's "20xxx" response codes: x stands for a digit
_DIGIT_CLASS = re.compile(r"^[0-9]*x+$")


class FactsError(HarnessError):
    """A facts file that is missing, malformed or inconsistent."""


class _Fact(BaseModel):
    # the writers of facts add notes and provenance keys of their own: keep them, check the rest
    model_config = ConfigDict(extra="allow", frozen=True)


StatusValue = str | int | bool


class StatusRow(_Fact):
    value: StatusValue
    means: str
    when: dict[str, Any] = Field(default_factory=dict)  # response fields: <present>, <absent> or a literal
    context: dict[str, Any] = Field(default_factory=dict)  # router data: capture_method
    acknowledgement: bool = False
    source: str = ""
    note: str = ""

    def matches(self, value: StatusValue) -> bool:
        return value_matches(self.value, value)

    def example_value(self) -> StatusValue:
        """A concrete value of this row (a digit class such as 20xxx gives 20000)."""
        if isinstance(self.value, str) and _DIGIT_CLASS.match(self.value):
            return self.value.replace("x", "0")
        return self.value


class NotReturned(_Fact):
    value: StatusValue
    reason: str = ""
    source: str = ""
    # what the value means should it arrive after all; without it the suite requires a non-terminal
    # (Pending-class) answer, since a value the provider never sends cannot prove a final state
    means: str | None = None

    def example_value(self) -> StatusValue:
        return StatusRow(value=self.value, means="Pending").example_value()


class StatusTable(_Fact):
    flow: FlowName
    field: str
    values: list[StatusValue] = Field(default_factory=list)
    values_source: str = ""
    rows: list[StatusRow] = Field(default_factory=list)
    not_returned: list[NotReturned] = Field(default_factory=list)
    resource: str | None = None
    endpoint: str | None = None  # "METHOD /path" where a flow reads several resources
    when: dict[str, Any] = Field(default_factory=dict)  # conditions every row of the table shares
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> StatusTable:
        statuses = RefundStatus if self.flow in REFUND_FLOWS else AttemptStatus
        allowed = {s.value for s in statuses}
        for row in self.rows:
            if row.means not in allowed:
                raise ValueError(
                    f"{self.flow.value} {self.field} {row.value!r}: {row.means!r} is no {statuses.__name__}"
                )
        for absent in self.not_returned:
            if absent.means is not None and absent.means not in allowed:
                raise ValueError(
                    f"{self.flow.value} {self.field} not_returned {absent.value!r}: {absent.means!r} is no "
                    f"{statuses.__name__}"
                )
        covered = [row.value for row in self.rows] + [n.value for n in self.not_returned]
        missing = [v for v in self.values if not any(value_matches(c, v) for c in covered)]
        if missing:
            raise ValueError(
                f"{self.flow.value} {self.field}: documented value(s) {missing} are neither mapped in rows "
                "nor listed under not_returned"
            )
        return self

    @property
    def label(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        return f"{self.flow.value} {self.field}{where}"


class CurrencyRuleFact(_Fact):
    currencies: list[str]
    exponent: int | None = Field(default=None, ge=0, le=4)
    multiple_of: int | None = Field(default=None, gt=0)
    minimum: int | None = Field(default=None, ge=0)
    maximum: int | None = Field(default=None, gt=0)
    source: str = ""
    note: str = ""


class CurrencyFacts(_Fact):
    supported: list[str] | Literal["iso4217"]
    source: str = ""
    note: str = ""
    rules: list[CurrencyRuleFact] = Field(default_factory=list)


class InSuccessError(_Fact):
    flow: FlowName
    code: str | None = None
    message: str | None = None
    reason: str | None = None
    decline_code: str | None = None
    transaction_id: str | None = None  # the provider's id of the refused payment, in the same body
    when: dict[str, Any] = Field(default_factory=dict)
    source: str = ""


class FlowErrorShape(_Fact):
    """Where one flow's error answers keep their fields, when they differ from [errors] (an OAuth token
    endpoint answers `error` / `error_description`, not the API's error object)."""

    flow: FlowName
    code: str | None = None
    message: str | None = None
    reason: str | None = None
    decline_code: str | None = None
    transaction_id: str | None = None
    source: str = Field(min_length=1)
    note: str = ""


class CodeMeaning(_Fact):
    """What the provider documents an error or decline code to mean ("5400" is EXPIRED_CARD): an
    error outcome carrying the code must say it (harness/certify/checks/facts.py error_problems)."""

    code: str = Field(min_length=1)
    meaning: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str = ""


class ErrorFacts(_Fact):
    code: str | None = None
    message: str | None = None
    reason: str | None = None
    decline_code: str | None = None
    transaction_id: str | None = None  # the provider's id of the payment the error is about, if it names it
    # the resource an error body embeds (a declined PaymentIntent): on `resource_flows` its status is
    # the outcome of the call, read by that flow's status tables
    resource: str | None = None
    resource_flows: list[Flow] = Field(default_factory=list)
    source: str = ""
    note: str = ""
    in_success: list[InSuccessError] = Field(default_factory=list)
    meanings: list[CodeMeaning] = Field(default_factory=list)
    by_flow: list[FlowErrorShape] = Field(default_factory=list)

    @field_validator("resource_flows", mode="before")
    @classmethod
    def _flows(cls, value: Any) -> list[Flow]:
        return [Flow(v) for v in value]

    @model_validator(mode="after")
    def _one_meaning_per_code(self) -> ErrorFacts:
        codes = [m.code for m in self.meanings]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"errors.meanings: code(s) {twice} listed twice")
        flows = [s.flow.value for s in self.by_flow]
        shaped_twice = sorted({f for f in flows if flows.count(f) > 1})
        if shaped_twice:
            raise ValueError(f"errors.by_flow: flow(s) {shaped_twice} listed twice")
        return self

    def meaning_of(self, code: str) -> CodeMeaning | None:
        return next((m for m in self.meanings if m.code == code), None)

    def shape_for(self, flow: Flow) -> FlowErrorShape | ErrorFacts:
        """Where `flow`'s error answers keep their fields: its own shape, else the general one."""
        return next((s for s in self.by_flow if s.flow is flow), self)


class HeaderFacts(_Fact):
    header: str
    flows: list[Flow] = Field(default_factory=list)
    retry_keeps_key: bool | None = None
    source: str = ""

    @field_validator("flows", mode="before")
    @classmethod
    def _flows(cls, value: Any) -> list[Flow]:
        return [Flow(v) for v in value]


class AuthFacts(_Fact):
    scheme: str = ""
    source: str = ""
    key_prefixes: list[str] = Field(default_factory=list)


class TestCardFact(_Fact):
    number: str | None = None
    outcome: str = ""
    trigger: str = ""
    source: str = ""


class AbsentOperation(_Fact):
    """A flow the provider does not offer at all: its checks skip at no cost, citing `source`."""

    flow: FlowName
    source: str = Field(min_length=1)
    note: str = ""

    @property
    def reason(self) -> str:
        return f"the provider offers no {self.flow.value} operation" + (f": {self.note}" if self.note else "")


class StatuslessAnswer(AbsentOperation):
    """A flow whose documented success answer carries no status field (an acknowledgement only)."""

    @property
    def reason(self) -> str:
        return f"the provider's {self.flow.value} answer carries no status field" + (
            f": {self.note}" if self.note else ""
        )


class ResponseAmount(_Fact):
    """Where a flow's success answer states an amount, and the outcome field that must say the same
    (the amount authorized, captured or still capturable, as the provider reports it)."""

    flow: FlowName
    field: str = Field(min_length=1)  # dotted path in the answer
    reports: Literal["amount", "amount_captured", "amount_capturable"]
    currency_field: str | None = None  # where the answer states the currency (else the request's)
    unit: Literal["minor", "major"] = "minor"  # the provider's integer unit, or a decimal in major units
    when: dict[str, StatusValue] = Field(default_factory=dict)  # conditions on the answer, as status rows
    source: str = Field(min_length=1)
    note: str = ""


class InapplicableScenario(_Fact):
    """A catalog scenario the provider's documented behaviour rules out (not a sandbox limitation):
    its check skips at no cost, citing `source`."""

    scenario: str
    source: str = Field(min_length=1)
    note: str = Field(min_length=1)  # the documented behaviour, in one sentence

    @field_validator("scenario")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SCENARIOS:
            raise ValueError(f"unknown scenario {value!r} (see harness/certify/catalog.py)")
        return value

    @property
    def reason(self) -> str:
        return self.note


# the fields a certificate scheme's signed_payload may name (PayPal's "{transmission_id}|...|{crc32}")
CERTIFICATE_PAYLOAD_FIELDS = ("transmission_id", "transmission_time", "webhook_id", "crc32")


class WebhookCertificateFacts(_Fact):
    """A certificate-signed scheme (PayPal): the headers around the signature, whose certificate counts."""

    cert_url_header: str  # the URL of the X.509 certificate to verify with
    cert_url_hosts: list[str] = Field(min_length=1)  # https only, on one of these hosts or a subdomain
    algorithm_header: str
    algorithm_value: str  # what the algorithm header says for the documented algorithm
    transmission_id_header: str
    transmission_time_header: str  # RFC 3339 date-time
    source: str = Field(min_length=1)


class WebhookSignatureFacts(_Fact):
    """How the provider signs a notification, as its documentation states it."""

    algorithm: Literal["HMAC-SHA256", "HMAC-SHA512", "SHA256withRSA"]
    location: Literal["header", "body"]
    header: str | None = None  # location header: the header name
    header_format: str | None = None  # with {timestamp} and {signature}: "t={timestamp},v1={signature}"
    field: str | None = None  # location body: the dotted path of the signature inside each event
    signed_payload: str | None = None  # raw-body schemes: "{timestamp}.{body}"
    signed_fields: list[str] = Field(default_factory=list)  # field schemes: dotted paths, in order
    separator: str = ":"
    key_encoding: Literal["utf-8", "hex", "x509-pem"]  # x509-pem: the provider's certificate, no secret
    digest_encoding: Literal["hex", "base64"]
    hex_case: Literal["lower", "upper"] = "lower"  # the case of a hex digest as the provider sends it
    tolerance_seconds: int | None = Field(default=None, gt=0)
    certificate: WebhookCertificateFacts | None = None  # SHA256withRSA: where its certificate comes from
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_scheme(self) -> WebhookSignatureFacts:
        if (self.signed_payload is None) == (not self.signed_fields):
            raise ValueError("give signed_payload (the signed bytes) or signed_fields, exactly one of them")
        if self.location == "header" and not (self.header and self.header_format):
            raise ValueError("a header signature needs header and header_format")
        if self.location == "body" and not self.field:
            raise ValueError("a body signature needs field (its dotted path in each event)")
        if self.hex_case == "upper" and self.digest_encoding != "hex":
            raise ValueError("hex_case applies to a hex digest only")
        return self

    @model_validator(mode="after")
    def _certificate_scheme(self) -> WebhookSignatureFacts:
        signed_by_certificate = self.algorithm == "SHA256withRSA"
        if signed_by_certificate != (self.certificate is not None):
            raise ValueError("SHA256withRSA needs [webhooks.signature.certificate]; an HMAC scheme has none")
        if signed_by_certificate != (self.key_encoding == "x509-pem"):
            raise ValueError('key_encoding "x509-pem" goes with SHA256withRSA, and only with it')
        if signed_by_certificate:
            named = set(re.findall(r"{(\w+)}", self.signed_payload or ""))
            if self.location != "header" or not named or not named <= set(CERTIFICATE_PAYLOAD_FIELDS):
                raise ValueError(
                    "a SHA256withRSA signature travels in a header over a signed_payload of "
                    + ", ".join(f"{{{name}}}" for name in CERTIFICATE_PAYLOAD_FIELDS)
                )
        return self


class WebhookEventRow(_Fact):
    """One documented event type (with conditions on the event's fields) and what it means."""

    event_type: str
    when: dict[str, Any] = Field(default_factory=dict)  # event fields (dotted) and their literal value
    object: Literal["payment", "refund"] | None = None  # None: acknowledged, changes nothing
    means: str | None = None
    reference: str | None = None  # dotted path of the payment's or refund's connector id in the event
    source: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _status(self) -> WebhookEventRow:
        if self.object is None:
            if self.means is not None:
                raise ValueError(f"webhook event {self.event_type!r}: means needs object (payment or refund)")
            return self
        statuses = AttemptStatus if self.object == "payment" else RefundStatus
        if self.means not in {s.value for s in statuses} or not self.reference:
            raise ValueError(
                f"webhook event {self.event_type!r}: a {self.object} event needs reference and means "
                f"(a {statuses.__name__})"
            )
        return self

    def matches(self, event: dict[str, Any], event_type: str) -> bool:
        return event_type == self.event_type and all(
            value_matches(expected, _dotted(event, path)) for path, expected in self.when.items()
        )


class WebhookFacts(_Fact):
    """The provider's incoming notifications: signature, events, de-duplication, answer."""

    source: str = Field(min_length=1)
    events_path: str | None = None  # dotted path of the event list in one notification (Adyen: a batch)
    event_key: str | None = None  # the key wrapping each event in that list
    event_type_field: str
    event_id_fields: list[str] = Field(min_length=1)  # what identifies a re-sent event
    answer_status: int = 200
    answer_body: str | None = None  # None: the provider reads no body
    answer_source: str = ""
    signature: WebhookSignatureFacts
    events: list[WebhookEventRow] = Field(min_length=1)

    def events_of(self, notification: dict[str, Any]) -> list[dict[str, Any]]:
        """The events of one notification body, as the facts say where they are."""
        if self.events_path is None:
            return [notification]
        listed = _dotted(notification, self.events_path)
        if not isinstance(listed, list):
            return []
        events = [entry.get(self.event_key) if self.event_key else entry for entry in listed]
        return [event for event in events if isinstance(event, dict)]

    def row_for(self, event: dict[str, Any]) -> WebhookEventRow | None:
        event_type = str(_dotted(event, self.event_type_field))
        return next((row for row in self.events if row.matches(event, event_type)), None)


def _dotted(tree: Any, path: str) -> Any:
    for part in path.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree


class Facts(_Fact):
    provider: dict[str, Any]
    published_spec: dict[str, Any] | None = None
    currencies: CurrencyFacts
    statuses: list[StatusTable] = Field(default_factory=list)
    errors: ErrorFacts | None = None
    idempotency: HeaderFacts | None = None
    request_id: HeaderFacts | None = None
    auth: AuthFacts | None = None
    test_cards: list[TestCardFact] = Field(default_factory=list)
    absent_operations: list[AbsentOperation] = Field(default_factory=list)
    statusless_answers: list[StatuslessAnswer] = Field(default_factory=list)
    inapplicable_scenarios: list[InapplicableScenario] = Field(default_factory=list)
    response_amounts: list[ResponseAmount] = Field(default_factory=list)
    webhooks: WebhookFacts | None = None
    path: str = ""

    @model_validator(mode="after")
    def _one_fact_per_scenario(self) -> Facts:
        seen: set[str] = set()
        for fact in self.inapplicable_scenarios:
            if fact.scenario in seen:
                raise ValueError(f"inapplicable_scenarios: {fact.scenario!r} is listed twice")
            seen.add(fact.scenario)
        return self

    # ------------------------------------------------------------ money

    @cached_property
    def unknown_currency_codes(self) -> list[str]:
        """Codes the facts name that are no current ISO 4217 code the harness knows."""
        named = [] if self.currencies.supported == "iso4217" else list(self.currencies.supported)
        for rule in self.currencies.rules:
            named.extend(c for c in rule.currencies if c != "*")
        return sorted({c for c in named if c not in Currency.__members__})

    @cached_property
    def currency_table(self) -> CurrencyTable:
        """The provider's currency rules as a table, built from the facts alone (never the connector's)."""
        groups: list[tuple[list[Currency], CurrencyRule]] = []
        default = CurrencyRule()
        for fact in self.currencies.rules:
            rule = CurrencyRule(
                exponent=fact.exponent,
                multiple_of=fact.multiple_of,
                minimum=fact.minimum,
                maximum=fact.maximum,
                note=fact.note[:120],
            )
            if "*" in fact.currencies:
                default = rule.merged_over(default)
            known = [Currency[c] for c in fact.currencies if c in Currency.__members__]
            if known:
                groups.append((known, rule))
        supported = (
            None
            if self.currencies.supported == "iso4217"
            else [Currency[c] for c in self.currencies.supported if c in Currency.__members__]
        )
        return table_for(*groups, supported=supported, default=default, source=self.currencies.source)

    def supports_currency(self, currency: Currency) -> bool:
        """Whether `currencies.supported` lists the currency ("iso4217" lists every one)."""
        return self.currencies.supported == "iso4217" or currency.value in self.currencies.supported

    def currency_source(self, currency: Currency) -> str:
        """The source of the last rule naming the currency (else of the supported list)."""
        for fact in reversed(self.currencies.rules):
            if currency.value in fact.currencies or "*" in fact.currencies:
                return fact.source or self.currencies.source
        return self.currencies.source

    # ------------------------------------------------------------ statuses

    def status_tables(self, flow: Flow) -> list[StatusTable]:
        return [table for table in self.statuses if table.flow is flow]

    # ------------------------------------------------------------ operations

    def absent_operation(self, flow: Flow) -> AbsentOperation | None:
        return next((fact for fact in self.absent_operations if fact.flow is flow), None)

    def statusless_answer(self, flow: Flow) -> StatuslessAnswer | None:
        return next((fact for fact in self.statusless_answers if fact.flow is flow), None)

    def inapplicable_scenario(self, scenario_id: str) -> InapplicableScenario | None:
        return next((fact for fact in self.inapplicable_scenarios if fact.scenario == scenario_id), None)


def value_matches(documented: StatusValue, value: StatusValue) -> bool:
    if isinstance(documented, str) and _DIGIT_CLASS.match(documented) and isinstance(value, str | int):
        text = str(value)
        return len(text) == len(documented) and all(
            (d == "x" and c.isdigit()) or d == c for d, c in zip(documented, text, strict=True)
        )
    if isinstance(documented, bool) or isinstance(value, bool):
        return documented is value
    return str(documented) == str(value)


def facts_path(root: Path, name: str) -> Path:
    return root / "specs" / f"{name}.facts.toml"


_CACHE: dict[tuple[str, int, int], Facts] = {}


def load_facts(path: Path) -> Facts:
    """The facts file at `path`, validated; a typed error naming the file and the field otherwise."""
    if not path.is_file():
        raise FactsError(
            "no provider facts file",
            path=str(path),
            hint="write it from the provider's documentation (see specs/FACTS.md); a connector without "
            "facts cannot be certified",
        )
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key in _CACHE:
        return _CACHE[key]
    try:
        data = read_toml(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FactsError(f"not valid TOML: {error}", path=str(path)) from None
    try:
        facts = Facts.model_validate({**data, "path": str(path)})
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FactsError(
            f"{where}: {first['msg']}", path=str(path), hint="see specs/FACTS.md for the shape"
        ) from None
    _CACHE[key] = facts
    return facts
