"""facts:outcome compares every field the facts read from a recorded answer: the payment id of a
declined payment, the status of the PaymentIntent a decline embeds, the HTTP status of an error, the
raw status of a success, the reason of a refusal inside a 2xx and every one of a list of error
codes. Each broken connector of tests/certify/broken_outcomes.py fails it, naming the field and the
recorded value; the shipped connectors pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.adyen.connector import Adyen
from connectors.checkout.connector import Checkout
from connectors.paypal.connector import Paypal
from connectors.stripe.connector import Stripe
from harness.certify.checks.facts import outcome_check
from harness.certify.checks.session import ConnectorSession, SuiteOptions
from harness.certify.workspace import Workspace
from tests.certify import broken_outcomes as broken

ROOT = Path(__file__).resolve().parents[2]


def outcome(cls: type, data_name: str, scenario: str):
    workspace = Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name=data_name)
    [result] = outcome_check(scenario)(ConnectorSession(workspace, SuiteOptions()))
    return result


@pytest.mark.parametrize(
    ("cls", "data_name", "scenario"),
    [
        (Stripe, "stripe", "decline_incorrect_cvc"),
        (Stripe, "stripe", "authorize_auto_capture"),
        (Stripe, "stripe", "fail_void_after_capture"),
        (Adyen, "adyen", "decline_generic"),
        (Adyen, "adyen", "authorize_manual_capture"),
        (Checkout, "checkout", "decline_invalid_exp_month"),
        (Paypal, "paypal", "decline_expired_card"),
        (Paypal, "paypal", "decline_incorrect_cvc"),
    ],
)
def test_the_shipped_connectors_read_every_recorded_field_as_the_facts_do(cls, data_name, scenario):
    result = outcome(cls, data_name, scenario)
    assert result.status == "passed", result.message


@pytest.mark.parametrize(
    ("cls", "data_name", "scenario", "says"),
    [
        (
            broken.DeclineWithoutPaymentId,
            "stripe",
            "decline_incorrect_cvc",
            "the error names payment None, the recorded answer 'pi_3YQgoR0IfApWHwXJWtCWp2IP9'",
        ),
        (
            broken.DeclineAsGenericFailure,
            "stripe",
            "decline_incorrect_cvc",
            "read as Failure; the facts make the error.payment_intent of the recorded error "
            "AuthorizationFailed",
        ),
        (
            broken.ErrorHttpStatusLost,
            "stripe",
            "decline_incorrect_cvc",
            "error HTTP status 400, the recorded answer's is 402",
        ),
        (
            broken.RawStatusRewritten,
            "stripe",
            "authorize_auto_capture",
            "raw status 'SUCCEEDED', the recorded answer's status is 'succeeded'",
        ),
        (
            broken.RefusalWithoutPspReference,
            "adyen",
            "decline_generic",
            "the error names payment None, the recorded answer '",
        ),
        (
            broken.RefusalWithoutReason,
            "adyen",
            "decline_generic",
            "the error reason 'Refused' of the recorded answer was dropped",
        ),
        (
            broken.ErrorCodesDropped,
            "checkout",
            "decline_invalid_exp_month",
            "the error reason 'card_expiry_month_invalid' of the recorded answer was dropped",
        ),
        (
            broken.DeclineMeaningDroppedFromReason,
            "paypal",
            "decline_expired_card",
            "the error reason None does not carry the documented meaning 'EXPIRED_CARD' of code '5400' "
            "(facts [[errors.meanings]], https://developer.paypal.com/tools/sandbox/card-testing/)",
        ),
        (
            broken.DeclineMessageWithoutMeaning,
            "paypal",
            "decline_insufficient_funds",
            "the error message 'capture DECLINED' does not carry the documented meaning 'INSUFFICIENT_FUNDS' "
            "of code '5120'",
        ),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_a_dropped_or_changed_field_fails_naming_it_and_the_recorded_value(cls, data_name, scenario, says):
    result = outcome(cls, data_name, scenario)
    assert result.status == "failed", result.message
    assert says in result.message, result.message
    assert result.id == f"facts:outcome:{scenario}" and f"{scenario} step 1 (Authorize)" in result.message
