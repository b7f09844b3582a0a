"""The JSON Schema -> hypothesis adapter: what it draws is valid against the schema, for the
shapes the specs use and for every response schema of every shipped spec."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from harness.certify.contracts import load_spec
from harness.certify.schema_strategies import for_generation, inline_refs, json_values

ROOT = Path(__file__).resolve().parents[2]
OPTIONAL_PROPERTIES = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "pattern": "^pi_[A-Za-z0-9]+$"},
        "status": {"enum": ["a", "b"]},
        "amount": {"type": "integer", "minimum": 0},
        "rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 5},
        "nested": {"type": "object", "properties": {"x": {"type": ["string", "null"], "maxLength": 4}}},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "items": {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "integer"}, {"const": "x"}]}},
        "both": {
            "allOf": [
                {"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                {"properties": {"b": {"type": "boolean"}}},
            ]
        },
    },
}


@settings(max_examples=60, database=None, suppress_health_check=list(HealthCheck))
@given(json_values(OPTIONAL_PROPERTIES))
def test_object_schemas_with_optional_properties_generate_valid_values(value):
    Draft202012Validator(OPTIONAL_PROPERTIES).validate(value)
    assert set(value) <= set(OPTIONAL_PROPERTIES["properties"])  # closed for generation
    assert len(value.get("metadata", {})) <= 3
    assert not isinstance(value.get("rate"), float)  # numbers are drawn as exact decimals


def response_schemas():
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        spec = load_spec(path)
        for template, item in spec.document["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                for status, response in (operation.get("responses") or {}).items():
                    content = spec.resolve(response).get("content") or {}
                    if "application/json" in content:
                        schema = inline_refs(content["application/json"]["schema"], spec.resolve)
                        yield pytest.param(schema, id=f"{path.stem} {method.upper()} {template} {status}")


@pytest.mark.parametrize("schema", list(response_schemas()))
def test_every_shipped_response_schema_generates_valid_values(schema):
    validator = Draft202012Validator(for_generation(schema))

    # 6 examples a schema: the certification draws from these schemas too, with many more examples
    @settings(max_examples=6, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(json_values(schema))
    def check(value):
        validator.validate(value)

    check()


def test_refs_are_inlined_and_recursion_is_cut():
    document = {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/B"}, "self": {"$ref": "#/A"}}},
        "B": {"type": "integer"},
    }

    def resolve(node):
        return document[node["$ref"].split("/")[-1]]

    inlined = inline_refs({"$ref": "#/A"}, resolve)
    assert inlined["properties"]["b"] == {"type": "integer"}
    assert inlined["properties"]["self"] == {}  # A inside A is cut


def test_generation_closes_documented_objects_only():
    schema = for_generation({"type": "object", "properties": {"a": {}}, "additionalProperties": True})
    assert schema["additionalProperties"] is True  # an explicit choice is kept
    assert for_generation({"properties": {"a": {}}})["additionalProperties"] is False
