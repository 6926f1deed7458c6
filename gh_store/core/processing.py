"""One update run on one object's issue, as a flow: read, decide, one write, marks, a last look.

The flow yields every request it needs (``needs.py``) and returns a ``ProcessReport``; the driver
performs the requests. For N pending updates from A authors who need a role look-up, over REST::

    1 (issue) + ceil(N/100) (comments since the last run) + A (roles) [+ 1 (who placed the
    previous run's newest mark, when its comment shows one) + 1 (who this token is, once per
    transport)] + 1 (the one write: data, metadata, state) + N (marks) + 1 (a last look for new
    comments)

whatever the number of comments already applied: comments are listed from the metadata's
``since``, not from the start. Before it ends, a run looks once more for comments that arrived while
it worked and processes them too (up to ``max_rounds`` rounds): another run may have read the body
before this run's write, and no comment may be stranded. Every body a run writes is the serial fold
of the comments up to its ``last_comment_id`` on the base it read, so overlapping runs converge.
Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from .body import IssueBody, decode_body
from .config import StoreConfig
from .exceptions import CorruptObjectError, GitHubAPIError, GitHubStoreError, ObjectNotFound
from .issue_form import adopt_form_flow, form_fields
from .marks import legacy_baseline, owed_marks, reaction_count
from .naming import has_label, object_id_from_labels
from .needs import Commit, Flow, GetIssue, ListComments, Listing, UpdateIssue
from .planner import UpdateOutcome, UpdatePlan, pending_comments, plan_updates
from .report import ProcessReport
from .schema import ObjectSchema
from .trust import login_of, trusted, trusted_without_asking
from .update_comment import is_meant_as_update

__all__ = [
    "OverBudget",
    "RoundWork",
    "check_store_issue",
    "process_issue_flow",
    "read_store_body",
    "round_work",
]


@dataclass(frozen=True)
class RoundWork:
    """The most a round can still ask of GitHub once its comments are read, before any of it.

    Counted in operations, not requests: what each costs depends on the transport (REST: one
    request each; GraphQL: ``writes`` and ``marks`` share requests). ``mark_reads`` are listings
    of one comment's reactions (who placed a mark), ``identity`` whether the run may ask who its
    own token is.
    """

    lookups: int = 0  # role look-ups of authors not yet known
    mark_reads: int = 0
    identity: int = 0
    writes: int = 1  # the body and state
    marks: int = 0  # reactions placed: the previous run's owed ones and this round's
    last_look: int = 1  # a listing of comments that arrived meanwhile


class OverBudget(GitHubStoreError):
    """The run's ``afford`` said no to a round's work: nothing of that round was sent."""


def round_work(
    comments: Iterable[Mapping[str, Any]],
    meta_last_comment_id: int,
    config: StoreConfig,
    owner: str,
    roles: Mapping[str, str],
    *,
    owed: int = 0,
    legacy: bool = False,
) -> RoundWork:
    """What a round over ``comments`` (as listed) can cost at most: every pending comment is
    decided and marked, every author not yet known is looked up.

    ``owed`` is the number of marks the previous run recorded (a crash may owe them all: one
    look at who placed the newest, then each placed again); ``legacy``: a body the original wrote,
    whose baseline is found by asking who placed each processed reaction, newest first.
    """
    listed = list(comments)
    # Conversation (chat, the creation comment) is never decided, so never marked.
    pending = [
        c
        for c in pending_comments(listed, 0 if legacy else meta_last_comment_id)
        if is_meant_as_update(c)
    ]
    unknown = {
        login_of(c)
        for c in pending
        if login_of(c) not in roles and not trusted_without_asking(login_of(c), config, owner)
    }
    mark_reads, reactors = (1 if owed else 0), 0
    if legacy:
        processed = config.reactions.processed
        counts = [reaction_count(c, processed) for c in listed]
        mark_reads += sum(1 for count in counts if count > 0)
        # Whoever placed them may need a look-up each (a listing holds 100 of them).
        reactors = sum(min(count, 100) for count in counts)
    return RoundWork(
        lookups=len(unknown) + reactors,
        mark_reads=mark_reads,
        identity=1 if mark_reads else 0,
        marks=owed + len(pending),
    )


def check_store_issue(issue: Mapping[str, Any], config: StoreConfig) -> None:
    """Raise ``ObjectNotFound`` unless ``issue`` is labelled as a stored object."""
    number = issue.get("number")
    if issue.get("pull_request"):
        raise ObjectNotFound(f"#{number} is a pull request, not a stored object")
    if not has_label(issue, config.base_label):
        raise ObjectNotFound(
            f"issue #{number} is not a stored object: it lacks the {config.base_label!r} label"
        )


def read_store_body(issue: Mapping[str, Any]) -> IssueBody:
    """The issue's body decoded; a damaged one is a ``CorruptObjectError`` that says the fix."""
    try:
        return decode_body(issue.get("body"))
    except CorruptObjectError as exc:
        raise CorruptObjectError(
            f"issue #{issue.get('number')} cannot be processed: {exc}. Nothing was changed; "
            "correct the body on github.com (it keeps the issue's edit history) and run again"
        ) from None


