"""What became of an update: the flows behind ``GitHubStore.wait``, one poll each.

``update`` posts a comment and hands back a ``PostedUpdate`` naming it (issue, comment id, URL,
author). Waiting for it reads that issue, by its number, and decides:

* The issue must still hold the object: archived, deleted or relabelled, the wait ends with
  ``ObjectNotFound``. The id may be stored again meanwhile, in another issue: that is another
  object, which the caller's update never reached.
* The comment is pending until the body's ``last_comment_id`` reaches it, whether the issue is
  open or closed (a closed issue with an update after its last run is not settled). A pending
  update whose author may not write will never be applied: ``UpdateNotTrusted`` at once.
* Once decided, the body's recorded marks say how (``reasons`` with why it was rejected). A later
  run replaces them; then the comment's reactions say it, counted only when a trusted user placed
  them (``marks.py``), never anyone's: an outsider's ``+1`` cannot make a rejected update look
  applied. Rejection marks are asked first, so a doubt ends in an error, never in a false success.
  No mark yet (a run died between its write and its marks) is still pending: the next run places
  them.

``update(..., apply=True)`` processes the issue at once and decides by the same rules
(``applied_now_flow``): this run's outcome for the comment when it decided it, else what the issue
says; an update left pending by the run is ``UpdatePending``, never a success.

``settled_flow`` is the older call shape, ``wait(object_id)`` with no update named: the object once
no update from a trusted author is pending on the issue found first. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .body import decode_body
from .exceptions import (
    GitHubAPIError,
    ObjectNotFound,
    UpdateNotTrusted,
    UpdatePending,
    UpdateRejected,
    VersionConflict,
)
from .marks import marked_by_trusted_user
from .naming import object_label
from .needs import Flow, GetIssue
from .objects import (
    Scope,
    current_issue_flow,
    get_flow,
    is_live_object,
    pending_count_flow,
    read_object_flow,
)
from .planner import is_version_conflict
from .report import ProcessReport
from .trust import login_of, trusted
from .types import ObjectMeta, StoredObject, parse_github_time

__all__ = [
    "PostedUpdate",
    "UpdatedObject",
    "applied_now_flow",
    "posted_update",
    "settled_flow",
    "update_outcome_flow",
]


@dataclass(frozen=True)
class PostedUpdate:
    """One update ``update()`` posted: the comment that carries it, on the object's issue."""

    object_id: str
    issue_number: int
    comment_id: int
    url: str  # the comment on github.com
    author: str


@dataclass(frozen=True)
class UpdatedObject(StoredObject):
    """What ``update()`` returns: the object as it was read (the update still pending, unless
    applied inline), and ``posted``, the update's comment, for ``wait()``."""

    posted: PostedUpdate | None = None


def posted_update(object_id: str, issue_number: int, comment: Mapping[str, Any]) -> PostedUpdate:
    return PostedUpdate(
        object_id=object_id,
        issue_number=issue_number,
        comment_id=int(comment["id"]),
        url=str(comment.get("html_url") or ""),
        author=login_of(comment),
    )


def update_outcome_flow(scope: Scope, posted: PostedUpdate) -> Flow[StoredObject | None]:
    """The object once ``posted`` is applied; None while it is pending; raises if it never will
    be (``UpdateRejected``, ``UpdateNotTrusted``) or if the object is gone (``ObjectNotFound``)."""
    issue = yield from _same_object(scope, posted.object_id, posted.issue_number)
    meta = decode_body(issue.get("body")).meta
    if meta.legacy or posted.comment_id > meta.last_comment_id:
        if not (yield from trusted(posted.author, scope.config, scope.owner, scope.roles)):
            raise _not_trusted(scope, posted)
        return None
    reactions = scope.config.reactions
    content = dict(meta.marks).get(posted.comment_id)
    if content is None:
        content = yield from _placed_mark(scope, posted)
    # Later keys win: a processed mark that is also configured as another reads as applied.
    status = {
        reactions.rejected: "rejected",
        reactions.untrusted: "untrusted",
        reactions.processed: "applied",
    }.get(content or "")
    if _applied(scope, posted, status, dict(meta.reasons).get(posted.comment_id)):
        return (yield from read_object_flow(scope, issue, posted.object_id))
    return None  # decided, but its mark is not placed yet: the next run places it


