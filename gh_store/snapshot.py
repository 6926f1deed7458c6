"""Snapshots: every stored object in one JSON document, for a site or a database to load at once.

The format is close to the original gh-store's::

    {"snapshot_time": "2024-05-01T12:00:00+00:00", "repository": "owner/name", "since": null,
     "objects": {"<id>": {"data": {...}, "meta": {"issue_number": 7, "version": 3,
                                                  "created_at": "...", "updated_at": "..."}}}}

Built from any iterable of objects (one issue listing, 100 objects a page: no request per object);
written whole or not at all.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .core.types import StoredObject

__all__ = ["build_snapshot", "object_to_json", "write_snapshot"]


def object_to_json(obj: StoredObject) -> dict[str, Any]:
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
        "objects": {obj.meta.object_id: object_to_json(obj) for obj in objects},
    }


def write_snapshot(snapshot: dict[str, Any], path: Path) -> None:
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
