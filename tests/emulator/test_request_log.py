"""The request log belongs to the moment a request arrived (issue 17): a request still in flight
when a test clears the log (held by a delay, sent by a process killed since) is never recorded
into the log the test began after it. Both adapters."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import httpx2

from gh_store.emulator import GitHubEmulator, RequestInfo

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"


def _held_across_a_clear(gh: GitHubEmulator, call: Call, **fault: object) -> None:
    """Send one request; while the emulator holds it, clear the log; then let it finish."""
    number = gh.seed_issue("t")
    arrived, release = threading.Event(), threading.Event()

    def hold(_: RequestInfo) -> None:
        arrived.set()
        release.wait()

    gh.add_hook(hold, method="GET", path=r"/issues/\d+$")
    if fault:
        gh.inject(path=r"/issues/\d+$", **fault)  # type: ignore[arg-type]
    sender = threading.Thread(target=_send, args=(call, f"{R}/issues/{number}"))
    sender.start()
    assert arrived.wait(60)
    gh.clear_requests()
    release.set()
    sender.join(60)
    assert not sender.is_alive()


def _send(call: Call, path: str) -> None:
    # A dropped answer is what the killed process would have seen, had it lived.
    with contextlib.suppress(httpx2.HTTPError):
        call("GET", path)


def test_an_answered_request_that_arrived_before_a_clear_is_not_recorded_after_it(
    gh: GitHubEmulator, call: Call
) -> None:
    _held_across_a_clear(gh, call)
    assert gh.requests == []


def test_a_dropped_request_that_arrived_before_a_clear_is_not_recorded_after_it(
    gh: GitHubEmulator, call: Call
) -> None:
    _held_across_a_clear(gh, call, status=None, drop=True)
    assert gh.requests == []


def test_requests_after_a_clear_are_recorded(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t")
    call("GET", f"{R}/issues/{number}")
    gh.clear_requests()
    call("GET", f"{R}/issues/{number}")
    assert [(r.method, r.status) for r in gh.requests] == [("GET", 200)]
