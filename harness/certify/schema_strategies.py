"""The one place that turns a JSON Schema into a hypothesis strategy.

Our own small generator for the subset of JSON Schema the specs use (type, enum, const,
properties/required/additionalProperties/maxProperties, items/minItems/maxItems, anyOf/oneOf/
allOf, pattern/minLength/maxLength/format, minimum/maximum/exclusive bounds). It was chosen over
hypothesis-jsonschema on purpose: that library resolves object schemas again on every draw
(about ten times slower on our response schemas), and its 0.23.1 release breaks with hypothesis
6.170.10 and later (`'many' object has no attribute 'more'`). `tests/certify/test_schema_strategies.py`
validates what this generator draws against every response schema of every shipped spec, so a
keyword it does not honour fails one named test instead of every property check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from harness.defaults import SCHEMA_MAX_ITEMS as MAX_ITEMS
from harness.defaults import SCHEMA_MAX_MAP_ENTRIES as MAX_MAP_ENTRIES
from harness.defaults import SCHEMA_MAX_TEXT as MAX_TEXT

KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz_"


def inline_refs(schema: Any, resolve: Any, expanding: tuple[str, ...] = ()) -> Any:
    """A self-contained copy of `schema` with every local `$ref` replaced by its target.

    A recursive reference (a schema that contains itself) is cut with `{}` (any value).
    """
    if isinstance(schema, Mapping):
        if "$ref" in schema:
            ref = str(schema["$ref"])
            if ref in expanding:
                return {}
            return inline_refs(resolve({"$ref": ref}), resolve, (*expanding, ref))
        return {k: inline_refs(v, resolve, expanding) for k, v in schema.items()}
    if isinstance(schema, list):
        return [inline_refs(v, resolve, expanding) for v in schema]
    return schema


# A plain string property under one of these names carries an ISO 4217 code: published specs often
# say only `type: string`, and random text would exercise nothing but the connector's refusal.
CURRENCY_PROPERTIES = frozenset({"currency", "currency_code", "currencyCode"})


def _as_currency(schema: Any) -> Any:
    if not isinstance(schema, Mapping) or any(k in schema for k in ("enum", "const", "pattern", "format")):
        return schema
    types = schema.get("type")
    if types == "string" or (isinstance(types, list) and "string" in types):
        return {**schema, "format": "currency"}
    return schema


def for_generation(schema: Any, *, close: bool = True) -> Any:
    """The schema as generation uses it: documented properties only, small free-form maps.

    Undocumented extra properties are what connectors ignore anyway; objects with `properties`
    are closed and free-form maps are capped so that examples stay small and fast. Inside an
    allOf nothing is closed: a closed part would refuse the properties the other parts add.
    """
    if isinstance(schema, Mapping):
        out = {k: for_generation(v, close=close) for k, v in schema.items() if k != "allOf"}
        if "allOf" in schema:
            out["allOf"] = [for_generation(part, close=False) for part in schema["allOf"]]
        properties = out.get("properties")
        if isinstance(properties, Mapping):
            out["properties"] = {
                name: _as_currency(sub) if name in CURRENCY_PROPERTIES else sub
                for name, sub in properties.items()
            }
        if close and "properties" in out and "additionalProperties" not in out and "allOf" not in out:
            out["additionalProperties"] = False
        elif isinstance(out.get("additionalProperties"), Mapping):
            out["maxProperties"] = min(int(out.get("maxProperties", MAX_MAP_ENTRIES)), MAX_MAP_ENTRIES)
        return out
    if isinstance(schema, list):
        return [for_generation(v, close=close) for v in schema]
    return schema


def _exactly_one_of(validators: list[Draft202012Validator]) -> Callable[[Any], bool]:
    return lambda value: sum(v.is_valid(value) for v in validators) == 1


def json_values(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against a self-contained JSON Schema (refs inlined)."""
    return _strategy(for_generation(dict(schema)))


# ------------------------------------------------------------------ the generator

_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 10**9), st.text(max_size=MAX_TEXT)
)
ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=MAX_ITEMS)
        | st.dictionaries(st.text(KEY_ALPHABET, min_size=1, max_size=8), inner, max_size=MAX_MAP_ENTRIES)
    ),
    max_leaves=6,
)


