"""Snapshots: every stored object in one JSON document, for a site or a database to load at once.

The format is close to the original gh-store's::

    {"snapshot_time": "2024-05-01T12:00:00+00:00", "repository": "owner/name", "since": null,
     "objects": {"<id>": {"data": {...}, "meta": {"issue_number": 7, "version": 3,
                                                  "created_at": "...", "updated_at": "..."}}}}

``take_snapshot`` makes one: whole (one issue listing, 100 objects a page), or, given the previous
snapshot of the same repository, by merging only what changed since it (``core/snapshots.py``: one
listing however many objects there are). Files are written whole or not at all.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .core.objects import Scope, list_flow
from .core.snapshots import changes_flow, merge_changes, object_entry, refresh_point
from .core.types import StoredObject
from .driver import drive
from .transport.port import GitHubTransport

__all__ = ["build_snapshot", "read_snapshot", "take_snapshot", "write_snapshot"]

log = logging.getLogger("gh_store.snapshot")


def build_snapshot(
    repository: str,
    objects: Iterable[StoredObject],
    since: datetime | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A snapshot document of ``objects`` (those changed at or after ``since``, if given)."""
    taken = (now or datetime.now(UTC)).isoformat()
    return {
        "snapshot_time": taken,
        "repository": repository,
        "since": None if since is None else _aware(since).isoformat(),
        "objects": {obj.meta.object_id: object_entry(obj) for obj in objects},
    }


def take_snapshot(
    transport: GitHubTransport,
    scope: Scope,
    previous: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every object: ``previous`` refreshed with what changed since it, else listed whole."""
    taken = now or datetime.now(UTC)  # before listing: what changes meanwhile is seen next time
    since = refresh_point(previous, scope.repo)
    if previous is not None and since is not None:
        changes = drive(changes_flow(scope, since), transport)
        if changes.complete:
            return {
                "snapshot_time": taken.isoformat(),
                "repository": scope.repo,
                "since": None,
                "objects": merge_changes(previous["objects"], changes),
            }
        log.warning("the issue list kept changing while it was read: taking the snapshot whole")
    found = drive(list_flow(scope), transport)
    for number, reason in found.skipped:
        log.warning("issue #%s skipped: %s", number, reason)
    return build_snapshot(scope.repo, found.objects, now=taken)


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot in ``path``, or None if there is none (or it is not a snapshot)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def write_snapshot(snapshot: Mapping[str, Any], path: Path) -> None:
    """Write ``snapshot`` to ``path`` whole or not at all (a reader never sees half a file)."""
    text = json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a snapshot is meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
