"""JSON Merge Patch: RFC 7396's own examples, purity, and idempotence."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from gh_store.core.merge_patch import apply_merge_patch

from .strategies import json_objects, json_values

# RFC 7396 Appendix A, every row: (original, patch, result).
APPENDIX_A: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("original", "patch", "expected"), APPENDIX_A)
def test_rfc7396_appendix_a(original: Any, patch: Any, expected: Any) -> None:
    assert apply_merge_patch(original, patch) == expected


def test_rfc7396_section_3_example() -> None:
    original = {
        "title": "Goodbye!",
        "author": {"givenName": "John", "familyName": "Doe"},
        "tags": ["example", "sample"],
        "content": "This will be unchanged",
    }
    patch = {
        "title": "Hello!",
        "phoneNumber": "+01-123-456-7890",
        "author": {"familyName": None},
        "tags": ["example"],
    }
    assert apply_merge_patch(original, patch) == {
        "title": "Hello!",
        "author": {"givenName": "John"},
        "tags": ["example"],
        "content": "This will be unchanged",
        "phoneNumber": "+01-123-456-7890",
    }


def test_null_deletes_nested_keys_and_ignores_missing_ones() -> None:
    target = {"a": {"b": 1, "c": 2}, "d": 3}
    assert apply_merge_patch(target, {"a": {"b": None}, "missing": None}) == {
        "a": {"c": 2},
        "d": 3,
    }


def test_arrays_replace_whole_never_merge() -> None:
    target = {"list": [{"keep": 1}, 2, 3]}
    assert apply_merge_patch(target, {"list": [{"new": 1}]}) == {"list": [{"new": 1}]}


def test_null_inside_a_replacing_array_is_kept() -> None:
    # Only object members are deleted by null; array elements are values.
    assert apply_merge_patch({}, {"a": [None, {"b": None}]}) == {"a": [None, {"b": None}]}


def _nest(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


def test_deep_nesting_merges_at_every_level() -> None:
    depth = 200
    target = _nest(depth, {"old": 1, "gone": 2})
    patch = _nest(depth, {"new": 3, "gone": None})
    assert apply_merge_patch(target, patch) == _nest(depth, {"old": 1, "new": 3})


@given(target=json_values, patch=json_values)
@settings(deadline=None)
def test_inputs_are_never_mutated(target: Any, patch: Any) -> None:
    target_before, patch_before = copy.deepcopy(target), copy.deepcopy(patch)
    apply_merge_patch(target, patch)
    assert target == target_before
    assert patch == patch_before


def test_result_does_not_alias_the_patch() -> None:
    patch: dict[str, Any] = {"obj": {"inner": [1, {"x": 1}]}, "list": [[1]], "new": {"a": {}}}
    result = apply_merge_patch({"obj": {}}, patch)
    result["obj"]["inner"][1]["x"] = "changed"
    result["list"][0].append(2)
    result["new"]["a"]["b"] = 1
    assert patch == {"obj": {"inner": [1, {"x": 1}]}, "list": [[1]], "new": {"a": {}}}


def test_top_level_replacement_does_not_alias_the_patch() -> None:
    patch = [{"a": 1}]
    result = apply_merge_patch({"x": 1}, patch)
    result[0]["a"] = 2
    assert patch == [{"a": 1}]


@given(target=json_values, patch=json_values)
@settings(deadline=None)
def test_applying_a_patch_twice_changes_nothing_more(target: Any, patch: Any) -> None:
    once = apply_merge_patch(target, patch)
    assert apply_merge_patch(once, patch) == once


@given(target=json_objects)
@settings(deadline=None)
def test_empty_patch_keeps_an_object(target: dict[str, Any]) -> None:
    assert apply_merge_patch(target, {}) == target
