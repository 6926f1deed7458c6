"""Snapshots of every object, kept fresh cheaply: what changed since the last one, and the merge.

A snapshot (the format of ``gh-store snapshot``) records when it was taken. To refresh it, one
listing of the repository's issues changed since then (``since`` filters on ``updated_at``, which
every comment, body write, label change and close moves) names everything that may differ: a live
object is read again from the listing itself; any other issue among them that held an object in
the snapshot (archived, relabelled, no longer trusted) leaves it. Refreshing after one update costs
one listing, however many objects the store holds. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .exceptions import AccessDeniedError, CorruptObjectError
from .naming import has_label, is_archived, object_id_from_labels
from .needs import Flow, Listing, ListIssues
from .objects import Scope, read_object_flow
from .types import StoredObject, parse_github_time

__all__ = [
    "SINCE_MARGIN",
    "Changes",
    "changes_flow",
    "merge_changes",
    "object_entry",
    "refresh_point",
]

#: How far before the last snapshot's time a refresh looks: GitHub stamps times to the second,
#: and the machine that took the snapshot may be a little ahead of GitHub's clock.
SINCE_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Changes:
    """Objects whose issues changed, and the issues that no longer hold an object."""

    objects: tuple[StoredObject, ...]
    gone: frozenset[int]  # issue numbers
    complete: bool = True


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


def refresh_point(previous: Mapping[str, Any] | None, repository: str) -> str | None:
    """The ``since`` a refresh of ``previous`` lists from, or None if it must be taken whole.

    Whole when there is no previous snapshot, it is another repository's, it was itself limited
    to objects changed since some time, or its time cannot be read.
    """
    if not isinstance(previous, Mapping) or previous.get("repository") != repository:
        return None
    if previous.get("since") is not None or not isinstance(previous.get("objects"), Mapping):
        return None
    try:
        taken = datetime.fromisoformat(str(previous.get("snapshot_time")).replace("Z", "+00:00"))
    except ValueError:
        return None
    if taken.tzinfo is None:
        return None
    return (taken - SINCE_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")


def changes_flow(scope: Scope, since: str) -> Flow[Changes]:
    """The objects changed at or after ``since`` (one listing of every changed issue)."""
    config = scope.config
    listing: Listing = yield ListIssues((), "all", since)
    objects: list[StoredObject] = []
    gone: set[int] = set()
    for issue in listing:
        if issue.get("pull_request"):
            continue
        number = int(issue["number"])
        object_id = object_id_from_labels(config, issue.get("labels") or [])
        live = object_id is not None and has_label(issue, config.base_label)
        if not live or is_archived(issue) or object_id is None:
            gone.add(number)
            continue
        try:
            objects.append((yield from read_object_flow(scope, issue, object_id)))
        except (CorruptObjectError, AccessDeniedError):
            gone.add(number)
    return Changes(tuple(objects), frozenset(gone), listing.complete)


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
