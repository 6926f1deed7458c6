"""The in-process transport: no thread, no socket, and otherwise the same as HTTP."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable

import httpx2
import pytest
from ghapi.core import GhApi

from gh_store.emulator import IN_PROCESS_URL, GitHubEmulator, RecordedRequest

from .adapters import ADAPTERS, caller, client_for, emulator

R = "/repos/octo/store"


def test_serves_without_a_server_thread_or_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    threads = threading.active_count()
    gh = GitHubEmulator()  # never started
    api = GhApi(owner="octo", repo="store", token=gh.owner_token, gh_host=gh.url, sync=True)
    api.transport.client = httpx2.Client(transport=gh.http_transport())

    def refuse(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    issue = api.issues.create(title="no socket", labels=["stored-object"])
    assert issue.url == f"{IN_PROCESS_URL}{R}/issues/1"
    assert [i.number for i in api.issues.list_for_repo(labels="stored-object")] == [1]
    assert threading.active_count() == threads
    assert gh.url == IN_PROCESS_URL
    assert [(r.method, r.status) for r in gh.requests] == [("POST", 201), ("GET", 200)]


def test_answers_for_the_server_url_too_once_started() -> None:
    with GitHubEmulator() as gh, httpx2.Client(transport=gh.http_transport()) as client:
        assert gh.url != IN_PROCESS_URL
        number = gh.seed_issue("t")
        for base in (gh.url, IN_PROCESS_URL):
            answer = client.get(f"{base}{R}/issues/{number}")
            assert answer.status_code == 200
            assert answer.json()["url"] == f"{base}{R}/issues/{number}"
        assert gh.count("GET") == 2


def test_refuses_other_hosts_before_recording() -> None:
    gh = GitHubEmulator()
    with httpx2.Client(transport=gh.http_transport()) as client:
        with pytest.raises(httpx2.ConnectError, match="answers only for"):
            client.get("https://api.github.com/repos/octo/store/issues")
        with pytest.raises(httpx2.ConnectError):
            client.get("http://127.0.0.1:9/repos/octo/store/issues")  # a server that is not ours
    assert gh.requests == []


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_links_lead_back_through_the_same_adapter(adapter: str) -> None:
    with emulator(adapter) as gh, client_for(gh, adapter) as client:
        number = gh.seed_issue("t")
        ids = [gh.seed_comment(number, str(n)) for n in range(23)]
        call = caller(gh, client)
        seen: list[int] = []
        url: str | None = f"{R}/issues/{number}/comments?per_page=5"
        while url is not None:
            page = call("GET", url)
            seen += [c["id"] for c in page.json()]
            found = re.search(r'<([^>]+)>; rel="next"', page.headers.get("link", ""))
            url = found.group(1) if found else None
        assert seen == ids
        assert gh.count("GET", r"/comments$") == 5


def _script(gh: GitHubEmulator, client: httpx2.Client) -> None:
    """The same requests, faults included, whatever the adapter."""
    call = caller(gh, client)
    alice = gh.token_for("alice", "read")
    call("POST", f"{R}/issues", json={"title": "t", "labels": ["a"]})
    etag = call("GET", f"{R}/issues/1").headers["etag"]
    call("GET", f"{R}/issues/1", headers={"If-None-Match": etag})
    call("HEAD", f"{R}/issues/1")
    gh.inject(status=503, method="POST", path=r"/comments$")
    call("POST", f"{R}/issues/1/comments", json={"body": "retry me"}, token=alice)
    cid = call("POST", f"{R}/issues/1/comments", json={"body": "kept"}, token=alice).json()["id"]
    gh.inject(status=None, drop=True, after=True, method="POST", path=r"/reactions$")
    with pytest.raises(httpx2.RemoteProtocolError):
        call("POST", f"{R}/issues/comments/{cid}/reactions", json={"content": "+1"})
    call("POST", f"{R}/issues/comments/{cid}/reactions", json={"content": "+1"})
    call("PATCH", f"{R}/issues/1", json={"body": "x", "milestone": 3})
    call("GET", f"{R}/issues", token=None, params={"state": "all", "per_page": "1"})
    call("GET", "/nope", token="ghp_unknown")


def _comparable(entries: list[RecordedRequest]) -> list[tuple[object, ...]]:
    def mask(path: str) -> str:  # comment ids step at random
        return re.sub(r"\d{6,}", "ID", path)

    return [(r.method, mask(r.path), r.query, r.status, r.user, r.body) for r in entries]


def test_recorded_exactly_as_over_http() -> None:
    logs: dict[str, list[tuple[object, ...]]] = {}
    for adapter in ADAPTERS:
        with emulator(adapter) as gh, client_for(gh, adapter) as client:
            _script(gh, client)
            logs[adapter] = _comparable(gh.requests)
    assert logs["http"] == logs["in-process"]
    assert [entry[3] for entry in logs["http"]] == [
        201, 200, 304, 200, 503, 201, 0, 200, 422, 200, 401
    ]  # fmt: skip


@pytest.mark.parametrize("after", [False, True])
def test_drop_surfaces_as_httpx2_sees_a_real_one(after: bool) -> None:
    """The exception type and message are httpx2's own for a server that hangs up, on both
    paths, so retry code written against one works against the other."""
    raised: dict[str, BaseException] = {}
    for adapter in ADAPTERS:
        with emulator(adapter) as gh, client_for(gh, adapter) as client:
            gh.inject(status=None, drop=True, after=after, method="POST")
            try:
                caller(gh, client)("POST", f"{R}/issues", json={"title": "t"})
            except httpx2.RequestError as error:
                raised[adapter] = error
            assert len(gh.state.issues) == (1 if after else 0)
    assert type(raised["http"]) is type(raised["in-process"]) is httpx2.RemoteProtocolError
    assert str(raised["http"]) == str(raised["in-process"])


def test_latency_and_delays_apply_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    sleep: Callable[[float], None] = slept.append
    monkeypatch.setattr("gh_store.emulator.handler.time.sleep", sleep)
    gh = GitHubEmulator()
    gh.latency = 0.02
    gh.inject(status=None, delay=0.5, method="GET")
    with httpx2.Client(transport=gh.http_transport()) as client:
        client.get(f"{gh.url}{R}/issues")
        client.get(f"{gh.url}{R}/issues")
    assert slept == [0.02, 0.5, 0.02]
