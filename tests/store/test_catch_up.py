"""Catch-up runs (issues 11 and 17): every object with work, oldest first, each as its own run
would; what it costs; what it may spend (the rate limit's reserve, the caller's budget, each
object's most); one broken object does not stop the others; closed objects with pending updates
are found."""

from __future__ import annotations

import json
import re

import pytest

from gh_store.client import GitHubStore
from gh_store.core.body import decode_body
from gh_store.core.needs import Commit, ListComments
from gh_store.core.processing import process_issue_flow
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator
from gh_store.emulator.hooks import RequestInfo
from gh_store.runs import DEFAULT_RESERVE, CatchUpStopped

from .conftest import MakeStore

LIST = r"/issues$"
PERMISSION = r"/collaborators/[^/]+/permission$"


def _store_with_pending(gh: GitHubEmulator, make_store: MakeStore) -> tuple[GitHubStore, list[int]]:
    """Five objects: three with an update pending from alice (open), two stable (closed)."""
    owner = make_store()
    alice = make_store(token=gh.token_for("alice", permission="write"))
    numbers = []
    for name in ("a", "b", "c", "d", "e"):
        numbers.append(owner.create(name, {"n": 0}).meta.issue_number)
    for name in ("b", "d", "e"):
        alice.update(name, {"n": 1, "by": name})
    return owner, numbers


def _remaining(gh: GitHubEmulator, api: str) -> int:
    resource = "graphql" if api == "graphql" else "core"
    return int(gh.rate_limit(gh.owner_token, resource)["remaining"])


