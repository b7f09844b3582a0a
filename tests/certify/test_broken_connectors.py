"""Every check of the suite fails on a connector that breaks its rule, and names that check."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from harness.certify.checks.plan import certify_workspace
from harness.certify.workspace import Workspace
from tests.certify import broken

ROOT = Path(__file__).resolve().parents[2]


@functools.cache  # a certification takes seconds; the tests only read its result
def certify(cls, config_dir: Path | None = None):
    return certify_workspace(
        cls.id,
        lambda: Workspace(
            name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe", config_dir=config_dir
        ),
    )


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (broken.FloatAmount, {"property:money:Authorize", "scenario:authorize_manual_capture"}),
        (broken.WrongJpyExponent, {"property:money:Authorize"}),
        (broken.HardcodedReference, {"property:reference:Authorize", "scenario:authorize_manual_capture"}),
        (broken.UpperCasedReference, {"property:reference:Authorize", "scenario:authorize_manual_capture"}),
        (broken.UnmaskedCardNumber, {"secrets:masked"}),
        (broken.UnknownStatusCharged, {"property:unknown_status:PSync"}),
        (broken.KeyErrorOnMissingField, {"property:responses:PSync"}),
        (broken.UnknownStatusRawDropped, {"property:unknown_status:PSync"}),
        (broken.NoPSyncStatusField, {"property:unknown_status:PSync"}),
        (broken.NoAuthorizeReferenceField, {"property:reference:Authorize"}),
        (broken.CaptureMethodOutsideTheEnum, {"contract:requests:Authorize"}),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_a_broken_connector_is_not_certified_for_its_own_reason(cls, expected):
    result = certify(cls)
    assert result.verdict == "not_certified"
    assert expected <= set(result.failing), result.failing
    assert result.score < 100


@pytest.mark.parametrize(
    ("cls", "check_id", "says"),
    [
        (broken.UnknownStatusRawDropped, "property:unknown_status:PSync", "was not kept (raw_status=None)"),
        (broken.NoPSyncStatusField, "property:unknown_status:PSync", "PSync declares no status_field"),
        (
            broken.NoAuthorizeReferenceField,
            "property:reference:Authorize",
            "Authorize declares no reference_field",
        ),
    ],
    ids=lambda v: v.id if isinstance(v, type) else None,
)
def test_a_property_with_nothing_to_check_or_a_dropped_raw_status_fails_naming_why(cls, check_id, says):
    check = next(c for c in certify(cls).checks if c.id == check_id)
    assert check.status == "failed" and says in check.message, check.message


def test_the_failing_property_shows_its_minimized_example():
    result = certify(broken.WrongJpyExponent)
    check = next(c for c in result.checks if c.id == "property:money:Authorize")
    assert "must be" in check.message
    example = check.details["minimized_example"]
    assert "currency=" in example and "amount=" in example


def test_a_key_error_is_reported_with_its_location():
    result = certify(broken.KeyErrorOnMissingField)
    check = next(c for c in result.checks if c.id == "property:responses:PSync")
    assert "KeyError" in check.message and "broken.py" in check.message


def test_a_production_url_equal_to_the_sandbox_url_is_a_critical_lint_finding(tmp_path):
    for env in ("development", "sandbox", "production"):
        (tmp_path / f"{env}.toml").write_text('[connectors]\nstripe.base_url = "https://api.stripe.com/"\n')
    result = certify(broken.SameProductionUrl, config_dir=tmp_path)
    assert result.verdict == "not_certified"
    # the config finding alone: broken.py's own source findings (its siblings' broken rules) aside
    assert [c for c in result.failing if c.startswith("lint:CFG")] == [
        f"lint:CFG003:{tmp_path}/production.toml:2"
    ]


def test_the_unmasked_card_never_reaches_the_results():
    result = certify(broken.UnmaskedCardNumber)
    text = result.model_dump_json()
    assert "4242424242424242" not in text
    assert "4000000000009995" not in text


def test_the_status_and_request_properties_run_the_profiles_counts_and_still_catch_the_bug():
    from harness.certify.properties import profile_named
    from harness.defaults import PROFILES

    profile = profile_named("ci")
    assert profile.status_examples == PROFILES["ci"].status_examples < PROFILES["ci"].max_examples
    assert profile.request_examples == PROFILES["ci"].request_examples < PROFILES["ci"].max_examples
    checks = {c.id: c for c in certify(broken.UnknownStatusCharged).checks}
    charged = checks["property:unknown_status:PSync"]
    assert charged.status == "failed" and "not Pending" in charged.message, charged.message
    held = checks["property:unknown_status:Capture"]
    assert held.status == "passed" and held.message == f"held for {profile.status_examples} examples"
    requests = checks["contract:requests:Authorize"]
    assert requests.status == "passed" and requests.message == f"held for {profile.request_examples} examples"
