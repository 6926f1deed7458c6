"""Running a plan against GitHub: the only part of update processing that does I/O.

A run costs, for N pending updates from A authors who need a permission check::

    1 (issue) + ceil(N/100) (comments since the last run) + A (permissions)
      + 1 (the one write: data, metadata, state) + N (marks) + 1 (a last look for new comments)

whatever the number of comments already applied, because comments are listed from the metadata's
``since``, not from the start. (``since`` has GitHub's one-second resolution: comments stamped in
the same second as the newest decided one are listed again, which GitHub's limit of about 80 new
comments a minute keeps to a handful.)

Before it ends a run looks once more for comments that arrived while it worked and processes them
too (up to ``max_rounds`` rounds), so none is stranded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .body import BodyMeta, decode_body
from .config import StoreConfig
from .exceptions import CorruptObjectError, GitHubAPIError, ObjectNotFound
from .processor import (
    Mark,
    ProcessReport,
    UpdateOutcome,
    UpdatePlan,
    authors_to_check,
    is_trusted,
    legacy_marked_comments,
    plan_updates,
)
from .schema import ObjectSchema

if TYPE_CHECKING:
    from ..transport import GitHubTransport

__all__ = ["process_issue"]

log = logging.getLogger("gh_store.processor")


def process_issue(
    transport: GitHubTransport,
    config: StoreConfig,
    issue_number: int,
    *,
    schema: ObjectSchema | None = None,
    max_rounds: int = 5,
) -> ProcessReport:
    """Apply every pending update on issue ``issue_number``; return what happened."""
    issue, meta = _get_store_issue(transport, config, issue_number)
    owner = transport.owner
    permissions: dict[str, str] = {}
    outcomes: list[UpdateOutcome] = []
    first: UpdatePlan | None = None
    plan: UpdatePlan | None = None
    comments = list(transport.list_comments(issue_number, since=meta.since))
    legacy_baseline = (
        _trusted_legacy_baseline(transport, config, comments, permissions) if meta.legacy else None
    )
    rounds = 0
    while True:
        rounds += 1
        wanted = authors_to_check(issue, comments, config, owner, legacy_baseline=legacy_baseline)
        for login in wanted:
            if login not in permissions:
                permissions[login] = transport.get_permission(login)
        plan = plan_updates(
            issue,
            comments,
            permissions,
            config,
            owner=owner,
            schema=schema,
            legacy_baseline=legacy_baseline,
        )
        first = first or plan
        if plan.refused:
            log.warning("%s", plan.refused)
            break
        # The last run's marks first: the write below drops them from the metadata, so a run
        # that dies after it must not still owe them (the next one could no longer tell).
        for mark in plan.repair_marks:
            _place(transport, mark)
        if plan.needs_write:
            fields: dict[str, Any] = {}
            if plan.body_text is not None:
                fields["body"] = plan.body_text
            if plan.close:
                fields["state"] = "closed"
                fields["state_reason"] = "completed"
            issue = transport.update_issue(issue_number, **fields)
        for mark in plan.marks:
            _place(transport, mark)
        outcomes.extend(plan.outcomes)
        if not plan.needs_write or rounds >= max_rounds:
            break
        # Comments may have arrived while this round worked; their own runs may have read the
        # body before this round's write, so this run takes them on rather than strand them.
        after = plan.after.meta
        comments = list(transport.list_comments(issue_number, since=after.since))
        if not any(int(c["id"]) > after.last_comment_id for c in comments):
            break
        log.info("new comments arrived during the run; processing them too")

    assert first is not None and plan is not None
    return _report(first, plan, outcomes, issue, rounds)


def _trusted_legacy_baseline(
    transport: GitHubTransport,
    config: StoreConfig,
    comments: list[dict[str, Any]],
    permissions: dict[str, str],
) -> int:
    """For a body the original gh-store wrote: the newest comment a trusted user marked processed.

    The original took anyone's processed reaction as "applied", so an outsider's +1 could
    suppress a pending update. Asking who placed each mark costs requests once per object, on
    its first run here; after that the body's metadata decides.
    """
    owner = transport.owner
    processed = config.reactions.processed
    for comment_id in legacy_marked_comments(comments, config):
        for reaction in transport.list_reactions(comment_id, content=processed):
            login = str((reaction.get("user") or {}).get("login", ""))
            if not is_trusted(login, permissions, config, owner) and login not in permissions:
                permissions[login] = transport.get_permission(login)
            if is_trusted(login, permissions, config, owner):
                return comment_id
    return 0


def _get_store_issue(
    transport: GitHubTransport, config: StoreConfig, issue_number: int
) -> tuple[Mapping[str, Any], BodyMeta]:
    """The issue, if it holds a stored object whose body can be read, and its metadata."""
    try:
        issue = transport.get_issue(issue_number)
    except GitHubAPIError as exc:
        if exc.status in (404, 410):
            raise ObjectNotFound(
                f"issue #{issue_number} does not exist in {transport.repo}"
            ) from None
        raise
    names = {label.get("name") for label in issue.get("labels", []) if isinstance(label, dict)}
    if config.base_label not in names:
        raise ObjectNotFound(
            f"issue #{issue_number} is not a stored object: it lacks the "
            f"{config.base_label!r} label"
        )
    if issue.get("pull_request"):
        raise ObjectNotFound(f"#{issue_number} is a pull request, not a stored object")
    try:
        meta = decode_body(issue.get("body")).meta
    except CorruptObjectError as exc:
        raise CorruptObjectError(
            f"issue #{issue_number} cannot be processed: {exc}. Nothing was changed; restore the "
            "body (github.com keeps the issue's edit history) and run again"
        ) from None
    return issue, meta


def _place(transport: GitHubTransport, mark: Mark) -> None:
    try:
        transport.create_reaction(mark.comment_id, mark.content)
    except GitHubAPIError as exc:
        if exc.status != 404:
            raise
        # The comment was deleted after it was decided: nothing left to mark.
        log.info("comment %s is gone; not marking it", mark.comment_id)


def _report(
    first: UpdatePlan,
    last: UpdatePlan,
    outcomes: list[UpdateOutcome],
    issue: Mapping[str, Any],
    rounds: int,
) -> ProcessReport:
    return ProcessReport(
        object_id=first.object_id,
        issue_number=first.issue_number,
        version_before=first.before.meta.version,
        version_after=last.after.meta.version,
        data=last.after.data,
        data_before=first.before.data,
        outcomes=tuple(outcomes),
        refused=last.refused,
        issue_url=str(issue.get("html_url", "")),
        rounds=rounds,
        updated_at=issue.get("updated_at"),
        created_at=issue.get("created_at"),
    )
