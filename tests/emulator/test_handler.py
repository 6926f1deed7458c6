"""``handle(state, request)``: one request against the state, bytes in and bytes out, no socket."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from gh_store.emulator.clock import Clock
from gh_store.emulator.exchange import HttpAnswer, HttpRequest
from gh_store.emulator.faults import Fault
from gh_store.emulator.handler import handle
from gh_store.emulator.state import EmulatorState

R = "/repos/octo/store"


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState("octo", "store")


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any socket opened while this is active fails the test."""

    def refuse(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("the handler opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    yield


def send(
    state: EmulatorState,
    method: str,
    target: str,
    body: object = None,
    token: str | None = None,
    host: str = "example.test",
    extra: dict[str, str] | None = None,
) -> HttpAnswer:
    headers = {"Host": host, **(extra or {})}
    if token is not None:
        headers["Authorization"] = f"token {token}"
    raw = b"" if body is None else json.dumps(body).encode()
    return handle(state, HttpRequest(method, target, headers, raw))


def owner(state: EmulatorState) -> str:
    return state.user("octo").token


def test_bytes_in_bytes_out_without_threads_or_sockets(
    state: EmulatorState, no_sockets: None
) -> None:
    threads = threading.active_count()
    made = send(state, "POST", f"{R}/issues", {"title": "t"}, owner(state))
    assert made.status == 201 and not made.dropped
    body = json.loads(made.body)
    assert body["number"] == 1
    assert made.header("content-type") == "application/json; charset=utf-8"
    assert made.header("Content-Length") == str(len(made.body))
    assert made.header("location") == "http://example.test/repos/octo/store/issues/1"
    listed = send(state, "GET", f"{R}/issues?state=all&per_page=5", token=owner(state))
    assert [i["number"] for i in json.loads(listed.body)] == [1]
    assert threading.active_count() == threads
    assert [(r.method, r.path, r.query, r.status) for r in state.log.entries()] == [
        ("POST", f"{R}/issues", {}, 201),
        ("GET", f"{R}/issues", {"state": "all", "per_page": "5"}, 200),
    ]


def test_links_use_the_base_url_the_request_was_sent_to(state: EmulatorState) -> None:
    for n in range(3):
        state.create_issue("octo", f"i{n}")
    page = send(state, "GET", f"{R}/issues?per_page=1", host="one.test:8080")
    assert page.header("link") is not None
    assert f"<http://one.test:8080{R}/issues?page=2&per_page=1>" in str(page.header("link"))
    assert json.loads(page.body)[0]["url"].startswith("http://one.test:8080/repos/")
    enterprise = send(state, "GET", f"/api/v3{R}/issues?per_page=1", host="ghe.test")
    assert f"<http://ghe.test/api/v3{R}/issues?page=2&per_page=1>" in str(enterprise.header("link"))
    assert state.log.entries()[-1].path == f"{R}/issues"  # recorded without the prefix


def test_head_has_headers_and_no_body(state: EmulatorState) -> None:
    state.create_issue("octo", "t")
    got = send(state, "GET", f"{R}/issues/1")
    head = send(state, "HEAD", f"{R}/issues/1")
    assert head.status == 200 and head.body == b""
    assert head.header("content-length") == str(len(got.body))
    assert head.header("etag") == got.header("etag")


def test_dropped_answer_is_recorded_with_status_0(state: EmulatorState) -> None:
    state.faults.add(Fault(None, "POST", None, drop=True, after=True))
    dropped = send(state, "POST", f"{R}/issues", {"title": "kept"}, owner(state))
    assert dropped.dropped and dropped.status == 0 and dropped.body == b""
    assert state.log.entries()[-1].status == 0
    assert [i.title for i in state.issues.values()] == ["kept"]  # after=True: the work was done


def test_a_failing_hook_is_answered_500_and_recorded(
    state: EmulatorState, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(info: object) -> None:
        raise RuntimeError("the test's hook is wrong")

    state.hooks.add(broken, "GET", None)
    answer = send(state, "GET", f"{R}/issues")
    assert answer.status == 500
    assert "the test's hook is wrong" in json.loads(answer.body)["message"]
    assert state.log.entries()[-1].status == 500
    assert "emulator hook failed" in caplog.text
    assert send(state, "POST", f"{R}/issues", {"title": "t"}, owner(state)).status == 201


def test_bad_json_and_unknown_token(state: EmulatorState) -> None:
    raw = HttpRequest("POST", f"{R}/issues", {"Host": "h", "Authorization": "token x"}, b"{")
    assert handle(state, raw).status == 401  # the token is checked first, as on GitHub
    broken = HttpRequest(
        "POST", f"{R}/issues", {"Host": "h", "Authorization": f"token {owner(state)}"}, b"{"
    )
    answer = handle(state, broken)
    assert answer.status == 400 and json.loads(answer.body)["message"] == "Problems parsing JSON"
    assert state.log.entries()[-1].body is None


def test_an_injected_clock_dates_events_and_rate_limit_windows() -> None:
    class Frozen(Clock):
        def stamp(self) -> int:
            return 1_234_567_890

        def wall(self) -> float:
            return 2_000_000_000.0

    state = EmulatorState("octo", "store", clock=Frozen())
    made = send(state, "POST", f"{R}/issues", {"title": "t"}, owner(state))
    assert json.loads(made.body)["created_at"] == "2009-02-13T23:31:30Z"
    assert made.header("x-ratelimit-reset") == str(2_000_000_000 + 3600)
