"""From object ids to labels and titles, and back.

An object's issue carries the base label and ``<uid_prefix><object id>``. GitHub label names have
at most 50 characters and a comma would split the ``labels=`` filter, so ids that cannot make such
a label are refused with ``ValueError`` before any request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .config import StoreConfig

__all__ = ["ARCHIVED_LABEL", "MAX_LABEL", "issue_title", "object_id_from_labels", "object_label"]

MAX_LABEL = 50
ARCHIVED_LABEL = "archived"


def object_label(config: StoreConfig, object_id: str) -> str:
    """The label naming ``object_id``; ``ValueError`` if GitHub could not hold it."""
    if not isinstance(object_id, str) or not object_id:
        raise ValueError("an object id must be a non-empty string")
    if object_id != object_id.strip():
        raise ValueError(f"object id {object_id!r} has leading or trailing spaces")
    if "," in object_id:
        raise ValueError(
            f"object id {object_id!r} has a comma, which GitHub's label filter splits on"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in object_id):
        raise ValueError(f"object id {object_id!r} has control characters")
    label = f"{config.uid_prefix}{object_id}"
    if len(label) > MAX_LABEL:
        room = MAX_LABEL - len(config.uid_prefix)
        raise ValueError(
            f"object id {object_id!r} is {len(object_id)} characters; with the prefix "
            f"{config.uid_prefix!r} a label allows {room}"
        )
    return label


def issue_title(object_id: str) -> str:
    # The original gh-store's title, so both list the same on github.com.
    return f"Stored Object: {object_id}"


def object_id_from_labels(config: StoreConfig, labels: Iterable[Any]) -> str | None:
    """The object id named by an issue's labels (label objects or names), if any."""
    for label in labels:
        name = label.get("name") if isinstance(label, dict) else label
        # The bare prefix names no object: object_label never makes it, so it is someone else's.
        if (
            isinstance(name, str)
            and name.startswith(config.uid_prefix)
            and name != config.uid_prefix
        ):
            return name[len(config.uid_prefix) :]
    return None
