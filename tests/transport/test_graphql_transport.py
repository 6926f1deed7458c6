"""``GraphQLTransport`` against the emulator (issue 13): chunks, pacing and halving, limits,
lost answers, mutations failing alone, what it reads once and never twice, and where it stops
using GraphQL. Clocks and sleeps are injected, so every wait is asserted and none is slept."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from gh_store.core.body import BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig
from gh_store.core.exceptions import AuthError, GitHubAPIError, ObjectNotFound, RateLimitError
from gh_store.core.needs import Commit
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue
from gh_store.transport.graphql import GraphQLTransport
from gh_store.transport.graphql_client import GraphQLUnavailable
from gh_store.transport.rest import GhApiTransport

NO_PACING = RateLimitConfig(max_requests_per_hour=0, min_write_interval=0)
CONFIG = StoreConfig(rate_limit=NO_PACING)
LABELS = ["stored-object", "UID:x"]


@dataclass
class Clock:
    """A monotonic clock that moves only when the transport sleeps."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def gh() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(repo="octo/store", serve=False) as emulator:
        emulator.use_ticking_clock(start=1_700_000_000)
        yield emulator


def transport(
    gh: GitHubEmulator,
    clock: Clock | None = None,
    *,
    rate_limit: RateLimitConfig = NO_PACING,
    attempts: int = 3,
    **kwargs: Any,
) -> GraphQLTransport:
    clock = clock or Clock()
    options = {"sleep": clock.sleep, "clock": clock, **gh.client_options(), **kwargs}
    return GraphQLTransport(
        gh.repo,
        gh.bot_token,
        retries=RetryConfig(max_attempts=attempts, backoff_factor=0.5),
        rate_limit=rate_limit,
        **options,
    )


def pending(gh: GitHubEmulator, count: int, user: str = "octo") -> tuple[int, list[int]]:
    number = gh.seed_issue("Stored Object: x", encode_body(IssueBody({}, BodyMeta())), LABELS)
    return number, [
        gh.seed_comment(number, json.dumps({f"k{i}": i}), user=user) for i in range(count)
    ]


def mutation_requests(gh: GitHubEmulator) -> list[tuple[int, int]]:
    """(status, marks carried) of each request with mutations, in order."""
    return [(r.status, r.body["query"].count("addReaction(")) for r in gh.requests if r.mutates]


def marks(gh: GitHubEmulator, comment_id: int) -> list[str]:
    return [r["content"] for r in gh.reactions(comment_id)]


# --- writes: chunks, pacing, the secondary limit ----------------------------------------------


def test_writes_go_50_a_request_at_least_a_second_apart(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 120)
    clock = Clock()
    paced = RateLimitConfig(max_requests_per_hour=0, min_write_interval=1.0)
    with transport(gh, clock, rate_limit=paced) as graphql:
        process_issue(graphql, CONFIG, number)
    # the write and 49 marks, then 50, then the last 21 with the last look
    assert mutation_requests(gh) == [(200, 49), (200, 50), (200, 21)]
    assert clock.slept == [1.0, 1.0]  # between writes only: the query is not paced
    assert all(marks(gh, i) == ["+1"] for i in ids)


def test_a_secondary_limit_halves_the_chunk_and_waits_as_github_says(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 100)
    gh.inject(status=403, method="POST", path="/graphql$", skip=1, retry_after=7)
    clock = Clock()
    with transport(gh, clock) as graphql:
        report = process_issue(graphql, CONFIG, number)
    assert len(report.applied) == 100
    # refused, then the same writes in halves: 25 mutations a request from then on
    assert mutation_requests(gh) == [
        (403, 49),
        (200, 24),
        (200, 25),
        (200, 25),
        (200, 25),
        (200, 1),
    ]
    assert clock.slept == [7.0]
    assert all(marks(gh, i) == ["+1"] for i in ids)
    assert decode_body(gh.issue(number)["body"]).meta.applied_count == 100


