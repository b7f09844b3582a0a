"""The scenario catalog: owned by the harness, shared by every connector.

A scenario is a chain of steps; a step names its flow, where its amount comes from (the
authorization, half of it, a third, one more than was captured) and what it must end in.
Steps take ids and amounts from the steps before them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from harness.domain.currency import Currency
from harness.domain.flows import Flow
from harness.domain.status import AttemptStatus, CaptureMethod, RefundStatus


class AmountFrom(StrEnum):
    SCENARIO = "scenario"  # the scenario's amount (from certification.toml)
    FULL = "full"  # all of what the previous money step authorized or captured
    HALF = "half"
    THIRD = "third"
    ABOVE = "above"  # one minor unit more than was captured: must be refused


class Target(StrEnum):
    PAYMENT = "payment"  # the payment the chain created
    UNKNOWN = "unknown"  # an id the provider never issued (from certification.toml)


@dataclass(frozen=True)
class Expect:
    """What a step must end in. `statuses` lists the acceptable ones (any of them)."""

    statuses: frozenset[str] = frozenset()
    error: bool = False  # an ErrorResponse or a typed ConnectorError is required
    ids: bool = True  # a connector transaction (or refund) id must be present
    token: bool = False  # an access token must be issued

    def describe(self) -> str:
        if self.token:
            return "an access token with an expiry"
        if self.error:
            return "an error (ErrorResponse with a code, or a typed ConnectorError)"
        wanted = " or ".join(sorted(self.statuses))
        return f"status {wanted}" + (" with an id" if self.ids else "")


def statuses(*values: AttemptStatus | RefundStatus) -> frozenset[str]:
    return frozenset(v.value for v in values)


@dataclass(frozen=True)
class Step:
    name: str
    flow: Flow
    expect: Expect
    capture_method: CaptureMethod = CaptureMethod.AUTOMATIC
    card: str = "success"  # the test-data card profile (certification.toml [cards.<profile>])
    amount: AmountFrom = AmountFrom.SCENARIO
    target: Target = Target.PAYMENT


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    steps: tuple[Step, ...]
    negative: bool = False  # a must-fail case
    tags: tuple[str, ...] = field(default_factory=tuple)
    # a scenario about one currency sends it with this amount (ISO 4217 minor units), not the
    # certification.toml defaults
    currency: Currency | None = None
    amount: int | None = None

    @property
    def flows(self) -> frozenset[Flow]:
        return frozenset(step.flow for step in self.steps)

    @property
    def main_flow(self) -> Flow:
        """The flow the scenario is about (its last step), for the report's matrix."""
        return self.steps[-1].flow


AUTHORIZED = Expect(statuses(AttemptStatus.AUTHORIZED))
CHARGED = Expect(statuses(AttemptStatus.CHARGED, AttemptStatus.CAPTURE_INITIATED))
CAPTURED = Expect(statuses(AttemptStatus.CHARGED, AttemptStatus.CAPTURE_INITIATED, AttemptStatus.PENDING))
PARTIALLY_CAPTURED = Expect(
    statuses(
        AttemptStatus.CHARGED,
        AttemptStatus.PARTIAL_CHARGED,
        AttemptStatus.CAPTURE_INITIATED,
        AttemptStatus.PENDING,
    )
)
VOIDED = Expect(statuses(AttemptStatus.VOIDED, AttemptStatus.VOID_INITIATED, AttemptStatus.PENDING))
REFUNDED = Expect(statuses(RefundStatus.SUCCESS, RefundStatus.PENDING))
FAILS = Expect(error=True, ids=False)

AUTH_MANUAL = Step("authorize", Flow.AUTHORIZE, AUTHORIZED, capture_method=CaptureMethod.MANUAL)
AUTH_AUTO = Step("authorize", Flow.AUTHORIZE, CHARGED, capture_method=CaptureMethod.AUTOMATIC)


def _decline(profile: str, title: str) -> Scenario:
    return Scenario(
        profile,
        title,
        (Step("authorize", Flow.AUTHORIZE, FAILS, card=profile),),
        negative=True,
        tags=("decline",),
    )


