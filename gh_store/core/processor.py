"""Planning an update run: issue + comments + permissions -> new state, marks, report. No I/O.

The rules (the executor in ``executor.py`` only performs what the plan says):

* The issue body is the source of truth. Its metadata names the newest comment already decided
  (``last_comment_id``); only comments after it are pending, in id order. Reactions, and edits
  to comments already decided, change nothing.
* A pending comment that is not meant as an update (chat) is passed over without a mark.
* An update counts only if its author may write (repository owner, ``github-actions[bot]``,
  a configured user, or a role of at least ``trust.min_permission``). Others are marked
  *untrusted*, reported, and never applied later.
* A broken update, or one whose result fails the schema or would not fit in the issue body, is
  *rejected*: the object is unchanged by it. Each update applies whole or not at all.
* Everything goes in one write: data, metadata and ``state: closed``. Marks come after it.
* Crash safety: the metadata keeps the last run's marks; if the newest of them is missing from
  its comment, the next run places them all again (placing a reaction twice is harmless), before
  its own write, which no longer lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .body import BodyMeta, IssueBody, check_body_size, decode_body, encode_body
from .config import PERMISSION_LEVELS, StoreConfig
from .exceptions import InvalidUpdate
from .hashchain import extend_chain
from .merge_patch import apply_merge_patch
from .naming import object_id_from_labels
from .schema import ObjectSchema
from .update_comment import CommentKind, parse_update_comment

__all__ = [
    "ACTIONS_BOT",
    "Mark",
    "ProcessReport",
    "UpdateOutcome",
    "UpdatePlan",
    "authors_to_check",
    "is_trusted",
    "legacy_marked_comments",
    "opener_may_be_trusted",
    "plan_updates",
]

#: The identity behind a workflow's GITHUB_TOKEN: it can only act where the workflow allows it.
ACTIONS_BOT = "github-actions[bot]"

Status = Literal["applied", "rejected", "untrusted"]


@dataclass(frozen=True)
class Mark:
    """A reaction to place on a comment after the write."""

    comment_id: int
    content: str


@dataclass(frozen=True)
class UpdateOutcome:
    """What became of one update comment."""

    comment_id: int
    author: str
    url: str
    status: Status
    reason: str | None = None


@dataclass(frozen=True)
class UpdatePlan:
    """Everything one run will do, decided before it writes anything."""

    object_id: str
    issue_number: int
    before: IssueBody
    after: IssueBody
    body_text: str | None  # the new body, or None when the body need not change
    close: bool  # the issue must be closed
    marks: tuple[Mark, ...]  # reactions for this run's decisions, in comment order
    repair_marks: tuple[Mark, ...]  # the previous run's marks, placed again before the write
    outcomes: tuple[UpdateOutcome, ...]
    refused: str | None = None  # why nothing was done (the issue's author may not write)

    @property
    def needs_write(self) -> bool:
        return self.body_text is not None or self.close


@dataclass(frozen=True)
class ProcessReport:
    """The result of processing one object's issue, for the CLI and the action's outputs."""

    object_id: str
    issue_number: int
    version_before: int
    version_after: int
    data: dict[str, Any]
    data_before: dict[str, Any]
    outcomes: tuple[UpdateOutcome, ...] = ()
    refused: str | None = None
    issue_url: str = ""
    rounds: int = 1
    updated_at: str | None = None
    created_at: str | None = None

    @property
    def applied(self) -> tuple[UpdateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "applied")

    @property
    def rejected(self) -> tuple[UpdateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "rejected")

    @property
    def untrusted(self) -> tuple[UpdateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "untrusted")

    @property
    def changed(self) -> bool:
        """Whether the object's data is different after the run."""
        return self.data != self.data_before

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the CLI prints it)."""

        def outcome(o: UpdateOutcome) -> dict[str, Any]:
            entry: dict[str, Any] = {"comment_id": o.comment_id, "author": o.author, "url": o.url}
            if o.reason is not None:
                entry["reason"] = o.reason
            return entry

        return {
            "object_id": self.object_id,
            "issue_number": self.issue_number,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "changed": self.changed,
            "applied": [outcome(o) for o in self.applied],
            "rejected": [outcome(o) for o in self.rejected],
            "untrusted": [outcome(o) for o in self.untrusted],
            "refused": self.refused,
            "data": self.data,
        }


def is_trusted(login: str, permissions: Mapping[str, str], config: StoreConfig, owner: str) -> bool:
    """Whether ``login`` may change objects. Unknown permissions count as none."""
    if _trusted_without_asking(login, config, owner):
        return True
    role = permissions.get(login, "none")
    rank = PERMISSION_LEVELS.index(role) if role in PERMISSION_LEVELS else 0
    return rank >= PERMISSION_LEVELS.index(config.trust.min_permission)


#: ``author_association`` values only repository owners, members and collaborators get.
_COLLABORATOR_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


def opener_may_be_trusted(issue: Mapping[str, Any], config: StoreConfig, owner: str) -> bool:
    """A free check for readers (no request): could the issue's opener be a trusted user?

    ``author_association`` is no authorization (COLLABORATOR includes read-only ones), but any
    other value means the opener is no collaborator at all: a maintainer may have labelled an
    outsider's issue, whose body the outsider can still edit, so it is not the store's object.
    """
    if not config.trust.require_trusted_issue_author:
        return True
    if _trusted_without_asking(_login(issue), config, owner):
        return True
    return issue.get("author_association") in _COLLABORATOR_ASSOCIATIONS


def authors_to_check(
    issue: Mapping[str, Any],
    comments: Iterable[Mapping[str, Any]],
    config: StoreConfig,
    owner: str,
    *,
    legacy_baseline: int | None = None,
) -> list[str]:
    """The logins whose permission the plan needs, each once, in first-seen order.

    Only authors of pending comments meant as updates (chat needs no check) and the issue's
    author; the owner, the Actions bot and configured users need no request.
    """
    meta = _meta_or_legacy(issue)
    baseline = _baseline(meta, comments, config, legacy_baseline)
    wanted: list[str] = []
    if config.trust.require_trusted_issue_author:
        wanted.append(_login(issue))
    for comment in sorted(comments, key=_comment_id):
        if _comment_id(comment) <= baseline:
            continue
        if parse_update_comment(comment.get("body")).kind is CommentKind.CHAT:
            continue
        wanted.append(_login(comment))
    seen: set[str] = set()
    result = []
    for login in wanted:
        if login not in seen and not _trusted_without_asking(login, config, owner):
            seen.add(login)
            result.append(login)
    return result


def plan_updates(
    issue: Mapping[str, Any],
    comments: Sequence[Mapping[str, Any]],
    permissions: Mapping[str, str],
    config: StoreConfig,
    *,
    owner: str,
    schema: ObjectSchema | None = None,
    legacy_baseline: int | None = None,
) -> UpdatePlan:
    """Decide what a run does with ``issue`` given the ``comments`` listed since its metadata.

    ``legacy_baseline`` matters only for a body the original gh-store wrote: the newest comment
    whose processed mark a trusted user placed (see ``legacy_marked_comments``). Without it, any
    processed mark counts, as the original counted them.
    """
    before = decode_body(issue.get("body"))
    meta = before.meta
    object_id = object_id_from_labels(config, issue.get("labels", [])) or f"#{issue['number']}"
    number = int(issue["number"])
    is_open = issue.get("state") == "open"

    if config.trust.require_trusted_issue_author and not is_trusted(
        _login(issue), permissions, config, owner
    ):
        refusal = (
            f"issue #{number} was opened by {_login(issue)}, who may not write to the "
            "repository; gh-store processes only issues opened by trusted users"
        )
        return UpdatePlan(object_id, number, before, before, None, False, (), (), (), refusal)

    ordered = sorted(comments, key=_comment_id)
    repair = _missing_marks(meta, ordered)
    baseline = _baseline(meta, ordered, config, legacy_baseline)
    pending = [c for c in ordered if _comment_id(c) > baseline]

    data = before.data
    version = meta.version
    history_hash = meta.history_hash
    applied_count = meta.applied_count
    marks: list[Mark] = []
    outcomes: list[UpdateOutcome] = []
    last_id = max([meta.last_comment_id, baseline, *(_comment_id(c) for c in pending)])
    last_decided_at: str | None = None
    last_marked_at: str | None = None

    mark_room = _room_for_marks(pending, config)
    for comment in pending:
        comment_id = _comment_id(comment)
        last_decided_at = comment.get("created_at") or last_decided_at
        parsed = parse_update_comment(comment.get("body"))
        if parsed.kind is CommentKind.CHAT:
            continue
        author = _login(comment)
        url = str(comment.get("html_url", ""))
        status: Status
        reason: str | None = None
        if not is_trusted(author, permissions, config, owner):
            status = "untrusted"
            reason = f"{author} may not write to this repository"
        elif parsed.kind is CommentKind.BROKEN or parsed.patch is None:
            status = "rejected"
            reason = parsed.reason
        else:
            candidate = apply_merge_patch(data, parsed.patch)
            reason = _why_unstorable(candidate, schema, version, applied_count, mark_room)
            if reason is None:
                status = "applied"
                data = candidate
                version += 1
                applied_count += 1
                history_hash = extend_chain(history_hash, comment_id, str(comment.get("body")))
            else:
                status = "rejected"
        content = {
            "applied": config.reactions.processed,
            "rejected": config.reactions.rejected,
            "untrusted": config.reactions.untrusted,
        }[status]
        marks.append(Mark(comment_id, content))
        last_marked_at = comment.get("created_at") or last_marked_at
        outcomes.append(UpdateOutcome(comment_id, author, url, status, reason))

    # The next run lists comments from `since`: early enough to include every comment after
    # `last_id`, and the newest kept mark, so the next run can see whether it was placed.
    kept_marks: tuple[tuple[int, str], ...]
    since: str | None
    if marks:
        kept_marks = tuple((m.comment_id, m.content) for m in marks)
        since = last_marked_at or meta.since
    elif repair:
        kept_marks = ()
        since = last_decided_at or meta.since
    else:
        kept_marks = meta.marks
        since = meta.since if meta.marks else (last_decided_at or meta.since)

    after_meta = BodyMeta(
        version=version,
        last_comment_id=last_id,
        since=since,
        history_hash=history_hash,
        applied_count=applied_count,
        marks=kept_marks,
    )
    after = IssueBody(data=data, meta=after_meta)
    # Chat alone on a closed issue is not worth a write: it is cheap to pass over again.
    worth_writing = bool(marks) or bool(repair) or meta.legacy or is_open
    if not worth_writing:
        after = before
    body_changed = worth_writing and (meta.legacy or after_meta != meta or data != before.data)
    body_text = encode_body(after) if body_changed else None
    return UpdatePlan(
        object_id=object_id,
        issue_number=number,
        before=before,
        after=after,
        body_text=body_text,
        close=is_open or body_text is not None,
        marks=tuple(marks),
        repair_marks=repair,
        outcomes=tuple(outcomes),
    )


def _why_unstorable(
    candidate: Any,
    schema: ObjectSchema | None,
    version: int,
    applied_count: int,
    mark_room: int,
) -> str | None:
    if not isinstance(candidate, dict):
        return "the result is not a JSON object"
    if schema is not None:
        problems = schema.errors(candidate)
        if problems:
            shown = "; ".join(problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            return f"the result does not match the schema: {shown}{more}"
    # Size with metadata at least as long as the final one: when this run applies anything, the
    # body keeps this run's marks only (one per pending comment at most), not the last run's.
    probe = IssueBody(
        data=candidate,
        meta=BodyMeta(
            version=version + 1,
            last_comment_id=10**12,
            since="2000-01-01T00:00:00Z",
            applied_count=applied_count + 1,
        ),
    )
    try:
        check_body_size(encode_body(probe) + " " * mark_room)
    except InvalidUpdate as exc:
        return str(exc)
    except (ValueError, TypeError) as exc:
        return f"the result cannot be stored as JSON: {exc}"
    return None


def _room_for_marks(pending: Sequence[Mapping[str, Any]], config: StoreConfig) -> int:
    """Characters the metadata's ``marks`` can take for ``pending``: ``[id,"content"],`` each."""
    reactions = config.reactions
    longest = max(len(r) for r in (reactions.processed, reactions.rejected, reactions.untrusted))
    return sum(len(str(_comment_id(c))) + longest + 6 for c in pending)


