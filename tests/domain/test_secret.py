import copy
import io
import json
import logging
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from harness.domain import Card, HeaderKey, Maskable, Secret
from harness.domain.secret import MASK

canaries = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=12, max_size=40).map(
    lambda s: f"CANARY{s}"
)


@given(canaries)
def test_a_secret_never_shows_itself(value):
    secret = Secret(value)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret}", "%s" % (secret,)]  # noqa: UP031  # the old operator too
    assert all(value not in text for text in shown)
    assert secret.expose() == value
    with pytest.raises(TypeError):
        json.dumps({"key": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert copy.deepcopy(secret).expose() == value


@given(canaries)
def test_a_secret_never_reaches_a_log_line(value):
    stream = io.StringIO()
    logger = logging.getLogger(f"secret-test-{id(stream)}")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.info("key %s / %r", Secret(value), HeaderKey(api_key=Secret(value)))
        logger.info("header %s", Maskable.masked(value))
    finally:
        logger.removeHandler(handler)
    assert value not in stream.getvalue()
    assert MASK in stream.getvalue()


@given(canaries)
def test_pydantic_dumps_are_masked(value):
    class Holder(BaseModel):
        key: Secret[str]

    holder = Holder(key=value)
    assert value not in holder.model_dump_json()
    assert value not in str(holder.model_dump())
    assert value not in repr(holder)
    assert holder.key.expose() == value
    kept = holder.model_dump(context={"keep_secrets": True})["key"]
    assert isinstance(kept, Secret)


def test_a_refused_card_number_is_not_in_the_validation_error():
    canary = "4000CANARY00000"
    with pytest.raises(ValidationError) as caught:
        Card(card_number=canary, card_exp_month="12", card_exp_year="2030", card_cvc="123")  # type: ignore[arg-type]  # raw strings are wrapped by the validator
    assert canary not in str(caught.value)
    assert "card_number" in str(caught.value)


def test_maskable_shows_normal_values_and_hides_masked_ones():
    assert Maskable.normal("2024-06-20").shown() == "2024-06-20"
    assert Maskable.masked("Bearer CANARY123456").shown() == MASK
    assert "CANARY" not in repr(Maskable.masked("Bearer CANARY123456"))
    with pytest.raises(TypeError):
        pickle.dumps(Maskable.masked("x"))
    assert pickle.loads(pickle.dumps(Maskable.normal("v"))) == Maskable.normal("v")


def test_secrets_compare_by_value():
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    with pytest.raises(AttributeError):
        Secret("a")._secret_value = "b"  # type: ignore[misc]  # immutability is the point
