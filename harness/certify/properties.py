"""Property checks (hypothesis): money, references, bounds, generated responses, unknown statuses.

Each property is a sentence about every input; the harness runs it with the `ci` profile
(derandomized, repeatable) or the `dev` profile (random, seed recorded), and a failure is
reported with its minimized example.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.reporting import with_reporter

from harness.certify.cassettes.scrubbing import dumps_exact
from harness.certify.contracts import Spec
from harness.certify.example_tapes import TapeStore, tape_key
from harness.certify.schema_strategies import inline_refs, json_values
from harness.certify.strategies import (
    currencies,
    minor_amounts,
    reference_ids,
    references_around,
    unknown_statuses,
)
from harness.defaults import PROFILE_NAMES, PROFILES
from harness.domain.amounts import CurrencyTable
from harness.domain.currency import Currency
from harness.domain.errors import (
    AmountNotRepresentableError,
    ConnectorError,
    HarnessError,
    InvalidDataError,
    NotImplementedFlowError,
    NotSupportedError,
)
from harness.domain.flows import Flow
from harness.domain.money import MinorUnit
from harness.domain.router_data import (
    AccessTokenResponseData,
    ErrorResponse,
    PaymentsResponseData,
    RefundsResponseData,
)
from harness.domain.secret import Secret
from harness.domain.status import AttemptStatus, CaptureMethod, RefundStatus
from harness.execution.executor import check_integrity, crash_from
from harness.execution.factory import make_router_data
from harness.integration import encoding
from harness.integration.connector import ConnectorV2, FlowSpec
from harness.integration.http import ContentType, HttpRequest, HttpResponse

MAJOR = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int
    derandomize: bool
    seed: int | None = None
    response_examples: int = 25  # generated provider responses cost ~10 ms each
    status_examples: int = 10  # unknown provider statuses (each is alike but for its text)
    request_examples: int = 20  # generated requests validated against the spec


def is_plain_invalid_data(error: ConnectorError) -> bool:
    """Invalid data, not an amount the provider cannot represent (that answers another question)."""
    return isinstance(error, InvalidDataError) and not isinstance(error, AmountNotRepresentableError)


def profile_named(name: str, seed_value: int | None = None) -> Profile:
    defaults = PROFILES.get(name)
    if defaults is None:
        raise ValueError(f"unknown hypothesis profile {name!r}; use {' or '.join(PROFILE_NAMES)}")
    if not defaults.derandomize and seed_value is None:
        seed_value = random.randrange(2**32)
    seed_value = None if defaults.derandomize else seed_value
    return Profile(
        name,
        defaults.max_examples,
        defaults.derandomize,
        seed_value,
        defaults.response_examples,
        defaults.status_examples,
        defaults.request_examples,
    )


class PropertyFailure(AssertionError):
    """A property does not hold for one example (`example`: that example, shown)."""

    example: str | None = None


class PropertyGenerationError(HarnessError):
    """The harness could not generate examples (a spec schema it cannot read)."""


@dataclass
class PropertyOutcome:
    passed: bool
    message: str = ""
    example: str | None = None
    examples: int = 0
    skipped: bool = False
    counterexamples: list[dict[str, str]] = dataclasses.field(default_factory=list)  # every distinct failure


def _show_case(case: Mapping[str, Any]) -> str:
    parts = []
    for key, value in case.items():
        if isinstance(value, MinorUnit | Currency):
            parts.append(f"{key}={value.value}")
        elif isinstance(value, dict | list):
            text = json.dumps(value, default=str)
            parts.append(f"{key}={text if len(text) < 400 else text[:397] + '...'}")
        else:
            parts.append(f"{key}={value!r}")
    return ", ".join(parts)


def run_property(
    check: Callable[[dict[str, Any]], None],
    case: st.SearchStrategy[dict[str, Any]],
    profile: Profile,
    *,
    max_examples: int | None = None,
    tapes: TapeStore | None = None,
    context: str = "",
    content: str | None = None,
) -> PropertyOutcome:
    """Run `check` on the examples of `case`.

    With `tapes`, examples come from a tape when one is kept for the same key (see example_tapes).
    `context` names what the strategy's functions read beyond its own text; `content` stands for the
    strategy's text where printing it is slow (a schema's strategy: the spec's content and pointer).
    """
    examples = max_examples or profile.max_examples
    key = None
    if tapes is not None and profile.derandomize:
        key = tape_key(case, context, examples, content=content)
    if tapes is not None and key is not None:
        tape = tapes.load(key)
        if tape is not None and _holds_on(check, tape):
            return PropertyOutcome(True, f"held for {len(tape)} examples", None, len(tape))
        # no tape, or a recorded example fails: hypothesis generates (and minimizes) as always
    recorded: list[dict[str, Any]] | None = None
    if key is not None:
        recorded = []
        check = _recording(check, recorded)
    last: dict[str, Any] = {}
    count = [0]

    def body(case: dict[str, Any]) -> None:
        last.clear()
        last.update(case)
        count[0] += 1
        try:
            check(case)
        except ConnectorError as error:  # a typed refusal the property did not expect: the connector's
            failure = PropertyFailure(f"{error.kind}: {error}")
            failure.example = _show_case(case)
            raise failure from None
        except PropertyFailure as failure:
            failure.example = _show_case(case)
            raise

    test = settings(
        max_examples=examples,
        derandomize=profile.derandomize,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        print_blob=False,
    )(given(case=case)(body))
    if profile.seed is not None and not profile.derandomize:
        test = seed(profile.seed)(test)
    try:
        with with_reporter(lambda _message: None):
            test()
    except PropertyFailure as failure:
        example = failure.example or _show_case(last)
        return PropertyOutcome(
            False,
            str(failure),
            example,
            count[0],
            counterexamples=[{"message": str(failure), "example": example}],
        )
    except ExceptionGroup as group:  # hypothesis found several distinct failures: keep every one
        failures = _leaves(group)
        if not any(isinstance(f, PropertyFailure) for f in failures):
            raise PropertyGenerationError(
                f"could not generate examples ({'; '.join(_describe(f) for f in failures)[:300]})",
                hint="check the spec schema this property reads",
            ) from None
        found = [{"message": _describe(f), "example": getattr(f, "example", None) or ""} for f in failures]
        message = f"{len(found)} distinct failures: " + "; ".join(
            f"({n}) {f['message']}" for n, f in enumerate(found, start=1)
        )
        return PropertyOutcome(False, message, found[0]["example"], count[0], counterexamples=found)
    except Unsatisfiable:
        return PropertyOutcome(True, "no valid example could be generated", None, count[0], skipped=True)
    except Exception as error:  # the check body turns connector crashes into PropertyFailure: this is ours
        raise PropertyGenerationError(
            f"could not generate examples ({type(error).__name__}: {str(error).splitlines()[0][:160]})",
            hint="check the spec schema this property reads",
        ) from None
    if tapes is not None and key is not None and recorded is not None and len(recorded) == count[0]:
        tapes.store(key, recorded)
    return PropertyOutcome(True, f"held for {count[0]} examples", None, count[0])


def _recording(
    check: Callable[[dict[str, Any]], None], into: list[dict[str, Any]]
) -> Callable[[dict[str, Any]], None]:
    # outside `body`: hypothesis derandomizes from body's source, which must not depend on taping
    def recorded(case: dict[str, Any]) -> None:
        into.append(copy.deepcopy(case))  # before the check can change it
        check(case)

    return recorded


def _holds_on(check: Callable[[dict[str, Any]], None], tape: list[dict[str, Any]]) -> bool:
    """Whether the property holds on every recorded example (any exception: it does not)."""
    for case in tape:
        try:
            check(case)
        except Exception:
            return False
    return True


def _leaves(group: BaseExceptionGroup[Any]) -> list[BaseException]:
    out: list[BaseException] = []
    for error in group.exceptions:
        out.extend(_leaves(error) if isinstance(error, BaseExceptionGroup) else [error])
    return out


def _describe(error: BaseException) -> str:
    if isinstance(error, PropertyFailure):
        return str(error)
    return f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"


# ------------------------------------------------------------------ shared helpers


@dataclass
class PropertyContext:
    """What the properties need about one connector."""

    connector: ConnectorV2
    base_url: str
    auth: Any
    default_currency: Currency
    sample_chain: Callable[[Flow], tuple[str, dict[str, Any]]]  # transaction id and metadata for a flow
    spec: Spec | None = None
    metadata: Mapping[str, str] | None = None
    # the provider's currency rules from its facts file: the expected values of every money property
    # (never the connector's own table, which would agree with its own wrong rows)
    oracle: CurrencyTable | None = None

    @property
    def table(self) -> CurrencyTable:
        return self.oracle if self.oracle is not None else CurrencyTable()

    def router_data(self, flow: Flow, **kw: Any) -> Any:
        transaction_id, chain_metadata = self.sample_chain(flow)
        spec = self.connector.flows.get(flow)
        token = None
        if spec is not None and spec.needs_access_token:
            token = AccessTokenResponseData(access_token=Secret("property_access_token"), expires_in=3600)
        options: dict[str, Any] = {
            "auth": self.auth,
            "amount": MinorUnit(1000),
            "currency": self.default_currency,
            "reference": "property_reference",
            "capture_method": CaptureMethod.MANUAL,
            "connector_transaction_id": transaction_id,
            "connector_refund_id": "refund_property",
            "metadata": dict(self.metadata or {}),
            "connector_metadata": chain_metadata,
            "access_token": token,
        }
        options.update(kw)
        return make_router_data(flow, **options)

    def build(self, router_data: Any) -> HttpRequest:
        try:
            return self.connector.build_request(router_data, self.base_url)
        except ConnectorError:
            raise
        except Exception as exc:
            raise PropertyFailure(crash_from(exc).describe()) from None


def expected_units(amount: MinorUnit, currency: Currency, table: CurrencyTable) -> int | None:
    """The provider-unit integer for an amount, computed independently of the converters."""
    rule = table.rule(currency)
    exponent = table.provider_exponent(currency)
    with localcontext() as ctx:
        ctx.prec = 60
        major = Decimal(amount.value).scaleb(-currency.exponent)
        units = major.scaleb(exponent)
        if units != units.to_integral_value():
            return None
    value = int(units)
    if rule.multiple_of and value % rule.multiple_of:
        return None
    if rule.minimum is not None and value < rule.minimum:
        return None
    if rule.maximum is not None and value > rule.maximum:
        return None
    return value


def read_wire_amount(value: Any, kind: str, exponent: int, where: str) -> int:
    """The provider-unit integer a wire value means under the declared converter kind."""
    if kind == "MinorUnit":
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and value.isdigit())
        ):
            raise PropertyFailure(f"{where}: {value!r} is not an integer in minor units")
        return int(value)
    if kind == "StringMinorUnit":
        if not isinstance(value, str) or not value.isdigit():
            raise PropertyFailure(f"{where}: {value!r} is not a string of minor-unit digits")
        return int(value)
    if not isinstance(value, str) or not MAJOR.match(value):
        raise PropertyFailure(f"{where}: {value!r} is not a decimal string in major units")
    fraction = value.partition(".")[2]
    if len(fraction) != exponent:
        raise PropertyFailure(f"{where}: {value!r} should carry exactly {exponent} decimals")
    return int(Decimal(value).scaleb(exponent))


def find_floats(tree: Any, path: str = "") -> list[str]:
    if isinstance(tree, Mapping):
        return [p for k, v in tree.items() for p in find_floats(v, f"{path}.{k}" if path else str(k))]
    if isinstance(tree, list):
        return [p for i, v in enumerate(tree) for p in find_floats(v, f"{path}.{i}" if path else str(i))]
    return [path or "<body>"] if isinstance(tree, float | Decimal) else []


def wire_tree(request: HttpRequest) -> Any:
    if request.body is None:
        return None
    return encoding.decode_body(request.body.content_type.value, request.wire_body() or b"")


def flow_amount_kwargs(flow: Flow, amount: MinorUnit) -> dict[str, Any]:
    """Router-data options that put `amount` in the flow's money field, within its limit."""
    return {"amount": amount, "payment_amount": amount}


