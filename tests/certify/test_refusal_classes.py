"""Refusals are matched by error class, subclasses included, not by `.kind` strings."""

from __future__ import annotations

from harness.certify.checks.amounts import REFUSALS
from harness.certify.properties import is_plain_invalid_data
from harness.certify.runner import PRE_REQUEST_REFUSALS
from harness.domain.errors import (
    AmountNotRepresentableError,
    IntegrityCheckError,
    InvalidDataError,
    MissingRequiredFieldError,
    NotImplementedFlowError,
    NotSupportedError,
)


class ProviderLimitError(InvalidDataError):
    """A connector's own refinement: still invalid data, whatever its kind says."""

    kind = "provider_limit"


def test_a_reference_or_bound_refusal_is_invalid_data_but_not_an_unrepresentable_amount():
    assert is_plain_invalid_data(InvalidDataError("reference too long"))
    assert is_plain_invalid_data(ProviderLimitError("above the authorization"))
    assert not is_plain_invalid_data(AmountNotRepresentableError("JPY has no minor unit"))
    assert not is_plain_invalid_data(NotSupportedError("no refunds"))


def test_a_must_fail_step_accepts_a_typed_refusal_before_any_request():
    for error in (InvalidDataError("x"), AmountNotRepresentableError("x"), MissingRequiredFieldError("card")):
        assert isinstance(error, PRE_REQUEST_REFUSALS), type(error).__name__
    for error in (NotSupportedError("x"), NotImplementedFlowError("x"), IntegrityCheckError("x")):
        assert not isinstance(error, PRE_REQUEST_REFUSALS), type(error).__name__


def test_an_amount_limit_refusal_is_invalid_data_or_unrepresentable():
    assert isinstance(AmountNotRepresentableError("x"), REFUSALS)
    assert isinstance(ProviderLimitError("x"), REFUSALS)
    assert not isinstance(NotSupportedError("x"), REFUSALS)
