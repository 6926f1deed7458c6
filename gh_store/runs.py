"""Running the update processor over a transport: one issue, or every object with work (catch-up).

The decisions are flows (``core/processing.py``); this module drives them and decides what a
catch-up run may spend and when it passes an object over.

What a catch-up run reads: one listing per 100 object issues (open and closed), then each object
with something pending, oldest first, as a single-issue run would without its first read (the
listing already holds the issue). An open object has updates pending; a closed one may too, when
it changed after it was closed (its ``updated_at`` is later than its ``closed_at``: a comment
posted on it, whose own run never happened); the others cost nothing beyond the listing.

What it spends: before an object, the most its first read can cost (the comment count the
listing shows, in pages) and a write; once its comments are read, the most the round can cost
(``core.processing.round_work``: role look-ups, marks, the write, a last look), priced for the
transport (REST: one request each; GraphQL: the write and marks share requests, a point each).
An object that does not fit in what is left is passed over and reported in ``left``; the run goes
on with the next ones, which may be cheaper, and stops once not even the cheapest object fits.
What is left is GitHub's remaining limit less the reserve (per budget: REST requests, GraphQL
points), and the ``budget`` of requests less those made, whichever is smaller.

One object that cannot be processed (a damaged body, GitHub refusing its write) is reported in
``failures`` and passed over. An error that stops every object (the token refused, the rate limit
used up, GitHub failing for two objects in a row) ends the run with ``CatchUpStopped``, which
carries what the run did and left.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .core.config import StoreConfig
from .core.exceptions import (
    AuthError,
    ConfigurationError,
    GitHubAPIError,
    GitHubStoreError,
    RateLimitError,
)
from .core.naming import is_archived, object_id_from_labels
from .core.needs import Flow, GetIssue, Listing, ListIssues, Need, UpdateIssue
from .core.objects import may_have_work
from .core.processing import OverBudget, RoundWork, process_issue_flow
from .core.report import ProcessReport
from .core.schema import ObjectSchema
from .driver import drive
from .transport.port import GitHubTransport

__all__ = [
    "CatchUpReport",
    "CatchUpStopped",
    "Cost",
    "objects_with_work",
    "process_all",
    "process_issue",
    "should_stop",
]

log = logging.getLogger("gh_store.processor")

#: Requests (and GraphQL points) of GitHub's hourly limit a catch-up run leaves untouched, for the
#: single-issue runs and other jobs that share the token, and for retries.
DEFAULT_RESERVE = 50

#: REST pages a listing of ``n`` comments takes at most: 100, then at least 49 more per page
#: (``transport/paging.py`` overlaps each page with the last one so nothing is skipped).
_FIRST_PAGE, _NEXT_PAGE = 100, 49


def process_issue(
    transport: GitHubTransport,
    config: StoreConfig,
    issue_number: int,
    *,
    schema: ObjectSchema | None = None,
    max_rounds: int = 5,
    roles: MutableMapping[str, str] | None = None,
    issue: Mapping[str, Any] | None = None,
    afford: Callable[[RoundWork], bool] | None = None,
) -> ProcessReport:
    """Apply every pending update on issue ``issue_number``; return what happened."""
    flow = process_issue_flow(
        issue_number,
        config,
        transport.owner,
        schema=schema,
        max_rounds=max_rounds,
        roles=roles,
        issue=issue,
        afford=afford,
    )
    report = drive(flow, transport)
    if report.refused:
        log.warning("%s", report.refused)
    if report.rounds > 1:
        log.info("comments arrived during the run: %d rounds", report.rounds)
    if report.left_pending:
        log.warning(
            "issue #%d: comments are left for the next run (they kept changing while they were "
            "read, or the run had no requests left for them)",
            issue_number,
        )
    return report


@dataclass(frozen=True)
class CatchUpReport:
    """What a catch-up run did: one report per object processed, what failed, what it left.

    ``failures`` are (issue number, why) of objects that could not be processed (reported, then
    passed over); ``left`` the object issues with work not done, for the next run: not reached,
    too costly for what was left, or processed only in part (also in ``reports``). ``stopped``
    says why objects were left, if they were.
    """

    reports: tuple[ProcessReport, ...] = ()
    failures: tuple[tuple[int, str], ...] = ()
    left: tuple[int, ...] = ()
    stopped: str | None = None
    requests: int = 0

    @property
    def changed(self) -> bool:
        return any(report.changed for report in self.reports)


def _progress(
    report: ProcessReport,
    done: int,
    of: int,
    transport: GitHubTransport,
    used: int,
    budget: int | None,
) -> None:
    """One line per object of a catch-up run: what it did, and where the run stands."""
    if budget is not None:
        stands = f"{used} of a budget of {budget} requests used"
    elif transport.rate_remaining is not None:
        stands = f"{used} requests used, {transport.rate_remaining} left this hour"
    else:
        stands = f"{used} requests used"
    log.info(
        "object %d of %d, issue #%d: %d applied, %d rejected, %d untrusted; %s",
        done,
        of,
        report.issue_number,
        len(report.applied),
        len(report.rejected),
        len(report.untrusted),
        stands,
    )


class CatchUpStopped(GitHubStoreError):
    """An error that stops every object ended a catch-up run; ``report`` holds what it did and
    left (the object it was on, and every later one, are in ``report.left``), ``error`` the
    error itself."""

    def __init__(self, error: GitHubStoreError, report: CatchUpReport) -> None:
        super().__init__(str(error))
        self.error = error
        self.report = report


@dataclass(frozen=True)
class Cost:
    """Requests on each of GitHub's budgets: REST's, and GraphQL's (one point each)."""

    rest: int = 0
    graphql: int = 0

    @property
    def requests(self) -> int:
        return self.rest + self.graphql


