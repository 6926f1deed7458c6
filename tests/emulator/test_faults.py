"""Injected faults: statuses, Retry-After, drops, delays, skip/times, after=True, latency.

Over both adapters: a dropped connection is the same ``httpx2.RemoteProtocolError`` either way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(gh: GitHubEmulator, call: Call, status: int) -> None:
    number = gh.seed_issue("t", "before")
    gh.inject(status=status, method="PATCH", path=r"/issues/\d+$")
    answer = call("PATCH", f"{R}/issues/{number}", json={"body": "after"})
    assert answer.status_code == status and answer.json()["status"] == str(status)
    assert gh.issue(number)["body"] == "before"  # the fault did nothing
    assert call("PATCH", f"{R}/issues/{number}", json={"body": "after"}).status_code == 200
    assert [r.status for r in gh.requests] == [status, 200]


def test_secondary_rate_limit(gh: GitHubEmulator, call: Call) -> None:
    gh.inject(status=403, retry_after=7)
    answer = call("GET", f"{R}/issues")
    assert answer.status_code == 403 and answer.headers["retry-after"] == "7"
    body: dict[str, Any] = answer.json()
    assert body["message"].startswith("You have exceeded a secondary rate limit.")
    assert body["documentation_url"].endswith("#about-secondary-rate-limits")
    gh.inject(status=403)
    assert "retry-after" not in call("GET", f"{R}/issues").headers


def test_429_and_client_errors(gh: GitHubEmulator, call: Call) -> None:
    gh.inject(status=429)
    assert call("GET", f"{R}/issues").headers["Retry-After"] == "1"
    gh.inject(status=429, retry_after=3)
    assert call("GET", f"{R}/issues").headers["Retry-After"] == "3"
    gh.inject(status=400)
    assert call("GET", f"{R}/issues").json()["message"] == "Problems parsing JSON"
    gh.inject(status=422)
    assert call("GET", f"{R}/issues").json()["message"] == "Validation Failed"


def test_drop_gives_connection_error(gh: GitHubEmulator, call: Call) -> None:
    gh.inject(status=None, drop=True, method="POST")
    with pytest.raises(httpx2.RemoteProtocolError, match="Server disconnected"):
        call("POST", f"{R}/issues", json={"title": "lost"})
    assert gh.requests[-1].status == 0
    with gh.state.lock:
        assert gh.state.issues == {}
    assert call("POST", f"{R}/issues", json={"title": "kept"}).status_code == 201


def test_after_true_applies_then_loses_response(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t")
    gh.inject(status=None, drop=True, after=True, method="POST", path=r"/comments$")
    with pytest.raises(httpx2.RemoteProtocolError, match="Server disconnected"):
        call("POST", f"{R}/issues/{number}/comments", json={"body": "written"})
    assert gh.requests[-1].status == 0
    assert [c["body"] for c in gh.comments(number)] == ["written"]
    gh.inject(status=502, after=True, method="PATCH")
    assert call("PATCH", f"{R}/issues/{number}", json={"body": "new"}).status_code == 502
    assert gh.issue(number)["body"] == "new"


def test_skip_and_times(gh: GitHubEmulator, call: Call) -> None:
    handle = gh.inject(status=503, method="GET", path=r"/issues$", skip=1, times=2)
    statuses = [call("GET", f"{R}/issues").status_code for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    assert call("GET", f"{R}/labels").status_code == 200
    assert handle.applied == 2
    gh.inject(status=500, times=5)
    gh.clear_faults()
    assert call("GET", f"{R}/issues").status_code == 200


def test_delay_interleaves_two_clients(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t", "original")
    gh.inject(status=None, delay=0.4, method="PATCH", times=1)
    results: list[int] = []
    slow = threading.Thread(
        target=lambda: results.append(
            call("PATCH", f"{R}/issues/{number}", json={"body": "slow"}).status_code
        )
    )
    started = time.monotonic()
    slow.start()
    time.sleep(0.1)
    assert call("PATCH", f"{R}/issues/{number}", json={"body": "fast"}).status_code == 200
    assert gh.issue(number)["body"] == "fast"
    slow.join()
    assert results == [200] and time.monotonic() - started >= 0.4
    assert gh.issue(number)["body"] == "slow"  # last write wins


def test_latency(gh: GitHubEmulator, call: Call) -> None:
    gh.latency = 0.15
    started = time.monotonic()
    call("GET", f"{R}/issues")
    call("GET", f"{R}/issues")
    assert time.monotonic() - started >= 0.3
    gh.latency = 0.0


def test_invalid_fault_rejected(gh: GitHubEmulator) -> None:
    with pytest.raises(ValueError):
        gh.inject(status=None)
    with pytest.raises(ValueError):
        gh.inject(status=200)


@pytest.mark.parametrize(
    ("error", "level"),
    [(ConnectionResetError("peer gone"), "DEBUG"), (RuntimeError("bug"), "ERROR")],
)
def test_a_request_that_fails_in_the_server_goes_to_the_log_not_to_stderr(
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    level: str,
) -> None:
    # socketserver's own handler prints a traceback to stderr from the server's thread, which can
    # outlive a test (and once did, at the end of full runs); a client that went away is routine.
    def fail(*_: Any) -> Any:
        raise error

    monkeypatch.setattr("gh_store.emulator.server.handle", fail)
    caplog.set_level(logging.DEBUG, logger="gh_store.emulator")
    with GitHubEmulator(repo="octo/store") as gh, pytest.raises(httpx2.TransportError):
        httpx2.get(f"{gh.url}{R}/issues", timeout=5)
    records = [r for r in caplog.records if r.name == "gh_store.emulator" and r.levelname == level]
    assert records and str(error) in (records[0].exc_text or records[0].getMessage())
    assert "Exception occurred" not in capfd.readouterr().err