def _missing_marks(meta: BodyMeta, ordered: Sequence[Mapping[str, Any]]) -> tuple[Mark, ...]:
    """The previous run's marks, if its newest mark is not on its comment (it crashed)."""
    if not meta.marks:
        return ()
    newest_id, content = meta.marks[-1]
    for comment in ordered:
        if _comment_id(comment) == newest_id:
            rollup = comment.get("reactions") or {}
            if int(rollup.get(content, 0) or 0) > 0:
                return ()
            break
    else:
        # The comment is not in the listing: deleted since. Nothing to mark on it.
        return ()
    return tuple(Mark(comment_id, mark) for comment_id, mark in meta.marks)


def legacy_marked_comments(comments: Iterable[Mapping[str, Any]], config: StoreConfig) -> list[int]:
    """Ids of the comments carrying the processed reaction, newest first.

    This is how the original gh-store recorded what it had applied; but anyone can add that
    reaction, so the executor asks who placed each one, newest first, until a trusted user did.
    """
    marked = [
        _comment_id(comment)
        for comment in comments
        if int((comment.get("reactions") or {}).get(config.reactions.processed, 0) or 0) > 0
    ]
    return sorted(marked, reverse=True)


def _baseline(
    meta: BodyMeta,
    comments: Iterable[Mapping[str, Any]],
    config: StoreConfig,
    legacy_baseline: int | None,
) -> int:
    """The id up to which comments count as decided."""
    if not meta.legacy:
        return meta.last_comment_id
    if legacy_baseline is not None:
        return legacy_baseline
    return max(legacy_marked_comments(comments, config), default=0)


def _meta_or_legacy(issue: Mapping[str, Any]) -> BodyMeta:
    return decode_body(issue.get("body")).meta


def _trusted_without_asking(login: str, config: StoreConfig, owner: str) -> bool:
    # GitHub logins are case-insensitive: a config may spell one differently from the API.
    known = {name.casefold() for name in (owner, ACTIONS_BOT, *config.trust.users)}
    return login.casefold() in known


def _login(item: Mapping[str, Any]) -> str:
    user = item.get("user") or {}
    return str(user.get("login", "ghost"))


def _comment_id(comment: Mapping[str, Any]) -> int:
    return int(comment["id"])
