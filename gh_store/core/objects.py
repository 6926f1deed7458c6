"""The client's operations on objects, as flows: find, read, list, create, update, archive.

Each decision that needs GitHub's answers lives here once; ``gh_store.client.GitHubStore`` only
drives these flows over its transport. Request counts (over REST), which the tests assert:
``get`` 1, ``create`` 5 (look-up, create, look-up again, the creation comment, close),
``update`` 2 once the issue number is known (reopen, comment), ``delete`` 2, a listing 1 per
100 objects; plus one role look-up per issue opener who is not the owner, the Actions bot or a
configured user, once per client.

Races these flows close (each has a test):

* two clients creating one id at once: each looks again after its own create, and the newer issue
  archives itself and raises ``ObjectExistsError``, so at most one live object results;
* a create that died between its create and that look (two live issues): the next read or write
  keeps the issue that carries updates, else the oldest, and archives the other
  (``_settle_duplicates``); an issue an outsider opened, even labelled by a triage user, is no
  object: it neither blocks an id nor gets the real object archived;
* a cached issue number whose object was archived (or re-created) meanwhile: ``update`` reopens
  first and reads the labels in that write's answer; a stale number is closed again and the id is
  looked up afresh, so nothing is posted to an archived issue.

Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .body import BodyMeta, IssueBody, decode_body, encode_body
from .config import StoreConfig
from .constants import ARCHIVED_LABEL, DISPATCH_EVENT
from .exceptions import (
    AccessDeniedError,
    CorruptObjectError,
    DuplicateUIDError,
    GitHubAPIError,
    ObjectExistsError,
    ObjectNotFound,
)
from .marks import legacy_baseline
from .naming import (
    has_label,
    is_archived,
    issue_title,
    label_names,
    object_id_from_labels,
    object_label,
    same_label,
)
from .needs import (
    CreateComment,
    CreateIssue,
    Dispatch,
    Flow,
    GetIssue,
    ListComments,
    Listing,
    ListIssues,
    UpdateIssue,
)
from .planner import pending_comments
from .trust import login_of, trusted
from .types import ObjectMeta, StoredObject, parse_github_time
from .update_comment import encode_initial_state, is_meant_as_update

__all__ = [
    "ObjectListing",
    "Scope",
    "archive_flow",
    "create_flow",
    "current_issue_flow",
    "find_issue_flow",
    "get_flow",
    "is_live_object",
    "list_flow",
    "may_have_work",
    "pending_count_flow",
    "read_object_flow",
    "update_flow",
]


@dataclass(frozen=True)
class Scope:
    """Where the flows work: the repository, its config, and the roles already looked up."""

    repo: str
    config: StoreConfig
    roles: MutableMapping[str, str]

    @property
    def owner(self) -> str:
        return self.repo.split("/")[0]


@dataclass(frozen=True)
class ObjectListing:
    """The objects a listing found, and the issues it passed over with the reason.

    ``numbers``: every issue (and pull request) the listing held; ``served_at``: GitHub's clock
    when it answered (``Listing.served_at``).
    """

    objects: tuple[StoredObject, ...]
    skipped: tuple[tuple[int, str], ...] = ()
    complete: bool = True
    numbers: frozenset[int] = frozenset()
    served_at: datetime | None = None


def is_live_object(issue: Mapping[str, Any], object_id: str, config: StoreConfig) -> bool:
    """Whether ``issue`` still holds object ``object_id``: both labels, not archived, no PR."""
    return (
        not issue.get("pull_request")
        and has_label(issue, config.base_label)
        and has_label(issue, object_label(config, object_id))
        and not is_archived(issue)
    )


def find_issue_flow(scope: Scope, object_id: str) -> Flow[Mapping[str, Any]]:
    """The one live issue of ``object_id``; ``ObjectNotFound`` or ``DuplicateUIDError``.

    Several live issues are settled here (see ``_settle_duplicates``), so a create that died
    between its create and its check does not leave the id unreadable for ever.
    """
    found = yield from _live_issues(scope, object_id)
    if len(found) > 1:
        found = yield from _opened_by_trusted(scope, found)
    if not found:
        raise ObjectNotFound(f"no object {object_id!r} in {scope.repo}")
    if len(found) > 1:
        return (yield from _settle_duplicates(scope, object_id, found))
    return found[0]


def _opened_by_trusted(
    scope: Scope, issues: Sequence[Mapping[str, Any]]
) -> Flow[list[Mapping[str, Any]]]:
    """The issues a trusted user opened: an outsider's issue that a triage user labelled holds
    no object (``read_object_flow`` refuses it), so it can neither jam an id nor get the real
    object archived in its place."""
    if not scope.config.trust.require_trusted_issue_author:
        return list(issues)
    kept = []
    for issue in issues:
        if (yield from trusted(login_of(issue), scope.config, scope.owner, scope.roles)):
            kept.append(issue)
    return kept


def _settle_duplicates(
    scope: Scope, object_id: str, found: Sequence[Mapping[str, Any]]
) -> Flow[Mapping[str, Any]]:
    """Two trusted issues for one id: a create died between its create and its check.

    The issue kept is the one that carries trusted updates (applied or pending: they are the
    object's history, and losing one is the one thing not allowed), else the oldest: a create
    returns only after its check finds no older issue, so only the oldest can have been handed
    to a caller. The others are archived (closed, relabelled, every comment kept on GitHub).
    When more than one carries updates, no rule can merge them: a person must.
    A caller that may not write still reads the issue kept; the next writer archives the rest.
    """
    ordered = sorted(found, key=lambda issue: int(issue["number"]))
    carrying = []
    for issue in ordered:
        if (yield from _carries_updates(scope, issue)):
            carrying.append(issue)
    if len(carrying) > 1:
        numbers = ", ".join(f"#{issue['number']}" for issue in carrying)
        raise DuplicateUIDError(
            f"object {object_id!r} is held by several issues that each carry updates "
            f"({numbers}); move the updates to one of them and archive the others"
        )
    kept = carrying[0] if carrying else ordered[0]
    for issue in ordered:
        if issue is kept:
            continue
        try:
            yield _archive(issue, scope.config)
        except AccessDeniedError:
            break  # a reader: the issue kept is still the object
    return kept


def _carries_updates(scope: Scope, issue: Mapping[str, Any]) -> Flow[bool]:
    """Whether a trusted user posted an update on ``issue``; free when it has no comments."""
    if not _comment_count(issue):
        return False
    listing: Listing = yield ListComments(int(issue["number"]))
    for comment in listing.items:
        if is_meant_as_update(comment) and (
            yield from trusted(login_of(comment), scope.config, scope.owner, scope.roles)
        ):
            return True
    return False


def _comment_count(issue: Mapping[str, Any]) -> int:
    count = issue.get("comments")
    # A listing without the count (it always has one on GitHub) is read as "may have some".
    return count if isinstance(count, int) and not isinstance(count, bool) else 1


def current_issue_flow(
    scope: Scope, object_id: str, known_number: int | None
) -> Flow[Mapping[str, Any]]:
    """The object's issue as it is now: read by its known number if it still holds the object
    (one conditional read), else found by its labels."""
    if known_number is not None:
        try:
            issue: Mapping[str, Any] = yield GetIssue(known_number)
        except GitHubAPIError as exc:
            if exc.status not in (404, 410):
                raise
        else:
            if is_live_object(issue, object_id, scope.config):
                return issue
    return (yield from find_issue_flow(scope, object_id))


def read_object_flow(scope: Scope, issue: Mapping[str, Any], object_id: str) -> Flow[StoredObject]:
    """The object ``issue`` holds, if its opener is trusted (a role look-up unless free)."""
    config = scope.config
    number = int(issue["number"])
    opener = login_of(issue)
    if config.trust.require_trusted_issue_author and not (
        yield from trusted(opener, config, scope.owner, scope.roles)
    ):
        raise AccessDeniedError(
            f"issue #{number} (object {object_id!r}) was opened by {opener}, who may not write "
            "to the repository; its body is not trusted as a stored object"
        )
    # Label names ignore case on GitHub: report the id as the issue's own label spells it.
    object_id = object_id_from_labels(config, issue.get("labels") or []) or object_id
    body = decode_body(issue.get("body"))
    meta = ObjectMeta(
        object_id=object_id,
        label=object_label(config, object_id),
        issue_number=number,
        created_at=parse_github_time(str(issue["created_at"])),
        updated_at=parse_github_time(str(issue["updated_at"])),
        version=body.meta.version,
    )
    return StoredObject(meta=meta, data=body.data)


def get_flow(scope: Scope, object_id: str) -> Flow[StoredObject]:
    issue = yield from find_issue_flow(scope, object_id)
    return (yield from read_object_flow(scope, issue, object_id))


def list_flow(scope: Scope, since: str | None = None) -> Flow[ObjectListing]:
    """Every live object (changed at or after ``since``); unreadable issues are passed over."""
    config = scope.config
    listing: Listing = yield ListIssues((config.base_label,), "all", since)
    objects: list[StoredObject] = []
    skipped: list[tuple[int, str]] = []
    for issue in listing.items:
        number = int(issue["number"])
        if issue.get("pull_request") or is_archived(issue):
            continue
        object_id = object_id_from_labels(config, issue.get("labels") or [])
        if object_id is None:
            skipped.append((number, f"no label naming an object id ({config.uid_prefix}<id>)"))
            continue
        try:
            objects.append((yield from read_object_flow(scope, issue, object_id)))
        except (CorruptObjectError, AccessDeniedError) as exc:
            skipped.append((number, f"object {object_id!r}: {exc}"))
    numbers = frozenset(int(issue["number"]) for issue in listing.items)
    return ObjectListing(
        tuple(objects), tuple(skipped), listing.complete, numbers, listing.served_at
    )


def create_flow(
    scope: Scope, object_id: str, data: dict[str, Any], extra_labels: Sequence[str] = ()
) -> Flow[StoredObject]:
    """Store a new object; ``ObjectExistsError`` if the id is taken, also by a racing create."""
    config = scope.config
    labels = tuple(
        dict.fromkeys([config.base_label, object_label(config, object_id), *extra_labels])
    )
    existing = yield from _live_issues(scope, object_id)
    if existing:
        existing = yield from _opened_by_trusted(scope, existing)
    if len(existing) > 1:
        yield from _settle_duplicates(scope, object_id, existing)  # a write repairs too
    if existing:
        raise ObjectExistsError(f"object {object_id!r} already exists in {scope.repo}")
    body = encode_body(IssueBody(data=data, meta=BodyMeta()))
    issue: Mapping[str, Any] = yield CreateIssue(issue_title(object_id), body, labels)
    number = int(issue["number"])
    if not is_live_object(issue, object_id, config):
        # GitHub silently drops the labels of a new issue when its author may not push.
        yield UpdateIssue(number, state="closed", state_reason="not_planned")
        raise AccessDeniedError(
            f"GitHub dropped the labels of issue #{number}, created for object {object_id!r}: "
            "the token may not label issues in this repository (it needs write access); "
            "the issue was closed"
        )
    # Another client may have created the id between the look-up and the create: the oldest
    # issue wins, and each creator can tell from a look-up made after its own create.
    live = yield from _live_issues(scope, object_id)
    rivals = [rival for rival in live if int(rival["number"]) < number]
    if rivals and (yield from _opened_by_trusted(scope, rivals)):
        yield _archive(issue, config)
        raise ObjectExistsError(
            f"object {object_id!r} was created in {scope.repo} by someone else at the same "
            f"time; issue #{number} made here was archived"
        )
    # The data at version 1, which the body no longer holds after the first update: a rollback
    # starts its history here. Conversation to the processor.
    yield CreateComment(number, encode_initial_state(data))
    # Closed means stable: an open issue has pending updates.
    closed: Mapping[str, Any] = yield UpdateIssue(number, state="closed", state_reason="completed")
    return (yield from read_object_flow(scope, closed, object_id))


def update_flow(
    scope: Scope,
    object_id: str,
    comment_text: str,
    known_number: int | None,
    *,
    dispatch: bool = False,
) -> Flow[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Post ``comment_text`` as an update and reopen the issue; returns the issue as reopened
    and the comment posted.

    Reopening comes first: its answer carries the labels, so a cached number whose object is
    gone is caught before anything is posted.
    """
    config = scope.config
    number = known_number
    for attempt in ("cached", "fresh"):
        if number is None:
            attempt = "fresh"
            number = int((yield from find_issue_flow(scope, object_id))["number"])
        issue: Mapping[str, Any] = yield UpdateIssue(number, state="open")
        if is_live_object(issue, object_id, config):
            break
        if is_archived(issue):
            # Put it back as archiving left it: the reopen above was ours.
            yield UpdateIssue(number, state="closed", state_reason="not_planned")
        if attempt == "fresh":
            raise ObjectNotFound(f"no object {object_id!r} in {scope.repo}")
        number = None
    assert number is not None
    yield from read_object_flow(scope, issue, object_id)  # refuses an outsider's issue
    comment: Mapping[str, Any] = yield CreateComment(number, comment_text)
    if dispatch:
        yield Dispatch(DISPATCH_EVENT, {"issue_number": number, "object_id": object_id})
    return issue, comment


def archive_flow(scope: Scope, object_id: str) -> Flow[int]:
    """Archive the object: its issue loses the base label, gains ``archived``, is closed."""
    issue = yield from find_issue_flow(scope, object_id)
    yield _archive(issue, scope.config)
    return int(issue["number"])


def may_have_work(issue: Mapping[str, Any]) -> bool:
    """Whether updates may wait on ``issue``: it is open, or it changed after it was closed (a
    comment posted after the run that closed it, whose own run never happened). The run's own
    write closes the issue and stamps ``closed_at`` and ``updated_at`` alike; reactions change
    neither. Both times have whole seconds: a comment in the very second of the close is not seen
    here (docs/action.md)."""
    if issue.get("state") == "open":
        return True
    changed, closed = _moment(issue.get("updated_at")), _moment(issue.get("closed_at"))
    return changed is None or closed is None or changed > closed


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def pending_count_flow(
    scope: Scope, issue: Mapping[str, Any], *, closed_is_settled: bool = True
) -> Flow[int]:
    """How many trusted updates wait on ``issue``: the processor's own rule for "pending".

    ``closed_is_settled``: a closed issue counts none (the usual case, and free); else its
    comments are listed too, unless it has none (an update posted after its run is pending).
    """
    # Not may_have_work(): a comment posted in the very second of a close would pass unseen,
    # and a waiter must not be told "settled" for it; a listing of the comments is conditional.
    if issue.get("state") != "open" and (closed_is_settled or issue.get("comments") == 0):
        return 0
    meta = decode_body(issue.get("body")).meta
    listing: Listing = yield ListComments(int(issue["number"]), meta.since)
    config, owner = scope.config, scope.owner
    baseline = meta.last_comment_id
    if meta.legacy:
        baseline = yield from legacy_baseline(listing.items, config, owner, scope.roles)
    count = 0
    for comment in pending_comments(listing.items, baseline):
        # Outsiders' comments are never applied: they cannot use up a writer's allowance.
        if is_meant_as_update(comment) and (
            yield from trusted(login_of(comment), config, owner, scope.roles)
        ):
            count += 1
    return count


def _live_issues(scope: Scope, object_id: str) -> Flow[list[Mapping[str, Any]]]:
    config = scope.config
    labels = (config.base_label, object_label(config, object_id))
    listing: Listing = yield ListIssues(labels, "all")
    return [issue for issue in listing.items if is_live_object(issue, object_id, config)]


def _archive(issue: Mapping[str, Any], config: StoreConfig) -> UpdateIssue:
    kept = [
        name
        for name in label_names(issue.get("labels") or [])
        if not same_label(name, config.base_label) and not same_label(name, ARCHIVED_LABEL)
    ]
    return UpdateIssue(
        int(issue["number"]),
        labels=(*kept, ARCHIVED_LABEL),
        state="closed",
        state_reason="not_planned",
    )
