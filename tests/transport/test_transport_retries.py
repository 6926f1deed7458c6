"""Retries, backoff and rate limits: injected faults, a fake clock, every wait asserted."""

from __future__ import annotations

import logging
import time

import pytest

from gh_store.core.config import RetryConfig
from gh_store.core.exceptions import GitHubAPIError, RateLimitError
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

from .conftest import FakeTime, MakeTransport

ISSUE = r"/issues/\d+$"


@pytest.fixture
def number(gh: GitHubEmulator) -> int:
    return gh.seed_issue("t", "b", ["x"])


def test_503_then_success(
    store: GhApiTransport,
    gh: GitHubEmulator,
    fake_time: FakeTime,
    number: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gh.inject(status=503, method="GET", path=ISSUE)
    with caplog.at_level(logging.DEBUG, logger="gh_store.transport"):
        assert store.get_issue(number)["number"] == number
    assert fake_time.sleeps == [1.0]
    assert gh.count("GET", ISSUE) == 2 and store.requests_made == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "503" in warnings[0].getMessage()
    assert "1.0 s" in warnings[0].getMessage()
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert debug[0].startswith(f"GET /repos/octo/store/issues/{number} -> 503 in ")


def test_backoff_grows_exponentially(
    make: MakeTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    store = make(retries=RetryConfig(max_attempts=4, backoff_factor=0.5))
    gh.inject(status=502, method="GET", path=ISSUE, times=3)
    store.get_issue(number)
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_429_waits_retry_after(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=429, method="GET", path=ISSUE, retry_after=2)
    store.get_issue(number)
    assert fake_time.sleeps == [2.0]
    assert gh.count("GET", ISSUE) == 2


def test_secondary_limit_without_retry_after_waits_a_minute_and_more(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=403, method="PATCH", path=ISSUE, times=2)
    store.update_issue(number, body="new")
    assert fake_time.sleeps == [60.0, 120.0]
    assert gh.issue(number)["body"] == "new"


def test_secondary_limit_with_retry_after(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=403, method="GET", path=ISSUE, retry_after=7)
    store.get_issue(number)
    assert fake_time.sleeps == [7.0]


def test_5xx_retry_after_is_respected(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=503, method="GET", path=ISSUE, retry_after=5)
    store.get_issue(number)
    assert fake_time.sleeps == [5.0]


def test_dropped_connection_then_success(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=None, drop=True, method="GET", path=ISSUE)
    assert store.get_issue(number)["number"] == number
    assert fake_time.sleeps == [1.0]
    assert [r.status for r in gh.requests] == [0, 200]


@pytest.mark.http  # a timeout needs a socket to wait on
def test_timeout_then_success(
    make: MakeTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    store = make(timeout=0.2)
    gh.inject(status=None, delay=0.6, method="GET", path=ISSUE)
    assert store.get_issue(number)["number"] == number
    assert fake_time.sleeps == [1.0] and store.requests_made == 2


def test_5xx_every_attempt_gives_up_after_max_attempts(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=503, method="GET", path=ISSUE, times=10)
    with pytest.raises(GitHubAPIError) as caught:
        store.get_issue(number)
    error = caught.value
    assert not isinstance(error, RateLimitError)
    assert (error.status, error.method, error.path) == (
        503,
        "GET",
        f"/repos/octo/store/issues/{number}",
    )
    assert error.github_message == "Service Unavailable"
    assert "503 (Service Unavailable)" in str(error) and "after 3 attempts" in str(error)
    assert gh.count() == 3 and store.requests_made == 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_query_is_not_in_the_error(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime
) -> None:
    gh.inject(status=500, method="GET", path=r"/issues$", times=3)
    with pytest.raises(GitHubAPIError) as caught:
        list(store.list_issues(labels=["a", "b"]))
    assert "GET /repos/octo/store/issues," in str(caught.value)
    assert "per_page" not in str(caught.value) and "?" not in str(caught.value)


def test_no_answer_every_attempt(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=None, drop=True, method="GET", path=ISSUE, times=3)
    with pytest.raises(GitHubAPIError) as caught:
        store.get_issue(number)
    assert caught.value.status == 0 and "no answer" in str(caught.value)
    assert gh.count() == 3


def test_rate_limited_every_attempt_is_rate_limit_error(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=429, method="GET", path=ISSUE, retry_after=3, times=3)
    with pytest.raises(RateLimitError) as caught:
        store.get_issue(number)
    assert caught.value.status == 429 and "secondary rate limit" in str(caught.value)
    assert fake_time.sleeps == [3.0, 3.0] and gh.count() == 3


def test_unreachable_host(fake_time: FakeTime) -> None:
    started = time.perf_counter()
    with (
        GhApiTransport(
            "octo/store", "t", api_url="http://127.0.0.1:9", sleep=fake_time.sleep
        ) as store,
        pytest.raises(GitHubAPIError) as caught,
    ):
        store.get_permission("octo")
    assert caught.value.status == 0 and store.requests_made == 3
    assert time.perf_counter() - started < 1.0  # no hidden retries with real sleeps in ghapi


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422])
def test_callers_faults_are_not_retried(
    status: int, store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=status, method="PATCH", path=ISSUE, times=3)
    with pytest.raises(GitHubAPIError) as caught:
        store.update_issue(number, state="closed")
    assert caught.value.status == status
    assert gh.count() == 1 and fake_time.sleeps == []


# --- the primary limit -------------------------------------------------------------------------


def _reset_in(seconds: float, fake_time: FakeTime) -> None:
    """Move the transport's wall clock so the emulator's hourly reset is ``seconds`` away."""
    fake_time.wall_shift = 3600 - seconds


def test_response_with_remaining_0_waits_for_reset_before_next_request(
    store: GhApiTransport,
    gh: GitHubEmulator,
    fake_time: FakeTime,
    number: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _reset_in(30, fake_time)
    gh.set_rate_limit(gh.owner_token, 1)
    store.get_issue(number)  # succeeds, and uses the last request of the hour
    assert fake_time.sleeps == []
    fake_time.on_sleep = lambda _: gh.set_rate_limit(gh.owner_token, 100)  # the reset
    store.get_issue(number)
    assert len(fake_time.sleeps) == 1 and 29 <= fake_time.sleeps[0] <= 33
    assert gh.count() == 2  # waited instead of sending into the limit


def test_primary_limit_403_waits_until_reset(
    store: GhApiTransport,
    gh: GitHubEmulator,
    fake_time: FakeTime,
    number: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _reset_in(40, fake_time)
    gh.set_rate_limit(gh.owner_token, 0)
    fake_time.on_sleep = lambda _: gh.set_rate_limit(gh.owner_token, 100)
    assert store.get_issue(number)["number"] == number
    assert len(fake_time.sleeps) == 1 and 39 <= fake_time.sleeps[0] <= 43
    assert [r.status for r in gh.requests] == [403, 200]


def test_wait_over_900_s_raises_without_sleeping(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.set_rate_limit(gh.owner_token, 0)  # resets in about an hour
    with pytest.raises(RateLimitError) as caught:
        store.get_issue(number)
    assert fake_time.sleeps == [] and gh.count() == 1
    assert "UTC" in str(caught.value) and "rate limit exceeded" in str(caught.value)


def test_used_up_limit_over_900_s_raises_before_sending(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.set_rate_limit(gh.owner_token, 1)
    store.get_issue(number)
    with pytest.raises(RateLimitError, match="resets at"):
        store.get_issue(number)
    assert fake_time.sleeps == [] and gh.count() == 1


def test_retry_after_over_900_s_raises_without_sleeping(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime, number: int
) -> None:
    gh.inject(status=429, method="GET", path=ISSUE, retry_after=901)
    with pytest.raises(RateLimitError):
        store.get_issue(number)
    assert fake_time.sleeps == [] and gh.count() == 1
