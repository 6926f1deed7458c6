"""Reading the store's marks back: which reactions count, as flows.

Anyone who can see an issue can add a ``+1``, so a reaction is never a mark by its content alone.
Two decisions rest on who placed one, each written once here:

* after a crash between the write and the marks, whether the previous run's newest recorded mark
  is on its comment (if not, all its recorded marks are placed again). Only the store's own
  identity (the token's) places marks, so only its reaction counts: a maintainer who adds the
  same ``+1`` by hand is trusted, but did not finish the crashed run's work;
* for a body the original gh-store wrote, which comments count as applied: it recorded that only
  with the processed reaction, under whatever token it ran with, so the baseline is the newest
  comment a trusted user marked.

A comment's reaction counts come free with the comment listing; who placed them costs one request
per comment, made only when the counts cannot settle it, and the token's own login one request
per transport (GraphQL says whether the token reacted for free). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from .body import BodyMeta
from .config import StoreConfig
from .exceptions import GitHubAPIError
from .needs import Flow, Listing, ListReactions, OwnLogin, StoreReacted
from .planner import Mark, comment_id
from .trust import any_trusted, login_of

__all__ = [
    "is_own_identity",
    "legacy_baseline",
    "marked_by_trusted_user",
    "owed_marks",
    "reaction_count",
]


def is_own_identity(user: Any, own_login: str | None) -> bool:
    """Whether ``user`` (an item's ``user``) is this token's identity.

    ``own_login`` None: GitHub would not say who the token is (an app's installation token, the
    Actions token among them, asked over REST: ``GET /user`` refuses it), whose reactions and
    writes appear as a ``[bot]`` account; no person is one, so a maintainer's reaction is never
    taken for the store's (another app's bot placing the very mark in the crash window would be).
    """
    if not isinstance(user, Mapping):
        return False
    if own_login is None:
        return bool(user.get("type") == "Bot")
    return str(user.get("login") or "").casefold() == own_login.casefold()


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
    return (yield from _reacted_by_trusted(comment_id(comment), content, config, owner, roles))


def _reacted_by_store(cid: int, content: str) -> Flow[bool]:
    """Whether this token placed ``content`` on comment ``cid``: one listing, and (once per
    transport, only when someone reacted) who the token is."""
    listing: Listing = yield ListReactions(cid, content)
    reactions = [r for r in listing.items if r.get("content", content) == content]
    if not reactions:
        return False
    own_login: str | None = yield OwnLogin()
    return any(is_own_identity(r.get("user"), own_login) for r in reactions)


def _reacted_by_trusted(
    cid: int, content: str, config: StoreConfig, owner: str, roles: MutableMapping[str, str]
) -> Flow[bool]:
    listing: Listing = yield ListReactions(cid, content)
    reactors = [login_of(r) for r in listing.items if r.get("content", content) == content]
    return (yield from any_trusted(reactors, config, owner, roles))


def owed_marks(meta: BodyMeta, comments: Iterable[Mapping[str, Any]]) -> Flow[tuple[Mark, ...]]:
    """The previous run's recorded marks, if it crashed before placing them all.

    The marks are placed in order with the recorded ones last, so the newest recorded mark that is
    still on a comment means every one before it was placed. That is normally the newest one, and
    its comment is listed (the metadata's ``since`` is its time): one look. But its comment can be
    deleted (an outsider may delete their own comment at any time), and a mark on a deleted comment
    proves nothing, so the next older recorded mark decides, asked directly (its comment may be
    older than the listing). Nothing is owed only when the deciding mark is present, or when every
    marked comment is gone.
    """
    listed = {comment_id(c): c for c in comments}
    newest = True
    for cid, content in reversed(meta.marks):
        comment = listed.get(cid)
        if comment is not None:
            placed = yield from _placed_on_listed(comment, content)
        elif newest:
            placed = None  # listed from its own time, so not listed means deleted
        else:
            placed = yield from _placed_on_unlisted(cid, content)
        newest = False
        if placed is None:
            continue  # the comment is gone: the next older mark decides
        return () if placed else tuple(Mark(mark_id, mark) for mark_id, mark in meta.marks)
    return ()


def _placed_on_listed(comment: Mapping[str, Any], content: str) -> Flow[bool]:
    if reaction_count(comment, content) == 0:
        return False  # no such reaction at all: nothing to ask
    said: bool | None = yield StoreReacted(comment_id(comment), content)
    if said is not None:
        return said  # GraphQL's viewerHasReacted: this token's own reaction, read for free
    return (yield from _reacted_by_store(comment_id(comment), content))


def _placed_on_unlisted(cid: int, content: str) -> Flow[bool | None]:
    """Whether this token placed ``content`` on comment ``cid``; None if it is deleted."""
    try:
        return (yield from _reacted_by_store(cid, content))
    except GitHubAPIError as exc:
        if exc.status in (404, 410):
            return None
        raise


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