# ------------------------------------------------------------------ the properties


def money_property(ctx: PropertyContext, spec: FlowSpec) -> Callable[[dict[str, Any]], None]:
    converter = ctx.connector.amount_converter

    def check(case: dict[str, Any]) -> None:
        amount, currency = case["amount"], case["currency"]
        expected = expected_units(amount, currency, ctx.table)
        router_data = ctx.router_data(spec.flow, currency=currency, **flow_amount_kwargs(spec.flow, amount))
        try:
            request = ctx.build(router_data)
        except ConnectorError as error:
            # a scaffolded flow (NotImplementedFlowError) is no refusal of the amount
            refused = isinstance(error, InvalidDataError | NotSupportedError)
            if expected is None and refused and not isinstance(error, NotImplementedFlowError):
                return
            raise PropertyFailure(f"refused a representable amount ({error.kind}: {error.message})") from None
        if expected is None:
            raise PropertyFailure(
                f"{amount.value} {currency.value} minor units cannot be sent exactly, yet a request was "
                "built (a silent rounding)"
            )
        tree = wire_tree(request)
        if request.body is not None and request.body.content_type is ContentType.JSON:
            floats = find_floats(tree)
            if floats:
                raise PropertyFailure(f"a JSON number with a fraction (a float) at {', '.join(floats)}")
        exponent = ctx.table.provider_exponent(currency)
        for field in spec.amount_fields:
            value = encoding.get_path(tree, field)
            if value is encoding.MISSING:
                raise PropertyFailure(f"declared amount field {field} is not in the request body")
            units = read_wire_amount(value, converter.kind, exponent, field)
            if units != expected:
                raise PropertyFailure(
                    f"{field} carries {units} in the provider's unit; {amount.value} {currency.value} minor "
                    f"units must be {expected} (provider exponent {exponent}, ISO {currency.exponent})"
                )
        if spec.currency_field:
            value = encoding.get_path(tree, spec.currency_field)
            if not isinstance(value, str) or value.upper() != currency.value:
                raise PropertyFailure(f"{spec.currency_field} is {value!r}, not {currency.value}")

    return check


