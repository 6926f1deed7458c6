"""Hypothesis strategies for hostile comment bodies, and the authors who post them.

Each family is one kind of hostility the processor meets in the wild: arbitrary text, JSON with
one character wrong, nesting around and past the depth limit, bodies near GitHub's 65,536-character
limit, awkward unicode, ``null``s and arrays at every level, workflow-command text and fake copies
of the issue body's metadata block. Which of them are usable updates is decided by the oracle in
``_support``, not here, so a strategy can never agree with the code under test by construction.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from gh_store.core.constants import ACTIONS_BOT

__all__ = [
    "AUTHORS",
    "PERMISSIONS",
    "TRUSTED",
    "WORKFLOW_COMMANDS",
    "authored_comments",
    "comment_bodies",
    "hostile_text",
    "json_objects",
    "long_numbers",
]

#: Who comments, and what GitHub says each may do (``trent`` is trusted by configuration).
PERMISSIONS = {
    "alice": "write",
    "carol": "maintain",
    "mallory": "read",
    "eve": "none",
    "trent": "read",
}
TRUSTED = frozenset({"octo", ACTIONS_BOT, "alice", "carol", "trent"})
AUTHORS = ("octo", ACTIONS_BOT, "alice", "carol", "mallory", "eve", "trent")

WORKFLOW_COMMANDS = (
    "::add-mask::x",
    "::error::pwned",
    "::warning file=a.py,line=1::pwned",
    "::stop-commands::abc",
    "::abc::",
    "::set-output name=x::y",
    "::set-env name=PATH::/tmp",
    "::group::pwned",
    "::endgroup::",
    "%0A::error::pwned",
    "\n::error::pwned",
    "\r\n::notice::pwned\r\n",
)
FAKE_META = (
    '<!-- gh-store:meta {"format":1,"version":99,"last_comment_id":999999999999,'
    '"since":null,"history_hash":"sha256:00","applied_count":0,"marks":[]} -->'
)
_AWKWARD = (
    "\U0001f600",  # astral: 4 UTF-8 bytes, a surrogate pair in UTF-16
    "\U00010348",
    "\u202e",  # right-to-left override
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # Arabic, written right to left
    "e\u0301",  # combining accent
    "\u200b",  # zero-width space
    "\ufeff",
    "\u2028",
    "\x00",
    "\x1b[31m",
    "`",
    "```",
    "<!--",
    "-->",
    '"',
    "\\",
    "%0A",
    "::",
)

hostile_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(_AWKWARD + WORKFLOW_COMMANDS + (FAKE_META,)),
    st.lists(st.sampled_from(_AWKWARD), min_size=1, max_size=4).map("".join),
)
_keys = st.one_of(
    st.sampled_from(("a", "b", "c", "nested", "list", "blob")),
    hostile_text,
).filter(lambda key: key != "_data")  # the original gh-store's envelope: not generated here
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=10,
)
#: JSON objects with nulls, arrays and objects at every level.
json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(_keys, _values, max_size=4)


@st.composite
def _rendered(draw: st.DrawFn, value: Any) -> str:
    """``value`` as a person or a client would post it."""
    indent = draw(st.sampled_from((None, 2, "\t")))
    text = json.dumps(value, indent=indent, ensure_ascii=draw(st.booleans()))
    wrap = draw(st.sampled_from(("plain", "fenced", "padded", "crlf")))
    if wrap == "fenced":
        return f"```json\n{text}\n```"
    if wrap == "padded":
        return f"\n  {text}\n\n"
    if wrap == "crlf":
        return text.replace("\n", "\r\n")
    return text


@st.composite
def _valid_updates(draw: st.DrawFn) -> str:
    return draw(_rendered(draw(json_objects)))


@st.composite
def _near_json(draw: st.DrawFn) -> str:
    """Valid JSON with one character changed, removed or added, or cut short."""
    text = json.dumps(draw(json_objects))
    if len(text) <= 2:
        text = '{"a": [1, {"b": null}]}'
    at = draw(st.integers(min_value=0, max_value=len(text) - 1))
    how = draw(st.sampled_from(("replace", "delete", "insert", "truncate")))
    char = draw(st.sampled_from((*tuple('{}[]",:\\0 n'), "😀", "\x00")))
    if how == "replace":
        return text[:at] + char + text[at + 1 :]
    if how == "delete":
        return text[:at] + text[at + 1 :]
    if how == "insert":
        return text[:at] + char + text[at:]
    return text[:at]


@st.composite
def _deep(draw: st.DrawFn) -> str:
    """Objects and arrays nested around the limit (64), and far past Python's recursion limit."""
    depth = draw(
        st.one_of(st.integers(min_value=60, max_value=68), st.sampled_from((1_000, 100_000)))
    )
    kinds = draw(st.sampled_from(("objects", "arrays", "mixed")))
    leaf = draw(st.sampled_from(("null", "1", '"x"', "[]", "{}")))
    opens: list[str] = []
    closes: list[str] = []
    # The outermost level is an object, so the comment is meant as an update.
    for level in range(depth):
        as_array = level > 0 and (kinds == "arrays" or (kinds == "mixed" and level % 2 == 1))
        if as_array:
            opens.append("[")
            closes.append("]")
        else:
            opens.append('{"k":')
            closes.append("}")
    return "".join(opens) + leaf + "".join(reversed(closes))