def test_a_lost_answer_is_sent_again_and_nothing_is_doubled(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 3)
    gh.inject(status=None, method="POST", path="/graphql$", skip=1, drop=True, after=True)
    with transport(gh) as graphql:
        report = process_issue(graphql, CONFIG, number)
    assert len(report.applied) == 3 and [s for s, _ in mutation_requests(gh)] == [0, 200]
    assert all(marks(gh, i) == ["+1"] for i in ids)
    assert decode_body(gh.issue(number)["body"]).meta.version == 4


def test_repairs_never_share_a_request_with_the_write(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 2)
    with transport(gh) as graphql:
        graphql.get_issue(number, with_comments=True)
        graphql.list_comments(number, to_process=True)
        gh.clear_requests()
        graphql.commit(
            Commit(
                number, body="{}", state="closed", repair=((ids[0], "+1"),), marks=((ids[1], "+1"),)
            )
        )
    (repair, write) = [r.body["query"] for r in gh.requests]
    assert "updateIssue" not in repair and repair.count("addReaction(") == 1
    assert "updateIssue" in write and write.count("addReaction(") == 1


def test_closing_for_another_reason_than_completed_uses_close_issue(gh: GitHubEmulator) -> None:
    number, _ = pending(gh, 0)
    with transport(gh) as graphql:
        graphql.get_issue(number, with_comments=True)
        issue = graphql.commit(Commit(number, state="closed", state_reason="not_planned"))
    assert issue["state"] == "closed" and issue["state_reason"] == "not_planned"
    assert gh.issue(number)["state_reason"] == "not_planned"


def test_a_mark_on_a_comment_deleted_meanwhile_is_passed_over(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 3)

    def delete_before_the_writes(request: Any) -> None:
        if "addReaction" in str(request.body):
            gh.delete_comment(ids[1])

    with transport(gh) as graphql:
        graphql.get_issue(number, with_comments=True)
        listing = graphql.list_comments(number, to_process=True)
        assert [c["id"] for c in listing] == ids
        gh.add_hook(delete_before_the_writes, method="POST", path="/graphql$")
        graphql.commit(Commit(number, body="{}", marks=tuple((c["id"], "+1") for c in listing)))
    assert marks(gh, ids[0]) == marks(gh, ids[2]) == ["+1"]
    assert ids[1] not in [c["id"] for c in gh.comments(number)]