def money_cases(ctx: PropertyContext) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"currency": currencies(ctx.table), "amount": minor_amounts()})


def representable_cases(ctx: PropertyContext) -> st.SearchStrategy[dict[str, Any]]:
    """Amounts in the default currency that every provider rule accepts."""
    return st.fixed_dictionaries(
        {"amount": st.integers(min_value=1, max_value=99_999).map(lambda n: MinorUnit(n * 1000))}
    ).filter(lambda case: expected_units(case["amount"], ctx.default_currency, ctx.table) is not None)


def reference_cases(limit: int | None) -> st.SearchStrategy[dict[str, Any]]:
    """References up to the flow's documented length and beyond it."""
    return st.fixed_dictionaries({"reference": references_around(limit)})


def reference_property(ctx: PropertyContext, spec: FlowSpec) -> Callable[[dict[str, Any]], None]:
    limit = spec.reference_max_length

    def check(case: dict[str, Any]) -> None:
        reference = case["reference"]
        router_data = ctx.router_data(spec.flow, reference=reference, refund_id=reference)
        if limit is not None and len(reference) > limit:
            try:
                ctx.build(router_data)
            except ConnectorError as error:
                if is_plain_invalid_data(error):
                    return
                raise PropertyFailure(
                    f"a {len(reference)}-character reference (limit {limit}) was refused with {error.kind} "
                    "instead of invalid_data"
                ) from None
            raise PropertyFailure(
                f"a {len(reference)}-character reference above the documented {limit} was not refused: "
                "it must be a typed error, never truncated"
            )
        request = ctx.build(router_data)
        value = encoding.get_path(wire_tree(request), spec.reference_field or "")
        if value != reference:
            shown = "nothing" if value is encoding.MISSING else repr(value)
            raise PropertyFailure(
                f"{spec.reference_field} carries {shown}, not the router data's {reference!r}"
            )

    return check


