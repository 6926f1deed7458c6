"""Reading the store's marks back: which reactions count, as flows.

Anyone who can see an issue can add a ``+1``, so a reaction counts as the store's mark only when a
trusted user placed it (``trust.py``). Two decisions rest on that, each written once here:

* after a crash between the write and the marks, whether the previous run's newest recorded mark
  is on its comment (if not, all its recorded marks are placed again);
* for a body the original gh-store wrote, which comments count as applied: it recorded that only
  with the processed reaction, so the baseline is the newest comment a trusted user marked.

A comment's reaction counts come free with the comment listing; who placed them costs one request
per comment, made only when the counts cannot settle it. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from .body import BodyMeta
from .config import StoreConfig
from .needs import Flow, Listing, ListReactions, StoreReacted
from .planner import Mark, comment_id
from .trust import any_trusted, login_of

__all__ = ["legacy_baseline", "marked_by_trusted_user", "owed_marks", "reaction_count"]


def reaction_count(comment: Mapping[str, Any], content: str) -> int:
    """How many ``content`` reactions the comment's rollup counts (anyone's)."""
    rollup = comment.get("reactions") or {}
    try:
        return int(rollup.get(content, 0) or 0)
    except (TypeError, ValueError):
        return 0


def marked_by_trusted_user(
    comment: Mapping[str, Any],
    content: str,
    config: StoreConfig,
    owner: str,
    roles: MutableMapping[str, str],
) -> Flow[bool]:
    """Whether a trusted user placed a ``content`` reaction on ``comment``."""
    if reaction_count(comment, content) == 0:
        return False  # no such reaction at all: nothing to ask
    listing: Listing = yield ListReactions(comment_id(comment), content)
    reactors = [login_of(r) for r in listing.items if r.get("content", content) == content]
    return (yield from any_trusted(reactors, config, owner, roles))


def owed_marks(
    meta: BodyMeta,
    comments: Iterable[Mapping[str, Any]],
    config: StoreConfig,
    owner: str,
    roles: MutableMapping[str, str],
) -> Flow[tuple[Mark, ...]]:
    """The previous run's recorded marks, if its newest one is not on its comment (it crashed).

    The marks are placed in order with the recorded ones last, so the newest recorded mark present
    means every one was placed. Its comment is listed (the metadata's ``since`` is its time); if it
    is gone, nothing is owed.
    """
    if not meta.marks:
        return ()
    newest_id, content = meta.marks[-1]
    for comment in comments:
        if comment_id(comment) == newest_id:
            if reaction_count(comment, content) and (yield StoreReacted(newest_id, content)):
                return ()  # this token placed it itself (GraphQL says so for free)
            if (yield from marked_by_trusted_user(comment, content, config, owner, roles)):
                return ()
            return tuple(Mark(cid, mark) for cid, mark in meta.marks)
    return ()


def legacy_baseline(
    comments: Iterable[Mapping[str, Any]],
    config: StoreConfig,
    owner: str,
    roles: MutableMapping[str, str],
) -> Flow[int]:
    """For a body the original gh-store wrote: the newest comment a trusted user marked processed.

    The original took anyone's processed reaction as "applied", so an outsider's +1 could suppress
    an update. Asking who placed the marks, newest first, costs requests once per object, on its
    first run here; after that the body's metadata decides.
    """
    processed = config.reactions.processed
    marked = sorted(
        (c for c in comments if reaction_count(c, processed) > 0), key=comment_id, reverse=True
    )
    for comment in marked:
        if (yield from marked_by_trusted_user(comment, processed, config, owner, roles)):
            return comment_id(comment)
    return 0
