from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.domain import Secret
from harness.integration.encoding import (
    MISSING,
    decode_body,
    decode_form,
    decode_xml,
    encode_form,
    encode_json,
    encode_xml,
    get_path,
    set_path,
)

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
leaves = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
trees = st.recursive(
    leaves,
    lambda children: (
        st.dictionaries(keys, children, min_size=1, max_size=4) | st.lists(children, min_size=1, max_size=3)
    ),
    max_leaves=12,
).filter(lambda t: isinstance(t, dict))


@given(trees)
def test_form_bracket_encoding_round_trips(tree):
    assert decode_form(encode_form(tree, expose_secrets=True)) == tree


def test_form_encoding_uses_stripe_bracket_keys_and_masks_secrets():
    tree = {
        "amount": 1000,
        "confirm": True,
        "card": {"number": Secret("4242424242424242")},
        "types": ["card"],
    }
    assert encode_form(tree, expose_secrets=True) == (
        b"amount=1000&confirm=true&card[number]=4242424242424242&types[0]=card"
    )
    assert b"4242" not in encode_form(tree, expose_secrets=False)
    assert decode_form(b"a[]=x&a[]=y&b[c][0][d]=1") == {"a": ["x", "y"], "b": {"c": [{"d": "1"}]}}


def test_json_encoding_masks_and_refuses_decimals():
    assert encode_json({"k": Secret("s3cr3t!"), "n": None}, expose_secrets=False) == b'{"k":"***"}'
    assert encode_json({"k": Secret("s3cr3t!")}, expose_secrets=True) == b'{"k":"s3cr3t!"}'
    with pytest.raises(TypeError, match="converter"):
        encode_json({"amount": Decimal("10.00")}, expose_secrets=True)


def test_json_decoding_reads_non_integers_as_decimal_and_skips_a_bom():
    assert decode_body("application/json", b'\xef\xbb\xbf{"a": 10.50}') == {"a": Decimal("10.50")}


def test_xml_round_trip_and_safety():
    tree = {"amount": "10.00", "items": {"item": ["a", "b"]}, "key": Secret("k3y!")}
    encoded = encode_xml(tree, root="req", expose_secrets=False)
    assert b"k3y!" not in encoded
    assert decode_xml(encoded) == {"req": {"amount": "10.00", "items": {"item": ["a", "b"]}, "key": "***"}}
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert isinstance(decode_body("application/xml", bomb), str)  # refused, returned as text


def test_paths():
    tree = {"a": {"b": [{"c": 1}]}}
    assert get_path(tree, "a.b.0.c") == 1
    assert get_path(tree, "a.x") is MISSING
    assert set_path(tree, "a.b.0.c", 2) and tree["a"]["b"][0]["c"] == 2
    assert not set_path(tree, "a.z.c", 1)