def bounds_property(ctx: PropertyContext, spec: FlowSpec) -> Callable[[dict[str, Any]], None]:
    limit_name = "authorized" if spec.flow is Flow.CAPTURE else "captured"

    def check(case: dict[str, Any]) -> None:
        limit, excess = case["amount"], case["excess"]
        above = limit + excess
        router_data = ctx.router_data(spec.flow, amount=above, payment_amount=limit)
        try:
            ctx.build(router_data)
        except ConnectorError as error:
            if is_plain_invalid_data(error):
                return
            raise PropertyFailure(
                f"refused with {error.kind} instead of invalid_data: {error.message}"
            ) from None
        raise PropertyFailure(
            f"built a {spec.flow.value} request for {above.value} above the {limit_name} {limit.value}"
        )

    return check


def bounds_cases(ctx: PropertyContext) -> st.SearchStrategy[dict[str, Any]]:
    return representable_cases(ctx).flatmap(
        lambda case: st.fixed_dictionaries(
            {
                "amount": st.just(case["amount"]),
                "excess": st.integers(1, 100).map(lambda n: MinorUnit(n * 1000)),
            }
        )
    )


def handle(ctx: PropertyContext, flow: Flow, router_data: Any, response: HttpResponse) -> Any:
    """The connector's handling of a response; a crash becomes a property failure."""
    try:
        result = ctx.connector.handle_response(router_data, response)
        check_integrity(router_data, result, connector=ctx.connector.id)
        return result
    except ConnectorError:
        raise
    except Exception as exc:
        raise PropertyFailure(crash_from(exc).describe()) from None


