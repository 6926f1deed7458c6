"""Running the update processor over a transport: one issue, or every open object (catch-up).

The decisions are flows (``core/processing.py``); this module drives them and decides one thing of
its own: when a catch-up run stops, which it does before the rate limit runs out, leaving the rest
for the next scheduled run.

A catch-up run costs one listing per 100 open objects, then each object's own run without its
first read (the listing already holds the issue). Objects with nothing pending are closed and not
listed, so they cost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from .core.config import StoreConfig
from .core.exceptions import CorruptObjectError, GitHubAPIError, ObjectNotFound
from .core.objects import open_issues_flow
from .core.processing import process_issue_flow
from .core.report import ProcessReport
from .core.schema import ObjectSchema
from .driver import drive
from .transport.port import GitHubTransport

__all__ = ["CatchUpReport", "process_all", "process_issue", "should_stop"]

log = logging.getLogger("gh_store.processor")

#: Requests kept in hand when a catch-up run decides whether to start one more object: enough for
#: a typical object's run (a read, a listing, a write, a few marks, a last look) with room to spare.
DEFAULT_RESERVE = 50


def process_issue(
    transport: GitHubTransport,
    config: StoreConfig,
    issue_number: int,
    *,
    schema: ObjectSchema | None = None,
    max_rounds: int = 5,
    roles: MutableMapping[str, str] | None = None,
    issue: Mapping[str, Any] | None = None,
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
    )
    report = drive(flow, transport)
    if report.refused:
        log.warning("%s", report.refused)
    if report.rounds > 1:
        log.info("comments arrived during the run: %d rounds", report.rounds)
    if report.left_pending:
        log.warning(
            "issue #%d: the comments kept changing while they were read; the rest is left "
            "for the next run",
            issue_number,
        )
    return report


@dataclass(frozen=True)
class CatchUpReport:
    """What a catch-up run did: one report per object processed, and what it left."""

    reports: tuple[ProcessReport, ...] = ()
    failures: tuple[tuple[int, str], ...] = ()  # (issue number, why) of objects that could not
    left: tuple[int, ...] = ()  # open object issues not reached, oldest first
    stopped: str | None = None  # why it stopped early, if it did
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


def should_stop(
    remaining: int | None, used: int, *, reserve: int, budget: int | None
) -> str | None:
    """Why a catch-up run must not start another object, or None to go on.

    ``remaining`` is what GitHub last said is left this hour (None before any answer), ``used``
    what this run has sent; ``budget`` caps the run's own requests.
    """
    if remaining is not None and remaining <= reserve:
        return (
            f"GitHub's rate limit has {remaining} requests left this hour, at most the "
            f"{reserve} this run keeps in reserve"
        )
    if budget is not None and used + reserve > budget:
        return f"this run has made {used} of the {budget} requests its budget allows"
    return None


def process_all(
    transport: GitHubTransport,
    config: StoreConfig,
    *,
    schema: ObjectSchema | None = None,
    reserve: int = DEFAULT_RESERVE,
    budget: int | None = None,
) -> CatchUpReport:
    """Process every open object issue, oldest first, each as a single-issue run would.

    An object that cannot be processed (a damaged body, a deleted issue) is reported and passed
    over; an error that would stop every object (the token, GitHub down) ends the run.
    """
    start = transport.requests_made
    issues = drive(open_issues_flow(config), transport)
    roles: dict[str, str] = {}
    reports: list[ProcessReport] = []
    failures: list[tuple[int, str]] = []
    for index, issue in enumerate(issues):
        used = transport.requests_made - start
        stopped = should_stop(transport.rate_remaining, used, reserve=reserve, budget=budget)
        if stopped is not None:
            left = tuple(int(i["number"]) for i in issues[index:])
            log.warning("catch-up stopped with %d objects left: %s", len(left), stopped)
            return CatchUpReport(tuple(reports), tuple(failures), left, stopped, used)
        number = int(issue["number"])
        try:
            report = process_issue(
                transport, config, number, schema=schema, roles=roles, issue=issue
            )
        except (CorruptObjectError, ObjectNotFound) as exc:
            log.warning("issue #%d passed over: %s", number, exc)
            failures.append((number, str(exc)))
            continue
        except GitHubAPIError as exc:
            if exc.status != 404:
                raise
            failures.append((number, str(exc)))
            continue
        reports.append(report)
        _progress(
            report, index + 1, len(issues), transport, transport.requests_made - start, budget
        )
    used = transport.requests_made - start
    return CatchUpReport(tuple(reports), tuple(failures), requests=used)