def process_issue_flow(
    number: int,
    config: StoreConfig,
    owner: str,
    *,
    schema: ObjectSchema | None = None,
    max_rounds: int = 5,
    roles: MutableMapping[str, str] | None = None,
    issue: Mapping[str, Any] | None = None,
    afford: Callable[[RoundWork], bool] | None = None,
) -> Flow[ProcessReport]:
    """Apply every pending update on issue ``number``; return what happened.

    ``roles`` (login -> role) may be shared by several runs of one job: each author is then looked
    up once for all of them. ``issue``, when given, is the issue as a listing just returned it,
    so it is not read again (a catch-up run lists them). ``afford`` is asked, once a round's
    comments are read and before anything else of the round is sent, whether the round's most
    (``round_work``) may be spent: if not, the first round raises ``OverBudget`` (nothing was
    written) and a later one ends the run with its comments left pending (``left_pending``).
    """
    roles = {} if roles is None else roles
    if issue is None:
        try:
            issue = yield GetIssue(number, with_comments=True)
        except GitHubAPIError as exc:
            if exc.status in (404, 410):
                raise ObjectNotFound(f"issue #{number} does not exist") from None
            raise
    check_store_issue(issue, config)
    form = None
    if object_id_from_labels(config, issue.get("labels") or []) is None:
        form = form_fields(issue.get("body"))
    if form is not None:
        # An object asked for with the issue form: made here, as create makes one. Creating is
        # writing, so the opener must be trusted whatever require_trusted_issue_author says.
        if not (yield from trusted(login_of(issue), config, owner, roles)):
            return _refused(issue, config, None)
        issue = yield from adopt_form_flow(issue, form, config, schema)
    before = read_store_body(issue)
    if config.trust.require_trusted_issue_author and not (
        yield from trusted(login_of(issue), config, owner, roles)
    ):
        return _refused(issue, config, before)

    listing: Listing = yield ListComments(number, before.meta.since, to_process=True)
    if afford is not None and not afford(
        round_work(
            listing.items,
            before.meta.last_comment_id,
            config,
            owner,
            roles,
            owed=len(before.meta.marks),
            legacy=before.meta.legacy,
        )
    ):
        raise OverBudget(f"issue #{number}: its updates cost more than this run has left")
    baseline = before.meta.last_comment_id
    if before.meta.legacy:
        baseline = yield from legacy_baseline(listing.items, config, owner, roles)
    repair = yield from owed_marks(before.meta, listing.items)

    outcomes: list[UpdateOutcome] = []
    plans: list[UpdatePlan] = []
    while True:
        for comment in pending_comments(listing.items, baseline):
            if is_meant_as_update(comment):
                yield from trusted(login_of(comment), config, owner, roles)
        plan = plan_updates(
            issue,
            listing,
            roles,
            config,
            owner=owner,
            baseline=baseline,
            schema=schema,
            repair=repair,
        )
        plans.append(plan)
        # The last run's marks first: the write drops them from the metadata, so a run that
        # dies after it must not still owe them (the next one could no longer tell). This
        # round's marks after it: a mark says the body recorded the decision.
        if plan.needs_write or plan.repair_marks or plan.marks:
            written: Mapping[str, Any] = yield Commit(
                number,
                body=plan.body_text,
                state=plan.state,
                state_reason="completed" if plan.state == "closed" else None,
                repair=tuple((m.comment_id, m.content) for m in plan.repair_marks),
                marks=tuple((m.comment_id, m.content) for m in plan.marks),
            )
            if written and plan.body_text is None:
                # Only the state was written: the answer's body may be another run's, newer than
                # the base this round decided on. The next round folds on this run's own base,
                # which its baseline describes (else it would apply an update a second time).
                written = {**written, "body": issue.get("body")}
            issue = written or issue
        outcomes.extend(plan.outcomes)
        if len(plans) >= max_rounds or (not plan.needs_write and plan.complete):
            break
        # Comments may have arrived while this round worked; their own runs may have read the
        # body before this round's write, so this run takes them on rather than strand them.
        after = plan.after.meta
        listing = yield ListComments(number, after.since, to_process=True)
        baseline, repair = after.last_comment_id, ()
        if listing.complete and not pending_comments(listing.items, baseline):
            break
        if afford is not None and not afford(
            round_work(listing.items, baseline, config, owner, roles)
        ):
            # This round's write stands; the comments that arrived meanwhile wait for a run
            # that can afford them.
            issue = yield from _leave_open(number, issue)
            return _report(plans[0], plans[-1], outcomes, issue, len(plans), left=True)
    if not plans[-1].complete:
        issue = yield from _leave_open(number, issue)
    return _report(plans[0], plans[-1], outcomes, issue, len(plans))


