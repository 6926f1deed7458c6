"""The emulator's answers against GitHub's own OpenAPI description (both adapters).

A scenario drives every implemented operation through its answers (success, and the errors the
emulator gives); then for every exchange: the operation is the one the description assigns to
that method and path (and the route says so too), the status is one the operation documents (or
in ``DRIFT``, each with its reason), the JSON body validates against the documented schema, and
the documented headers are there: ``Location`` on 201, ``Link`` on a list with more pages,
``ETag`` on a read, the rate-limit headers on every answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.emulator.endpoints import ROUTER
from gh_store.emulator.rest import canonical_path

from .openapi import Operation, operation_for, operations, validator
from .test_apps import key as app_key
from .test_apps import valid as signed_jwt

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"

# Statuses the emulator answers, as GitHub does, that an operation's description leaves out.
# "*": any operation ("*", 403 only for a used-up rate limit). Every entry must be seen by the
# scenario, so none outlives its reason.
_MISSING = "the thing named in the path does not exist (or is gone): GitHub answers 404"
_SHORT = "the caller may see this but lacks the role to change it (see emulator.access): 403"
DRIFT: dict[tuple[str, int], str] = {
    ("*", 401): "a bad token (or a write without one) gets 401 on any operation; the "
    "description lists 401 only where signing in is the point",
    ("*", 403): "a used-up primary rate limit is 403 on any operation (GITHUB-FACTS)",
    ("*", 304): "If-None-Match with the current ETag is 304 on any read; the description lists "
    "it on a few",
    ("issues/update-comment", 404): _MISSING,
    ("issues/delete-comment", 404): _MISSING,
    ("reactions/create-for-issue-comment", 404): _MISSING,
    ("reactions/create-for-issue", 404): _MISSING,
    ("reactions/delete-for-issue-comment", 404): _MISSING,
    ("reactions/delete-for-issue", 404): _MISSING,
    ("issues/update-label", 404): _MISSING,
    ("issues/delete-label", 404): _MISSING,
    ("issues/update-comment", 403): _SHORT,
    ("issues/delete-comment", 403): _SHORT,
    ("reactions/delete-for-issue-comment", 403): _SHORT,
    ("reactions/delete-for-issue", 403): _SHORT,
    ("issues/update-label", 403): _SHORT,
    ("issues/delete-label", 403): _SHORT,
    ("issues/add-labels", 403): _SHORT,
    ("issues/set-labels", 403): _SHORT,
    ("issues/remove-label", 403): _SHORT,
    ("issues/remove-all-labels", 403): _SHORT,
    ("issues/create-label", 403): _SHORT,
    ("repos/create-dispatch-event", 403): _SHORT,
    ("issues/update-label", 422): "a colour that is not six hex digits, or a name taken in "
    "another case: 422 Validation Failed, as creating a label documents",
}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    response: httpx2.Response


def recorder(call: Call, log: list[Exchange]) -> Call:
    def _call(method: str, path: str, **kwargs: Any) -> httpx2.Response:
        response = call(method, path, **kwargs)
        request = response.request
        query = {k: v for k, v in request.url.params.multi_items()}
        log.append(Exchange(method, request.url.path, query, response))
        return response

    return _call


def scenario(gh: GitHubEmulator, call: Call) -> None:
    """Every operation, with its successes and the errors a client can provoke."""
    reader = gh.token_for("rita", "read")
    gh.token_for("tom", "triage")
    ok = call

    def expect(status: int, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        answer = ok(method, path, **kwargs)
        assert answer.status_code == status, (method, path, answer.text)
        return answer

    # Repository, users, permissions, rate limit, dispatch.
    expect(200, "GET", "/rate_limit")
    expect(200, "GET", "/user")
    expect(401, "GET", "/user", token=None)
    expect(403, "GET", "/user", token=gh.bot_token)
    expect(200, "GET", "/users/rita")
    expect(404, "GET", "/users/nobody")
    etag = expect(200, "GET", R).headers["etag"]
    expect(304, "GET", R, headers={"If-None-Match": etag})
    expect(404, "GET", "/repos/someone/else")
    expect(204, "POST", f"{R}/dispatches", json={"event_type": "e", "client_payload": {"n": 1}})
    expect(422, "POST", f"{R}/dispatches", json={"event_type": ""})
    expect(403, "POST", f"{R}/dispatches", json={"event_type": "e"}, token=reader)
    expect(404, "POST", "/repos/someone/else/dispatches", json={"event_type": "e"})
    expect(200, "GET", f"{R}/collaborators/rita/permission")
    expect(404, "GET", f"{R}/collaborators/nobody/permission")

    # Repository labels.
    expect(201, "POST", f"{R}/labels", json={"name": "bug", "color": "d73a4a"})
    expect(201, "POST", f"{R}/labels", json={"name": "doomed"})
    expect(422, "POST", f"{R}/labels", json={"name": "BUG"})
    expect(404, "POST", "/repos/someone/else/labels", json={"name": "x"})
    expect(200, "GET", f"{R}/labels", params={"per_page": 1})
    expect(404, "GET", "/repos/someone/else/labels")
    expect(200, "GET", f"{R}/labels/bug")
    expect(404, "GET", f"{R}/labels/nope")
    expect(403, "POST", f"{R}/labels", json={"name": "x"}, token=reader)
    expect(200, "PATCH", f"{R}/labels/doomed", json={"description": "going"})
    expect(404, "PATCH", f"{R}/labels/nope", json={"description": "x"})
    expect(422, "PATCH", f"{R}/labels/doomed", json={"color": "red"})
    expect(403, "PATCH", f"{R}/labels/doomed", json={"color": "ffffff"}, token=reader)
    expect(403, "DELETE", f"{R}/labels/doomed", token=reader)
    expect(204, "DELETE", f"{R}/labels/doomed")
    expect(404, "DELETE", f"{R}/labels/doomed")

    # Issues.
    expect(201, "POST", f"{R}/issues", json={"title": "one", "body": "b", "labels": ["bug"]})
    expect(201, "POST", f"{R}/issues", json={"title": "two"}, token=reader)
    expect(422, "POST", f"{R}/issues", json={"body": "no title"})
    expect(404, "POST", "/repos/someone/else/issues", json={"title": "x"})
    expect(400, "POST", f"{R}/issues", json={"title": "x"}, headers={"If-Match": etag})
    expect(200, "GET", f"{R}/issues", params={"state": "all", "per_page": 1})
    expect(422, "GET", f"{R}/issues", params={"state": "any"})
    expect(404, "GET", "/repos/someone/else/issues")
    etag = expect(200, "GET", f"{R}/issues/1").headers["etag"]
    expect(304, "GET", f"{R}/issues/1", headers={"If-None-Match": etag})
    expect(404, "GET", f"{R}/issues/99")
    expect(200, "PATCH", f"{R}/issues/1", json={"state": "closed", "state_reason": "completed"})
    expect(200, "PATCH", f"{R}/issues/1", json={"state": "open"})
    expect(403, "PATCH", f"{R}/issues/1", json={"body": "hijack"}, token=reader)
    expect(404, "PATCH", f"{R}/issues/99", json={"body": "x"})
    expect(422, "PATCH", f"{R}/issues/1", json={"state": "gone"})
    expect(204, "PUT", f"{R}/issues/2/lock", json={"lock_reason": "resolved"})
    expect(403, "PUT", f"{R}/issues/2/lock", token=reader)
    expect(404, "PUT", f"{R}/issues/99/lock")
    expect(422, "PUT", f"{R}/issues/2/lock", json={"lock_reason": "boring"})
    expect(403, "POST", f"{R}/issues/2/comments", json={"body": "locked"}, token=reader)
    expect(204, "DELETE", f"{R}/issues/2/lock")
    expect(403, "DELETE", f"{R}/issues/2/lock", token=reader)
    expect(404, "DELETE", f"{R}/issues/99/lock")

    # An issue's labels.
    expect(200, "POST", f"{R}/issues/1/labels", json={"labels": ["a", "b"]})
    expect(404, "POST", f"{R}/issues/99/labels", json={"labels": ["a"]})
    expect(422, "POST", f"{R}/issues/1/labels", json={"labels": []})
    expect(403, "POST", f"{R}/issues/1/labels", json={"labels": ["a"]}, token=reader)
    expect(403, "PUT", f"{R}/issues/1/labels", json={"labels": ["a"]}, token=reader)
    expect(403, "DELETE", f"{R}/issues/1/labels/a", token=reader)
    expect(403, "DELETE", f"{R}/issues/1/labels", token=reader)
    expect(200, "GET", f"{R}/issues/1/labels", params={"per_page": 1})
    expect(404, "GET", f"{R}/issues/99/labels")
    expect(200, "PUT", f"{R}/issues/1/labels", json={"labels": ["bug", "a", "c"]})
    expect(404, "PUT", f"{R}/issues/99/labels", json={"labels": ["a"]})
    expect(422, "PUT", f"{R}/issues/1/labels", json={"labels": "bug"})
    expect(200, "DELETE", f"{R}/issues/1/labels/c")
    expect(404, "DELETE", f"{R}/issues/1/labels/c")
    expect(204, "DELETE", f"{R}/issues/2/labels")
    expect(404, "DELETE", f"{R}/issues/99/labels")

    # Comments.
    first = expect(201, "POST", f"{R}/issues/1/comments", json={"body": "c1"}).json()["id"]
    second = expect(201, "POST", f"{R}/issues/1/comments", json={"body": "c2"}).json()["id"]
    mine = expect(201, "POST", f"{R}/issues/1/comments", json={"body": "c"}, token=reader)
    expect(404, "POST", f"{R}/issues/99/comments", json={"body": "x"})
    expect(422, "POST", f"{R}/issues/1/comments", json={"body": "x" * 65537})
    expect(200, "GET", f"{R}/issues/1/comments", params={"per_page": 1})
    expect(404, "GET", f"{R}/issues/99/comments")
    expect(200, "GET", f"{R}/issues/comments", params={"per_page": 1, "sort": "updated"})
    expect(404, "GET", "/repos/someone/else/issues/comments")
    expect(200, "GET", f"{R}/issues/comments/{first}")
    expect(404, "GET", f"{R}/issues/comments/1")
    expect(200, "PATCH", f"{R}/issues/comments/{first}", json={"body": "c1, edited"})
    expect(404, "PATCH", f"{R}/issues/comments/1", json={"body": "x"})
    expect(422, "PATCH", f"{R}/issues/comments/{first}", json={"body": None})
    expect(403, "PATCH", f"{R}/issues/comments/{first}", json={"body": "x"}, token=reader)
    expect(403, "DELETE", f"{R}/issues/comments/{first}", token=reader)
    expect(204, "DELETE", f"{R}/issues/comments/{mine.json()['id']}")
    expect(404, "DELETE", f"{R}/issues/comments/1")

    # Reactions, on a comment and on an issue.
    for target, missing in (
        (f"issues/comments/{first}", "issues/comments/1"),
        ("issues/1", "issues/99"),
    ):
        made = expect(201, "POST", f"{R}/{target}/reactions", json={"content": "+1"}).json()
        expect(200, "POST", f"{R}/{target}/reactions", json={"content": "+1"})
        theirs = expect(
            201, "POST", f"{R}/{target}/reactions", json={"content": "eyes"}, token=reader
        )
        expect(422, "POST", f"{R}/{target}/reactions", json={"content": "thumbs"})
        expect(404, "POST", f"{R}/{missing}/reactions", json={"content": "+1"})
        expect(200, "GET", f"{R}/{target}/reactions", params={"per_page": 1})
        expect(404, "GET", f"{R}/{missing}/reactions")
        expect(403, "DELETE", f"{R}/{target}/reactions/{made['id']}", token=reader)
        expect(204, "DELETE", f"{R}/{target}/reactions/{theirs.json()['id']}")
        expect(404, "DELETE", f"{R}/{target}/reactions/{theirs.json()['id']}")

    # A GitHub App: its installation, found or named, and a token (JWTs signed as in test_apps).
    numbers = app_key().public_key().public_numbers()
    app, installation = gh.register_app("store-app", (numbers.n, numbers.e))
    idle, _ = gh.register_app("idle-app", (numbers.n, numbers.e), install=False)
    signed = signed_jwt(gh, app.id)
    tokens = f"/app/installations/{installation.id}/access_tokens"
    expect(200, "GET", f"{R}/installation", token=signed)
    expect(404, "GET", f"{R}/installation", token=signed_jwt(gh, idle.id))
    expect(401, "GET", f"{R}/installation", token="a.b.c")
    expect(200, "GET", f"/app/installations/{installation.id}", token=signed)
    expect(404, "GET", "/app/installations/1", token=signed)
    expect(201, "POST", tokens, token=signed, json={"repositories": ["store"]})
    expect(201, "POST", tokens, token=signed)
    expect(401, "POST", tokens, token=gh.owner_token)
    expect(404, "POST", "/app/installations/1/access_tokens", token=signed)
    expect(422, "POST", tokens, token=signed, json={"repositories": ["elsewhere"]})

    # Any operation: a bad token, a used-up rate limit.
    expect(401, "GET", f"{R}/issues/comments/{second}", token="ghp_not_a_token")
    expect(401, "POST", f"{R}/issues/1/comments", json={"body": "x"}, token=None)
    gh.set_rate_limit(reader, 0)
    expect(403, "GET", f"{R}/issues/1/labels", token=reader)
    expect(403, "GET", "/users/rita", token=reader)


@pytest.fixture
def exchanges(gh: GitHubEmulator, call: Call) -> list[Exchange]:
    log: list[Exchange] = []
    scenario(gh, recorder(call, log))
    return log


def _schema_errors(schema: dict[str, Any], body: Any) -> list[str]:
    return sorted(
        f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(body)
    )


def test_every_route_is_the_operation_the_description_says(
    gh: GitHubEmulator, exchanges: list[Exchange]
) -> None:
    for exchange in exchanges:
        operation = operation_for(exchange.method, exchange.path)
        assert operation is not None, f"{exchange.method} {exchange.path} is not described"
        found = ROUTER.match(exchange.method, canonical_path(gh.state, exchange.path))
        if found is not None:  # None: another repository, GitHub's 404 for any route
            assert found[0].operation == operation.id, (exchange.method, exchange.path)
    described = set(operations())
    assert {route.operation for route in ROUTER.routes} == described
    exercised = {operation_for(e.method, e.path).id for e in exchanges}  # type: ignore[union-attr]
    assert exercised == described


def test_statuses_are_documented(exchanges: list[Exchange]) -> None:
    seen_drift: set[tuple[str, int]] = set()
    for exchange in exchanges:
        operation = operation_for(exchange.method, exchange.path)
        assert operation is not None
        status = exchange.response.status_code
        if status in operation.statuses:
            continue
        key = (operation.id, status)
        if status in (401, 304) or _rate_limited(exchange.response):
            key = ("*", status)
        assert key in DRIFT, f"{operation.id} answered {status}, which it does not document"
        seen_drift.add(key)
    assert seen_drift == set(DRIFT), "a DRIFT entry the scenario no longer needs"


def _rate_limited(response: httpx2.Response) -> bool:
    return response.status_code == 403 and "rate limit exceeded" in response.json()["message"]


def test_bodies_validate_against_the_documented_schemas(exchanges: list[Exchange]) -> None:
    checked = 0
    for exchange in exchanges:
        operation = operation_for(exchange.method, exchange.path)
        assert operation is not None
        status = exchange.response.status_code
        schema = operation.response_schema(status) or _error_schema(operations(), status)
        if not exchange.response.content:
            assert schema is None or status == 304, f"{operation.id} {status}: no body"
            continue
        assert schema is not None, f"{operation.id} {status}: a body the description lacks"
        errors = _schema_errors(schema, exchange.response.json())
        assert not errors, f"{operation.id} {status}: {errors}"
        checked += 1
    assert checked > 100


def _error_schema(described: dict[str, Operation], status: int) -> dict[str, Any] | None:
    """For a status in DRIFT: the schema GitHub uses for it elsewhere (basic-error)."""
    for operation in described.values():
        schema = operation.response_schema(status)
        if schema is not None and status >= 400:
            return schema
    return None


def test_documented_headers_are_present(exchanges: list[Exchange]) -> None:
    seen = {"location": 0, "link": 0, "etag": 0}
    for exchange in exchanges:
        operation = operation_for(exchange.method, exchange.path)
        assert operation is not None
        status, headers = exchange.response.status_code, exchange.response.headers
        for name in ("limit", "remaining", "reset", "used", "resource"):
            assert f"x-ratelimit-{name}" in headers, (operation.id, status, name)
        documented = operation.response_headers(status)
        if status == 201 and "location" in documented:
            assert headers["location"] == exchange.response.json()["url"]
            seen["location"] += 1
        if status == 200 and "link" in documented and exchange.query.get("per_page") == "1":
            assert 'rel="next"' in headers.get("link", ""), f"{operation.id}: no Link"
            seen["link"] += 1
        if exchange.method == "GET" and status in (200, 304):
            assert headers["etag"].startswith('W/"')
            seen["etag"] += 1
    assert seen["location"] >= 3 and seen["link"] >= 6 and seen["etag"] >= 15
