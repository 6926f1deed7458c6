"""Catch-up runs (issue 11): every open object, oldest first, each as its own run would; the
cost; stopping before the rate limit runs out; one broken object does not stop the others."""

from __future__ import annotations

import re

import pytest

from gh_store.client import GitHubStore
from gh_store.emulator import GitHubEmulator

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


def test_every_open_object_is_processed_oldest_first(
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
    assert gh.count("GET", LIST) == 1  # the open objects, one page
    assert gh.count("GET", r"/issues/\d+$") == 0  # the listing already holds each issue
    assert gh.count("GET", PERMISSION) == 1  # alice, once for the whole run
    # each object: its comments, one write, one mark, one last look; over GraphQL its comments,
    # then one request that writes, marks and brings back the last look
    per_object = {"rest": 1 + 1 + 1 + 1, "graphql": 1 + 1}[api]
    assert len(gh.requests) == done.requests == 1 + 1 + 3 * per_object
    # Closed objects (nothing pending) cost nothing.
    touched = {int(m.group(1)) for r in gh.requests if (m := re.search(r"/issues/(\d+)", r.path))}
    assert numbers[0] not in touched and numbers[2] not in touched


def test_a_run_stops_with_a_reserve_of_the_rate_limit_left_and_says_what_it_left(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    if api == "rest":
        # 56 requests left this hour: the listing and one object's run (5) leave the 50 kept
        # in reserve, so the run stops there.
        gh.set_rate_limit(gh.owner_token, 56)
    else:
        # 52 GraphQL points left: one object's run (2) leaves the 50 kept in reserve.
        gh.set_rate_limit(gh.owner_token, 52, resource="graphql")
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [numbers[1]]
    assert done.left == (numbers[3], numbers[4])
    assert done.stopped is not None and "in reserve" in done.stopped
    gh.set_rate_limit(gh.owner_token, 5000)
    gh.set_rate_limit(gh.owner_token, 5000, resource="graphql")
    again = make_store().process_all()  # the next scheduled run (a new process) continues
    assert [r.issue_number for r in again.reports] == [numbers[3], numbers[4]]


def test_a_request_budget_caps_the_run(gh: GitHubEmulator, make_store: MakeStore, api: str) -> None:
    owner, _ = _store_with_pending(gh, make_store)
    # the reserve of 50, and room for the listing and one object's run (REST 5, GraphQL 3)
    done = owner.process_all(budget={"rest": 55, "graphql": 53}[api])
    assert len(done.reports) == 1 and len(done.left) == 2
    assert done.stopped is not None and "budget" in done.stopped


def test_a_damaged_object_is_passed_over_and_the_others_processed(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    owner, numbers = _store_with_pending(gh, make_store)
    owner.transport.update_issue(numbers[3], body="damaged by hand {")
    done = owner.process_all()
    assert [r.issue_number for r in done.reports] == [numbers[1], numbers[4]]
    assert [number for number, _ in done.failures] == [numbers[3]]


@pytest.mark.parametrize("budget", [None, 1])
def test_no_open_object_costs_one_listing(
    gh: GitHubEmulator, make_store: MakeStore, budget: int | None
) -> None:
    owner = make_store()
    owner.create("a", {})
    gh.clear_requests()
    done = owner.process_all(budget=budget)
    assert (done.reports, done.left, gh.count()) == ((), (), 1)
