"""What a run costs over GraphQL (issue 13): N pending updates from trusted users on a fresh object,
plus A role look-ups over REST, take at most 3 + A requests for N = 1 and 6 + A for N = 100,
whatever the object's history; each GraphQL request costs one point of GraphQL's own budget.

Counts are exact (the emulator's log and its point buckets), so a regression of one request fails.
"""

from __future__ import annotations

import json
import math

import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue

from .support import fold, reads_and_writes, seed_object, store_config, stored, transport_for

CONFIG = store_config()
PERMISSION = r"/collaborators/[^/]+/permission$"
#: The issue's bounds, before the role look-ups.
BOUND = {1: 3, 100: 6}


def run(gh: GitHubEmulator, number: int) -> tuple[int, int]:
    """One run with the Actions bot's token: (requests, GraphQL points) it used."""
    gh.clear_requests()
    before = gh.rate_limit(gh.bot_token, "graphql")["used"]
    with transport_for(gh, api="graphql") as transport:
        process_issue(transport, CONFIG, number)
        assert transport.requests_made == len(gh.requests)
    return len(gh.requests), gh.rate_limit(gh.bot_token, "graphql")["used"] - before


@pytest.mark.parametrize(("updates", "authors"), [(1, 0), (1, 1), (100, 0), (100, 1), (100, 3)])
def test_n_pending_cost_what_issue_13_promises(
    repo: GitHubEmulator, updates: int, authors: int
) -> None:
    writers = [f"writer{i}" for i in range(authors)]
    for login in writers:
        repo.set_permission(login, "write")
    number = seed_object(repo, {})
    patches = [{f"k{i}": i} for i in range(updates)]
    for i, patch in enumerate(patches):
        repo.seed_comment(number, json.dumps(patch), user=(writers or ["octo"])[i % (authors or 1)])

    requests, points = run(repo, number)

    assert stored(repo, number).data == fold({}, patches)
    assert requests <= BOUND[updates] + authors
    # the issue with its comments (one query), the write and the marks 50 a request (the last
    # one brings back the last look), and each author's role over REST
    graphql = 1 + math.ceil((updates + 1) / 50)
    assert repo.count("GET", PERMISSION) == authors
    assert requests == graphql + authors
    assert reads_and_writes(repo) == (1 + authors, graphql - 1)
    assert points == graphql  # one point each: no request asks for more than 100 comments


def test_the_cost_does_not_grow_with_the_history(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    for i in range(300):
        repo.seed_comment(number, json.dumps({f"k{i}": i}))
    first, _ = run(repo, number)
    assert first == 3 + math.ceil(301 / 50)  # 300 comments: 3 queries; 301 writes: 7 requests
    repo.seed_comment(number, json.dumps({"last": True}))

    requests, points = run(repo, number)

    # the newest 100 comments reach back to the last run's newest mark, and say that this
    # token placed it: no listing of reactions, no older page
    assert (requests, points) == (2, 2)
    assert stored(repo, number).meta.applied_count == 301
    assert repo.count("GET") == 0


def test_a_run_with_nothing_pending_costs_one_query(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    repo.seed_comment(number, json.dumps({"a": 1}))
    run(repo, number)

    assert run(repo, number) == (1, 1)
