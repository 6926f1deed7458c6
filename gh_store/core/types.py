"""The objects the store hands to its callers (the original gh-store's names and fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ObjectMeta", "StoredObject", "Update", "parse_github_time"]


@dataclass(frozen=True)
class ObjectMeta:
    """Where an object lives and how far it has come.

    ``version`` is 1 when created and grows by one with every applied update.
    """

    object_id: str
    label: str
    issue_number: int
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class StoredObject:
    meta: ObjectMeta
    data: dict[str, Any]


@dataclass(frozen=True)
class Update:
    """One applied update, as ``get_object_history`` returns it.

    ``problem`` says why the text applied is not known (its comment was edited since, and
    GitHub's edit history could not give back a version the history hash confirms): then
    ``changes`` is empty, never a guess.
    """

    comment_id: int
    timestamp: datetime
    changes: dict[str, Any]
    author: str | None = None
    problem: str | None = None


def parse_github_time(text: str) -> datetime:
    """GitHub's ``2024-01-02T03:04:05Z`` as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
