"""ObjectSchema: which draft, which schemas are refused, and how violations are reported."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gh_store.core.exceptions import ConfigurationError, InvalidUpdate
from gh_store.core.schema import ObjectSchema, SchemaFileNeeded

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# prefixItems exists only from 2019-09 on: draft-07 ignores it as an unknown keyword.
_FIRST_ITEM_IS_A_STRING = {"properties": {"tags": {"prefixItems": [{"type": "string"}]}}}
_NUMBER_FIRST = {"tags": [1, "x"]}


def test_draft_07_ignores_prefix_items() -> None:
    schema = ObjectSchema({"$schema": DRAFT_07, **_FIRST_ITEM_IS_A_STRING})
    assert schema.errors(_NUMBER_FIRST) == []


@pytest.mark.parametrize("declared", [{"$schema": DRAFT_2020_12}, {}])
def test_2020_12_is_declared_or_default_and_enforces_prefix_items(declared: dict[str, str]) -> None:
    schema = ObjectSchema({**declared, **_FIRST_ITEM_IS_A_STRING})
    assert schema.errors(_NUMBER_FIRST) == ["at /tags/0: 1 is not of type 'string'"]


def test_draft_07_items_array_is_tuple_validation() -> None:
    # The same intent spelled the draft-07 way: "items" as an array.
    schema = ObjectSchema(
        {"$schema": DRAFT_07, "properties": {"tags": {"items": [{"type": "string"}]}}}
    )
    assert schema.errors(_NUMBER_FIRST) == ["at /tags/0: 1 is not of type 'string'"]


def test_defs_and_ref_resolve() -> None:
    schema = ObjectSchema(
        {
            "$defs": {"positive": {"type": "integer", "minimum": 1}},
            "properties": {"count": {"$ref": "#/$defs/positive"}},
        }
    )
    assert schema.errors({"count": 3}) == []
    assert schema.errors({"count": 0}) == ["at /count: 0 is less than the minimum of 1"]


def test_unknown_schema_uri_is_refused() -> None:
    mistyped = "https://json-schema.org/draft-07/schema#"  # https: not draft-07's URI
    with pytest.raises(ConfigurationError, match=f"unknown \\$schema {re.escape(repr(mistyped))}"):
        ObjectSchema({"$schema": mistyped}, source="s.json")


def test_non_string_schema_uri_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"^s.json: \$schema must be a string"):
        ObjectSchema({"$schema": ["x"]}, source="s.json")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "nonsense"},
        {"minLength": -1},
        {"required": "name"},
        {"properties": []},
        {"$schema": DRAFT_07, "type": 5},
    ],
)
def test_invalid_schema(schema: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match=r"^s\.json: not a valid JSON Schema"):
        ObjectSchema(schema, source="s.json")


@pytest.mark.parametrize("schema", [[{"type": "object"}], "object", None, 5])
def test_schema_of_the_wrong_type(schema: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be an object or a boolean"):
        ObjectSchema(schema, source="s.json")


def test_true_schema_accepts_everything() -> None:
    schema = ObjectSchema(True)
    assert schema.errors({"anything": [1, None]}) == []
    schema.check({"anything": [1, None]})


def test_false_schema_refuses_everything() -> None:
    schema = ObjectSchema(False)
    assert schema.errors({}) == ["at /: False schema does not allow {}"]
    with pytest.raises(InvalidUpdate, match="does not match the schema"):
        schema.check({})


_PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "id"],
}


def test_errors_list_every_violation_with_its_path_in_a_stable_order() -> None:
    schema = ObjectSchema(_PERSON)
    assert schema.errors({"name": 5, "tags": ["a", 2, None]}) == [
        "at /: 'id' is a required property",
        "at /name: 5 is not of type 'string'",
        "at /tags/1: 2 is not of type 'string'",
        "at /tags/2: None is not of type 'string'",
    ]


def test_check_lists_five_and_counts_the_rest() -> None:
    schema = ObjectSchema({"additionalProperties": {"type": "string"}})
    data = {f"k{i}": i for i in range(8)}
    with pytest.raises(InvalidUpdate) as caught:
        schema.check(data)
    message = str(caught.value)
    assert message.count("is not of type 'string'") == 5
    assert message.endswith("(and 3 more)")


def test_check_passes_valid_data() -> None:
    ObjectSchema(_PERSON).check({"name": "a", "id": 1, "tags": []})


def test_a_broken_ref_is_refused_when_the_schema_is_built() -> None:
    # Not when data first reaches it: a setup problem is found before any request.
    with pytest.raises(ConfigurationError, match=r"^s.json: \$ref '#/\$defs/missing' cannot be"):
        ObjectSchema({"properties": {"a": {"$ref": "#/$defs/missing"}}}, source="s.json")


# --- references never reach the network ---------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        "https://example.com/schema.json",
        "http://127.0.0.1:1/x.json#/a",
        "file:///etc/passwd",
        "urn:example:thing",
        "//example.com/s.json",
    ],
)
def test_a_reference_outside_the_schema_is_refused_before_validating(ref: str) -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": ref}}}
    with pytest.raises(ConfigurationError, match="never fetches a schema from the network"):
        ObjectSchema(schema, source="s.json")


def test_a_relative_reference_asks_for_the_file_beside_the_schema() -> None:
    with pytest.raises(SchemaFileNeeded) as needed:
        ObjectSchema({"properties": {"a": {"$ref": "defs/common.json#/$defs/x"}}})
    assert (needed.value.uri, needed.value.relative_path) == (
        "defs/common.json",
        "defs/common.json",
    )


def test_a_reference_relative_to_the_schemas_own_id_names_a_file_beside_it() -> None:
    schema = {"$id": "https://example.com/schemas/root.json", "items": {"$ref": "item.json"}}
    with pytest.raises(SchemaFileNeeded) as needed:
        ObjectSchema(schema)
    assert needed.value.uri == "https://example.com/schemas/item.json"
    assert needed.value.relative_path == "item.json"


def test_loaded_files_resolve_and_validate_without_retrieval() -> None:
    schema = ObjectSchema(
        {"properties": {"a": {"$ref": "defs.json#/$defs/n"}}},
        resources={"defs.json": {"$defs": {"n": {"type": "integer"}}}},
    )
    assert schema.errors({"a": 1}) == []
    assert schema.errors({"a": "x"}) == ["at /a: 'x' is not of type 'integer'"]


def test_a_loaded_file_is_checked_for_references_too() -> None:
    with pytest.raises(ConfigurationError, match="never fetches"):
        ObjectSchema(
            {"$ref": "defs.json"},
            resources={"defs.json": {"$ref": "https://example.com/evil.json"}},
        )


def test_the_drafts_meta_schemas_resolve_offline() -> None:
    schema = ObjectSchema(
        {"properties": {"s": {"$ref": "https://json-schema.org/draft/2020-12/schema"}}}
    )
    assert schema.errors({"s": {"type": "object"}}) == []
    assert schema.errors({"s": {"type": 12}}) != []