def applied_now_flow(
    scope: Scope, posted: PostedUpdate, report: ProcessReport
) -> Flow[StoredObject]:
    """The object after ``report``'s run, which was to apply ``posted`` (``update(apply=True)``).

    Raises as ``wait()`` does when it will never be applied, and ``UpdatePending`` when it was not
    applied yet: a run that did not decide it (another run did meanwhile, or this one refused the
    issue or left comments for later) is followed by what the issue says now.
    """
    mine = [o for o in report.outcomes if o.comment_id == posted.comment_id]
    if mine and _applied(scope, posted, mine[-1].status, mine[-1].reason):
        obj = _object_from_report(scope, report, posted.object_id)
        return obj if obj is not None else (yield from get_flow(scope, posted.object_id))
    obj = yield from update_outcome_flow(scope, posted)
    if obj is not None:
        return obj
    why = f" ({report.refused})" if report.refused else ""
    raise UpdatePending(
        f"update {posted.url or posted.comment_id} to object {posted.object_id!r} was posted "
        f"but not applied{why}: it is still pending; wait() for it or let the action run",
        comment_id=posted.comment_id,
        url=posted.url,
        issue_number=posted.issue_number,
    )


def _applied(scope: Scope, posted: PostedUpdate, status: str | None, reason: str | None) -> bool:
    """Whether a run applied ``posted``, from its decision (``status``, ``reason`` if rejected):
    the one place where a rejection or an untrusted author becomes the caller's error."""
    if status == "untrusted":
        raise _not_trusted(scope, posted)
    if status == "rejected":
        raise _rejected(
            posted,
            reason or "the reason is in the summary of the gh-store workflow run that processed it",
        )
    return status == "applied"


def _object_from_report(scope: Scope, report: ProcessReport, object_id: str) -> StoredObject | None:
    if report.data is None or report.created_at is None or report.updated_at is None:
        return None
    meta = ObjectMeta(
        object_id=object_id,
        label=object_label(scope.config, object_id),
        issue_number=report.issue_number,
        created_at=parse_github_time(report.created_at),
        updated_at=parse_github_time(report.updated_at),
        version=report.version_after,
    )
    return StoredObject(meta=meta, data=report.data)


def settled_flow(
    scope: Scope, object_id: str, pinned: int | None, known: int | None
) -> Flow[tuple[int, StoredObject | None]]:
    """(the issue, the object once no trusted update is pending on it, else None).

    The first poll (``pinned`` None) finds the issue (``known``: a number seen before); later
    polls read that one issue, so a re-created id is never taken for the object waited on.
    """
    if pinned is None:
        issue = yield from current_issue_flow(scope, object_id, known)
    else:
        issue = yield from _same_object(scope, object_id, pinned)
    number = int(issue["number"])
    pending = yield from pending_count_flow(scope, issue, closed_is_settled=False)
    if pending:
        return number, None
    return number, (yield from read_object_flow(scope, issue, object_id))


def _same_object(scope: Scope, object_id: str, number: int) -> Flow[Mapping[str, Any]]:
    gone = ObjectNotFound(
        f"object {object_id!r} in {scope.repo} was archived or deleted while waiting "
        f"(issue #{number} no longer holds it)"
    )
    try:
        issue: Mapping[str, Any] = yield GetIssue(number)
    except GitHubAPIError as exc:
        if exc.status in (404, 410):
            raise gone from None
        raise
    if not is_live_object(issue, object_id, scope.config):
        raise gone
    return issue


def _placed_mark(scope: Scope, posted: PostedUpdate) -> Flow[str | None]:
    """The store's mark on the comment, asked from its reactions (rejections first)."""
    reactions = scope.config.reactions
    for content in dict.fromkeys((reactions.untrusted, reactions.rejected, reactions.processed)):
        # The comment's rollup is not at hand: claim one reaction so the placers are asked.
        comment = {"id": posted.comment_id, "reactions": {content: 1}}
        try:
            placed = yield from marked_by_trusted_user(
                comment, content, scope.config, scope.owner, scope.roles
            )
        except GitHubAPIError as exc:
            if exc.status in (404, 410):
                raise _rejected(posted, "its comment was deleted before it was applied") from None
            raise
        if placed:
            return content
    return None


def _not_trusted(scope: Scope, posted: PostedUpdate) -> UpdateNotTrusted:
    role = scope.roles.get(posted.author)
    has = f" (GitHub reports {role!r})" if role else ""
    reason = (
        f"{posted.author} may not write to {scope.repo}{has}: gh-store applies updates only "
        f"from users with {scope.config.trust.min_permission!r} permission or more"
    )
    return UpdateNotTrusted(
        f"update {posted.url or posted.comment_id} to object {posted.object_id!r} will never be "
        f"applied: {reason}",
        reason=reason,
        comment_id=posted.comment_id,
        url=posted.url,
        issue_number=posted.issue_number,
    )


def _rejected(posted: PostedUpdate, reason: str) -> UpdateRejected:
    # A failed guard (if_version) is a VersionConflict: the caller reads again and retries.
    kind = VersionConflict if is_version_conflict(reason) else UpdateRejected
    return kind(
        f"update {posted.url or posted.comment_id} to object {posted.object_id!r} was rejected: "
        f"{reason}",
        reason=reason,
        comment_id=posted.comment_id,
        url=posted.url,
        issue_number=posted.issue_number,
    )