def response_cases(
    spec: Spec, operation_pointer: str, status: str, content_type: str
) -> st.SearchStrategy[Any]:
    node = spec.document
    for token in operation_pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    response = spec.resolve(node["responses"][status])
    schema = inline_refs(response["content"][content_type]["schema"], spec.resolve)
    return st.fixed_dictionaries(
        {"status": st.just(int(status) if status.isdigit() else 200), "body": json_values(schema)}
    )


def generated_response_property(ctx: PropertyContext, flow: Flow) -> Callable[[dict[str, Any]], None]:
    def check(case: dict[str, Any]) -> None:
        router_data = ctx.router_data(flow, with_expected_amount=False)
        body = dumps_exact(case["body"]).encode()
        response = HttpResponse(case["status"], body, {"Content-Type": "application/json"})
        try:
            result = handle(ctx, flow, router_data, response)
        except NotImplementedFlowError as error:  # a scaffolded flow: not an answer to any response
            raise PropertyFailure(f"{error.kind}: {error}") from None
        except ConnectorError:
            return
        if case["status"] >= 400 and not isinstance(result, ErrorResponse):
            raise PropertyFailure(f"an HTTP {case['status']} response did not become an ErrorResponse")

    return check


def unknown_status_property(
    ctx: PropertyContext, spec: FlowSpec, base: tuple[int, Any]
) -> Callable[[dict[str, Any]], None]:
    status_code, base_body = base
    base_text = dumps_exact(base_body)  # once: every example starts from a fresh copy of it

    def check(case: dict[str, Any]) -> None:
        body = json.loads(base_text, parse_float=Decimal)
        raw = case["status"]
        if not encoding.set_path(body, spec.status_field or "", raw):
            raise PropertyFailure(
                f"declared status field {spec.status_field} is not in the recorded response"
            )
        router_data = ctx.router_data(spec.flow, with_expected_amount=False)
        response = HttpResponse(status_code, dumps_exact(body).encode(), {"Content-Type": "application/json"})
        try:
            result = handle(ctx, spec.flow, router_data, response)
        except ConnectorError:
            return
        if isinstance(result, PaymentsResponseData):
            if result.status is not AttemptStatus.PENDING:
                raise PropertyFailure(
                    f"unknown provider status {raw!r} became {result.status.value}, not Pending"
                )
            if result.raw_status != raw:
                raise PropertyFailure(
                    f"unknown provider status {raw!r} was not kept (raw_status={result.raw_status!r})"
                )
        elif isinstance(result, RefundsResponseData):
            if result.refund_status is not RefundStatus.PENDING:
                raise PropertyFailure(
                    f"unknown provider status {raw!r} became {result.refund_status.value}, not Pending"
                )
            if result.raw_status != raw:
                raise PropertyFailure(
                    f"unknown provider status {raw!r} was not kept (raw_status={result.raw_status!r})"
                )
        elif isinstance(result, ErrorResponse):
            status = result.attempt_status or result.refund_status
            if status is not None and status.is_terminal:
                raise PropertyFailure(f"unknown provider status {raw!r} became the terminal {status.value}")

    return check


def status_cases() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"status": unknown_statuses()})


def request_contract_property(ctx: PropertyContext, flow: Flow) -> Callable[[dict[str, Any]], None]:
    assert ctx.spec is not None
    spec = ctx.spec
    flow_spec = ctx.connector.flows.get(flow)
    limit = flow_spec.reference_max_length if flow_spec is not None else None

    def check(case: dict[str, Any]) -> None:
        # Any valid reference will do here; over-long ones are the reference property's business.
        reference = case["reference"] if limit is None else case["reference"][:limit]
        router_data = ctx.router_data(
            flow,
            amount=case["amount"],
            payment_amount=case["amount"],
            reference=reference,
            refund_id=reference,
        )
        request = ctx.build(router_data)
        violations = spec.validate_request(request)
        if violations:
            raise PropertyFailure("; ".join(str(v) for v in violations[:3]))

    return check


def contract_cases(ctx: PropertyContext) -> st.SearchStrategy[dict[str, Any]]:
    cases: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {
            "amount": st.integers(min_value=1, max_value=99_999).map(lambda n: MinorUnit(n * 1000)),
            "reference": reference_ids(),
        }
    )
    return cases.filter(
        lambda case: expected_units(case["amount"], ctx.default_currency, ctx.table) is not None
    )
