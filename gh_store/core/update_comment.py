"""Update comments: telling an update from a chat message, and writing one.

A comment is *meant as an update* when its text is JSON (optionally inside a ```json fence) or
starts like JSON (``{`` or ``[``). Anything else is conversation and is ignored. An update that is
broken (does not parse, is not an object, nests too deep, holds NaN) is rejected with a reason.

The original gh-store's envelope ``{"_data": {...}, "_meta": {...}}`` is read as an update of
``_data``; its ``"type": "initial_state"`` comments record a creation and are not updates.

A *guarded* update carries its condition in the envelope: ``{"_data": PATCH, "_meta":
{"if_version": N}}`` applies only while the object is at version N (the planner decides). The
envelope is the one place a condition can travel without meeting user data: a patch whose own keys
look like an envelope is wrapped by ``encode_update_comment``, so ``{"if_version": 3}`` as a patch
stays a patch, and the original's ``_meta`` never held ``if_version``. Pure: no I/O.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .body import check_body_size
from .exceptions import InvalidUpdate
from .json_text import MAX_DEPTH, JSONProblem, dumps_checked, loads_strict, nesting_depth

__all__ = [
    "IF_VERSION",
    "INITIAL_STATE",
    "MAX_VERSION",
    "CommentKind",
    "ParsedComment",
    "encode_initial_state",
    "encode_update_comment",
    "initial_state_of",
    "is_meant_as_update",
    "parse_update_comment",
]

_FENCED = re.compile(
    r"\A(?P<fence>`{3,})[ \t]*(?:json)?[ \t]*\n(?P<inner>.*)\n(?P=fence)\Z", re.DOTALL
)


#: The envelope's ``_meta`` key that guards an update with the version it was written against.
IF_VERSION = "if_version"
#: The ``type`` of the comment that records an object's data at creation (the original gh-store's
#: envelope and name): conversation to the processor, the start of the history to a rollback.
INITIAL_STATE = "initial_state"
#: The largest version a guard may name (the metadata's counters stay below it).
MAX_VERSION = 10**9


class CommentKind(enum.Enum):
    CHAT = "chat"  # not meant as an update: ignored, no mark
    UPDATE = "update"  # a JSON object to merge
    BROKEN = "broken"  # meant as an update, but unusable: rejected with a reason


@dataclass(frozen=True)
class ParsedComment:
    kind: CommentKind
    patch: dict[str, Any] | None = None
    reason: str | None = None
    if_version: int | None = None  # applied only while the object is at this version


def parse_update_comment(body: str | None) -> ParsedComment:
    """Classify a comment's text and extract its merge patch."""
    text = (body or "").strip().replace("\r\n", "\n")
    fenced = _FENCED.match(text)
    if fenced:
        text = fenced.group("inner").strip()
    looks_like_json = text[:1] in ("{", "[")
    # Only text that opens like JSON can nest (scalars cannot), so prose full of brackets
    # stays chat instead of being rejected as a deep update.
    if looks_like_json and nesting_depth(text) > MAX_DEPTH:
        return ParsedComment(CommentKind.BROKEN, reason=f"nested deeper than {MAX_DEPTH} levels")
    try:
        value = loads_strict(text)
    except JSONProblem as exc:
        if not looks_like_json:
            return ParsedComment(CommentKind.CHAT)
        return ParsedComment(CommentKind.BROKEN, reason=f"not valid JSON: {_short(exc)}")
    if not isinstance(value, dict):
        return ParsedComment(
            CommentKind.BROKEN, reason=f"an update must be a JSON object, not {_json_kind(value)}"
        )
    if _is_envelope(value):
        if value.get("type") == INITIAL_STATE:
            return ParsedComment(CommentKind.CHAT)
        data = value["_data"]
        if not isinstance(data, dict):
            return ParsedComment(
                CommentKind.BROKEN,
                reason=f"the update's _data must be a JSON object, not {_json_kind(data)}",
            )
        guard = value["_meta"].get(IF_VERSION, None)
        if IF_VERSION in value["_meta"] and not _is_version(guard):
            return ParsedComment(
                CommentKind.BROKEN,
                reason=f"the update's {IF_VERSION} must be a whole number from 1, not "
                f"{_json_kind(guard)}",
            )
        return ParsedComment(CommentKind.UPDATE, patch=data, if_version=guard)
    return ParsedComment(CommentKind.UPDATE, patch=value)


def is_meant_as_update(comment: Mapping[str, Any]) -> bool:
    """Whether a comment is an update to decide (usable or broken), not conversation."""
    return parse_update_comment(comment.get("body")).kind is not CommentKind.CHAT


def encode_update_comment(changes: Any, *, if_version: int | None = None) -> str:
    """The comment text that carries ``changes`` (applied only at version ``if_version``, when
    given); ``InvalidUpdate`` if it cannot be one."""
    if not isinstance(changes, Mapping):
        raise InvalidUpdate(f"an update must be a JSON object (a dict), not {_json_kind(changes)}")
    if if_version is not None and not _is_version(if_version):
        raise InvalidUpdate(f"if_version must be a whole number from 1, not {if_version!r}")
    payload: Any = dict(changes)
    if if_version is not None:
        payload = {"_data": payload, "_meta": {"client": "gh-store", IF_VERSION: if_version}}
    elif _is_envelope(payload):
        # A patch that looks like the original's envelope is wrapped, so it reads back unchanged.
        payload = {"_data": payload, "_meta": {"client": "gh-store"}}
    try:
        text = dumps_checked(payload)
    except JSONProblem as exc:
        raise InvalidUpdate(f"the update cannot be stored: {exc}") from None
    check_body_size(text, "the update comment")
    return text


def encode_initial_state(data: Mapping[str, Any]) -> str:
    """The creation comment's text for an object created with ``data``."""
    return dumps_checked(
        {"type": INITIAL_STATE, "_data": dict(data), "_meta": {"client": "gh-store"}}
    )


def initial_state_of(body: str | None) -> dict[str, Any] | None:
    """The data a creation comment records, or None if ``body`` is not one."""
    try:
        value = loads_strict((body or "").strip())
    except JSONProblem:
        return None
    if (
        isinstance(value, dict)
        and _is_envelope(value)
        and value.get("type") == INITIAL_STATE
        and isinstance(value["_data"], dict)
    ):
        return dict(value["_data"])
    return None


def _is_version(value: Any) -> bool:
    # A version fits in the metadata's counter; a larger "version" can never match, so it is
    # refused rather than left pending against a version the object will not reach.
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_VERSION


def _is_envelope(value: Mapping[str, Any]) -> bool:
    return (
        "_data" in value
        and isinstance(value.get("_meta"), dict)
        and set(value) <= {"_data", "_meta", "type"}
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
