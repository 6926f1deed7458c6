"""The issue body: the object as people read it on github.com, plus the store's own metadata.

A body written by gh-store looks like this::

    ```json
    {
      "name": "test",
      "value": 42
    }
    ```
    <!-- gh-store:meta {"format":1,"version":2,"last_comment_id":2000000123,...} -->

The fenced block renders as highlighted JSON; the HTML comment is invisible on github.com and keeps
what the update processor needs to be idempotent out of the object's data. A body written by the
original gh-store (the whole body is the JSON object) is read as a *legacy* body. Both are read as
strict JSON (``json_text``): the original wrote NaN with plain ``json.dumps``, and such a body is
refused with a message saying what to fix rather than failing later.

Pure: text in, ``IssueBody`` out, and back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .constants import MAX_BODY_BYTES, MAX_BODY_CHARS
from .exceptions import CorruptObjectError, InvalidUpdate
from .hashchain import GENESIS
from .json_text import JSONProblem, NumberTooLong, check_json_value, loads_strict, read_int

__all__ = [
    "FORMAT_VERSION",
    "MAX_REASON",
    "BodyMeta",
    "IssueBody",
    "body_fits",
    "check_body_size",
    "check_storable",
    "decode_body",
    "encode_body",
    "mark_size",
]

FORMAT_VERSION = 1
MAX_REASON = 300  # characters of one recorded rejection reason

_META_PREFIX = "<!-- gh-store:meta "
_BODY_RE = re.compile(
    r"\A(?P<fence>`{3,})json\n(?P<json>.*)\n(?P=fence)\n+"
    r"<!-- gh-store:meta (?P<meta>\{[^\n]*\}) -->\s*\Z",
    re.DOTALL,
)


@dataclass(frozen=True)
class BodyMeta:
    """What the store keeps beside the data.

    ``last_comment_id`` is the newest comment the processor has decided on (applied, rejected,
    skipped as untrusted, or ignored as chat): only comments after it are pending.
    ``since`` is the ``created_at`` from which the next run lists comments; it is never later than
    the comment that holds the newest recorded mark, so the next run sees whether it was placed.
    ``marks`` are the reactions the last run placed or still owes, as (comment id, content).
    ``reasons`` say why the recorded marks that reject did (comment id, reason), each at most
    ``MAX_REASON`` characters, so ``wait()`` can tell its caller; absent from the text when empty
    (a reader that does not know the key passes over it).
    """

    version: int = 1
    last_comment_id: int = 0
    since: str | None = None
    history_hash: str = GENESIS
    applied_count: int = 0
    marks: tuple[tuple[int, str], ...] = ()
    reasons: tuple[tuple[int, str], ...] = ()
    format: int = FORMAT_VERSION
    legacy: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class IssueBody:
    data: dict[str, Any]
    meta: BodyMeta


#: Metadata as long as it can get once it has grown: ``body_fits`` sizes bodies with it, so a body
#: that fits keeps fitting while the counters and the listing point move on.
_LONGEST_META = BodyMeta(
    version=10**9,
    last_comment_id=10**12,
    since="2000-01-01T00:00:00Z",
    applied_count=10**9,
)


def encode_body(body: IssueBody) -> str:
    """Render ``body`` as issue text (no size check: see ``check_body_size``)."""
    # Backticks can only stand inside JSON strings, where \u0060 means the same: escaping them
    # keeps the fence at three and the body's size independent of runs of backticks in the data.
    text = json.dumps(body.data, indent=2, ensure_ascii=False, allow_nan=False).replace(
        "`", "\\u0060"
    )
    meta = body.meta
    meta_doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "version": meta.version,
        "last_comment_id": meta.last_comment_id,
        "since": meta.since,
        "history_hash": meta.history_hash,
        "applied_count": meta.applied_count,
        "marks": [[comment_id, content] for comment_id, content in meta.marks],
    }
    if meta.reasons:
        meta_doc["reasons"] = [[comment_id, reason] for comment_id, reason in meta.reasons]
    # "<" and ">" stand only inside strings here (a recorded reason may quote anything): escaped,
    # no text can close the HTML comment early.
    meta_text = (
        json.dumps(meta_doc, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")
    )
    return f"```json\n{text}\n```\n{_META_PREFIX}{meta_text} -->\n"


def mark_size(comment_id: int, content: str) -> int:
    """Characters one mark takes in the metadata: ``[id,"content"],``."""
    return len(str(comment_id)) + len(content) + 6


def body_fits(data: dict[str, Any], marks_room: int = 0) -> str | None:
    """Why ``data`` cannot be stored (with ``marks_room`` characters of marks), or None.

    The metadata is sized at its longest, so an object that fits once keeps fitting.
    """
    try:
        check_json_value(data)
        text = encode_body(IssueBody(data=data, meta=_LONGEST_META))
    except JSONProblem as exc:
        return f"the object cannot be stored as JSON: {exc}"
    try:
        check_body_size(text + " " * marks_room, "the object")
    except InvalidUpdate as exc:
        return str(exc)
    return None


def check_storable(data: Any, what: str = "the object") -> None:
    """Raise ``InvalidUpdate`` unless ``data`` is a JSON object an issue body can hold."""
    if not isinstance(data, dict):
        raise InvalidUpdate(f"{what} must be a JSON object (a dict), not {type(data).__name__}")
    problem = body_fits(data)
    if problem is not None:
        raise InvalidUpdate(problem.replace("the object", what, 1))


def decode_body(text: str | None) -> IssueBody:
    """Read an issue body in gh-store's format or the original gh-store's plain JSON."""
    if text is None or not text.strip():
        raise CorruptObjectError("the issue body is empty: it holds no object")
    normalized = text.replace("\r\n", "\n")
    match = _BODY_RE.match(normalized)
    if match is None:
        return _decode_legacy(normalized)
    try:
        data = loads_strict(match.group("json"))
    except JSONProblem as exc:
        raise CorruptObjectError(f"the issue body's JSON cannot be read: {exc}") from None
    try:
        meta_doc = json.loads(match.group("meta"), parse_int=read_int)
    except (ValueError, RecursionError):
        raise CorruptObjectError("the issue body's gh-store metadata is damaged") from None
    if not isinstance(data, dict):
        raise CorruptObjectError("the issue body's JSON is not an object")
    return IssueBody(data=data, meta=_meta_from_doc(meta_doc))


def check_body_size(text: str, what: str = "the issue body") -> None:
    """Raise ``InvalidUpdate`` if GitHub would refuse ``text`` as a body."""
    chars = len(text)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        # A lone surrogate (JSON's "\ud800" decodes to one) has no UTF-8 form to send.
        raise InvalidUpdate(
            f"{what} holds a lone surrogate (U+{ord(text[exc.start]):04X}), which is not "
            "Unicode text"
        ) from None
    if chars > MAX_BODY_CHARS or size > MAX_BODY_BYTES:
        raise InvalidUpdate(
            f"{what} would be {chars:,} characters ({size:,} bytes); GitHub allows "
            f"{MAX_BODY_CHARS:,} characters and {MAX_BODY_BYTES:,} bytes"
        )


def _decode_legacy(text: str) -> IssueBody:
    # Tried before blaming a hand edit: a legacy object may hold the metadata marker as text
    # inside a string, and no body in gh-store's format (it opens with a fence) parses as JSON.
    try:
        data = loads_strict(text)
    except NumberTooLong as exc:
        raise CorruptObjectError(f"the issue body cannot be read: {exc}") from None
    except JSONProblem as exc:
        if _parses_leniently(text):
            # The original gh-store wrote bodies with plain json.dumps: NaN, Infinity, "\ud800".
            raise CorruptObjectError(
                f"the issue body (written by the original gh-store) is not strict JSON: {exc}"
            ) from None
        if _META_PREFIX in text:
            raise CorruptObjectError(
                "the issue body has gh-store metadata but its JSON block was changed by hand "
                "and can no longer be read"
            ) from None
        raise CorruptObjectError(
            "the issue body is neither gh-store's format nor a JSON object"
        ) from None
    if not isinstance(data, dict):
        raise CorruptObjectError("the issue body is JSON but not an object")
    return IssueBody(data=data, meta=BodyMeta(legacy=True))


def _parses_leniently(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _meta_from_doc(doc: Any) -> BodyMeta:
    problem = "the issue body's gh-store metadata is damaged"
    if not isinstance(doc, dict):
        raise CorruptObjectError(problem)
    # The format is checked first: a newer format may have dropped or renamed the other fields.
    try:
        fmt = _whole(doc.get("format", FORMAT_VERSION))
    except ValueError:
        raise CorruptObjectError(problem) from None
    if fmt > FORMAT_VERSION:
        raise CorruptObjectError(
            f"the issue body was written by a newer gh-store (format {fmt}); upgrade gh-store"
        )
    try:
        version = _whole(doc["version"])
        last_comment_id = _whole(doc.get("last_comment_id", 0))
        applied_count = _whole(doc.get("applied_count", 0))
        since = doc.get("since")
        history_hash = doc.get("history_hash", GENESIS)
        marks_doc = doc.get("marks", [])
        if not isinstance(since, str | None) or not isinstance(history_hash, str):
            raise TypeError
        if since is not None:
            _check_moment(since)
        if not isinstance(marks_doc, list):
            raise TypeError
        marks = tuple(_mark(m) for m in marks_doc)
        reasons_doc = doc.get("reasons", [])
        if not isinstance(reasons_doc, list):
            raise TypeError
        reasons = tuple(_mark(r) for r in reasons_doc)
    except (KeyError, TypeError, IndexError, ValueError):
        raise CorruptObjectError(problem) from None
    return BodyMeta(
        version=version,
        last_comment_id=last_comment_id,
        since=since,
        history_hash=history_hash,
        applied_count=applied_count,
        marks=marks,
        reasons=reasons,
        format=fmt,
    )


def _check_moment(text: str) -> None:
    """``since`` is a moment GitHub wrote (``2024-01-01T00:00:00Z``): it goes back to GitHub as
    a listing's ``since``, so a hand-edited one is damage, found here (one rule for REST, which
    GitHub would refuse with a 422, and GraphQL, which compares it itself)."""
    if len(text) > 64:
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(text)


def _mark(doc: Any) -> tuple[int, str]:
    if not isinstance(doc, list) or len(doc) != 2 or not isinstance(doc[1], str):
        raise TypeError(doc)
    return _whole(doc[0]), doc[1]


def _whole(value: Any) -> int:
    # GitHub's ids and a version count fit 63 bits; a longer number is a hand edit.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValueError("not a whole number gh-store wrote")
    return value
