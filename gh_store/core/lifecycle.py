"""An object's lifecycle beyond create/update/delete, as flows: ids only, archived objects, restore,
and a rollback computed from the history.

* ``list_ids_flow``: the ids of the live objects from one listing (1 request per 100 issues), no
  body read; issues whose opener may not write are left out, as ``list_all`` leaves them out.
* ``list_archived_flow``: the objects ``delete`` archived (label ``archived``, the id's label kept).
* ``restore_flow``: an archived object's issue gets the base label back, only while no live issue
  holds its id. Races: a create or another restore of the id may land at the same moment. Each
  restore looks again after its own write and, if another live issue holds the id, archives its
  issue again and raises ``ObjectExistsError``; a create backs off from an older issue (its own
  rule). So at most one live object results; in the closest race both back off, and nothing is
  lost (the data stays in the archived issues).
* ``rollback_patch``: the merge patch that takes the object from its current data to its data at
  version N, computed from the history: the initial state (the creation comment) folded with the
  applied updates. The client posts it as an update guarded with the current version, so a
  concurrent change is not overwritten, and the history stays whole (the rollback is one more
  applied update). The fold must give the current data exactly, or nothing is computed.

Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .body import decode_body
from .constants import ARCHIVED_LABEL
from .exceptions import (
    AccessDeniedError,
    CorruptObjectError,
    DuplicateUIDError,
    InvalidUpdate,
    ObjectExistsError,
    ObjectNotFound,
)
from .history import HistoryReading
from .merge_patch import apply_merge_patch
from .naming import (
    has_label,
    is_archived,
    label_names,
    object_id_from_labels,
    object_label,
    same_label,
)
from .needs import Flow, ListComments, Listing, ListIssues, UpdateIssue
from .objects import ObjectListing, Scope, _archive, _live_issues, read_object_flow
from .planner import pending_comments
from .trust import login_of, trusted
from .types import StoredObject
from .update_comment import initial_state_of

__all__ = [
    "list_archived_flow",
    "list_ids_flow",
    "restore_flow",
    "rollback_flow",
    "rollback_patch",
]


def list_ids_flow(scope: Scope) -> Flow[list[str]]:
    config = scope.config
    listing: Listing = yield ListIssues((config.base_label,), "all")
    ids: list[str] = []
    for issue in listing.items:
        if issue.get("pull_request") or is_archived(issue):
            continue
        object_id = object_id_from_labels(config, issue.get("labels") or [])
        if object_id is None or object_id in ids:
            continue
        if config.trust.require_trusted_issue_author and not (
            yield from trusted(login_of(issue), config, scope.owner, scope.roles)
        ):
            continue
        ids.append(object_id)
    return ids


def list_archived_flow(scope: Scope) -> Flow[ObjectListing]:
    config = scope.config
    listing: Listing = yield ListIssues((ARCHIVED_LABEL,), "all")
    objects: list[StoredObject] = []
    skipped: list[tuple[int, str]] = []
    for issue in _archived(listing.items, scope, None):
        object_id = object_id_from_labels(config, issue.get("labels") or [])
        assert object_id is not None
        try:
            objects.append((yield from read_object_flow(scope, issue, object_id)))
        except (CorruptObjectError, AccessDeniedError) as exc:
            skipped.append((int(issue["number"]), f"object {object_id!r}: {exc}"))
    return ObjectListing(tuple(objects), tuple(skipped), listing.complete)


def restore_flow(
    scope: Scope, object_id: str, issue_number: int | None = None
) -> Flow[StoredObject]:
    """Make the archived object ``object_id`` live again (``issue_number`` picks one of several)."""
    config = scope.config
    label = object_label(config, object_id)
    listing: Listing = yield ListIssues((ARCHIVED_LABEL, label), "all")
    candidates = _archived(listing.items, scope, object_id)
    if issue_number is not None:
        candidates = [i for i in candidates if int(i["number"]) == issue_number]
    if not candidates:
        which = f" in issue #{issue_number}" if issue_number is not None else ""
        raise ObjectNotFound(f"no archived object {object_id!r}{which} in {scope.repo}")
    if len(candidates) > 1:
        numbers = ", ".join(f"#{i['number']}" for i in candidates)
        raise DuplicateUIDError(
            f"object {object_id!r} was archived several times ({numbers}); "
            "name the issue to restore"
        )
    (issue,) = candidates
    number = int(issue["number"])
    yield from read_object_flow(scope, issue, object_id)  # refuses an outsider's issue
    if (yield from _live_issues(scope, object_id)):
        raise ObjectExistsError(f"object {object_id!r} already exists in {scope.repo}")
    kept = [n for n in label_names(issue.get("labels") or []) if not same_label(n, ARCHIVED_LABEL)]
    restored: Mapping[str, Any] = yield UpdateIssue(
        number, labels=(config.base_label, *kept), state="closed", state_reason="completed"
    )
    rivals = [i for i in (yield from _live_issues(scope, object_id)) if int(i["number"]) != number]
    if rivals:
        yield _archive(restored, config)
        raise ObjectExistsError(
            f"object {object_id!r} was created or restored in {scope.repo} by someone else at "
            f"the same time (issue #{rivals[0]['number']}); issue #{number} stays archived"
        )
    return (yield from read_object_flow(scope, restored, object_id))


def rollback_patch(
    current: Mapping[str, Any],
    current_version: int,
    reading: HistoryReading,
    comments: list[Mapping[str, Any]],
    version: int,
    trusted_logins: set[str],
) -> dict[str, Any]:
    """The merge patch from ``current`` to the object's data at ``version``.

    ``comments`` are the issue's comments (for the creation comment), ``trusted_logins`` the
    authors known to be trusted. ``InvalidUpdate`` says why a rollback cannot be computed.
    """
    if not reading.check.ok:
        raise InvalidUpdate(
            "the history does not verify, so no earlier version can be trusted: "
            + "; ".join(reading.check.problems)
        )
    if not 1 <= version < current_version:
        raise InvalidUpdate(
            f"version {version} is not an earlier version (the object is at {current_version})"
        )
    initial = _initial_state(comments, trusted_logins)
    if initial is None:
        raise InvalidUpdate(
            "the object's creation comment (its data at version 1) is missing, so earlier "
            "versions cannot be computed"
        )
    updates = reading.updates
    if len(updates) != current_version - 1:
        raise InvalidUpdate(
            f"the history holds {len(updates)} applied updates, not the {current_version - 1} "
            "the object's version counts (updates applied before gh-store kept a history)"
        )
    state: Any = initial
    target: Any = initial if version == 1 else None
    for step, update in enumerate(updates, start=2):
        state = apply_merge_patch(state, update.changes)
        if step == version:
            target = state
    if state != dict(current):
        raise InvalidUpdate("the history does not add up to the object's current data")
    return _diff(dict(current), target)


def _diff(source: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """A merge patch turning ``source`` into ``target``; ``InvalidUpdate`` if none can (a
    ``null`` value in the target: a merge patch can only delete with ``null``)."""
    patch: dict[str, Any] = {}
    for key in source.keys() - target.keys():
        patch[key] = None
    for key, value in target.items():
        if value is None:
            if key not in source or source[key] is not None:
                raise InvalidUpdate(
                    f"version's value of {key!r} is null, which a merge patch cannot set"
                )
            continue
        old = source.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            inner = _diff(old, value)
            if inner:
                patch[key] = inner
        elif key not in source or old != value or type(old) is not type(value):
            if isinstance(value, dict) and _holds_null(value):
                raise InvalidUpdate(f"the earlier value of {key!r} holds a null a patch cannot set")
            patch[key] = value
    return patch


def _holds_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(v is None or _holds_null(v) for v in value.values())
    return False


def _initial_state(
    comments: list[Mapping[str, Any]], trusted_logins: set[str]
) -> dict[str, Any] | None:
    for comment in pending_comments(comments, 0):
        # Anyone can post a comment that looks like one: only a trusted author's counts.
        if login_of(comment) in trusted_logins:
            data = initial_state_of(comment.get("body"))
            if data is not None:
                return data
    return None


def rollback_flow(
    scope: Scope, issue: Mapping[str, Any], reading: HistoryReading, version: int
) -> Flow[tuple[dict[str, Any], int]]:
    """The patch back to ``version`` and the version it applies to (see ``rollback_patch``)."""
    body = decode_body(issue.get("body"))
    listing: Listing = yield ListComments(int(issue["number"]))
    trusted_logins: set[str] = set()
    for comment in listing.items:
        login = login_of(comment)
        candidate = initial_state_of(comment.get("body")) is not None
        if (
            candidate
            and login not in trusted_logins
            and (yield from trusted(login, scope.config, scope.owner, scope.roles))
        ):
            trusted_logins.add(login)
    patch = rollback_patch(
        body.data, body.meta.version, reading, list(listing.items), version, trusted_logins
    )
    return patch, body.meta.version


def _archived(
    issues: tuple[Mapping[str, Any], ...] | list[Mapping[str, Any]],
    scope: Scope,
    object_id: str | None,
) -> list[Mapping[str, Any]]:
    config = scope.config
    found = []
    for issue in issues:
        if issue.get("pull_request") or not is_archived(issue):
            continue
        if has_label(issue, config.base_label):
            continue  # still live: archiving removes the base label
        found_id = object_id_from_labels(config, issue.get("labels") or [])
        if found_id is None:
            continue
        if object_id is not None and not same_label(
            object_label(config, found_id), object_label(config, object_id)
        ):
            continue
        found.append(issue)
    return found
