"""Replay compares request headers, and the idempotency facts are checked on what is sent: each
broken connector of tests/certify/broken_headers.py fails, naming the header or the fact."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.certify.cassettes.matching import header_differences
from harness.certify.cassettes.scrubbing import scrub_headers
from harness.certify.checks.plan import certify_workspace
from harness.certify.workspace import Workspace
from harness.domain.secret import Maskable
from tests.certify import broken_headers as broken

ROOT = Path(__file__).resolve().parents[2]
FACTS = "specs/stripe.facts.toml [idempotency] header Idempotency-Key (https://docs.stripe.com/api/idempotent_requests)"


def certify(cls):
    return certify_workspace(
        cls.id, lambda: Workspace(name=cls.id, connector_cls=cls, root=ROOT, data_name="stripe")
    )


def failing(result, check_id):
    check = next(c for c in result.checks if c.id == check_id)
    assert check.status == "failed", (check.id, check.status, check.message)
    return check.message


@pytest.fixture(scope="module")
def stripe():
    from connectors.stripe.connector import Stripe

    return certify(Stripe)


def test_stripe_sends_its_idempotency_key_as_the_facts_say(stripe):
    check = next(c for c in stripe.checks if c.id == "facts:idempotency")
    assert check.status == "passed", check.message
    assert "specs/stripe.facts.toml" in check.message


def test_a_missing_idempotency_key_fails_naming_the_header_and_the_fact():
    result = certify(broken.MissingIdempotencyKey)
    assert result.verdict == "not_certified"
    message = failing(result, "facts:idempotency")
    assert "sends no Idempotency-Key header" in message and FACTS in message
    # replay sees it too: the recorded key is no longer sent
    replay = failing(result, "scenario:capture_full")
    assert "header Idempotency-Key: recorded '" in replay and "sent nothing" in replay
    assert "stripe/capture_full.yaml" in replay


def test_a_key_shared_by_capture_and_refund_fails():
    result = certify(broken.PaymentWideIdempotencyKey)
    message = failing(result, "facts:idempotency")
    assert "is shared by distinct operations" in message and FACTS in message
    assert "refund_multiple_partial/refund_1 (Refund), refund_multiple_partial/refund_2 (Refund)" in (
        "; ".join(next(c for c in result.checks if c.id == "facts:idempotency").details["problems"])
    )


def test_a_random_key_fails_as_a_retry_that_changes_its_key():
    result = certify(broken.RandomIdempotencyKey)
    message = failing(result, "facts:idempotency")
    assert "a retry built from the same router data sends Idempotency-Key" in message


def test_basic_instead_of_bearer_fails_replay_naming_the_header():
    result = certify(broken.BasicInsteadOfBearer)
    assert result.verdict == "not_certified"
    message = failing(result, "scenario:authorize_auto_capture")
    assert "header Authorization: recorded 'Bearer ***', sent 'Basic ***'" in message
    key = Workspace(name="stripe", connector_cls=broken.BasicInsteadOfBearer, root=ROOT).auth.api_key.expose()
    assert key not in str(result.model_dump())


def test_a_dropped_api_version_fails_replay_naming_the_header():
    result = certify(broken.ApiVersionDropped)
    assert result.verdict == "not_certified"
    message = failing(result, "scenario:authorize_auto_capture")
    assert "header Stripe-Version: recorded '2024-06-20', sent nothing" in message


CANARY = "sk_test_CANARYheaderKEY0123456789"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (f"Bearer {CANARY}", "Bearer ***"),
        (f"Basic {CANARY}", "Basic ***"),
        (CANARY, "***"),
        (f"Sk_test {CANARY}", "***"),  # not an auth scheme: nothing of the value is kept
        ("Bearer", "***"),
    ],
)
def test_secret_headers_keep_only_a_well_known_scheme(value, stored):
    assert scrub_headers({"Authorization": value}) == {"Authorization": stored}
    assert Maskable.masked(value).shown_with_scheme() == stored
    assert CANARY not in str(scrub_headers({"X-Api-Key": value}))


def test_idempotency_keys_are_not_secret_headers():
    assert scrub_headers({"Cko-Idempotency-Key": "k-1", "Idempotency-Key": "k-2"}) == {
        "Cko-Idempotency-Key": "k-1",
        "Idempotency-Key": "k-2",
    }


def test_header_differences_compare_exactly_by_scheme_and_both_ways():
    recorded = {"Authorization": "Bearer ***", "Idempotency-Key": "a", "User-Agent": "x/1"}
    assert header_differences(recorded, {"authorization": "Bearer ***", "Idempotency-Key": "a"}) == []
    assert header_differences(recorded, {"Authorization": "Bearer ***", "Idempotency-Key": "b"}) == [
        "header Idempotency-Key: recorded 'a', sent 'b'"
    ]
    assert header_differences(recorded, {"Authorization": "Bearer ***"}) == [
        "header Idempotency-Key: recorded 'a', sent nothing"
    ]
    assert header_differences({}, {"X-Extra": "1"}) == ["header X-Extra: not recorded, sent '1'"]
    # a header random by the connector's design is compared by presence only
    assert (
        header_differences(
            recorded, {"Authorization": "Bearer ***", "Idempotency-Key": "b"}, volatile=["idempotency-key"]
        )
        == []
    )


def test_the_idempotency_check_replays_again_only_the_scenarios_whose_own_run_cannot_serve(monkeypatch):
    """The scenario check's runs serve where they passed in recorded order: no second replay for a
    connector whose scenarios pass, the same requests counted; a key the replay refused (so the
    scenario stopped) is replayed again without the header matcher, every step of it."""
    from connectors.stripe.connector import Stripe
    from harness.certify.cassettes import replay

    again: list[str] = []
    real = replay.load_cassette

    def spy(path, **options):
        if options.get("compare_headers") is False:
            again.append(path.name)
        return real(path, **options)

    monkeypatch.setattr(replay, "load_cassette", spy)
    check = next(c for c in certify(Stripe).checks if c.id == "facts:idempotency")
    assert check.status == "passed" and check.message.startswith("63 request(s) agree"), check.message
    assert again == []
    result = certify(broken.MissingIdempotencyKey)
    assert "capture_full.yaml" in again and "refund_multiple_partial.yaml" in again
    problems = next(c for c in result.checks if c.id == "facts:idempotency").details["problems"]
    assert "refund_multiple_partial/refund_2 (Refund) sends no Idempotency-Key header" in problems


def test_a_replay_knows_whether_each_request_met_the_interaction_recorded_in_its_place(tmp_path):
    from harness.certify.cassettes.replay import ReplayTransport, load_cassette
    from tests.certify.test_cassettes import STRIPE, authorize_request

    in_order = ReplayTransport(load_cassette(STRIPE / "capture_full.yaml"))
    in_order.handle_request(authorize_request())
    assert in_order.in_order
    data = yaml.safe_load((STRIPE / "capture_full.yaml").read_text())
    data["interactions"].reverse()  # the capture first: the authorize now meets interaction #2
    swapped = tmp_path / "capture_full.yaml"
    swapped.write_text(yaml.safe_dump(data))
    out_of_order = ReplayTransport(load_cassette(swapped))
    out_of_order.handle_request(authorize_request())
    assert not out_of_order.in_order
