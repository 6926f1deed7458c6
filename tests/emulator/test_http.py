"""Headers, auth, permissions, limits, pagination and the request log, over both adapters."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator

from .adapters import caller, client_for, emulator

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"


def test_common_headers(call: Call) -> None:
    answer = call("GET", f"{R}/issues")
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["x-github-api-version-selected"] == "2022-11-28"
    assert answer.headers["x-github-request-id"]
    assert answer.headers["x-ratelimit-resource"] == "core"
    assert answer.headers["ETag"].startswith('W/"')


def test_rate_limit_counts_down_per_token(gh: GitHubEmulator, call: Call) -> None:
    alice = gh.token_for("alice", "write")
    first = call("GET", f"{R}/issues")
    second = call("GET", f"{R}/issues")
    assert first.headers["x-ratelimit-limit"] == "5000"
    assert int(first.headers["x-ratelimit-remaining"]) - 1 == int(
        second.headers["x-ratelimit-remaining"]
    )
    assert second.headers["x-ratelimit-used"] == "2"
    assert call("GET", f"{R}/issues", token=alice).headers["x-ratelimit-used"] == "1"
    assert call("GET", f"{R}/issues", token=gh.bot_token).headers["x-ratelimit-limit"] == "1000"
    anonymous = call("GET", f"{R}/issues", token=None)
    assert anonymous.headers["x-ratelimit-limit"] == "60"
    overview = call("GET", "/rate_limit").json()
    assert overview["resources"]["core"]["used"] == 2  # /rate_limit does not count
    assert int(second.headers["x-ratelimit-reset"]) > 0


def test_primary_rate_limit_exhausted(gh: GitHubEmulator, call: Call) -> None:
    for _ in range(60):
        assert call("GET", f"{R}/labels", token=None).status_code == 200
    over = call("GET", f"{R}/labels", token=None)
    assert over.status_code == 403
    assert over.headers["x-ratelimit-remaining"] == "0"
    assert "API rate limit exceeded" in over.json()["message"]
    gh.set_rate_limit(gh.owner_token, 0)
    assert call("GET", f"{R}/labels").status_code == 403
    gh.set_rate_limit(gh.owner_token, 10)
    assert call("GET", f"{R}/labels").headers["x-ratelimit-remaining"] == "9"


def test_etag_304_does_not_count(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t")
    first = call("GET", f"{R}/issues/{number}")
    etag = first.headers["ETag"]
    cached = call("GET", f"{R}/issues/{number}", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["x-ratelimit-used"] == first.headers["x-ratelimit-used"]
    gh.seed_comment(number, "changes updated_at and comments")
    assert call("GET", f"{R}/issues/{number}", headers={"If-None-Match": etag}).status_code == 200
    patched = call("PATCH", f"{R}/issues/{number}", json={"body": "x"}, headers={"If-Match": etag})
    assert patched.status_code == 400  # no compare-and-swap on GitHub


def test_auth_variants(gh: GitHubEmulator, call: Call) -> None:
    bad = call("GET", f"{R}/issues", token="ghp_nope")
    assert bad.status_code == 401
    assert bad.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    bearer = call("GET", "/user", token=None, headers={"Authorization": f"Bearer {gh.owner_token}"})
    assert bearer.json()["login"] == "octo"
    assert call("GET", f"{R}/issues", token=None).status_code == 200
    write = call("POST", f"{R}/issues", token=None, json={"title": "x"})
    assert write.status_code == 401 and write.json()["message"] == "Requires authentication"
    assert call("GET", "/user", token=None).status_code == 401
    assert call("GET", "/user", token=gh.bot_token).json()["message"] == (
        "Resource not accessible by integration"
    )


def test_private_repo_hides_from_strangers(adapter: str) -> None:
    with (
        emulator(adapter, repo="octo/secret", private=True, users={"alice": "read"}) as gh,
        client_for(gh, adapter) as client,
    ):
        call = caller(gh, client)

        def get(path: str, token: str | None) -> httpx2.Response:
            return call("GET", path, token=token)

        assert get("/repos/octo/secret/issues", None).status_code == 404
        assert get("/repos/octo/secret", None).json()["message"] == "Not Found"
        stranger = gh.token_for("eve", permission="none")
        assert get("/repos/octo/secret/issues", stranger).status_code == 404
        assert get("/repos/octo/secret/issues", gh.token_for("alice", None)).status_code == 200
        assert get("/repos/octo/secret", gh.owner_token).json()["private"] is True
        perm = get("/repos/octo/secret/collaborators/eve/permission", gh.owner_token).json()
        assert (perm["permission"], perm["role_name"]) == ("none", "none")


@pytest.mark.parametrize(
    ("role", "permission"),
    [
        ("admin", "admin"),
        ("maintain", "write"),
        ("write", "write"),
        ("triage", "read"),
        ("read", "read"),
        ("none", "read"),  # public repository: implicit read
    ],
)
def test_permission_endpoint(gh: GitHubEmulator, call: Call, role: str, permission: str) -> None:
    gh.set_permission("carol", role)
    answer = call("GET", f"{R}/collaborators/carol/permission").json()
    assert answer["permission"] == permission
    assert answer["role_name"] == (role if role != "none" else "read")
    assert answer["user"]["login"] == "carol"
    assert call("GET", f"{R}/collaborators/nobody/permission").status_code == 404


def test_who_may_write(gh: GitHubEmulator, call: Call) -> None:
    reader = gh.token_for("rita", "read")
    triager = gh.token_for("tom", "triage")
    number = gh.seed_issue("owner's", "body")
    made = call(
        "POST", f"{R}/issues", token=reader, json={"title": "mine", "labels": ["stored-object"]}
    )
    assert made.status_code == 201 and made.json()["labels"] == []  # silently dropped
    own = made.json()["number"]
    assert (
        call("PATCH", f"{R}/issues/{own}", token=reader, json={"body": "edited"}).status_code == 200
    )
    assert (
        call("PATCH", f"{R}/issues/{own}", token=reader, json={"state": "closed"}).status_code
        == 200
    )
    denied = call("PATCH", f"{R}/issues/{number}", token=reader, json={"body": "hijack"})
    assert denied.status_code == 403 and gh.issue(number)["body"] == "body"
    assert (
        call("PATCH", f"{R}/issues/{number}", token=triager, json={"state": "closed"}).status_code
        == 200
    )
    assert call("POST", f"{R}/issues/{number}/labels", token=reader, json=["x"]).status_code == 403
    assert call("POST", f"{R}/issues/{number}/labels", token=triager, json=["x"]).status_code == 200
    assert call("POST", f"{R}/labels", token=triager, json={"name": "y"}).status_code == 403
    comment = call("POST", f"{R}/issues/{number}/comments", token=reader, json={"body": "hi"})
    assert comment.status_code == 201 and comment.json()["author_association"] == "COLLABORATOR"
    cid = comment.json()["id"]
    assert (
        call("PATCH", f"{R}/issues/comments/{cid}", token=triager, json={"body": "no"}).status_code
        == 403
    )
    assert (
        call("PATCH", f"{R}/issues/comments/{cid}", json={"body": "owner may"}).status_code == 200
    )
    reaction = call(
        "POST", f"{R}/issues/comments/{cid}/reactions", token=reader, json={"content": "+1"}
    )
    assert reaction.status_code == 201
    rid = reaction.json()["id"]
    assert (
        call("DELETE", f"{R}/issues/comments/{cid}/reactions/{rid}", token=triager).status_code
        == 403
    )
    stranger = gh.token_for("sam", None)
    outsider = call("POST", f"{R}/issues/{number}/comments", token=stranger, json={"body": "x"})
    assert outsider.json()["author_association"] == "NONE"
    assert (
        call("POST", f"{R}/dispatches", token=reader, json={"event_type": "x"}).status_code == 403
    )
    assert (
        call("POST", f"{R}/dispatches", token=gh.bot_token, json={"event_type": "x"}).status_code
        == 204
    )


def test_size_limits(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t")
    assert (
        call("POST", f"{R}/issues/{number}/comments", json={"body": "x" * 65536}).status_code == 201
    )
    too_long = call("POST", f"{R}/issues/{number}/comments", json={"body": "x" * 65537})
    assert too_long.status_code == 422
    assert too_long.json() == {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": "body is too long (maximum is 65536 characters)",
            }
        ],
        "documentation_url": "https://docs.github.com/rest",
        "status": "422",
    }
    assert call("PATCH", f"{R}/issues/{number}", json={"body": "x" * 65536}).status_code == 200
    issue_too_long = call("POST", f"{R}/issues", json={"title": "t", "body": "x" * 65537})
    assert issue_too_long.json()["errors"][0]["resource"] == "Issue"
    assert call("POST", f"{R}/labels", json={"name": "n" * 50}).status_code == 201
    assert call("POST", f"{R}/labels", json={"name": "m" * 51}).status_code == 422
    duplicate = call("POST", f"{R}/labels", json={"name": "N" * 50})
    assert duplicate.json()["errors"][0]["code"] == "already_exists"
    assert call("GET", f"{R}/labels/UID%3Afoo").status_code == 404
    assert call("POST", f"{R}/labels", json={"name": "UID:foo"}).status_code == 201
    assert call("GET", f"{R}/labels/UID%3Afoo").json()["name"] == "UID:foo"


def test_link_headers_and_past_the_end(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t")
    ids = [gh.seed_comment(number, str(n)) for n in range(5)]
    assert len(set(b - a for a, b in itertools.pairwise(ids))) > 1 or ids[1] - ids[0] > 1
    base = f"{gh.url}{R}/issues/{number}/comments"
    first = call("GET", f"{R}/issues/{number}/comments", params={"per_page": 2})
    assert first.headers["Link"] == (
        f'<{base}?page=2&per_page=2>; rel="next", <{base}?page=3&per_page=2>; rel="last"'
    )
    middle = call("GET", f"{R}/issues/{number}/comments", params={"per_page": 2, "page": 2})
    assert middle.headers["Link"] == (
        f'<{base}?page=1&per_page=2>; rel="prev", <{base}?page=3&per_page=2>; rel="next", '
        f'<{base}?page=3&per_page=2>; rel="last", <{base}?page=1&per_page=2>; rel="first"'
    )
    assert [c["id"] for c in middle.json()] == ids[2:4]
    past = call("GET", f"{R}/issues/{number}/comments", params={"per_page": 2, "page": 9})
    assert past.status_code == 200 and past.json() == []
    many = [gh.seed_issue(f"i{n}") for n in range(120)]
    capped = call("GET", f"{R}/issues", params={"per_page": 500})
    assert len(capped.json()) == 100 and len(many) == 120
    assert len(call("GET", f"{R}/issues").json()) == 30


def test_unknown_routes_and_other_repos(gh: GitHubEmulator, call: Call) -> None:
    for path in (f"{R}/contents/CODEOWNERS", "/repos/someone/else/issues", "/nope"):
        answer = call("GET", path)
        assert answer.status_code == 404
        assert answer.json() == {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest",
            "status": "404",
        }
    broken = call("POST", f"{R}/issues", content=b"{not json")
    assert broken.status_code == 400 and broken.json()["message"] == "Problems parsing JSON"


def test_requests_log_and_helpers(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t", labels=["a"])
    assert gh.requests == []  # helpers are not recorded
    call("GET", f"{R}/issues", params={"state": "all"})
    call("POST", f"{R}/issues/{number}/comments", json={"body": "b"})
    first, second = gh.requests
    assert (first.method, first.path, first.query, first.status, first.user) == (
        "GET",
        f"{R}/issues",
        {"state": "all"},
        200,
        "octo",
    )
    assert second.body == {"body": "b"} and second.status == 201
    assert gh.count() == 2 and gh.count("POST", r"/comments$") == 1 and gh.count(path="issues") == 2
    gh.clear_requests()
    assert gh.count() == 0


def test_state_file_round_trip(tmp_path: Path, adapter: str) -> None:
    path = tmp_path / "state.json"
    with emulator(adapter, state_file=path, users={"alice": "triage"}) as gh:
        number = gh.seed_issue("persisted", "{}", ["stored-object"])
        cid = gh.seed_comment(number, "c", user="alice")
        with client_for(gh, adapter) as client:
            reactions = f"/repos/octo/store/issues/comments/{cid}/reactions"
            reacted = caller(gh, client)("POST", reactions, json={"content": "heart"})
        assert reacted.status_code == 201
        token = gh.token_for("alice", None)
        before = json.dumps(gh.issue(number)).replace(gh.url, "URL")
    with emulator(adapter, state_file=path) as again:
        assert again.token_for("alice", None) == token
        assert json.dumps(again.issue(number)).replace(again.url, "URL") == before
        assert [r["content"] for r in again.reactions(cid)] == ["heart"]
        assert again.seed_comment(number, "next") > cid


def test_ticking_clock_spaces_events_a_second_apart(gh: GitHubEmulator) -> None:
    gh.use_ticking_clock(start=1_700_000_000)
    number = gh.seed_issue("t", "b", [])
    first = gh.seed_comment(number, "one")
    second = gh.seed_comment(number, "two")
    stamps = {c["id"]: c["created_at"] for c in gh.comments(number)}
    assert stamps[first] == "2023-11-14T22:13:21Z"
    assert stamps[second] == "2023-11-14T22:13:22Z"
