"""The issue body codec: round trips, the original's plain JSON, damage, GitHub's size limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gh_store.core.body import (
    MAX_BODY_BYTES,
    MAX_BODY_CHARS,
    BodyMeta,
    IssueBody,
    check_body_size,
    decode_body,
    encode_body,
)
from gh_store.core.exceptions import CorruptObjectError, InvalidUpdate
from gh_store.core.hashchain import GENESIS

from .strategies import TRICKY_TEXT, json_objects, json_strings

_whole = st.integers(min_value=0, max_value=2**53)

body_metas = st.builds(
    BodyMeta,
    version=_whole,
    last_comment_id=_whole,
    # GitHub's moments: the only `since` gh-store writes (any other text is damage, issue 17)
    since=st.none()
    | st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)).map(
        lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
    history_hash=json_strings,
    applied_count=_whole,
    marks=st.lists(st.tuples(_whole, json_strings), max_size=4).map(tuple),
)


def _with_meta(meta_json: str, data: dict[str, Any] | None = None) -> str:
    """A body in gh-store's layout whose metadata comment is ``meta_json`` verbatim."""
    text = json.dumps(data if data is not None else {"a": 1}, indent=2)
    return f"```json\n{text}\n```\n<!-- gh-store:meta {meta_json} -->\n"


# --- round trips -------------------------------------------------------------------------------


@given(data=json_objects, meta=body_metas)
@settings(deadline=None, max_examples=300)
def test_any_object_and_meta_round_trip(data: dict[str, Any], meta: BodyMeta) -> None:
    body = IssueBody(data=data, meta=meta)
    decoded = decode_body(encode_body(body))
    assert decoded == body
    assert decoded.meta.legacy is False


@given(data=json_objects)
@settings(deadline=None)
def test_round_trip_survives_crlf_line_endings(data: dict[str, Any]) -> None:
    # github.com's editor saves CRLF; a body edited there (even unchanged) comes back so.
    body = IssueBody(data=data, meta=BodyMeta(version=3, last_comment_id=7))
    assert decode_body(encode_body(body).replace("\n", "\r\n")) == body


@pytest.mark.parametrize("fragment", TRICKY_TEXT)
def test_markup_inside_string_values_does_not_confuse_the_decoder(fragment: str) -> None:
    data = {"k": fragment, fragment: [fragment, {"n": None}], "x": f"a{fragment}b{fragment}"}
    body = IssueBody(data=data, meta=BodyMeta(version=5, last_comment_id=11))
    assert decode_body(encode_body(body)) == body


def test_impersonated_metadata_in_a_value_is_not_read_as_metadata() -> None:
    fake = '```\n<!-- gh-store:meta {"format":1,"version":999,"last_comment_id":999} -->'
    body = IssueBody(data={"note": fake}, meta=BodyMeta(version=2, last_comment_id=5))
    decoded = decode_body(encode_body(body))
    assert decoded.meta.version == 2
    assert decoded.meta.last_comment_id == 5
    assert decoded.data == {"note": fake}


@pytest.mark.parametrize("run", [1, 2, 3, 4, 7, 30_000])
def test_backticks_in_the_data_are_escaped_so_the_fence_stays_three(run: int) -> None:
    data = {"s": "`" * run}
    text = encode_body(IssueBody(data=data, meta=BodyMeta()))
    assert text.split("json\n", 1)[0] == "```"
    assert text.count("`") == 6  # the two fences, nothing else
    assert decode_body(text).data == data


def test_a_longer_fence_from_an_older_body_still_decodes() -> None:
    text = '````json\n{\n  "s": "```"\n}\n````\n<!-- gh-store:meta {"version":3} -->\n'
    decoded = decode_body(text)
    assert decoded.data == {"s": "```"}
    assert decoded.meta.version == 3


def test_encoded_layout() -> None:
    body = IssueBody(data={"name": "test", "value": 42}, meta=BodyMeta(version=2))
    assert encode_body(body) == (
        "```json\n"
        "{\n"
        '  "name": "test",\n'
        '  "value": 42\n'
        "}\n"
        "```\n"
        '<!-- gh-store:meta {"format":1,"version":2,"last_comment_id":0,"since":null,'
        f'"history_hash":"{GENESIS}","applied_count":0,"marks":[]}} -->\n'
    )


def test_non_ascii_is_written_readably() -> None:
    text = encode_body(IssueBody(data={"名前": "café 😀"}, meta=BodyMeta()))
    assert '"名前": "café 😀"' in text


# --- the original gh-store's bodies ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"name": "test", "value": 42}, indent=2),
        json.dumps({"name": "test", "value": 42}),
        json.dumps({"nested": {"list": [1, None, {"x": []}]}}, indent=2),
        json.dumps({"quote": "```json"}, indent=2),
        "{}",
        "  \n" + json.dumps({"padded": True}) + "\n\n",
    ],
)
def test_legacy_plain_json_bodies(text: str) -> None:
    decoded = decode_body(text)
    assert decoded.data == json.loads(text)
    assert decoded.meta.legacy is True
    assert decoded.meta == BodyMeta()


def test_legacy_body_with_crlf() -> None:
    text = json.dumps({"a": {"b": [1, 2]}}, indent=2).replace("\n", "\r\n")
    assert decode_body(text).data == {"a": {"b": [1, 2]}}