_BASE_CATALOG: tuple[Scenario, ...] = (
    Scenario("authorize_manual_capture", "Authorize with manual capture", (AUTH_MANUAL,)),
    Scenario("authorize_auto_capture", "Authorize with automatic capture", (AUTH_AUTO,)),
    Scenario(
        "capture_full",
        "Capture the full authorized amount",
        (AUTH_MANUAL, Step("capture", Flow.CAPTURE, CAPTURED, amount=AmountFrom.FULL)),
    ),
    Scenario(
        "capture_partial",
        "Capture half of the authorized amount",
        (AUTH_MANUAL, Step("capture", Flow.CAPTURE, PARTIALLY_CAPTURED, amount=AmountFrom.HALF)),
    ),
    Scenario(
        "psync_authorized",
        "Sync an authorized payment",
        (AUTH_MANUAL, Step("psync", Flow.PSYNC, AUTHORIZED, capture_method=CaptureMethod.MANUAL)),
    ),
    Scenario(
        "psync_charged",
        "Sync a captured payment",
        (AUTH_AUTO, Step("psync", Flow.PSYNC, Expect(statuses(AttemptStatus.CHARGED)))),
    ),
    Scenario("void_authorized", "Void an authorized payment", (AUTH_MANUAL, Step("void", Flow.VOID, VOIDED))),
    Scenario(
        "refund_full",
        "Refund the whole captured amount",
        (AUTH_AUTO, Step("refund", Flow.REFUND, REFUNDED, amount=AmountFrom.FULL)),
    ),
    Scenario(
        "refund_partial",
        "Refund half of the captured amount",
        (AUTH_AUTO, Step("refund", Flow.REFUND, REFUNDED, amount=AmountFrom.HALF)),
    ),
    Scenario(
        "refund_multiple_partial",
        "Two partial refunds of a third each",
        (
            AUTH_AUTO,
            Step("refund_1", Flow.REFUND, REFUNDED, amount=AmountFrom.THIRD),
            Step("refund_2", Flow.REFUND, REFUNDED, amount=AmountFrom.THIRD),
        ),
    ),
    Scenario(
        "rsync",
        "Sync a refund",
        (
            AUTH_AUTO,
            Step("refund", Flow.REFUND, REFUNDED, amount=AmountFrom.FULL),
            Step("rsync", Flow.RSYNC, REFUNDED),
        ),
    ),
    Scenario(
        "access_token",
        "Obtain an access token",
        (Step("token", Flow.CREATE_ACCESS_TOKEN, Expect(ids=False, token=True)),),
    ),
    _decline("decline_incorrect_cvc", "Decline: incorrect CVC"),
    _decline("decline_invalid_exp_month", "Decline: invalid expiry month"),
    _decline("decline_expired_card", "Decline: expired card"),
    _decline("decline_insufficient_funds", "Decline: insufficient funds"),
    _decline("decline_generic", "Decline: generic"),
    Scenario(
        "fail_void_after_capture",
        "Must fail: void a captured payment",
        (AUTH_AUTO, Step("void", Flow.VOID, FAILS)),
        negative=True,
    ),
    Scenario(
        "fail_capture_unknown_payment",
        "Must fail: capture a payment the provider never issued",
        (Step("capture", Flow.CAPTURE, FAILS, target=Target.UNKNOWN),),
        negative=True,
    ),
    Scenario(
        "fail_refund_above_captured",
        "Must fail: refund more than was captured",
        (AUTH_AUTO, Step("refund", Flow.REFUND, FAILS, amount=AmountFrom.ABOVE)),
        negative=True,
    ),
)

# ---------------------------------------------- pending, acknowledged, flag-only declines, currencies
# Outcomes that are not final when answered (a pending capture or refund, an authorization held or
# waiting for the shopper, an acknowledged modification), declines told by a flag only, and
# currencies whose minor unit is not two digits (ISO 4217) or that a provider treats specially.
# A Pending-class expectation never accepts a final status: a bug that reads "pending" as done fails.

CAPTURE_PENDING = Expect(statuses(AttemptStatus.PENDING, AttemptStatus.CAPTURE_INITIATED))
VOID_PENDING = Expect(statuses(AttemptStatus.PENDING, AttemptStatus.VOID_INITIATED))
REFUND_PENDING = Expect(statuses(RefundStatus.PENDING))
AUTHORIZATION_PENDING = Expect(
    statuses(AttemptStatus.PENDING, AttemptStatus.AUTHORIZING, AttemptStatus.AUTHENTICATION_PENDING)
)
REFUND_SUCCEEDED = Expect(statuses(RefundStatus.SUCCESS))
PAYMENT_CHARGED = Expect(statuses(AttemptStatus.CHARGED))