def test_every_object_with_work_is_processed_oldest_first(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    gh.clear_requests()
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [numbers[1], numbers[3], numbers[4]]
    assert all(len(r.applied) == 1 for r in done.reports)
    assert (done.left, done.failures, done.stopped) == ((), (), None)
    for name in ("b", "d", "e"):
        assert owner.get(name).data == {"n": 1, "by": name}
    assert owner.get("a").data == {"n": 0}


def test_the_cost_is_one_listing_plus_each_objects_run_without_its_first_read(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    gh.clear_requests()
    done = owner.process_all()
    assert gh.count("GET", LIST) == 1  # every object issue, open and closed, one page
    assert gh.count("GET", r"/issues/\d+$") == 0  # the listing already holds each issue
    assert gh.count("GET", PERMISSION) == 1  # alice, once for the whole run
    # each object: its comments, one write, one mark, one last look; over GraphQL its comments
    # (the first object's read with the issue: it tells the points left), then one request that
    # writes, marks and brings back the last look
    per_object = {"rest": 1 + 1 + 1 + 1, "graphql": 1 + 1}[api]
    assert len(gh.requests) == done.requests == 1 + 1 + 3 * per_object
    # Closed objects that did not change after they were closed cost nothing.
    touched = {int(m.group(1)) for r in gh.requests if (m := re.search(r"/issues/(\d+)", r.path))}
    assert numbers[0] not in touched and numbers[2] not in touched


def test_a_run_keeps_the_reserve_and_says_what_it_left(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    if api == "rest":
        # the listing (1), then b: at most 4 to start (the opener's role, its comments, a write,
        # a last look), 4 once read (alice's role, a write, a mark, a last look): 52 are left,
        # and no object costs less than 3
        gh.set_rate_limit(gh.owner_token, DEFAULT_RESERVE + 8)
    else:
        # b's read tells the points (1); its write (1) fits, d's read and write do not
        gh.set_rate_limit(gh.owner_token, DEFAULT_RESERVE + 2, resource="graphql")
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [numbers[1]]
    assert done.left == (numbers[3], numbers[4])
    assert done.stopped is not None and "in reserve" in done.stopped
    assert _remaining(gh, api) >= DEFAULT_RESERVE
    gh.set_rate_limit(gh.owner_token, 5000)
    gh.set_rate_limit(gh.owner_token, 5000, resource="graphql")
    again = make_store().process_all()  # the next scheduled run (a new process) continues
    assert [r.issue_number for r in again.reports] == [numbers[3], numbers[4]]


@pytest.mark.parametrize("budget", [5, 9, 40])
def test_a_request_budget_is_what_the_run_may_spend_not_a_second_reserve(
    gh: GitHubEmulator, make_store: MakeStore, api: str, budget: int
) -> None:
    owner = make_store()
    numbers = [owner.create(f"o{i}", {"n": 0}).meta.issue_number for i in range(12)]
    for i in range(12):
        owner.update(f"o{i}", {"n": 1})
    gh.clear_requests()
    done = owner.process_all(budget=budget)
    # REST: the listing, then 4 an object (at most 4 to start: the opener's role, a page of
    # comments, a write, a last look); GraphQL: the listing, then 2 an object (at most 3 to
    # start: the opener's role, a page of comments, a write)
    per, start = {"rest": (4, 4), "graphql": (2, 3)}[api]
    can = next(k for k in range(13) if k == 12 or 1 + per * k + start > budget)
    assert len(done.reports) == can and all(len(r.applied) == 1 for r in done.reports)
    assert done.left == tuple(numbers[can:])
    assert done.requests == len(gh.requests) == 1 + per * can <= budget
    assert (done.stopped is not None) == (can < 12)


def test_an_object_too_costly_for_what_is_left_is_passed_over_for_cheaper_ones(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    gh.use_ticking_clock()
    owner = make_store()
    big = owner.create("big", {"n": 0}).meta.issue_number
    small = owner.create("small", {"n": 0}).meta.issue_number
    owner.update("big", {"n": 0})  # reopens it
    for n in range(1, 300):
        gh.seed_comment(big, json.dumps({"n": n}))
    owner.update("small", {"n": 1})
    # REST: 300 marks are far more than is left. GraphQL: 300 updates cost 4 points of reads and
    # 7 of writes, more than the 8 left once its comments are read.
    resource = "graphql" if api == "graphql" else "core"
    left = {"rest": 30, "graphql": 8}[api]
    gh.set_rate_limit(gh.owner_token, DEFAULT_RESERVE + left, resource=resource)
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [small]
    assert done.left == (big,) and done.stopped is not None
    assert _remaining(gh, api) >= DEFAULT_RESERVE
    assert owner.get("big").data == {"n": 0} and gh.issue(big)["state"] == "open"
    gh.set_rate_limit(gh.owner_token, 5000, resource=resource)
    again = make_store().process_all()
    assert [len(r.applied) for r in again.reports] == [300]
    assert owner.get("big").data == {"n": 299}


# --- one object that cannot be processed ---------------------------------------------------------


def _damage(gh: GitHubEmulator, owner: GitHubStore, number: int, how: str, api: str) -> None:
    if how == "damaged metadata":
        body = gh.issue(number)["body"].replace('"version":', '"version":"x",')
        owner.transport.update_issue(number, body=body)
    elif how == "hand-edited body":
        owner.transport.update_issue(number, body="edited by hand {")
    elif how == "original format, no room for the metadata":
        owner.transport.update_issue(number, body=json.dumps({"x": "y" * 65_480}))
    elif api == "rest":
        status = {"write refused (422)": 422, "issue gone (410)": 410}.get(how, 404)
        gh.inject(status, "PATCH", rf"/issues/{number}$")
    else:
        status = {"write refused (422)": 422, "issue gone (410)": 403}.get(how, 404)
        gh.inject_graphql_error("updateIssue", status, skip=1)  # b's write goes through


FAILURES = [
    "damaged metadata",
    "hand-edited body",
    "original format, no room for the metadata",
    "write refused (422)",
    "issue gone (410)",
]


@pytest.mark.parametrize("how", FAILURES)
def test_an_object_that_cannot_be_processed_is_reported_and_passed_over(
    gh: GitHubEmulator, make_store: MakeStore, api: str, how: str
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    _damage(gh, owner, numbers[3], how, api)
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [numbers[1], numbers[4]]
    assert [number for number, _ in done.failures] == [numbers[3]]
    assert done.failures[0][1] and "Traceback" not in done.failures[0][1]
    assert owner.get("e").data == {"n": 1, "by": "e"}


@pytest.mark.parametrize("status", [401, 503])
def test_an_error_that_stops_every_object_ends_the_run_with_what_it_left(
    gh: GitHubEmulator, make_store: MakeStore, api: str, status: int
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    # The first object is processed; from the second one on, GitHub fails every request.
    path = rf"/issues/({numbers[3]}|{numbers[4]})" if api == "rest" else r"/graphql$"
    skip = 0 if api == "rest" else 2
    gh.inject(status, None, path, times=100, skip=skip)
    with pytest.raises(CatchUpStopped) as stopped:
        owner.process_all()
    report = stopped.value.report
    assert [r.issue_number for r in report.reports] == [numbers[1]]
    if status == 401:  # the token: every object would fail alike
        assert (report.failures, report.left) == ((), (numbers[3], numbers[4]))
    else:  # once may be the object; twice in a row is GitHub
        assert [n for n, _ in report.failures] == [numbers[3]] and report.left == (numbers[4],)
    assert stopped.value.error.status == status


# --- closed objects with pending updates ---------------------------------------------------------


def test_an_update_on_a_closed_object_whose_run_never_happened_is_applied(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    gh.use_ticking_clock()
    owner, numbers = _store_with_pending(gh, make_store)
    owner.process_all()
    # Posted on the closed issue (by hand, or after the run's last look): no run followed.
    gh.seed_comment(numbers[0], '{"n": 7}')
    gh.clear_requests()
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [numbers[0]]
    assert owner.get("a").data == {"n": 7}
    touched = {int(m.group(1)) for r in gh.requests if (m := re.search(r"/issues/(\d+)", r.path))}
    assert touched <= {numbers[0]}  # the objects closed since their last run cost nothing


def test_an_object_archived_after_the_listing_is_left_closed_and_archived(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    # Found by the torture test (seed 5): the run reopened an object archived since its listing,
    # passed it over as "not a stored object", and left the archived issue open for good.
    gh.use_ticking_clock()
    owner, numbers = _store_with_pending(gh, make_store)
    owner.process_all()
    gh.seed_comment(numbers[0], '{"n": 7}')
    alice = make_store(token=gh.token_for("alice", permission="write"))
    by_the_run: list[str] = []

    def archive_once_listed(info: RequestInfo) -> None:
        if info.user != "alice":
            by_the_run.append(info.path)
            if len(by_the_run) == 2:  # the listing was answered; the reopen is next
                alice.delete("a")

    hook = gh.add_hook(archive_once_listed)
    done = owner.process_all()
    hook.remove()
    issue = gh.issue(numbers[0])
    assert (issue["state"], issue["state_reason"]) == ("closed", "not_planned")
    assert "archived" in [label["name"] for label in issue["labels"]]
    assert (done.reports, done.failures, done.left) == ((), (), ())
    assert decode_body(issue["body"]).data == {"n": 0}  # the update on it is never applied
    assert not [r for r in gh.reactions(gh.comments(numbers[0])[-1]["id"]) if r["content"] == "+1"]


def test_comments_a_run_could_not_afford_are_found_by_the_next_catch_up_run(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    # Found by the torture test (seed 1083): a run out of budget after its write left the
    # comments that arrived while it read for "a catch-up run"; but its write had closed the
    # issue after them, so no catch-up run ever looked at it again.
    gh.use_ticking_clock()
    owner = make_store()
    bot = make_store(token=gh.bot_token)
    number = owner.create("a", {"n": 0}).meta.issue_number
    gh.seed_comment(number, '{"n": 1}')
    rounds: list[object] = []

    def afford_one_round(work: object) -> bool:
        rounds.append(work)
        return len(rounds) == 1

    flow = process_issue_flow(number, bot.config, bot.transport.owner, afford=afford_one_round)
    run = Stepper(flow, bot.transport)
    while not isinstance(run.need, ListComments):
        run.step()
    run.step()
    gh.seed_comment(number, '{"n": 2}')  # after the run read, before its write
    report = run.run()
    assert report is not None and report.left_pending and len(report.applied) == 1
    assert gh.issue(number)["state"] == "open"  # work, for the next catch-up run
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [number]
    assert owner.get("a").data == {"n": 2} and gh.issue(number)["state"] == "closed"


@pytest.mark.xfail(
    strict=True,
    reason="known gap, tracked in issue 17 (left open on it): a run killed between its write "
    "and its last look closes the issue after comments it never read; closed_at then hides them. "
    "Torture seeds 355 (REST) and 675 (GraphQL) fail on it; the fix closes after the last look",
)
def test_an_update_posted_while_a_killed_run_was_reading_is_found(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    # A run reads the comments; the client reopens the object and posts an update whose own run
    # never happens (an outage); the first run writes (closing the issue) and is killed before
    # its last look. The update was posted before that close, so updated_at == closed_at.
    gh.use_ticking_clock()
    owner = make_store()
    bot = make_store(token=gh.bot_token)
    number = owner.create("a", {"n": 0}).meta.issue_number
    gh.seed_comment(number, '{"n": 1}')
    run = Stepper(process_issue_flow(number, bot.config, bot.transport.owner), bot.transport)
    while not isinstance(run.need, ListComments):
        run.step()
    run.step()
    owner.update("a", {"n": 2})
    while not isinstance(run.need, Commit):
        run.step()
    run.step()  # the write; then the runner is killed
    owner.process_all()
    assert owner.get("a").data == {"n": 2}


def test_a_closed_update_is_found_however_many_runs_were_skipped(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    gh.use_ticking_clock()
    owner, numbers = _store_with_pending(gh, make_store)
    owner.process_all()
    gh.seed_comment(numbers[2], '{"n": 5}')
    gh.advance_clock(30 * 24 * 3600)  # a month without a catch-up run
    owner.update("b", {"n": 2})
    done = owner.process_all()
    assert sorted(r.issue_number for r in done.reports) == [numbers[1], numbers[2]]
    assert owner.get("c").data == {"n": 5}


@pytest.mark.parametrize("budget", [None, 1])
def test_no_object_with_work_costs_one_listing(
    gh: GitHubEmulator, make_store: MakeStore, budget: int | None
) -> None:
    owner = make_store()
    owner.create("a", {})
    gh.clear_requests()
    done = owner.process_all(budget=budget)
    assert (done.reports, done.left, gh.count()) == ((), (), 1)
