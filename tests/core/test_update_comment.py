"""Update comments: which comments are updates, chat or broken, and writing one that reads back."""

from __future__ import annotations

import json
import math
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gh_store.core.body import MAX_BODY_CHARS
from gh_store.core.exceptions import InvalidUpdate
from gh_store.core.update_comment import (
    MAX_DEPTH,
    CommentKind,
    encode_update_comment,
    nesting_depth,
    parse_update_comment,
)

from .strategies import json_objects, json_values

CHAT, UPDATE, BROKEN = CommentKind.CHAT, CommentKind.UPDATE, CommentKind.BROKEN


def _nested(depth: int) -> str:
    """A JSON object nested ``depth`` levels deep (arrays inside the outer object)."""
    return '{"a": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


# The original gh-store's comments (handlers/issue.py, handlers/comment.py in 0.11).
ORIGINAL_UPDATE = json.dumps(
    {
        "_data": {"count": 2},
        "_meta": {
            "client_version": "0.11.3",
            "timestamp": "2025-01-01T00:00:00+00:00",
            "update_mode": "append",
            "issue_number": 7,
        },
    },
    indent=2,
)
ORIGINAL_INITIAL_STATE = json.dumps(
    {
        "_data": {"count": 1},
        "_meta": {
            "client_version": "0.11.3",
            "timestamp": "2025-01-01T00:00:00+00:00",
            "update_mode": "append",
            "issue_number": 7,
        },
        "type": "initial_state",
    },
    indent=2,
)

CHAT_COMMENTS = [
    None,
    "",
    "   \n",
    "Thanks, looks good!",
    "LGTM 👍",
    "+1",
    "NaN",
    "Infinity",
    "-Infinity",
    "see {this}",
    'the update was {"a": 1}',
    "```python\nprint(1)\n```",
    "```json\n{}\n```\nand some words after the fence",
    "I think " + "[" * (MAX_DEPTH + 10) + " is a lot of brackets",
    "1" * 5_000,  # a bare number Python will not read is not text that opens like JSON
    ORIGINAL_INITIAL_STATE,
]


@pytest.mark.parametrize("body", CHAT_COMMENTS)
def test_chat(body: str | None) -> None:
    parsed = parse_update_comment(body)
    assert parsed.kind is CHAT
    assert parsed.patch is None


UPDATES: list[tuple[str, dict[str, Any]]] = [
    ('{"a": 1}', {"a": 1}),
    ("{}", {}),
    ('  \n{"a": {"b": null}}\n  ', {"a": {"b": None}}),
    ('{\r\n  "a": [1, 2]\r\n}', {"a": [1, 2]}),
    ('```json\n{"a": 1}\n```', {"a": 1}),
    ('```\n{"a": 1}\n```', {"a": 1}),
    ('```json\r\n{"a": 1}\r\n```', {"a": 1}),
    ('````json\n{"a": "```"}\n````', {"a": "```"}),
    ('{"s": "' + "[" * 200 + '"}', {"s": "[" * 200}),
    ('{"s": "\\"' + "{" * 200 + '"}', {"s": '"' + "{" * 200}),
    ('{"s": "é 😀 \\u00e9"}', {"s": "é 😀 é"}),
    ('{"big": 1e308, "neg": -0.5}', {"big": 1e308, "neg": -0.5}),
    (ORIGINAL_UPDATE, {"count": 2}),
    ('{"_data": {"x": 1}, "_meta": {}, "type": "update"}', {"x": 1}),
    # Not the envelope: no _meta object, or keys beside it, so the keys are data.
    ('{"_data": {"x": 1}}', {"_data": {"x": 1}}),
    ('{"_data": {"x": 1}, "_meta": "m"}', {"_data": {"x": 1}, "_meta": "m"}),
    ('{"_data": 1, "_meta": {}, "other": 2}', {"_data": 1, "_meta": {}, "other": 2}),
]


@pytest.mark.parametrize(("body", "patch"), UPDATES)
def test_update(body: str, patch: dict[str, Any]) -> None:
    parsed = parse_update_comment(body)
    assert parsed.kind is UPDATE
    assert parsed.patch == patch
    assert parsed.reason is None


def test_update_nested_exactly_max_depth() -> None:
    body = _nested(MAX_DEPTH)
    assert nesting_depth(body) == MAX_DEPTH
    parsed = parse_update_comment(body)
    assert parsed.kind is UPDATE
    assert parsed.patch == json.loads(body)


