"""The one place that turns a JSON Schema into a hypothesis strategy.

We use hypothesis-jsonschema 0.23.1, pinned together with hypothesis < 6.170.10: from
hypothesis 6.170.10 on, hypothesis-jsonschema fails on object schemas with optional
properties (`'many' object has no attribute 'more'`). schemathesis 4 no longer exposes a
generator of its own. `tests/certify/test_schema_strategies.py` exercises exactly that shape,
so the next such break fails one named test instead of every property check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema as _from_schema


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


MAX_MAP_ENTRIES = 3


def for_generation(schema: Any) -> Any:
    """The schema as generation uses it: documented properties only, small free-form maps.

    Undocumented extra properties are what connectors ignore anyway; generating them costs most
    of hypothesis-jsonschema's time, so objects with `properties` are closed and maps are capped.
    """
    if isinstance(schema, Mapping):
        out = {k: for_generation(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        elif isinstance(out.get("additionalProperties"), Mapping):
            out["maxProperties"] = min(int(out.get("maxProperties", MAX_MAP_ENTRIES)), MAX_MAP_ENTRIES)
        return out
    if isinstance(schema, list):
        return [for_generation(v) for v in schema]
    return schema


def json_values(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against a self-contained JSON Schema."""
    return _from_schema(for_generation(dict(schema)))
