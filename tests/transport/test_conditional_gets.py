"""Conditional GETs through ``GhApiTransport`` against the emulator, over real HTTP.

What a read costs is what GitHub counts: the emulator's own per-token counter (``GET /rate_limit``,
itself not counted), which a 304 does not move. Every test also names the statuses the emulator
answered, so a 304 that should have been a 200 (a change hidden) fails as loudly as a 200 that
should have been a 304 (a read paid for twice).
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx2
import pytest

from gh_store.core.config import RateLimitConfig
from gh_store.core.exceptions import GitHubAPIError
from gh_store.emulator import GitHubEmulator
from gh_store.transport.cache import MemoryCache, StoredAnswer, token_identity
from gh_store.transport.policy import Attempt, Done, Fail, decide
from gh_store.transport.rest import GhApiTransport

from .conftest import FakeTime, MakeTransport, R


def raw(gh: GitHubEmulator, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    """One request to the emulator as its owner, past the transport (in-process or served)."""
    options = gh.client_options()
    with httpx2.Client(base_url=options["api_url"], transport=options["http_transport"]) as http:
        answer = http.request(
            method, path, headers={"Authorization": f"token {gh.owner_token}"}, **kwargs
        )
    assert answer.status_code < 300, answer.text
    return answer


def counted(gh: GitHubEmulator, token: str) -> int:
    """Requests GitHub (the emulator) has counted against ``token`` this hour."""
    options = gh.client_options()
    with httpx2.Client(base_url=options["api_url"], transport=options["http_transport"]) as http:
        answer = http.get("/rate_limit", headers={"Authorization": f"token {token}"})
    return int(answer.json()["resources"]["core"]["used"])


def statuses(gh: GitHubEmulator) -> list[int]:
    return [r.status for r in gh.requests if r.path != "/rate_limit"]


def patch_issue(gh: GitHubEmulator, number: int, **fields: Any) -> None:
    raw(gh, "PATCH", f"{R}/issues/{number}", json=fields)


# --- one object ---------------------------------------------------------------------------------


def test_reading_an_unchanged_issue_again_is_a_304_that_is_not_counted(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "body", ["x"])
    gh.clear_requests()
    before = counted(gh, gh.owner_token)
    first = store.get_issue(number)
    again = [store.get_issue(number) for _ in range(19)]
    assert statuses(gh) == [200] + [304] * 19
    assert counted(gh, gh.owner_token) - before == 1
    assert all(issue == first for issue in again) and first["body"] == "body"
    assert store.requests_made == 20  # a 304 is still a request sent


def test_a_stored_answer_is_a_copy_the_caller_cannot_spoil(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "body")
    store.get_issue(number)["body"] = "changed by the caller"
    assert store.get_issue(number)["body"] == "body"
    assert statuses(gh)[-1] == 304


@pytest.mark.parametrize(
    "change",
    ["comment", "body", "label", "state", "title"],
)
def test_a_change_is_seen_at_once(store: GhApiTransport, gh: GitHubEmulator, change: str) -> None:
    number = gh.seed_issue("t", "body", ["x"])
    store.get_issue(number)
    store.get_issue(number)
    if change == "comment":
        gh.seed_comment(number, "an update")
    elif change == "body":
        patch_issue(gh, number, body="new body")
    elif change == "label":
        patch_issue(gh, number, labels=["x", "y"])
    elif change == "state":
        patch_issue(gh, number, state="closed")
    else:
        patch_issue(gh, number, title="renamed")
    gh.clear_requests()
    issue = store.get_issue(number)
    assert statuses(gh) == [200]
    seen = {
        "comment": issue["comments"] == 1,
        "body": issue["body"] == "new body",
        "label": {label["name"] for label in issue["labels"]} == {"x", "y"},
        "state": issue["state"] == "closed",
        "title": issue["title"] == "renamed",
    }
    assert seen[change]
    assert store.get_issue(number) == issue and statuses(gh) == [200, 304]  # the new one is kept


def test_without_a_cache_every_read_is_counted(make: MakeTransport, gh: GitHubEmulator) -> None:
    store = make(cache=False)
    number = gh.seed_issue("t")
    gh.clear_requests()
    for _ in range(3):
        store.get_issue(number)
    assert statuses(gh) == [200, 200, 200]


# --- listings -----------------------------------------------------------------------------------


def test_a_second_walk_of_an_unchanged_listing_costs_nothing_and_pages_alike(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    for i in range(150):
        gh.seed_issue(f"t{i}", labels=["x"])
    gh.clear_requests()
    before = counted(gh, gh.owner_token)
    first = store.list_issues(labels=["x"])
    assert statuses(gh) == [200, 200] and counted(gh, gh.owner_token) - before == 2
    second = store.list_issues(labels=["x"])
    # The second page is only asked for if the stored first answer brought its Link header back.
    assert statuses(gh) == [200, 200, 304, 304]
    assert counted(gh, gh.owner_token) - before == 2
    assert second.items == first.items and len(second.items) == 150 and second.complete


def test_a_listing_sees_a_new_item_and_a_deleted_one(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t")
    ids = [gh.seed_comment(number, f"c{i}") for i in range(3)]
    assert [c["id"] for c in store.list_comments(number).items] == ids
    new = gh.seed_comment(number, "c3")
    assert [c["id"] for c in store.list_comments(number).items] == [*ids, new]
    raw(gh, "DELETE", f"{R}/issues/comments/{ids[1]}")
    assert [c["id"] for c in store.list_comments(number).items] == [ids[0], ids[2], new]
    assert [c["id"] for c in store.list_comments(number).items] == [ids[0], ids[2], new]
    assert statuses(gh)[-1] == 304


def test_reactions_are_read_conditionally_and_a_new_one_is_seen(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    comment = gh.seed_comment(gh.seed_issue("t"), "an update")
    assert store.list_reactions(comment).items == ()
    assert store.create_reaction(comment, "+1")
    gh.clear_requests()
    listed = store.list_reactions(comment, content="+1").items
    assert [r["content"] for r in listed] == ["+1"]
    assert store.list_reactions(comment, content="+1").items == listed
    assert statuses(gh) == [200, 304]


# --- permissions --------------------------------------------------------------------------------


def test_a_permission_is_asked_again_for_free_and_a_lost_one_is_seen(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    gh.set_permission("alice", "write")
    gh.clear_requests()
    assert [store.get_permission("alice") for _ in range(3)] == ["write"] * 3
    assert statuses(gh) == [200, 304, 304]
    gh.set_permission("alice", "read")
    assert store.get_permission("alice") == "read"
    assert statuses(gh)[-1] == 200


def test_a_not_found_is_never_kept(make: MakeTransport, gh: GitHubEmulator) -> None:
    cache = MemoryCache()
    store = make(cache=cache)
    gh.set_permission("alice", "write")
    assert store.get_permission("alice") == "write" and len(cache) == 1
    gh.clear_requests()
    assert [store.get_permission("nobody") for _ in range(2)] == ["none", "none"]
    assert statuses(gh) == [404, 404] and len(cache) == 1


# --- whose answers ------------------------------------------------------------------------------


def test_two_tokens_never_share_an_answer(make: MakeTransport, gh: GitHubEmulator) -> None:
    shared = MemoryCache()
    owner, alice = make(cache=shared), make(gh.token_for("alice"), cache=shared)
    number = gh.seed_issue("t")
    owner.get_issue(number)
    gh.clear_requests()
    # The emulator's ETag depends on the body only: had alice sent the owner's, this were a 304.
    alice.get_issue(number)
    alice.get_issue(number)
    assert statuses(gh) == [200, 304]
    assert [r.user for r in gh.requests] == ["alice", "alice"]
    assert len(shared) == 2


def test_the_key_holds_a_hash_of_the_token_never_the_token(
    make: MakeTransport, gh: GitHubEmulator
) -> None:
    cache = MemoryCache()
    make(cache=cache).get_issue(gh.seed_issue("t"))
    (key,) = cache._answers
    assert gh.owner_token not in key
    assert key == f"{token_identity(gh.owner_token)} {gh.url}{R}/issues/1"
    assert token_identity(None) == "anonymous" != token_identity(gh.owner_token)


# --- the rate limit -----------------------------------------------------------------------------


def test_a_304_uses_none_of_the_hourly_budget(
    make: MakeTransport, gh: GitHubEmulator, fake_time: FakeTime
) -> None:
    store = make(rate_limit=RateLimitConfig(max_requests_per_hour=2, min_write_interval=0))
    number = gh.seed_issue("t")
    for _ in range(10):
        store.get_issue(number)
    assert fake_time.sleeps == []  # one counted request of two allowed
    store.get_issue(gh.seed_issue("u"))
    store.get_issue(gh.seed_issue("v"))  # the third counted one waits for the hour
    assert fake_time.sleeps == [3600.0]


# --- the policy and the validators, from tables -------------------------------------------------


@pytest.mark.parametrize(
    ("conditional", "done"),
    [(True, True), (False, False)],
)
def test_a_304_is_done_only_for_a_conditional_request(conditional: bool, done: bool) -> None:
    attempt = Attempt(
        method="GET",
        path="/repos/octo/store/issues/1",
        attempt=1,
        max_attempts=3,
        status=304,
        conditional=conditional,
    )
    decision = decide(attempt, 2.0)
    if done:
        assert decision == Done()
    else:
        assert isinstance(decision, Fail) and isinstance(decision.error, GitHubAPIError)
        assert "304" in str(decision.error)


@pytest.mark.parametrize(
    ("headers", "validators"),
    [
        ({"etag": 'W/"a"'}, {"If-None-Match": 'W/"a"'}),
        (
            {"last-modified": "Thu, 01 May 2025 10:00:00 GMT"},
            {"If-Modified-Since": "Thu, 01 May 2025 10:00:00 GMT"},
        ),
        # Never the date beside the tag: GitHub has answered 304 to a date for changed things.
        (
            {"etag": 'W/"a"', "last-modified": "Thu, 01 May 2025 10:00:00 GMT"},
            {"If-None-Match": 'W/"a"'},
        ),
    ],
)
def test_the_validator_sent(headers: dict[str, str], validators: dict[str, str]) -> None:
    assert StoredAnswer(headers, b"{}").validators() == validators


def test_a_304_confirms_the_stored_link_under_its_own_headers() -> None:
    stored = StoredAnswer({"etag": '"a"', "link": '<u?page=2>; rel="next"'}, b"[]")
    merged = stored.confirmed(
        {
            "ETag": '"a"',
            "X-RateLimit-Remaining": "7",
            "Content-Length": "0",  # about the 304's empty body, not the stored one
            "Content-Encoding": "gzip",
        }
    )
    assert merged == {
        "etag": '"a"',
        "link": '<u?page=2>; rel="next"',
        "x-ratelimit-remaining": "7",
    }


# --- GitHub's own headers -----------------------------------------------------------------------

#: Headers of a real api.github.com answer (tests/fixtures/pygithub/Issue.setUp.json).
GITHUB_ETAG = 'W/"615eb0a498e67f391ef2e4c8eaf741e87b88089ae096d3949d742080b79cb251"'
GITHUB_LAST_MODIFIED = "Sat, 16 Aug 2025 12:27:28 GMT"


def test_github_style_answers_gzip_and_a_304_with_body_headers() -> None:
    """What the emulator does not send: a gzipped 200 with both validators, and a 304 that
    carries Content-Length and Content-Encoding. Only If-None-Match goes out."""
    body = json.dumps({"number": 1, "body": "b"}).encode()
    seen: list[dict[str, str]] = []

    def github(request: httpx2.Request) -> httpx2.Response:
        seen.append({k.lower(): v for k, v in request.headers.items()})
        common = {"ETag": GITHUB_ETAG, "X-RateLimit-Remaining": str(4999 - len(seen))}
        if request.headers.get("if-none-match") == GITHUB_ETAG:
            return httpx2.Response(
                304, headers={**common, "Content-Length": "0", "Content-Encoding": "gzip"}
            )
        headers = {
            **common,
            "Last-Modified": GITHUB_LAST_MODIFIED,
            "Content-Type": "application/json; charset=utf-8",
            "Content-Encoding": "gzip",
        }
        return httpx2.Response(200, headers=headers, content=gzip.compress(body))

    with GhApiTransport(
        "octo/store",
        "ghp_" + "x" * 36,
        api_url="https://api.github.com",
        http_transport=httpx2.MockTransport(github),
    ) as transport:
        first = transport.get_issue(1)
        again = transport.get_issue(1)
    assert first == again == {"number": 1, "body": "b"}
    assert "if-none-match" not in seen[0]
    assert seen[1]["if-none-match"] == GITHUB_ETAG
    assert "if-modified-since" not in seen[1]
    assert transport.rate_remaining == 4997  # from the 304, not from the stored answer
