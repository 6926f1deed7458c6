"""What a gh-store snapshot document is: its marker, which files are ours to replace, and which
previous snapshots a refresh may build on. Pure and light (the action checks its inputs with it
before anything heavy is imported).

Format 2 (this one) carries the marker ``"gh_store_snapshot": 2``. Snapshots written before it,
by gh-store 1.1 and by the original gh-store, have no marker; they are recognised by their shape:
a JSON object with ``snapshot_time`` (text), ``repository`` (text) and ``objects`` (an object),
and no key but those, ``since`` (1.1) and ``relationships`` (the original's aliases). Anything
else (a ``package.json``, a README, a snapshot with a damaged or newer marker) is not ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "MARKER",
    "Basis",
    "foreign_reason",
    "refresh_basis",
    "same_repository",
]

MARKER = "gh_store_snapshot"
FORMAT_VERSION = 2
_GITHUB_EPOCH = datetime(2008, 1, 1, tzinfo=UTC)  # no issue is older
_UNMARKED_KEYS = frozenset({"snapshot_time", "repository", "since", "objects", "relationships"})


@dataclass(frozen=True)
class Basis:
    """What a refresh builds on: GitHub's time of the previous snapshot, its entries, and every
    issue number that carried the store's label then (objects and issues passed over)."""

    taken: datetime
    objects: Mapping[str, Any]
    numbers: frozenset[int]


def same_repository(a: str, b: str) -> bool:
    """GitHub's owner and repository names are case-insensitive."""
    return a.lower() == b.lower()


def foreign_reason(document: Any, repository: str | None = None) -> str | None:
    """Why a file holding ``document`` (its parsed JSON) must not be replaced by a snapshot of
    ``repository``; None when it is a gh-store snapshot of it (of any, when None)."""
    if not isinstance(document, dict):
        return "it does not hold a gh-store snapshot (its JSON is not an object)"
    if MARKER in document:
        version = document[MARKER]
        if type(version) is not int or version < FORMAT_VERSION:
            return f"its {MARKER!r} marker is damaged (a gh-store snapshot has {FORMAT_VERSION})"
        if version > FORMAT_VERSION:
            return (
                f"it holds a snapshot in format {version}, written by a newer gh-store; this one "
                f"writes format {FORMAT_VERSION}: use the newer gh-store, or another file"
            )
    elif not _unmarked_snapshot(document):
        return f"it does not hold a gh-store snapshot (no {MARKER!r} marker)"
    named = document.get("repository")
    if repository is not None and not (
        isinstance(named, str) and same_repository(named, repository)
    ):
        return (
            f"it holds the snapshot of another repository ({_quoted(named)}), not of {repository}:"
            " use a file of its own for each repository"
        )
    return None


def refresh_basis(previous: Any, repository: str) -> Basis | None:
    """What a refresh of ``previous`` builds on, or None if the snapshot must be taken whole.

    Whole when ``previous`` is not a gh-store snapshot of ``repository`` in this format (1.1 and
    the original took their time from the machine's clock, which may run ahead of GitHub's and
    have hidden changes already: their first refresh is whole, once), was limited to objects
    changed since some time, its time cannot be read, or an entry is not one a snapshot holds
    (two entries for one issue, an entry whose id differs from its key, a number that is not an
    issue's): a refresh keeps the entries of unchanged issues as they are, so it takes only
    entries that it could have written itself.
    """
    if foreign_reason(previous, repository) is not None or previous.get(MARKER) != FORMAT_VERSION:
        return None
    if previous.get("since") is not None:
        return None
    objects, skipped = previous.get("objects"), previous.get("skipped_issues", [])
    taken = _aware_time(previous.get("snapshot_time"))
    if (
        taken is None
        or taken < _GITHUB_EPOCH
        or not isinstance(objects, dict)
        or not isinstance(skipped, list)
    ):
        return None
    numbers: set[int] = set()
    for object_id, entry in objects.items():
        number = _entry_number(object_id, entry)
        if number is None or number in numbers:
            return None
        numbers.add(number)
    for number in skipped:
        if not _issue_number(number) or number in numbers:
            return None
        numbers.add(number)
    return Basis(taken, objects, frozenset(numbers))


def _unmarked_snapshot(document: Mapping[str, Any]) -> bool:
    return (
        set(document) <= _UNMARKED_KEYS
        and isinstance(document.get("snapshot_time"), str)
        and isinstance(document.get("repository"), str)
        and isinstance(document.get("objects"), dict)
    )


def _entry_number(object_id: str, entry: Any) -> int | None:
    if (
        not isinstance(entry, dict)
        or "data" not in entry
        or not isinstance(entry.get("meta"), dict)
    ):
        return None
    meta = entry["meta"]
    fields_ok = (
        meta.get("object_id", object_id) == object_id
        and type(meta.get("version")) is int
        and _aware_time(meta.get("created_at")) is not None
        and _aware_time(meta.get("updated_at")) is not None
    )
    number = meta.get("issue_number")
    return number if fields_ok and _issue_number(number) else None


def _issue_number(value: Any) -> bool:
    return type(value) is int and 0 < value < 2**53


def _aware_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _quoted(value: Any) -> str:
    """A value from someone else's file, short and on one line."""
    if value is None:
        return "none named"
    text = repr(value) if isinstance(value, str) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."