def _merge(schemas: list[Mapping[str, Any]]) -> dict[str, Any]:
    """allOf as one schema: properties and required joined, other keywords from the last."""
    merged: dict[str, Any] = {}
    for part in schemas:
        for key, value in part.items():
            if key == "properties":
                properties = dict(merged.get("properties", {}))
                for name, sub in value.items():
                    # a property two parts both describe must satisfy both descriptions
                    properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
                merged["properties"] = properties
            elif key == "items" and isinstance(merged.get("items"), Mapping):
                merged["items"] = {"allOf": [merged["items"], value]}
            elif key == "required":
                merged["required"] = sorted({*merged.get("required", []), *value})
            else:
                merged[key] = value
    return merged


def _kind(schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind is not None:
        return kind
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "minItems" in schema:
        return "array"
    if any(k in schema for k in ("pattern", "minLength", "maxLength", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return "number"
    return None


def _strategy(schema: Any) -> st.SearchStrategy[Any]:
    if schema is True or schema == {}:
        return ANY_JSON
    if schema is False:
        return st.nothing()
    if not isinstance(schema, Mapping):
        return ANY_JSON
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    if "allOf" in schema:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return _strategy(_merge([rest, *schema["allOf"]]))
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            rest = {k: v for k, v in schema.items() if k != keyword}
            options = st.one_of([_strategy(_merge([rest, option])) for option in schema[keyword]])
            if keyword == "anyOf":
                return options
            # published specs use oneOf loosely: keep the values exactly one alternative accepts
            return options.filter(_exactly_one_of([Draft202012Validator(o) for o in schema[keyword]]))
    kind = _kind(schema)
    if isinstance(kind, list):
        return st.one_of([_strategy({**schema, "type": each}) for each in kind])
    builder = _BUILDERS.get(kind)
    return builder(schema) if builder is not None else ANY_JSON


def _object(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = [k for k in schema.get("required") or [] if k in properties]
    extra = schema.get("additionalProperties", True)
    if properties:
        return st.fixed_dictionaries(
            {k: _strategy(properties[k]) for k in required},
            optional={k: _strategy(v) for k, v in properties.items() if k not in required},
        )
    values = _strategy(extra) if isinstance(extra, Mapping) else ANY_JSON if extra else st.nothing()
    maximum = min(int(schema.get("maxProperties", MAX_MAP_ENTRIES)), MAX_MAP_ENTRIES)
    return st.dictionaries(st.text(KEY_ALPHABET, min_size=1, max_size=12), values, max_size=maximum)


def _array(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    minimum = int(schema.get("minItems", 0))
    maximum = max(minimum, min(int(schema.get("maxItems", MAX_ITEMS)), MAX_ITEMS))
    return st.lists(_strategy(schema.get("items", {})), min_size=minimum, max_size=maximum)


def _string(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    minimum = int(schema.get("minLength", 0))
    maximum = int(schema.get("maxLength", max(minimum, MAX_TEXT)))
    fmt = schema.get("format")
    if fmt == "date-time":
        return st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z"))
    if fmt == "date":
        return st.dates().map(lambda d: d.isoformat())
    if fmt == "currency":  # an ISO 4217 code (Stripe writes them in lower case)
        from harness.domain.currency import Currency

        return st.sampled_from(sorted(c.value for c in Currency)).map(str.lower)
    if "pattern" in schema:
        text = st.from_regex(str(schema["pattern"]), fullmatch=True)
        if "minLength" not in schema and "maxLength" not in schema:
            return text
        return text.filter(lambda s: minimum <= len(s) <= maximum)
    return st.text(min_size=minimum, max_size=min(maximum, max(minimum, MAX_TEXT)))


def _bounds(schema: Mapping[str, Any], step: int) -> tuple[Any, Any]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if schema.get("exclusiveMinimum") is not None:
        low = schema["exclusiveMinimum"] + step
    if schema.get("exclusiveMaximum") is not None:
        high = schema["exclusiveMaximum"] - step
    return low, high


def _integer(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    low, high = _bounds(schema, 1)
    return st.integers(min_value=low, max_value=high)


def _number(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    # exact decimals, never floats: generated provider amounts must not smuggle a float in
    low, high = _bounds(schema, 0)
    numbers = st.decimals(
        min_value=Decimal(str(low)) if low is not None else None,
        max_value=Decimal(str(high)) if high is not None else None,
        allow_nan=False,
        allow_infinity=False,
        places=2,
    )
    above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if above is not None:
        numbers = numbers.filter(lambda d: d > Decimal(str(above)))
    if below is not None:
        numbers = numbers.filter(lambda d: d < Decimal(str(below)))
    return numbers


_BUILDERS = {
    "object": _object,
    "array": _array,
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": lambda schema: st.booleans(),
    "null": lambda schema: st.none(),
}