def should_stop(
    remaining: int | None, used: int, *, reserve: int, budget: int | None, cost: int = 1
) -> str | None:
    """Why a run may not send ``cost`` more requests, or None if it may.

    ``remaining`` is what GitHub last said is left this hour (None before any answer): the run
    keeps ``reserve`` of it. ``budget`` caps the run's own requests (``used`` so far); it is the
    caller's own number, not a second reserve.
    """
    if remaining is not None and remaining - cost < reserve:
        return (
            f"GitHub's rate limit has {remaining} left this hour; {cost} more would go into "
            f"the {reserve} this run keeps in reserve"
        )
    if budget is not None and used + cost > budget:
        return f"this run has made {used} of the {budget} requests its budget allows"
    return None


class _Spending:
    """What a catch-up run may still spend, from the transport's counters, and prices of work."""

    def __init__(
        self, transport: GitHubTransport, config: StoreConfig, reserve: int, budget: int | None
    ) -> None:
        self.transport = transport
        self.reserve = reserve
        self.budget = budget
        self.start = transport.requests_made
        self.graphql = hasattr(transport, "points_remaining")
        self.chunk = max(1, config.graphql.mutations_per_request)
        self.refused: str | None = None  # why the last check said no
        self.probed = False

    def must_probe(self) -> bool:
        """Whether to learn GraphQL's points before the next object (once: an API without
        GraphQL never tells them)."""
        if not self.graphql or self.probed:
            return False
        self.probed = getattr(self.transport, "points_remaining", None) is None
        return self.probed

    @property
    def used(self) -> int:
        return self.transport.requests_made - self.start

    def allows(self, cost: Cost) -> bool:
        """Whether ``cost`` fits; if not, ``refused`` says why."""
        points: int | None = getattr(self.transport, "points_remaining", None)
        rest = self.transport.rate_remaining  # over GraphQL the smaller of both: on the safe side
        if self.graphql and points is None:
            # GraphQL's points are not known yet (or the API has none): count it all on REST.
            cost = Cost(rest=cost.requests)
        checks = [
            should_stop(rest, self.used, reserve=self.reserve, budget=None, cost=cost.rest),
            should_stop(points, self.used, reserve=self.reserve, budget=None, cost=cost.graphql),
            should_stop(None, self.used, reserve=0, budget=self.budget, cost=cost.requests),
        ]
        self.refused = next((why for why in checks if why is not None), None)
        return self.refused is None

    def first_read(self, issue: Mapping[str, Any], *, probed: bool = False) -> Cost:
        """The most an object costs before its comments are read, with the smallest finish;
        ``probed``: its newest comments were just read with it (GraphQL)."""
        try:
            count = max(0, int(issue.get("comments") or 0))
        except (TypeError, ValueError):
            count = 0
        opener = 1  # the opener's role, unless known
        if issue.get("state") != "open":
            opener += 1  # a closed object is reopened first
        if self.graphql:
            return Cost(rest=opener, graphql=count // 100 + (0 if probed else 1) + 1)
        pages = 1 + math.ceil(max(0, count - _FIRST_PAGE) / _NEXT_PAGE)
        return Cost(rest=opener + pages + 2)

    def round(self, work: RoundWork) -> Cost:
        """The most a round costs once its comments are read."""
        rest = work.lookups + work.mark_reads
        if self.graphql:
            writes = math.ceil((work.writes + work.marks) / self.chunk)
            # The write's answer carries the last look; who the token is, a query of its own.
            return Cost(rest=rest, graphql=writes + work.identity)
        return Cost(rest=rest + work.identity + work.writes + work.marks + work.last_look)

    def cheapest(self) -> Cost:
        """No object costs less: a comment listing and a write."""
        return Cost(graphql=2) if self.graphql else Cost(rest=3)


def _ends_the_run(exc: Exception, unreachable_before: bool) -> bool:
    """Whether ``exc`` (raised for one object) would stop every other object too."""
    if isinstance(exc, RateLimitError | ConfigurationError):
        return True
    if isinstance(exc, AuthError) and exc.status == 401:
        return True  # the token itself
    if _unreachable(exc):
        # Once may be this object (a request GitHub cuts for its size); twice in a row is GitHub.
        return unreachable_before
    return False


def _unreachable(exc: Exception) -> bool:
    return isinstance(exc, GitHubAPIError) and (exc.status == 0 or exc.status >= 500)


def _holds_object(issue: Mapping[str, Any], config: StoreConfig) -> bool:
    return (
        not issue.get("pull_request")
        and not is_archived(issue)
        and object_id_from_labels(config, issue.get("labels") or []) is not None
    )


def objects_with_work(listing: Listing, config: StoreConfig) -> list[Mapping[str, Any]]:
    """The object issues a catch-up run processes, oldest first."""
    return [issue for issue in listing if _holds_object(issue, config) and may_have_work(issue)]


def process_all(
    transport: GitHubTransport,
    config: StoreConfig,
    *,
    schema: ObjectSchema | None = None,
    reserve: int = DEFAULT_RESERVE,
    budget: int | None = None,
) -> CatchUpReport:
    """Process every object issue with work, oldest first, each as a single-issue run would.

    Raises ``CatchUpStopped`` (with the report) when an error stops every object; the report's
    ``failures`` are the objects passed over, ``left`` those not processed (or not completely).
    """
    spending = _Spending(transport, config, reserve, budget)
    try:
        listing: Listing = drive(_list_flow(config), transport)
    except GitHubStoreError as exc:
        raise CatchUpStopped(exc, CatchUpReport(stopped=str(exc), requests=spending.used)) from exc
    issues = objects_with_work(listing, config)
    roles: dict[str, str] = {}
    reports: list[ProcessReport] = []
    failures: list[tuple[int, str]] = []
    left: list[int] = []
    stopped: str | None = None
    unreachable = False

    def done(rest: Sequence[Mapping[str, Any]] = ()) -> CatchUpReport:
        return CatchUpReport(
            tuple(reports),
            tuple(failures),
            (*left, *(int(i["number"]) for i in rest)),
            stopped,
            spending.used,
        )

    for index, issue in enumerate(issues):
        number = int(issue["number"])
        if not spending.allows(spending.cheapest()):
            stopped = spending.refused
            left.extend(int(i["number"]) for i in issues[index:])
            break
        if not spending.allows(spending.first_read(issue)):
            stopped = _over(number, spending)
            left.append(number)
            continue
        try:
            if issue.get("state") != "open":
                # Reopened, it is closed again by this run's write: its closed_at then says when
                # it was last processed, and it costs nothing more until it changes again.
                listed, issue = issue, drive(_ask(UpdateIssue(number, state="open")), transport)
                if not _holds_object(issue, config):
                    # Archived (or relabelled) since the listing: it holds no object to process
                    # any more. Put it back as it was; the reopen was ours.
                    reason = "not_planned" if is_archived(issue) else listed.get("state_reason")
                    drive(_ask(_closed_again(number, reason)), transport)
                    continue
            if spending.must_probe():
                # GraphQL's points left are told only by a GraphQL answer: this one-point read
                # of the issue with its newest comments is the one the run would make anyway.
                listed, issue = issue, drive(_ask(GetIssue(number, with_comments=True)), transport)
                if not spending.allows(spending.first_read(listed, probed=True)):
                    raise OverBudget(_over(number, spending))
            report = process_issue(
                transport,
                config,
                number,
                schema=schema,
                roles=roles,
                issue=issue,
                afford=lambda work: spending.allows(spending.round(work)),
            )
        except OverBudget:
            stopped = _over(number, spending)
            left.append(number)
            continue
        except Exception as exc:
            if isinstance(exc, GitHubStoreError) and _ends_the_run(exc, unreachable):
                stopped = str(exc)
                left.append(number)
                raise CatchUpStopped(exc, done(issues[index + 1 :])) from exc
            unreachable = _unreachable(exc)
            failures.append((number, _reason(exc)))
            log.warning("issue #%d passed over: %s", number, failures[-1][1])
            continue
        unreachable = False
        reports.append(report)
        _progress(report, index + 1, len(issues), transport, spending.used, budget)
        if report.left_pending:
            left.append(number)
            if stopped is None:
                stopped = (
                    _over(number, spending)
                    if spending.refused
                    else f"the comments of issue #{number} kept changing while they were read"
                )
    summary = done()
    if summary.left:
        log.warning("catch-up left %d objects: %s", len(summary.left), summary.stopped)
    return replace(summary, left=tuple(dict.fromkeys(summary.left)))


def _list_flow(config: StoreConfig) -> Flow[Listing]:
    listing: Listing = yield ListIssues((config.base_label,), "all")
    return listing


def _ask(need: Need) -> Flow[Any]:
    """One need as a flow of its own: the driver stays the only caller of the port."""
    answer = yield need
    return answer


def _closed_again(number: int, reason: Any) -> UpdateIssue:
    known = reason if reason in ("completed", "not_planned") else None
    return UpdateIssue(number, state="closed", state_reason=known)


def _over(number: int, spending: _Spending) -> str:
    return f"issue #{number} would cost more than is left: {spending.refused}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, GitHubStoreError):
        return str(exc)
    log.exception("unexpected error")
    return (
        f"gh-store stopped on an unexpected {type(exc).__name__} while processing it; the "
        "traceback is in the log. Please report it"
    )
