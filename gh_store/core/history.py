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

import itertools
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from .body import BodyMeta, decode_body
from .config import StoreConfig
from .hashchain import GENESIS, extend_chain
from .marks import reaction_count
from .needs import CommentVersion, Flow, ListCommentEdits, ListComments, Listing, ListReactions
from .planner import comment_id, pending_comments
from .trust import login_of, trusted
from .types import Update, parse_github_time
from .update_comment import CommentKind, parse_update_comment

__all__ = ["LEGACY_PROBLEM", "HistoryCheck", "HistoryReading", "history_flow"]

LEGACY_PROBLEM = "written by the original gh-store: no history hash"
CHANGING_PROBLEM = "the comments kept changing while they were read: verify again"
MAX_COMBINATIONS = 4096  # versions of edited comments tried against the chain, at most


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
    texts = [str(c.get("body")) for c in applied]
    verified = _verified_hash(config, meta, applied, texts)
    if verified is not None:
        return HistoryReading(_updates(applied, texts), _passed(meta, applied, verified))

    # A comment edited since it was created may hold another text than the one applied. The
    # chain says which texts were applied; GitHub's edit history (GraphQL only) has the versions:
    # first those of the comments GitHub's times show edited (or that are no update any more),
    # then, if no choice of them makes the chain, the others' too (GitHub's times have whole
    # seconds: an edit in the second a comment was written leaves no trace in them).
    counted = len(applied) >= meta.applied_count  # else the chain can confirm no text
    edited = [
        i
        for i, comment in enumerate(applied)
        if not _is_update(comment)  # an applied text was an update: this one changed
        or _later(_time(comment, "updated_at"), _time(comment, "created_at"))
    ]
    others = [i for i in range(len(applied)) if i not in edited]
    recovered: list[str] | None = None
    unavailable = "with an applied update missing, the history hash cannot confirm any text"
    read: list[int] = []
    versions: dict[int, Sequence[CommentVersion]] = {}
    for group in (edited, others) if counted else ():
        if not group or recovered is not None:
            continue
        ids = tuple(dict.fromkeys(comment_id(applied[i]) for i in group))
        answer: Mapping[int, Sequence[CommentVersion]] | None = yield ListCommentEdits(ids)
        if answer is None:
            unavailable = (
                "GitHub's REST API keeps only a comment's newest text: read it over GraphQL"
            )
            break
        read.extend(group)
        versions.update(answer)
        recovered = _recover(config, meta, marked, texts, read, versions)
        unavailable = "no version in its edit history matches the recorded history hash"

    problems: list[str] = []
    missing = meta.applied_count - len(applied)
    if missing > 0:
        what = "an applied update is" if missing == 1 else f"{missing} applied updates are"
        problems.append(f"{what} missing (deleted?)")
    elif missing < 0:
        problems.append(f"{-missing} more updates are marked applied than the object records")
    named: dict[int, str] = {}  # index -> the problem that names that comment
    for index, (comment, marked_at) in enumerate(marked):
        if (recovered is None and index in edited) or (
            recovered is not None and recovered[index] != texts[index]
        ):
            named[index] = _edit_problem(comment, marked_at, alone=not problems)
            if recovered is not None:
                named[index] += "; the history shows the text applied, from GitHub's edit history"
            else:
                named[index] += f"; the text applied is not available ({unavailable})"
    problems[:0] = [named[index] for index in sorted(named)]
    if not problems:
        problems.append("the applied updates do not match the recorded history hash")
    if recovered is not None:
        updates = _updates(applied, recovered)
    else:
        # Nothing is confirmed: an edited comment's text is not shown, the others' say so.
        doubt = f"the history hash does not confirm this text ({problems[-1]})"
        updates = _updates(applied, texts, unknown=named, doubt=doubt)
    check = HistoryCheck(
        ok=False,
        expected_hash=meta.history_hash,
        actual_hash=_chain(applied, texts),
        expected_count=meta.applied_count,
        found_count=len(applied),
        problems=tuple(problems),
    )
    return HistoryReading(updates, check)


