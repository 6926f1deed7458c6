"""Snapshots: every stored object in one JSON document, for a site or a database to load at once.

The format (``core/snapshot_format.py`` says which documents are snapshots)::

    {"gh_store_snapshot": 2, "snapshot_time": "2024-05-01T12:00:00+00:00",
     "repository": "owner/name", "since": null, "skipped_issues": [12],
     "objects": {"<id>": {"data": {...}, "meta": {"object_id": "<id>", "issue_number": 7,
                                                  "version": 3, "created_at": "...",
                                                  "updated_at": "..."}}}}

``snapshot_time`` is GitHub's clock when the listing was answered (its ``Date`` header), never
this machine's; ``skipped_issues`` are the issues that carry the store's label but hold no object
here (damaged, untrusted, a second issue of one id, pull requests). ``take_snapshot`` makes one:
whole (one issue listing, 100 objects a page), or, given the previous snapshot of the same
repository, by merging only what changed since it (``core/snapshots.py``: a count and one listing
however many objects there are). Files are read and written by ``snapshot_file.py``: whole or not
at all, and never over anything but a snapshot of the same repository.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from .core.objects import Scope, list_flow
from .core.snapshot_format import FORMAT_VERSION, MARKER, refresh_basis
from .core.snapshots import Refreshed, object_entry, refresh_flow
from .core.types import StoredObject
from .driver import drive
from .snapshot_file import read_snapshot, write_snapshot
from .transport.port import GitHubTransport

__all__ = ["build_snapshot", "read_snapshot", "take_snapshot", "write_snapshot"]

log = logging.getLogger("gh_store.snapshot")


def build_snapshot(
    repository: str,
    objects: Iterable[StoredObject],
    since: datetime | None = None,
    *,
    now: datetime | None = None,
    skipped: Iterable[int] = (),
) -> dict[str, Any]:
    """A snapshot document of ``objects`` (those changed at or after ``since``, if given), taken
    at ``now``: GitHub's time of the listing (None: unknown, and a refresh takes it whole)."""
    entries = {obj.meta.object_id: object_entry(obj) for obj in objects}
    return _document(repository, entries, now, since=since, skipped=skipped)


def take_snapshot(
    transport: GitHubTransport,
    scope: Scope,
    previous: Mapping[str, Any] | None = None,
    *,
    since: datetime | None = None,
) -> dict[str, Any]:
    """Every object (changed at or after ``since``): ``previous`` refreshed with what changed
    since it, else listed whole."""
    basis = refresh_basis(previous, scope.repo) if previous is not None and since is None else None
    if basis is not None:
        refreshed: Refreshed = drive(refresh_flow(scope, basis), transport)
        if refreshed.whole is None:
            return _document(scope.repo, refreshed.objects, refreshed.taken, refreshed.skipped)
        log.warning("the snapshot is taken whole: %s", refreshed.whole)
    from_time = None if since is None else _aware(since).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = drive(list_flow(scope, from_time), transport)
    for number, reason in found.skipped:
        log.warning("issue #%s skipped: %s", number, reason)
    entries = {obj.meta.object_id: object_entry(obj) for obj in found.objects}
    held = {int(entry["meta"]["issue_number"]) for entry in entries.values()}
    taken = found.served_at if found.complete else None  # an incomplete listing: whole next time
    skipped = found.numbers - held if since is None else frozenset()
    return _document(scope.repo, entries, taken, skipped, since=since)


def _document(
    repository: str,
    objects: Mapping[str, Any],
    taken: datetime | None,
    skipped: Iterable[int] = (),
    *,
    since: datetime | None = None,
) -> dict[str, Any]:
    return {
        MARKER: FORMAT_VERSION,
        "snapshot_time": None if taken is None else _aware(taken).isoformat(),
        "repository": repository,
        "since": None if since is None else _aware(since).isoformat(),
        "skipped_issues": sorted(skipped),
        "objects": dict(objects),
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