def test_marks_after_a_failed_write_are_removed_before_the_error(
    gh: GitHubEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    number, ids = pending(gh, 3)
    gh.add_reaction(ids[2], "github-actions[bot]", "+1")  # placed before: not ours to remove
    gh.inject_graphql_error("updateIssue", status=502)
    with transport(gh) as graphql:
        graphql.get_issue(number, with_comments=True)
        graphql.list_comments(number, to_process=True)
        with pytest.raises(GitHubAPIError, match="writing issue"):
            graphql.commit(Commit(number, body="{}", marks=tuple((i, "+1") for i in ids)))
    assert [marks(gh, i) for i in ids] == [[], [], ["+1"]]
    assert decode_body(gh.issue(number)["body"]).meta == BodyMeta()
    # and when removing them fails too, the error still says what failed, the log what stayed
    gh.inject_graphql_error("updateIssue", status=502)
    gh.inject_graphql_error("removeReaction", status=502, times=3)
    with transport(gh) as graphql, caplog.at_level(logging.ERROR, "gh_store.transport"):
        graphql.get_issue(number, with_comments=True)
        graphql.list_comments(number, to_process=True)
        with pytest.raises(GitHubAPIError, match="writing issue"):
            graphql.commit(Commit(number, body="{}", marks=((ids[0], "+1"),)))
    assert "removing marks placed after a failed write" in caplog.text


def test_a_token_that_may_not_write_gets_the_permission_to_ask_for(gh: GitHubEmulator) -> None:
    number, _ = pending(gh, 1)
    reader = gh.token_for("rita", permission="read")
    with GraphQLTransport(gh.repo, reader, rate_limit=NO_PACING, **gh.client_options()) as graphql:
        graphql.get_issue(number, with_comments=True)
        with pytest.raises(AuthError, match="permissions: issues: write"):
            graphql.commit(Commit(number, body="{}"))


# --- limits -----------------------------------------------------------------------------------


def test_used_up_points_are_waited_for_until_the_reset(gh: GitHubEmulator) -> None:
    number, _ = pending(gh, 1)
    reset = gh.rate_limit(gh.bot_token, "graphql")["reset"]
    gh.set_rate_limit(gh.bot_token, 0, resource="graphql")
    clock = Clock()

    def refill(seconds: float) -> None:
        clock.sleep(seconds)
        gh.set_rate_limit(gh.bot_token, 1000, resource="graphql")

    with transport(gh, clock, sleep=refill, wall_clock=lambda: reset - 30.0) as graphql:
        assert graphql.get_issue(number, with_comments=True)["number"] == number
    assert clock.slept == [31.0]  # until the reset, and its second
    assert [r.status for r in gh.requests] == [200, 200]


def test_points_that_come_back_too_late_fail_the_run_and_say_when(gh: GitHubEmulator) -> None:
    number, _ = pending(gh, 1)
    gh.set_rate_limit(gh.bot_token, 0, resource="graphql")
    with transport(gh) as graphql, pytest.raises(RateLimitError, match="try again then"):
        graphql.get_issue(number, with_comments=True)
    assert len(gh.requests) == 1


def test_the_budget_left_is_the_smaller_of_rests_and_graphqls(gh: GitHubEmulator) -> None:
    number, _ = pending(gh, 1, user="alice")
    gh.set_permission("alice", "write")
    gh.set_rate_limit(gh.bot_token, 300, resource="graphql")
    with transport(gh) as graphql:
        assert graphql.rate_remaining is None
        process_issue(graphql, CONFIG, number)
        assert graphql.points_remaining == 298
        assert graphql.rate_remaining == 298  # REST has 999 left after alice's role
        assert graphql.requests_made == len(gh.requests) == 3


# --- reading once ------------------------------------------------------------------------------


def test_the_prefetched_comments_serve_one_listing_of_that_issue_only(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 2)
    with transport(gh) as graphql:
        graphql.get_issue(number, with_comments=True)
        listed = graphql.list_comments(number, to_process=True).items
        assert [c["id"] for c in listed] == ids
        assert len(gh.requests) == 1  # served from the issue's query
        graphql.list_comments(number, to_process=True)  # a second listing reads again
        assert len(gh.requests) == 2
        graphql.get_issue(number, with_comments=True)
        graphql.list_issues(labels=LABELS)  # anything else in between: the prefetch is stale
        graphql.list_comments(number, to_process=True)
        assert [r.path for r in gh.requests][-2:] == ["/repos/octo/store/issues", "/graphql"]


def test_a_clients_reads_are_conditional_rest_requests(gh: GitHubEmulator) -> None:
    """Reads that are not a processing run's (a client's get, history, polls) go over REST,
    where reading again what has not changed is answered 304 and not counted."""
    number, ids = pending(gh, 2)
    with transport(gh) as graphql:
        for _ in range(2):
            assert graphql.get_issue(number)["number"] == number
            assert [c["id"] for c in graphql.list_comments(number).items] == ids
        assert [(r.method, r.status) for r in gh.requests] == [
            ("GET", 200),
            ("GET", 200),
            ("GET", 304),
            ("GET", 304),
        ]


def test_a_long_history_is_walked_back_only_to_the_watermark(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 250)
    since = gh.comments(number)[120]["created_at"]
    with transport(gh) as graphql:
        listing = graphql.list_comments(number, since=since, to_process=True)
        assert [c["id"] for c in listing.items] == ids[120:]
        assert len(gh.requests) == 2  # the newest 100, the 100 before them: back past `since`
        gh.clear_requests()
        assert [c["id"] for c in graphql.list_comments(number, to_process=True).items] == ids
        assert len(gh.requests) == 3


def test_store_reacted_is_known_only_for_comments_read(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 2)
    gh.add_reaction(ids[0], "github-actions[bot]", "+1")
    gh.add_reaction(ids[1], "rita", "+1")
    with transport(gh) as graphql:
        assert graphql.store_reacted(ids[0], "+1") is None
        graphql.get_issue(number, with_comments=True)
        assert graphql.store_reacted(ids[0], "+1") is True
        assert graphql.store_reacted(ids[1], "+1") is False
        (rollup,) = [
            c["reactions"]
            for c in graphql.list_comments(number, to_process=True).items
            if c["id"] == ids[1]
        ]
        assert rollup["+1"] == 1 and rollup["total_count"] == 1


def test_an_issue_or_repository_not_found(gh: GitHubEmulator) -> None:
    with transport(gh) as graphql, pytest.raises(ObjectNotFound, match="#9 does not exist"):
        process_issue(graphql, CONFIG, 9)
    with GitHubEmulator(repo="octo/secret", private=True, serve=False) as private:
        stranger = private.token_for("stranger", permission=None)
        with GraphQLTransport(private.repo, stranger, **private.client_options()) as graphql:
            with pytest.raises(AuthError, match="private and this token may not read it") as raised:
                graphql.get_issue(1, with_comments=True)
            assert raised.value.status == 404


# --- where there is no GraphQL ----------------------------------------------------------------


def test_an_api_without_graphql_is_an_error_unless_falling_back(gh: GitHubEmulator) -> None:
    number, ids = pending(gh, 2)
    nowhere = gh.url + "/no-graphql-here"
    with (
        transport(gh, url=nowhere) as graphql,
        pytest.raises(GraphQLUnavailable, match=r"set api: rest"),
    ):
        graphql.get_issue(number, with_comments=True)
    gh.clear_requests()
    with transport(gh, url=nowhere, fallback=True) as graphql:
        report = process_issue(graphql, CONFIG, number)
    assert len(report.applied) == 2 and all(marks(gh, i) == ["+1"] for i in ids)
    # one look for GraphQL, then REST alone: issue, comments, write, 2 marks, last look
    assert [r.path.rsplit("/", 1)[-1] for r in gh.requests][:2] == ["no-graphql-here", str(number)]
    assert gh.count("POST", "/no-graphql-here") == 1


def test_no_token_no_graphql() -> None:
    from gh_store.core.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="needs a token"):
        GraphQLTransport("octo/store", None)