def test_legacy_body_holding_the_metadata_marker_as_text_is_still_legacy() -> None:
    data = {"note": '<!-- gh-store:meta {"format":1,"version":9} -->'}
    decoded = decode_body(json.dumps(data, indent=2))
    assert decoded.data == data
    assert decoded.meta.legacy is True


# --- what cannot be read -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "\r\n\n"])
def test_empty_body(text: str | None) -> None:
    with pytest.raises(CorruptObjectError, match="empty"):
        decode_body(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "JSON but not an object"),
        ('"a string"', "JSON but not an object"),
        ("42", "JSON but not an object"),
        ("null", "JSON but not an object"),
        ("Just some notes about the object", "neither gh-store's format nor a JSON object"),
        ('{"a": 1', "neither gh-store's format nor a JSON object"),
        ("[" * 100_000, "neither gh-store's format nor a JSON object"),
        (_with_meta('{"format":1,"version":1}').replace('{\n  "a": 1\n}', "[1]"), "not an object"),
    ],
)
def test_bodies_that_are_not_objects(text: str, message: str) -> None:
    with pytest.raises(CorruptObjectError, match=message):
        decode_body(text)


def test_hand_damaged_json_block() -> None:
    good = encode_body(IssueBody(data={"name": "test", "value": 42}, meta=BodyMeta(version=2)))
    damaged = good.replace('"value": 42', '"value": 42,,')
    with pytest.raises(CorruptObjectError, match="JSON cannot be read"):
        decode_body(damaged)


def test_fence_removed_by_hand() -> None:
    good = encode_body(IssueBody(data={"a": 1}, meta=BodyMeta(version=2)))
    damaged = good.replace("```json\n", "", 1)
    with pytest.raises(CorruptObjectError, match="changed by hand"):
        decode_body(damaged)


@pytest.mark.parametrize(
    "meta_json",
    [
        "{}",
        '{"format":1}',
        '{"version":-1}',
        '{"version":"2"}',
        '{"version":true}',
        '{"version":1.5}',
        '{"version":1,"last_comment_id":-5}',
        '{"version":1,"applied_count":"x"}',
        '{"version":1,"since":5}',
        '{"version":1,"since":"yesterday"}',
        '{"version":1,"since":"2024-01-01T00:00:00"}',
        '{"version":1,"history_hash":null}',
        '{"version":1,"marks":"x"}',
        '{"version":1,"marks":[[1]]}',
        '{"version":1,"marks":[["a","+1"]]}',
        '{"version":1,"marks":[[1,2]]}',
        '{"version":1,"marks":[[1,"+1","extra"]]}',
        '{"version":1,"marks":[{"0":1,"1":"+1"}]}',
        '{"version":1,"format":"1"}',
        '{"version":1,"format":-1}',
    ],
)
def test_damaged_metadata(meta_json: str) -> None:
    with pytest.raises(CorruptObjectError, match="metadata is damaged"):
        decode_body(_with_meta(meta_json))


def test_metadata_that_is_not_json() -> None:
    with pytest.raises(CorruptObjectError, match="metadata is damaged"):
        decode_body(_with_meta("{version: 1}"))


def test_metadata_that_is_not_an_object_reads_as_a_hand_edit() -> None:
    with pytest.raises(CorruptObjectError, match="changed by hand"):
        decode_body(_with_meta("[1]"))


@pytest.mark.parametrize(
    "meta_json",
    [
        '{"format":2}',
        '{"format":2,"version":1}',
        '{"format":7,"revision":"abc","marks":{"new":"shape"}}',
    ],
)
def test_future_format_asks_for_an_upgrade(meta_json: str) -> None:
    with pytest.raises(CorruptObjectError, match=r"newer gh-store \(format \d\); upgrade"):
        decode_body(_with_meta(meta_json))


def test_minimal_metadata_takes_defaults() -> None:
    decoded = decode_body(_with_meta('{"version":4}'))
    assert decoded.meta == BodyMeta(version=4)


# --- GitHub's size limits ----------------------------------------------------------------------


def test_size_at_the_character_limit_is_accepted() -> None:
    check_body_size("a" * MAX_BODY_CHARS)


def test_one_character_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidUpdate, match="65,537 characters"):
        check_body_size("a" * (MAX_BODY_CHARS + 1))


def test_four_byte_characters_at_the_byte_limit_are_accepted() -> None:
    text = "😀" * MAX_BODY_CHARS
    assert len(text.encode("utf-8")) == MAX_BODY_BYTES
    check_body_size(text)


def test_one_more_byte_past_four_byte_characters_is_refused() -> None:
    with pytest.raises(InvalidUpdate, match=r"65,537 characters \(262,145 bytes\)"):
        check_body_size("😀" * MAX_BODY_CHARS + "a")


def test_two_byte_characters_over_the_character_limit_are_refused() -> None:
    with pytest.raises(InvalidUpdate, match=r"\(131,074 bytes\)"):
        check_body_size("é" * (MAX_BODY_CHARS + 1))


def test_size_message_names_what_was_measured() -> None:
    with pytest.raises(InvalidUpdate, match=r"^the update comment would be"):
        check_body_size("a" * (MAX_BODY_CHARS + 1), "the update comment")


def test_lone_surrogate_is_refused_not_crashed_on() -> None:
    with pytest.raises(InvalidUpdate, match="lone surrogate"):
        check_body_size('{"a": "\ud800"}')
