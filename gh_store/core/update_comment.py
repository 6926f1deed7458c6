"""Update comments: telling an update from a chat message, and writing one.

A comment is *meant as an update* when its text is JSON (optionally inside a ```json fence) or
starts like JSON (``{`` or ``[``). Anything else is conversation and is ignored. An update that is
broken (does not parse, is not an object, nests too deep, holds NaN) is rejected with a reason.

The original gh-store's envelope ``{"_data": {...}, "_meta": {...}}`` is read as an update of
``_data``; its ``"type": "initial_state"`` comments record a creation and are not updates.
Pure: no I/O.
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
    "CommentKind",
    "ParsedComment",
    "encode_update_comment",
    "is_meant_as_update",
    "parse_update_comment",
]

_FENCED = re.compile(
    r"\A(?P<fence>`{3,})[ \t]*(?:json)?[ \t]*\n(?P<inner>.*)\n(?P=fence)\Z", re.DOTALL
)


class CommentKind(enum.Enum):
    CHAT = "chat"  # not meant as an update: ignored, no mark
    UPDATE = "update"  # a JSON object to merge
    BROKEN = "broken"  # meant as an update, but unusable: rejected with a reason


@dataclass(frozen=True)
class ParsedComment:
    kind: CommentKind
    patch: dict[str, Any] | None = None
    reason: str | None = None


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
        if value.get("type") == "initial_state":
            return ParsedComment(CommentKind.CHAT)
        data = value["_data"]
        if not isinstance(data, dict):
            return ParsedComment(
                CommentKind.BROKEN,
                reason=f"the update's _data must be a JSON object, not {_json_kind(data)}",
            )
        return ParsedComment(CommentKind.UPDATE, patch=data)
    return ParsedComment(CommentKind.UPDATE, patch=value)


def is_meant_as_update(comment: Mapping[str, Any]) -> bool:
    """Whether a comment is an update to decide (usable or broken), not conversation."""
    return parse_update_comment(comment.get("body")).kind is not CommentKind.CHAT


def encode_update_comment(changes: Any) -> str:
    """The comment text that carries ``changes``; ``InvalidUpdate`` if it cannot be one."""
    if not isinstance(changes, Mapping):
        raise InvalidUpdate(f"an update must be a JSON object (a dict), not {_json_kind(changes)}")
    payload: Any = dict(changes)
    if _is_envelope(payload):
        # A patch that looks like the original's envelope is wrapped, so it reads back unchanged.
        payload = {"_data": payload, "_meta": {"client": "gh-store"}}
    try:
        text = dumps_checked(payload)
    except JSONProblem as exc:
        raise InvalidUpdate(f"the update cannot be stored: {exc}") from None
    check_body_size(text, "the update comment")
    return text


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