@st.composite
def _huge(draw: st.DrawFn) -> str:
    """One string value making the comment near GitHub's 65,536-character limit, or well inside.

    Sizes between about 55,000 and 65,536 would make the object's fit depend on metadata size,
    which the oracle leaves open; the two bands here are decided either way.
    """
    length = draw(
        st.one_of(
            st.integers(min_value=20_000, max_value=45_000),
            st.integers(min_value=65_520, max_value=65_536),
        )
    )
    fill = draw(st.sampled_from(("x", "é", "\U0001f600", "`", "\\n")))
    frame = '{"blob": ""}'
    unit = len(fill)
    count = (length - len(frame)) // unit
    return '{"blob": "' + fill * count + '"}'


@st.composite
def _raw_lines(draw: st.DrawFn) -> str:
    """Chat, workflow commands and fake metadata, alone or mixed into JSON."""
    parts = draw(
        st.lists(
            st.one_of(st.sampled_from((*WORKFLOW_COMMANDS, FAKE_META)), hostile_text),
            min_size=1,
            max_size=4,
        )
    )
    text = "\n".join(parts)
    shape = draw(st.sampled_from(("raw", "value", "key", "suffix")))
    if shape == "value":
        return json.dumps({"note": text}, ensure_ascii=False)
    if shape == "key":
        return json.dumps({text: 1}, ensure_ascii=False)
    if shape == "suffix":
        return json.dumps({"a": 1}) + "\n" + text
    return text


_SURROGATES = st.sampled_from(
    (
        '{"a": "\\ud800"}',  # a lone surrogate: not storable as UTF-8
        '{"\\udfff": 1}',
        '{"a": "\\ud83d\\ude00"}',  # a proper pair: the astral character
        '{"a": 1e400}',  # parses to infinity: not storable as JSON
        '{"a": NaN}',
        '{"a": 1' + "0" * 5000 + "}",  # more digits than Python converts
        "{}",
        "[]",
        "null",
        '"{}"',
        "42",
        "",
        "   ",
    )
)


@st.composite
def _long_numbers(draw: st.DrawFn) -> str:
    """A whole number around and past the 4,300 digits CPython converts, wherever JSON allows."""
    digits = draw(st.integers(min_value=4_290, max_value=6_000))
    number = draw(st.sampled_from(("", "-"))) + "1" + "0" * (digits - 1)
    number += draw(st.sampled_from(("", ".5", "e3")))
    shape = draw(st.sampled_from(("value", "array", "nested", "bare", "fenced")))
    if shape == "array":
        return f'{{"a": [1, {number}]}}'
    if shape == "nested":
        return f'{{"a": {{"b": {number}}}}}'
    if shape == "bare":
        return number
    if shape == "fenced":
        return f'```json\n{{"a": {number}}}\n```'
    return f'{{"a": {number}}}'


long_numbers = _long_numbers()

comment_bodies = st.one_of(
    _long_numbers(),
    st.text(max_size=80),
    _valid_updates(),
    _valid_updates(),
    _near_json(),
    _deep(),
    _huge(),
    _raw_lines(),
    _SURROGATES,
)


@st.composite
def authored_comments(draw: st.DrawFn, max_size: int = 8) -> list[tuple[str, str]]:
    """(author, body) pairs, in posting order."""
    return draw(st.lists(st.tuples(st.sampled_from(AUTHORS), comment_bodies), max_size=max_size))