def _currency_case(scenario_id: str, title: str, currency: Currency, amount: int) -> Scenario:
    """Authorize, capture all and refund half in one currency: three wire amounts in its minor unit."""
    return Scenario(
        scenario_id,
        title,
        (
            AUTH_MANUAL,
            Step("capture", Flow.CAPTURE, CAPTURED, amount=AmountFrom.FULL),
            Step("refund", Flow.REFUND, REFUNDED, amount=AmountFrom.HALF),
        ),
        tags=("currency",),
        currency=currency,
        amount=amount,
    )


# Currencies some provider's facts file treats unlike ISO 4217 (exponent or required multiple);
# amounts are whole units whose half is whole too, so every provider exponent can carry them.
SPECIAL_CASE_CURRENCIES: tuple[tuple[Currency, int], ...] = (
    (Currency.ISK, 1000),  # ISO 0; Stripe 2 with whole kronur, Adyen 2
    (Currency.UGX, 10000),  # ISO 0; Stripe 2 with whole shillings
    (Currency.MGA, 100000),  # ISO 2; Stripe 0
    (Currency.CLP, 1000),  # ISO 0; Adyen and Checkout.com 2
    (Currency.CVE, 100000),  # ISO 2; Adyen 0
    (Currency.IDR, 1000000),  # ISO 2; Adyen 0
    (Currency.HUF, 100000),  # ISO 2; PayPal 0
    (Currency.TWD, 100000),  # ISO 2; PayPal 0
)

ASYNC_CATALOG: tuple[Scenario, ...] = (
    Scenario(
        "capture_pending_then_psync",
        "Capture answered pending, then PSync finds it charged",
        (
            Step(
                "authorize",
                Flow.AUTHORIZE,
                AUTHORIZED,
                capture_method=CaptureMethod.MANUAL,
                card="capture_pending",
            ),
            Step("capture", Flow.CAPTURE, CAPTURE_PENDING, amount=AmountFrom.FULL),
            Step("psync", Flow.PSYNC, PAYMENT_CHARGED, capture_method=CaptureMethod.MANUAL),
        ),
        tags=("async",),
    ),
    Scenario(
        "refund_pending_then_rsync",
        "Refund answered pending, then RSync finds it succeeded",
        (
            Step("authorize", Flow.AUTHORIZE, CHARGED, card="refund_pending"),
            Step("refund", Flow.REFUND, REFUND_PENDING, amount=AmountFrom.FULL),
            Step("rsync", Flow.RSYNC, REFUND_SUCCEEDED),
        ),
        tags=("async",),
    ),
    Scenario(
        "authorize_pending",
        "Authorization answered pending (held for review, processing or waiting for authentication)",
        (
            Step(
                "authorize",
                Flow.AUTHORIZE,
                AUTHORIZATION_PENDING,
                capture_method=CaptureMethod.MANUAL,
                card="authorize_pending",
            ),
        ),
        tags=("async",),
    ),
    Scenario(
        "capture_acknowledged",
        "A capture the provider only acknowledges is not final",
        (AUTH_MANUAL, Step("capture", Flow.CAPTURE, CAPTURE_PENDING, amount=AmountFrom.FULL)),
        tags=("async",),
    ),
    Scenario(
        "void_acknowledged",
        "A cancel the provider only acknowledges is not final",
        (AUTH_MANUAL, Step("void", Flow.VOID, VOID_PENDING)),
        tags=("async",),
    ),
    Scenario(
        "refund_acknowledged",
        "A refund the provider only acknowledges is not final",
        (
            Step("authorize", Flow.AUTHORIZE, CHARGED, card="refund_pending"),
            Step("refund", Flow.REFUND, REFUND_PENDING, amount=AmountFrom.FULL),
        ),
        tags=("async",),
    ),
    Scenario(
        "decline_flag_only",
        "Decline told only by a flag while the status field says otherwise",
        (Step("authorize", Flow.AUTHORIZE, FAILS, card="decline_flag_only"),),
        negative=True,
    ),
    _currency_case("currency_zero_decimal", "Zero-decimal currency (JPY 1000)", Currency.JPY, 1000),
    _currency_case("currency_three_decimal", "Three-decimal currency (KWD 10.000)", Currency.KWD, 10000),
    *(
        _currency_case(f"currency_{code.value.lower()}", f"Special-case currency {code.value}", code, amount)
        for code, amount in SPECIAL_CASE_CURRENCIES
    ),
)

CATALOG: tuple[Scenario, ...] = (*_BASE_CATALOG, *ASYNC_CATALOG)
SCENARIOS: dict[str, Scenario] = {scenario.id: scenario for scenario in CATALOG}
CARD_PROFILES: tuple[str, ...] = ("success", *(s.id for s in CATALOG if "decline" in s.tags))