def test_comment_edits_over_graphql_and_where_there_is_none(gh: GitHubEmulator) -> None:
    """The versions of the comments the history asks for, newest first, in one query; a comment
    deleted meanwhile is left out; no GraphQL endpoint: an error unless falling back (then None,
    as REST answers: it keeps no edit history)."""
    number, ids = pending(gh, 3)
    gh.advance_clock(5)
    gh.edit_comment(ids[0], "second")
    gh.edit_comment(ids[0], "third", editor="octo")
    with transport(gh) as graphql:
        graphql.list_comments(number)  # the history's own listing: node ids learned from REST
        gh.delete_comment(ids[2])
        gh.clear_requests()
        found = graphql.comment_edits(ids)
    assert gh.count() == 1 and gh.count("POST", "/graphql$") == 1
    assert set(found or {}) == {ids[0], ids[1]} and found is not None
    assert [v.text for v in found[ids[0]]] == ["third", "second", '{"k0": 0}']
    assert found[ids[1]] == ()
    nowhere = gh.url + "/no-graphql-here"
    with transport(gh, url=nowhere) as graphql, pytest.raises(GraphQLUnavailable):
        graphql.list_comments(number)
        graphql.comment_edits(ids[:1])
    with transport(gh, url=nowhere, fallback=True) as graphql:
        graphql.list_comments(number)
        assert graphql.comment_edits(ids[:1]) is None
    with GhApiTransport(gh.repo, gh.bot_token, **gh.client_options()) as rest:
        assert rest.comment_edits(ids[:1]) is None
