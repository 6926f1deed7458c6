"""Planning one round of an update run: issue + comments + roles -> new state, marks, outcomes.

Pure: the run flow (``processing.py``) gathers what the plan needs from GitHub and performs it.
The rules:

* The issue body is the source of truth. Its metadata names the newest comment already decided
  (``last_comment_id``): only comments after it are pending, in id order, each once. Reactions,
  and edits to comments already decided, change nothing.
* A pending comment that is not meant as an update (chat) is passed over without a mark.
* An update counts only if its author is trusted (``trust.py``). Others are marked *untrusted*,
  reported, and never applied later.
* A broken update, or one whose result fails the schema or would not fit in the issue body, is
  *rejected*: the object is unchanged by it. Each update applies whole or not at all.
* A guarded update (``if_version``, see ``update_comment.py``) is rejected unless the object is at
  that version when the fold reaches it, updates before it in this round included: of two
  writers who read version N and guard on it, the first comment applies and the second is
  rejected, whichever run decides them. The check depends only on the fold's state, so
  overlapping runs still converge.
* Everything goes in one write: data, metadata and the state. Marks come after it.
* Crash safety: the metadata records the marks the run places, so the next run can place them again
  if it finds the newest one missing (placing a reaction twice is harmless). The marks of applied
  updates are always recorded (the body's size check reserves their room). Marks of rejected and
  untrusted comments are recorded while they fit: outsiders can make the metadata grow only up to
  the body's limit, never past it, so they cannot jam an object; marks that do not fit are placed
  first, before the recorded ones, and are the only ones a crash can leave unplaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .body import (
    MAX_REASON,
    BodyMeta,
    IssueBody,
    body_fits,
    check_body_size,
    decode_body,
    encode_body,
)
from .body import mark_size as _mark_size
from .config import StoreConfig
from .exceptions import InvalidUpdate
from .hashchain import extend_chain
from .merge_patch import apply_merge_patch
from .naming import object_id_from_labels
from .needs import Listing
from .schema import ObjectSchema
from .trust import is_trusted, login_of
from .update_comment import CommentKind, parse_update_comment

__all__ = [
    "Mark",
    "UpdateOutcome",
    "UpdatePlan",
    "comment_id",
    "pending_comments",
    "plan_updates",
    "version_conflict",
]

Status = Literal["applied", "rejected", "untrusted"]


@dataclass(frozen=True)
class Mark:
    """A reaction to place on a comment after the write."""

    comment_id: int
    content: str


@dataclass(frozen=True)
class UpdateOutcome:
    """What became of one update comment."""

    comment_id: int
    author: str
    url: str
    status: Status
    reason: str | None = None
    version_conflict: bool = False  # rejected by its guard: the object was at another version


@dataclass(frozen=True)
class UpdatePlan:
    """Everything one round will do, decided before it writes anything."""

    object_id: str
    issue_number: int
    before: IssueBody
    after: IssueBody
    body_text: str | None  # the new body, or None when the body need not change
    state: Literal["open", "closed"] | None  # the state to set, or None to leave it
    marks: tuple[Mark, ...]  # this round's reactions, in the order to place them
    repair_marks: tuple[Mark, ...]  # the previous run's marks, placed again before the write
    outcomes: tuple[UpdateOutcome, ...]
    complete: bool = True  # False: the comments could not all be read; more may be pending

    @property
    def needs_write(self) -> bool:
        return self.body_text is not None or self.state is not None


def comment_id(comment: Mapping[str, Any]) -> int:
    return int(comment["id"])


def version_conflict(version: int, expected: int) -> str:
    """Why a guarded update expecting ``expected`` is rejected at ``version``."""
    return f"the object is at version {version}, not {expected}"


_VERSION_CONFLICT = re.compile(r"the object is at version \d+, not \d+")


def is_version_conflict(reason: str) -> bool:
    """Whether ``reason`` (as the metadata records it) is :func:`version_conflict`'s: a reader of
    a recorded rejection tells a failed guard from other rejections by it."""
    return _VERSION_CONFLICT.fullmatch(reason) is not None


def pending_comments(
    comments: Iterable[Mapping[str, Any]], baseline: int
) -> list[Mapping[str, Any]]:
    """The comments after ``baseline``, in id order, each once (a listing may repeat one)."""
    unique = {comment_id(c): c for c in comments if comment_id(c) > baseline}
    return [unique[key] for key in sorted(unique)]


def plan_updates(
    issue: Mapping[str, Any],
    listing: Listing,
    roles: Mapping[str, str],
    config: StoreConfig,
    *,
    owner: str,
    baseline: int,
    schema: ObjectSchema | None = None,
    repair: Sequence[Mark] = (),
) -> UpdatePlan:
    """Decide what a round does with ``issue`` given the comments ``listing`` holds.

    ``baseline`` is the id up to which comments count as decided (the metadata's
    ``last_comment_id``, or for a body the original wrote, the newest comment a trusted user
    marked processed); ``roles`` holds the role of every author who needs one; ``repair`` the
    previous run's marks to place again.
    """
    before = decode_body(issue.get("body"))
    meta = before.meta
    number = int(issue["number"])
    object_id = object_id_from_labels(config, issue.get("labels") or []) or f"#{number}"
    is_open = issue.get("state") == "open"
    reactions = config.reactions
    content_of = {
        "applied": reactions.processed,
        "rejected": reactions.rejected,
        "untrusted": reactions.untrusted,
    }

    pending = pending_comments(listing.items, baseline)
    data = before.data
    version, history_hash, applied_count = meta.version, meta.history_hash, meta.applied_count
    required_room = 0  # metadata room the applied updates' marks need
    decided: list[_Decided] = []
    outcomes: list[UpdateOutcome] = []
    last_decided_at: str | None = None

    for comment in pending:
        cid = comment_id(comment)
        last_decided_at = comment.get("created_at") or last_decided_at
        parsed = parse_update_comment(comment.get("body"))
        if parsed.kind is CommentKind.CHAT:
            continue
        author = login_of(comment)
        status: Status
        reason: str | None = None
        conflict = False
        if not is_trusted(author, roles, config, owner):
            status = "untrusted"
            reason = f"{author} may not write to this repository"
        elif parsed.kind is CommentKind.BROKEN or parsed.patch is None:
            status, reason = "rejected", parsed.reason
        elif parsed.if_version is not None and parsed.if_version != version:
            status, conflict = "rejected", True
            reason = version_conflict(version, parsed.if_version)
        else:
            candidate = apply_merge_patch(data, parsed.patch)
            room = required_room + _mark_size(cid, reactions.processed)
            reason = _why_unstorable(candidate, schema, room)
            if reason is None:
                status = "applied"
                data, required_room = candidate, room
                version += 1
                applied_count += 1
                history_hash = extend_chain(history_hash, cid, str(comment.get("body")))
            else:
                status = "rejected"
        rejection = reason if status == "rejected" else None
        decided.append(
            _Decided(Mark(cid, content_of[status]), comment, status == "applied", rejection)
        )
        outcomes.append(
            UpdateOutcome(cid, author, str(comment.get("html_url", "")), status, reason, conflict)
        )

    last_id = max([meta.last_comment_id, baseline, *(comment_id(c) for c in pending)])
    worth_writing = bool(decided) or bool(repair) or meta.legacy or is_open
    recorded: list[int] = []  # indices into `decided` whose marks the metadata records
    if not worth_writing:
        # Chat alone on a closed issue is not worth a write: it is cheap to pass over again.
        after, body_text = before, None
    else:
        counters = BodyMeta(
            version=version,
            last_comment_id=last_id,
            history_hash=history_hash,
            applied_count=applied_count,
        )
        after, recorded = _fit_metadata(
            data, counters, meta, decided, bool(repair), last_decided_at
        )
        changed = meta.legacy or after.meta != meta or data != before.data
        body_text = encode_body(after) if changed else None

    state: Literal["open", "closed"] | None = None
    if not listing.complete:
        state = None if is_open else "open"  # comments may still be pending: keep it visible
    elif is_open or body_text is not None:
        state = "closed"
    loose = [entry.mark for i, entry in enumerate(decided) if i not in recorded]
    return UpdatePlan(
        object_id=object_id,
        issue_number=number,
        before=before,
        after=after,
        body_text=body_text,
        state=state,
        marks=tuple(loose + [decided[i].mark for i in recorded]),
        repair_marks=tuple(repair),
        outcomes=tuple(outcomes),
        complete=listing.complete,
    )


@dataclass(frozen=True)
class _Decided:
    mark: Mark
    comment: Mapping[str, Any]
    required: bool  # an applied update's mark: always recorded
    rejection: str | None  # why it was rejected (recorded with its mark, for wait())


def _fit_metadata(
    data: dict[str, Any],
    counters: BodyMeta,
    previous: BodyMeta,
    decided: Sequence[_Decided],
    repairing: bool,
    last_decided_at: str | None,
) -> tuple[IssueBody, list[int]]:
    """The body to write, recording every required mark and as many others as fit.

    Returns it with the indices of the ``decided`` entries whose marks it records.
    """
    optional = [i for i, entry in enumerate(decided) if not entry.required]
    while True:
        recorded = [i for i, entry in enumerate(decided) if entry.required or i in optional]
        reasons: tuple[tuple[int, str], ...] = ()
        if recorded:
            # The next run lists from the comment with the newest recorded mark, to check it.
            marks = tuple((decided[i].mark.comment_id, decided[i].mark.content) for i in recorded)
            reasons = tuple(
                (decided[i].mark.comment_id, _bounded(rejection))
                for i in recorded
                if (rejection := decided[i].rejection)
            )
            since = decided[recorded[-1]].comment.get("created_at") or previous.since
        elif decided or repairing:
            marks, since = (), last_decided_at or previous.since
            if not decided:
                # Only the last run's marks placed again: why it rejected stays readable.
                reasons = previous.reasons
        else:
            # Nothing decided and nothing placed again: the previous marks stay owed.
            marks, reasons = previous.marks, previous.reasons
            since = previous.since if marks else (last_decided_at or previous.since)
        body = IssueBody(data, _with(counters, marks=marks, since=since, reasons=reasons))
        try:
            check_body_size(encode_body(body))
        except InvalidUpdate as exc:
            if not optional:
                raise InvalidUpdate(
                    f"the object no longer fits in its issue body with gh-store's metadata: {exc}"
                ) from None
            optional.pop(0)  # the oldest optional mark goes unrecorded
            continue
        return body, recorded


def _with(
    counters: BodyMeta,
    *,
    marks: tuple[tuple[int, str], ...],
    since: str | None,
    reasons: tuple[tuple[int, str], ...],
) -> BodyMeta:
    return BodyMeta(
        version=counters.version,
        last_comment_id=counters.last_comment_id,
        since=since,
        history_hash=counters.history_hash,
        applied_count=counters.applied_count,
        marks=marks,
        reasons=reasons,
    )


def _bounded(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _why_unstorable(candidate: Any, schema: ObjectSchema | None, marks_room: int) -> str | None:
    if not isinstance(candidate, dict):
        return "the result is not a JSON object"
    if schema is not None:
        problems = schema.errors(candidate)
        if problems:
            shown = "; ".join(problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            return f"the result does not match the schema: {shown}{more}"
    return body_fits(candidate, marks_room)
