"""From object ids to labels and titles, and back; and how label names compare.

An object's issue carries the base label and ``<uid_prefix><object id>``. GitHub compares label
names without regard to case (adding ``stored-object`` to a repository that has ``Stored-Object``
applies the existing label, and answers carry its spelling), so every comparison of label names in
gh-store goes through :func:`same_label`. Label names have at most 50 characters and a comma would
split the ``labels=`` filter, so ids that cannot make such a label are refused with
``InvalidObjectId`` before any request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .config import StoreConfig
from .constants import ARCHIVED_LABEL, MAX_LABEL
from .exceptions import InvalidObjectId

__all__ = [
    "has_label",
    "is_archived",
    "issue_title",
    "label_names",
    "object_id_from_labels",
    "object_label",
    "same_label",
]


def same_label(first: str, second: str) -> bool:
    """Whether GitHub takes two label names for one label."""
    return first.lower() == second.lower()


def label_names(labels: Iterable[Any]) -> list[str]:
    """The names in an issue's ``labels`` (label objects, as GitHub sends them, or names)."""
    names = []
    for label in labels:
        name = label.get("name") if isinstance(label, Mapping) else label
        if isinstance(name, str):
            names.append(name)
    return names


def has_label(issue: Mapping[str, Any], name: str) -> bool:
    """Whether ``issue`` carries the label ``name``, however either spells it."""
    return any(same_label(found, name) for found in label_names(issue.get("labels") or []))


def is_archived(issue: Mapping[str, Any]) -> bool:
    return has_label(issue, ARCHIVED_LABEL)


def object_label(config: StoreConfig, object_id: str) -> str:
    """The label naming ``object_id``; ``InvalidObjectId`` if GitHub could not hold it."""
    if not isinstance(object_id, str) or not object_id:
        raise InvalidObjectId("an object id must be a non-empty string")
    if object_id != object_id.strip():
        raise InvalidObjectId(f"object id {object_id!r} has leading or trailing spaces")
    if "," in object_id:
        raise InvalidObjectId(
            f"object id {object_id!r} has a comma, which GitHub's label filter splits on"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in object_id):
        raise InvalidObjectId(f"object id {object_id!r} has control characters")
    label = f"{config.uid_prefix}{object_id}"
    if len(label) > MAX_LABEL:
        room = MAX_LABEL - len(config.uid_prefix)
        raise InvalidObjectId(
            f"object id {object_id[:60]!r} is {len(object_id)} characters; with the prefix "
            f"{config.uid_prefix!r} a label allows {room}"
        )
    return label


def issue_title(object_id: str) -> str:
    # The original gh-store's title, so both list the same on github.com.
    return f"Stored Object: {object_id}"


def object_id_from_labels(config: StoreConfig, labels: Iterable[Any]) -> str | None:
    """The object id named by an issue's labels, as the label spells it, if any.

    A label that could not have been made for an id (``UID: spaced``, the bare prefix) names none:
    it is someone else's, and an issue carrying only such a label is not an object.
    """
    prefix = config.uid_prefix
    for name in label_names(labels):
        if len(name) > len(prefix) and same_label(name[: len(prefix)], prefix):
            object_id = name[len(prefix) :]
            try:
                object_label(config, object_id)
            except InvalidObjectId:
                continue
            return object_id
    return None