def _edit_problem(comment: Mapping[str, Any], marked_at: str, *, alone: bool) -> str:
    """How a comment whose current text is not the one applied came to be so, as far as
    GitHub's times tell (``alone``: nothing else is wrong with the history)."""
    name = f"comment {comment_id(comment)}"
    updated = _time(comment, "updated_at")
    if not _is_update(comment):
        return f"{name} was edited after it was applied: it is no longer an update"
    if _later(updated, marked_at):
        return f"{name} was edited after it was applied"
    if _later(updated, _time(comment, "created_at")):
        # Edited before its mark: between the run's read and its write.
        if alone:
            return f"{name} was edited while it was being applied ({updated})"
        return f"{name} was edited before it was marked applied ({updated})"
    # GitHub's times have whole seconds: an edit in the second the comment was written shows none.
    return f"{name} does not hold the text the history hash recorded (edited in the same second)"


def _time(comment: Mapping[str, Any], key: str) -> str:
    return str(comment.get(key) or "")


def _verified_hash(
    config: StoreConfig,
    meta: BodyMeta,
    applied: Sequence[Mapping[str, Any]],
    texts: Sequence[str],
) -> str | None:
    """The chain over ``applied`` with ``texts`` if it is the one the metadata records."""
    # An object first written by the original gh-store starts its chain where gh-store took
    # over: the marked updates before that are the original's history, outside the chain.
    # The original never rejected, so a comment the processor marked rejected or untrusted
    # cannot be part of that earlier history.
    split = len(applied) - meta.applied_count
    if split > 0:
        earlier = applied[:split]
        chained = _chain(applied[split:], texts[split:])
        if (
            chained == meta.history_hash
            and not any(reaction_count(c, config.reactions.rejected) for c in earlier)
            and not any(reaction_count(c, config.reactions.untrusted) for c in earlier)
        ):
            return chained
        return None
    whole = _chain(applied, texts)
    return whole if whole == meta.history_hash and split == 0 else None


def _recover(
    config: StoreConfig,
    meta: BodyMeta,
    marked: Sequence[tuple[Mapping[str, Any], str]],
    texts: Sequence[str],
    edited: Sequence[int],
    versions: Mapping[int, Sequence[CommentVersion]],
) -> list[str] | None:
    """The applied texts, when one version of each edited comment makes the recorded chain.

    Tried first: each comment's version in effect when the run marked it; then the others,
    newest first, at most ``MAX_COMBINATIONS`` in all. Only a verified chain is an answer.
    """
    applied = [comment for comment, _ in marked]
    choices: list[list[str]] = []
    for index in edited:
        comment, marked_at = marked[index]
        kept = versions.get(comment_id(comment))
        if kept is None:
            return None  # deleted meanwhile, or its history was too long to read whole
        at_mark = [
            v.text for v in kept if v.text is not None and not _later(v.edited_at, marked_at)
        ]
        ordered = [*at_mark[:1], texts[index], *(v.text for v in kept if v.text is not None)]
        choices.append(list(dict.fromkeys(ordered)))
    for count, combination in enumerate(itertools.product(*choices)):
        if count >= MAX_COMBINATIONS:
            return None
        candidate = list(texts)
        for index, text in zip(edited, combination, strict=True):
            candidate[index] = text
        if _verified_hash(config, meta, applied, candidate) is not None:
            return candidate
    return None


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


def _updates(
    comments: Sequence[Mapping[str, Any]],
    texts: Sequence[str] | None = None,
    unknown: Mapping[int, str] | None = None,
    doubt: str | None = None,
) -> tuple[Update, ...]:
    """The updates in ``comments`` (with ``texts``, else their bodies). An ``unknown`` one (index
    -> why) is an entry with no changes that says why its applied text is not known; with a
    ``doubt``, every other entry says it too."""
    result = []
    for index, comment in enumerate(comments):
        problem = (unknown or {}).get(index)
        if problem is None:
            text = texts[index] if texts is not None else comment.get("body")
            patch = parse_update_comment(text).patch
            problem = doubt
        else:
            patch = {}
        if patch is None:
            continue
        result.append(
            Update(
                comment_id=comment_id(comment),
                timestamp=parse_github_time(str(comment["created_at"])),
                changes=patch,
                author=login_of(comment),
                problem=problem,
            )
        )
    return tuple(result)


def _chain(comments: Sequence[Mapping[str, Any]], texts: Sequence[str] | None = None) -> str:
    value = GENESIS
    for index, comment in enumerate(comments):
        text = texts[index] if texts is not None else str(comment.get("body"))
        value = extend_chain(value, comment_id(comment), text)
    return value


def _is_update(comment: Mapping[str, Any]) -> bool:
    return parse_update_comment(comment.get("body")).kind is CommentKind.UPDATE


def _later(first: str, second: str) -> bool:
    try:
        return parse_github_time(first) > parse_github_time(second)
    except ValueError:
        return False
