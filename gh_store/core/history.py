"""An object's applied updates, read back from its comments, and the check that they are intact.

The processor writes into the issue body how many updates it applied (``applied_count``) and a
hash chain over each applied comment's id and exact text (``history_hash``), and marks each applied
comment with the *processed* reaction. Reading the history back (a flow, see ``needs.py``):

1. List the issue's comments (one listing: their reaction counts come with them). Candidates are
   the updates at or before the metadata's ``last_comment_id``.
2. Cheap path: those carrying the processed reaction and neither the rejected nor the untrusted
   one. If their chain and count equal the metadata's, that is the history (no more requests).
3. Otherwise (a comment was edited or deleted, or someone added reactions), ask who placed each
   processed reaction and keep the comments a trusted user marked; then explain any mismatch.

Anyone who can read an issue can add a ``+1``, so a mark counts only when the chain confirms it or
a trusted user placed it. Objects still in the original gh-store's format have no chain: their
history is the marked updates, unverifiable. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from .body import BodyMeta, decode_body
from .config import StoreConfig
from .hashchain import GENESIS, extend_chain
from .marks import reaction_count
from .needs import Flow, ListComments, Listing, ListReactions
from .planner import comment_id, pending_comments
from .trust import login_of, trusted
from .types import Update, parse_github_time
from .update_comment import CommentKind, parse_update_comment

__all__ = ["LEGACY_PROBLEM", "HistoryCheck", "HistoryReading", "history_flow"]

LEGACY_PROBLEM = "written by the original gh-store: no history hash"
CHANGING_PROBLEM = "the comments kept changing while they were read: verify again"


@dataclass(frozen=True)
class HistoryCheck:
    """Whether the applied updates found in the comments are the ones the processor applied.

    ``expected_*`` come from the issue body's metadata (``None`` for an original-format object),
    ``actual_hash``/``found_count`` from the comments as they are now.
    """

    ok: bool
    expected_hash: str | None
    actual_hash: str
    expected_count: int | None
    found_count: int
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryReading:
    """The applied updates, oldest first, and whether they verify."""

    updates: tuple[Update, ...]
    check: HistoryCheck


def history_flow(
    issue: Mapping[str, Any],
    config: StoreConfig,
    owner: str,
    roles: MutableMapping[str, str],
) -> Flow[HistoryReading]:
    """Read and check the applied updates of the object in ``issue``."""
    meta = decode_body(issue.get("body")).meta
    listing: Listing = yield ListComments(int(issue["number"]))
    comments = pending_comments(listing.items, 0)  # every comment, in id order, each once
    processed = config.reactions.processed

    if meta.legacy:
        # The original marked what it applied with the processed reaction, and kept nothing else.
        marked = [c for c in comments if _is_update(c) and reaction_count(c, processed) > 0]
        check = HistoryCheck(
            ok=False,
            expected_hash=None,
            actual_hash=_chain(marked),
            expected_count=None,
            found_count=len(marked),
            problems=(LEGACY_PROBLEM,),
        )
        return HistoryReading(_updates(marked), check)

    decided = [c for c in comments if comment_id(c) <= meta.last_comment_id]
    cheap = [
        c
        for c in decided
        if _is_update(c)
        and reaction_count(c, processed) > 0
        and reaction_count(c, config.reactions.rejected) == 0
        and reaction_count(c, config.reactions.untrusted) == 0
    ]
    if _chain(cheap) == meta.history_hash and len(cheap) == meta.applied_count:
        return HistoryReading(_updates(cheap), _passed(meta, cheap))
    reading = yield from _read_carefully(config, owner, roles, meta, decided)
    if not listing.complete and not reading.check.ok:
        check = reading.check
        problems = (CHANGING_PROBLEM, *check.problems)
        return HistoryReading(
            reading.updates,
            HistoryCheck(
                False,
                check.expected_hash,
                check.actual_hash,
                check.expected_count,
                check.found_count,
                problems,
            ),
        )
    return reading


def _read_carefully(
    config: StoreConfig,
    owner: str,
    roles: MutableMapping[str, str],
    meta: BodyMeta,
    decided: Sequence[Mapping[str, Any]],
) -> Flow[HistoryReading]:
    """The slow path: trust a processed mark only if a trusted user placed it."""
    processed = config.reactions.processed
    # Comments marked by a trusted user, with the time of that mark. Comments without any
    # processed reaction in their rollup cannot have one: no request for them.
    marked: list[tuple[Mapping[str, Any], str]] = []
    for comment in decided:
        if reaction_count(comment, processed) == 0:
            continue
        reactions: Listing = yield ListReactions(comment_id(comment), processed)
        times = []
        for reaction in reactions.items:
            if (yield from trusted(login_of(reaction), config, owner, roles)):
                times.append(str(reaction.get("created_at") or ""))
        if times:
            marked.append((comment, min(times)))

    applied = [c for c, _ in marked]
    # An object first written by the original gh-store starts its chain where gh-store took
    # over: the marked updates before that are the original's history, outside the chain.
    # The original never rejected, so a comment the processor marked rejected or untrusted
    # cannot be part of that earlier history.
    split = len(applied) - meta.applied_count
    earlier, chained = applied[:split], applied[split:]
    if (
        split > 0
        and _chain(chained) == meta.history_hash
        and not any(reaction_count(c, config.reactions.rejected) for c in earlier)
        and not any(reaction_count(c, config.reactions.untrusted) for c in earlier)
    ):
        return HistoryReading(_updates(applied), _passed(meta, applied, _chain(chained)))
    if _chain(applied) == meta.history_hash and len(applied) == meta.applied_count:
        return HistoryReading(_updates(applied), _passed(meta, applied))

    problems: list[str] = []
    for comment, marked_at in marked:
        if not _is_update(comment):
            problems.append(
                f"comment {comment_id(comment)} was edited after it was applied: "
                "it is no longer an update"
            )
        elif _later(str(comment.get("updated_at") or ""), marked_at):
            problems.append(f"comment {comment_id(comment)} was edited after it was applied")
    missing = meta.applied_count - len(applied)
    if missing > 0:
        what = "an applied update is" if missing == 1 else f"{missing} applied updates are"
        problems.append(f"{what} missing (deleted?)")
    elif missing < 0:
        problems.append(f"{-missing} more updates are marked applied than the object records")
    if not problems:
        # Edited before its mark: between the run's read and its write. The text shown is then
        # not the text applied; GitHub's times say which comment, its text cannot.
        problems.extend(
            f"comment {comment_id(comment)} was edited while it was being applied "
            f"({comment.get('updated_at')}): the text applied was the one before that edit"
            for comment, _ in marked
            if _later(str(comment.get("updated_at") or ""), str(comment.get("created_at") or ""))
        )
    if not problems:
        problems.append("the applied updates do not match the recorded history hash")
    updates = [c for c in applied if _is_update(c)]
    check = HistoryCheck(
        ok=False,
        expected_hash=meta.history_hash,
        actual_hash=_chain(applied),
        expected_count=meta.applied_count,
        found_count=len(applied),
        problems=tuple(problems),
    )
    return HistoryReading(_updates(updates), check)


def _passed(
    meta: BodyMeta, applied: Sequence[Mapping[str, Any]], actual: str | None = None
) -> HistoryCheck:
    return HistoryCheck(
        ok=True,
        expected_hash=meta.history_hash,
        actual_hash=actual or meta.history_hash,
        expected_count=meta.applied_count,
        found_count=len(applied),
    )


def _updates(comments: Sequence[Mapping[str, Any]]) -> tuple[Update, ...]:
    result = []
    for comment in comments:
        patch = parse_update_comment(comment.get("body")).patch
        if patch is None:
            continue
        result.append(
            Update(
                comment_id=comment_id(comment),
                timestamp=parse_github_time(str(comment["created_at"])),
                changes=patch,
                author=login_of(comment),
            )
        )
    return tuple(result)


def _chain(comments: Sequence[Mapping[str, Any]]) -> str:
    value = GENESIS
    for comment in comments:
        value = extend_chain(value, comment_id(comment), str(comment.get("body")))
    return value


def _is_update(comment: Mapping[str, Any]) -> bool:
    return parse_update_comment(comment.get("body")).kind is CommentKind.UPDATE


def _later(first: str, second: str) -> bool:
    try:
        return parse_github_time(first) > parse_github_time(second)
    except ValueError:
        return False