def _leave_open(number: int, issue: Mapping[str, Any]) -> Flow[Mapping[str, Any]]:
    """Reopen an issue whose comments a run leaves pending (one request).

    The run's write closed it after comments that arrived while the run read: closed, its
    ``closed_at`` would be later than them, and a catch-up run (which takes a closed object as
    done unless it changed after it was closed) would never find them. Open, it is work.
    """
    if issue.get("state") == "open":
        return issue
    reopened: Mapping[str, Any] = yield UpdateIssue(number, state="open")
    return reopened or issue


def _refused(
    issue: Mapping[str, Any], config: StoreConfig, before: IssueBody | None
) -> ProcessReport:
    number = int(issue["number"])
    opener = login_of(issue)
    version = before.meta.version if before is not None else 0
    return ProcessReport(
        object_id=object_id_from_labels(config, issue.get("labels") or []) or f"#{number}",
        issue_number=number,
        version_before=version,
        version_after=version,
        data=None,
        data_before=None,
        refused=(
            f"issue #{number} was opened by {opener}, who may not write to the repository; "
            "gh-store processes only issues opened by trusted users, and does not publish "
            "their bodies"
        ),
        issue_url=str(issue.get("html_url", "")),
        updated_at=issue.get("updated_at"),
        created_at=issue.get("created_at"),
    )


def _report(
    first: UpdatePlan,
    last: UpdatePlan,
    outcomes: list[UpdateOutcome],
    issue: Mapping[str, Any],
    rounds: int,
    *,
    left: bool = False,
) -> ProcessReport:
    return ProcessReport(
        object_id=first.object_id,
        issue_number=first.issue_number,
        version_before=first.before.meta.version,
        version_after=last.after.meta.version,
        data=last.after.data,
        data_before=first.before.data,
        outcomes=tuple(outcomes),
        issue_url=str(issue.get("html_url", "")),
        rounds=rounds,
        updated_at=issue.get("updated_at"),
        created_at=issue.get("created_at"),
        left_pending=left or not last.complete,
    )
