"""Update comments: telling an update from a chat message, and writing one.

A comment is *meant as an update* when its text is JSON (optionally inside a ```json fence) or
starts like JSON (``{`` or ``[``). Anything else is conversation and is ignored. An update that is
broken (does not parse, is not an object, nests too deep) is rejected with a reason.

The original gh-store's envelope ``{"_data": {...}, "_meta": {...}}`` is read as an update of
``_data``; its ``"type": "initial_state"`` comments record a creation and are not updates.
Pure: no I/O.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .body import MAX_BODY_CHARS, check_body_size
from .exceptions import InvalidUpdate

__all__ = [
    "MAX_DEPTH",
    "CommentKind",
    "ParsedComment",
    "encode_update_comment",
    "nesting_depth",
    "parse_update_comment",
]

#: Deepest nesting of arrays and objects an update may have.
MAX_DEPTH = 64

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
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
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


def encode_update_comment(changes: Any) -> str:
    """The comment text that carries ``changes``; ``InvalidUpdate`` if it cannot be one."""
    if not isinstance(changes, Mapping):
        raise InvalidUpdate(f"an update must be a JSON object (a dict), not {_json_kind(changes)}")
    payload: Any = dict(changes)
    if _is_envelope(payload):
        # A patch that looks like the original's envelope is wrapped, so it reads back unchanged.
        payload = {"_data": payload, "_meta": {"client": "gh-store"}}
    try:
        text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidUpdate(f"the update is not JSON: {exc}") from None
    except RecursionError:
        raise InvalidUpdate(f"the update is nested deeper than {MAX_DEPTH} levels") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise InvalidUpdate(f"the update is nested deeper than {MAX_DEPTH} levels")
    # json.dumps turns 1, 1.5, True and None keys into strings: the update would not read back
    # as written, and {1: .., "1": ..} would become a duplicate key.
    bad_keys = _non_string_keys(payload)
    if bad_keys:
        raise InvalidUpdate(f"the update's keys must be strings, not {bad_keys[0]!r}")
    check_body_size(text, "the update comment")
    assert len(text) <= MAX_BODY_CHARS
    return text


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON-ish ``text`` (brackets inside strings ignored).

    Counted before parsing, so a hostile comment cannot make the parser recurse without bound.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _non_string_keys(value: Any) -> list[object]:
    """The keys of ``value``'s objects, at any depth, that are not strings."""
    # Called only after the depth check, so the recursion is bounded by MAX_DEPTH.
    found: list[object] = []
    if isinstance(value, Mapping):
        found.extend(key for key in value if not isinstance(key, str))
        for item in value.values():
            found.extend(_non_string_keys(item))
    elif isinstance(value, list | tuple):
        for item in value:
            found.extend(_non_string_keys(item))
    return found


def _is_envelope(value: Mapping[str, Any]) -> bool:
    return (
        "_data" in value
        and isinstance(value.get("_meta"), dict)
        and set(value)
        <= {
            "_data",
            "_meta",
            "type",
        }
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


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
