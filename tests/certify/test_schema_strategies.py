"""The one adapter between JSON Schema and hypothesis. If a dependency upgrade breaks
generation (hypothesis-jsonschema 0.23.1 fails on object schemas with optional properties from
hypothesis 6.170.10 on), this is the test that says so."""

from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from harness.certify.schema_strategies import for_generation, inline_refs, json_values

OPTIONAL_PROPERTIES = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "status": {"enum": ["a", "b"]},
        "amount": {"type": "integer", "minimum": 0},
        "nested": {"type": "object", "properties": {"x": {"type": ["string", "null"]}}},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@settings(max_examples=40, database=None, suppress_health_check=list(HealthCheck))
@given(json_values(OPTIONAL_PROPERTIES))
def test_object_schemas_with_optional_properties_generate_valid_values(value):
    Draft202012Validator(OPTIONAL_PROPERTIES).validate(value)
    assert set(value) <= set(OPTIONAL_PROPERTIES["properties"])  # closed for generation
    assert len(value.get("metadata", {})) <= 3


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
