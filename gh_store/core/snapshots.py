"""Snapshots of every object, kept fresh cheaply: what changed since the last one, and the merge.

A snapshot records GitHub's time when it was taken (the ``Date`` of the listing's answer, never
this machine's clock). To refresh it, one listing of the repository's issues changed since then
(``since`` filters on ``updated_at``, which every comment, body write, label change and close
moves) names everything that may differ: a live object is read again from the listing itself; any
other issue among them that held an object in the snapshot (archived, relabelled, no longer
trusted) leaves it. A deleted or transferred issue is in no listing: one more request counts the
issues that carry the store's label, and when the count is not what the snapshot and the changes
add up to, the refresh is not trusted and the snapshot is taken whole. A refresh after one update
costs those two requests, however many objects the store holds. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .exceptions import AccessDeniedError, CorruptObjectError
from .naming import has_label, is_archived, object_id_from_labels
from .needs import CountIssues, Flow, Listing, ListIssues
from .objects import Scope, read_object_flow
from .snapshot_format import Basis
from .types import StoredObject, parse_github_time

__all__ = [
    "SINCE_MARGIN",
    "Changes",
    "Refreshed",
    "changes_flow",
    "merge_changes",
    "object_entry",
    "refresh_flow",
]

#: How far before the last snapshot's time a refresh looks: GitHub stamps times to the second,
#: and its servers' clocks may differ a little.
SINCE_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Changes:
    """Objects whose issues changed, the changed issues that no longer hold an object, and the
    changed issues that carry the store's label (objects or not)."""

    objects: tuple[StoredObject, ...]
    gone: frozenset[int]  # issue numbers
    complete: bool = True
    labelled: frozenset[int] = frozenset()
    served_at: datetime | None = None


@dataclass(frozen=True)
class Refreshed:
    """A refresh's result: the snapshot's entries, the labelled issues that hold none, and
    GitHub's time of it; or, with ``whole`` set, why the snapshot must be taken whole."""

    objects: dict[str, Any]
    skipped: frozenset[int] = frozenset()
    taken: datetime | None = None
    whole: str | None = None


def object_entry(obj: StoredObject) -> dict[str, Any]:
    """One object as the snapshot (and the CLI) shows it."""
    return {
        "data": obj.data,
        "meta": {
            "object_id": obj.meta.object_id,
            "issue_number": obj.meta.issue_number,
            "version": obj.meta.version,
            "created_at": obj.meta.created_at.isoformat(),
            "updated_at": obj.meta.updated_at.isoformat(),
        },
    }


def refresh_flow(scope: Scope, basis: Basis) -> Flow[Refreshed]:
    """``basis`` refreshed with what changed since it (a count and one listing)."""
    counted: int = yield CountIssues((scope.config.base_label,), "all")
    since = (basis.taken - SINCE_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")
    changes = yield from changes_flow(scope, since)
    if not changes.complete:
        return Refreshed({}, whole="the issue list kept changing while it was read")
    now = changes.served_at
    if now is None:
        return Refreshed({}, whole="GitHub did not say what time it is")
    if basis.taken > now:
        # Trusted, it would hide every change made before it: it was not GitHub's.
        return Refreshed({}, whole="the snapshot's time is later than GitHub's clock")
    changed = {obj.meta.issue_number for obj in changes.objects} | changes.gone
    numbers = (basis.numbers - changed) | changes.labelled
    if len(numbers) != counted:
        return Refreshed(
            {},
            whole=(
                f"{counted} issues carry the store's label, the refreshed snapshot accounts for "
                f"{len(numbers)} (issues were deleted or transferred)"
            ),
        )
    objects = merge_changes(basis.objects, changes)
    held = {number for entry in objects.values() if (number := _issue_number(entry)) is not None}
    return Refreshed(objects, frozenset(numbers - held), now)


def changes_flow(scope: Scope, since: str) -> Flow[Changes]:
    """The objects changed at or after ``since`` (one listing of every changed issue)."""
    config = scope.config
    listing: Listing = yield ListIssues((), "all", since)
    objects: list[StoredObject] = []
    gone: set[int] = set()
    labelled: set[int] = set()
    for issue in listing:
        number = int(issue["number"])
        if has_label(issue, config.base_label):
            labelled.add(number)
        if issue.get("pull_request"):
            continue
        object_id = object_id_from_labels(config, issue.get("labels") or [])
        live = object_id is not None and has_label(issue, config.base_label)
        if not live or is_archived(issue) or object_id is None:
            gone.add(number)
            continue
        try:
            objects.append((yield from read_object_flow(scope, issue, object_id)))
        except (CorruptObjectError, AccessDeniedError):
            gone.add(number)
    return Changes(
        tuple(objects), frozenset(gone), listing.complete, frozenset(labelled), listing.served_at
    )


def merge_changes(previous_objects: Mapping[str, Any], changes: Changes) -> dict[str, Any]:
    """``previous_objects`` (a snapshot's ``objects``) with ``changes`` applied."""
    changed_numbers = {obj.meta.issue_number for obj in changes.objects} | changes.gone
    merged = {
        object_id: entry
        for object_id, entry in previous_objects.items()
        if _issue_number(entry) not in changed_numbers
    }
    for obj in sorted(changes.objects, key=lambda o: o.meta.issue_number):
        merged[obj.meta.object_id] = object_entry(obj)
    return dict(sorted(merged.items(), key=lambda item: _created(item[1])))


def _issue_number(entry: Any) -> int | None:
    try:
        return int(entry["meta"]["issue_number"])
    except (KeyError, TypeError, ValueError):
        return None


def _created(entry: Any) -> str:
    try:
        return str(parse_github_time(str(entry["meta"]["created_at"])).isoformat())
    except (KeyError, TypeError, ValueError):
        return ""
