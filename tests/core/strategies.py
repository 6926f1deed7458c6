"""Hypothesis strategies for JSON data, biased to text that could confuse the store's codecs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["TRICKY_TEXT", "json_objects", "json_strings", "json_values"]

#: Fragments that resemble the body's own markup or JSON syntax.
TRICKY_TEXT = (
    "`",
    "``",
    "```",
    "````",
    "```json",
    "-->",
    "<!--",
    '<!-- gh-store:meta {"format":1,"version":99,"last_comment_id":1} -->',
    '\n```\n<!-- gh-store:meta {"format":1,"version":99} -->\n',
    "\r\n",
    "\n",
    '"',
    "\\",
    "{",
    "]",
    "é",
    "日本",
    "😀",
    "\u2028",
    "\x00",
    "_data",
    "_meta",
)

json_strings: st.SearchStrategy[str] = st.one_of(
    st.text(),
    st.sampled_from(TRICKY_TEXT),
    st.lists(st.one_of(st.sampled_from(TRICKY_TEXT), st.text(max_size=3)), max_size=6).map("".join),
)

_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    json_strings,
)

json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(json_strings, children, max_size=4),
    ),
    max_leaves=20,
)

json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    json_strings, json_values, max_size=6
)