BROKEN_COMMENTS = [
    ("{", "not valid JSON"),
    ("{not json}", "not valid JSON"),
    ("{'a': 1}", "not valid JSON"),
    ('{"a": 1,}', "not valid JSON"),
    ('{"a": NaN}', "not valid JSON: it holds NaN, which is not JSON"),
    ('{"a": Infinity}', "not valid JSON: it holds Infinity, which is not JSON"),
    ('{"a": -Infinity}', "not valid JSON: it holds -Infinity, which is not JSON"),
    ('{"a": "\\ud800"}', "not valid JSON: it holds a lone surrogate (U+D800) (at /a)"),
    ('{"a": ' + "9" * 5_000 + "}", "not valid JSON: it holds a number of 5000 digits, longer"),
    ('{"a": 1e999}', "not valid JSON: the number 1e999 is too large"),
    ('{"a": {"b": -2.5E+400}}', "not valid JSON: the number -2.5E+400 is too large"),
    ('{"a": 1, "a": 2}', 'not valid JSON: the key "a" appears twice in one object'),
    ('{"a": {"\u0062": 1, "b": 2}}', 'not valid JSON: the key "b" appears twice in one object'),
    ("[", "not valid JSON"),
    ("[1, 2]", "not an array"),
    ("[]", "not an array"),
    ('```json\n[{"a": 1}]\n```', "not an array"),
    ("42", "not a number"),
    ("-1.5", "not a number"),
    ('"a string"', "not a string"),
    ("true", "not a boolean"),
    ("null", "not null"),
    (_nested(MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
    ("[" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
    ('{"_data": 5, "_meta": {}}', "_data must be a JSON object, not a number"),
    ('{"_data": [1], "_meta": {}}', "_data must be a JSON object, not an array"),
    ('{"_data": null, "_meta": {}}', "_data must be a JSON object, not null"),
]


@pytest.mark.parametrize(("body", "reason"), BROKEN_COMMENTS)
def test_broken(body: str, reason: str) -> None:
    parsed = parse_update_comment(body)
    assert parsed.kind is BROKEN
    assert parsed.patch is None
    assert parsed.reason is not None
    assert reason in parsed.reason


def test_broken_reason_is_short_for_huge_input() -> None:
    parsed = parse_update_comment('{"a": ' + "9" * 60_000 + "}")
    assert parsed.reason is not None
    assert len(parsed.reason) <= 140


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("plain", 0),
        ("{}", 1),
        ("[[]]", 2),
        ('{"a": [{"b": []}]}', 4),
        ('"[[["', 0),
        ('["\\"[[", []]', 2),
        ('["\\\\", [[]]]', 3),
        ("[][][]", 1),
        (_nested(MAX_DEPTH + 1), MAX_DEPTH + 1),
    ],
)
def test_nesting_depth_ignores_brackets_in_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


# --- writing an update -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([1, 2], "not an array"),
        ("text", "not a string"),
        (None, "not null"),
        (5, "not a number"),
        ({"a": {1, 2}}, "a set is not JSON"),
        ({"a": math.nan}, "nan is not a JSON number"),
        ({"a": math.inf}, "inf is not a JSON number"),
        ({"a": object()}, "an object is not JSON|a object is not JSON"),
        ({1: "a"}, "keys must be strings, not 1"),
        ({"a": [{"b": {None: 1}}]}, "keys must be strings, not None"),
        ({"a": {True: 1}}, "keys must be strings, not True"),
        ({"a": "\ud800"}, "lone surrogate"),
    ],
)
def test_encode_refuses(changes: Any, message: str) -> None:
    with pytest.raises(InvalidUpdate, match=message):
        encode_update_comment(changes)


def _nested_object(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_encode_at_max_depth_round_trips() -> None:
    changes = _nested_object(MAX_DEPTH)
    assert parse_update_comment(encode_update_comment(changes)).patch == changes


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000])
def test_encode_refuses_too_deep(depth: int) -> None:
    with pytest.raises(InvalidUpdate, match=f"nested deeper than {MAX_DEPTH} levels"):
        encode_update_comment(_nested_object(depth))


def test_encode_refuses_a_circular_value() -> None:
    changes: dict[str, Any] = {}
    changes["self"] = changes
    with pytest.raises(InvalidUpdate, match="nested deeper than"):
        encode_update_comment(changes)


def test_encode_refuses_too_big_and_says_how_big() -> None:
    changes = {"a": "x" * MAX_BODY_CHARS}
    size = len(json.dumps(changes, indent=2))
    with pytest.raises(InvalidUpdate, match=f"{size:,} characters"):
        encode_update_comment(changes)


def test_encode_accepts_any_mapping() -> None:
    text = encode_update_comment(MappingProxyType({"a": 1}))
    assert parse_update_comment(text).patch == {"a": 1}


@pytest.mark.parametrize(
    "changes",
    [
        {"_data": {"x": 1}, "_meta": {}},
        {"_data": 5, "_meta": {"client": "mine"}},
        {"_data": {"x": 1}, "_meta": {}, "type": "initial_state"},
        {"_data": None, "_meta": {}, "type": "update"},
    ],
)
def test_envelope_shaped_patch_reads_back_unchanged(changes: dict[str, Any]) -> None:
    parsed = parse_update_comment(encode_update_comment(changes))
    assert parsed.kind is UPDATE
    assert parsed.patch == changes


_envelope_like = st.fixed_dictionaries(
    {"_data": json_values, "_meta": st.dictionaries(st.text(max_size=5), json_values, max_size=3)},
    optional={"type": st.sampled_from(["initial_state", "update"]) | json_values},
)


@given(patch=json_objects | _envelope_like)
@settings(deadline=None, max_examples=300)
def test_any_object_patch_reads_back_unchanged(patch: dict[str, Any]) -> None:
    parsed = parse_update_comment(encode_update_comment(patch))
    assert parsed.kind is UPDATE
    assert parsed.patch == patch
