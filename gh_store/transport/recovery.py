"""Telling a create that happened, after its answer was lost, from someone else's look-alike.

When a create's answer is lost (a 5xx, a dropped connection), the write may have happened: before
sending it again, the transport lists what was created since just before it and takes an item as
its own only if it has the same content, was created since the request was sent (give or take
``SKEW`` of clock difference) and was written by this token's identity. Without the last check an
outsider's identical comment would be adopted and the update never posted. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from gh_store.core.marks import is_own_identity

__all__ = ["SKEW", "listed_since", "made_by_this_request"]

#: Tolerated difference between this machine's clock and GitHub's.
SKEW = 10.0


def listed_since(started: float) -> str:
    """The ``since`` that lists everything a request sent at ``started`` can have created."""
    return datetime.fromtimestamp(started - SKEW, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def made_by_this_request(
    item: Mapping[str, Any],
    expected: Mapping[str, Any],
    *,
    started: float,
    own_login: Callable[[], str | None],
) -> bool:
    """Whether ``item`` is what the lost request created.

    ``expected`` holds the fields the request sent (body, title). ``own_login`` gives the token's
    login, None for an app's installation token, whose writes appear as a ``[bot]`` account; it is
    asked only about an item that matches otherwise, as finding it out may cost a request.
    """
    if any(item.get(name) != value for name, value in expected.items()):
        return False
    try:
        created = datetime.fromisoformat(str(item["created_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return False
    if created.timestamp() < started - SKEW:
        return False
    return is_own_identity(item.get("user"), own_login())
