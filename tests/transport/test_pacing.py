"""The pacer: what each adapter remembers for the pure pacing rules, on a fake clock."""

from __future__ import annotations

import pytest

from gh_store.core.config import RateLimitConfig
from gh_store.core.exceptions import RateLimitError
from gh_store.transport.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _pacer(clock: Clock, per_hour: int = 1000, interval: float = 1.0) -> Pacer:
    return Pacer(RateLimitConfig(per_hour, interval), clock=clock, sleep=clock.sleep)


def _request(pacer: Pacer, clock: Clock, *, write: bool, counted: bool = True) -> None:
    pacer.wait_turn(write=write, method="POST" if write else "GET", path="/x")
    pacer.sent(clock(), write=write, counted=counted)


def test_writes_are_spaced_and_reads_are_not() -> None:
    clock = Clock()
    pacer = _pacer(clock, interval=1.0)
    _request(pacer, clock, write=True)
    clock.now += 0.25
    _request(pacer, clock, write=False)  # reads never wait for writes
    _request(pacer, clock, write=True)
    assert clock.slept == [0.75]


@pytest.mark.parametrize(("counted", "slept"), [(True, [3600.0]), (False, [])])
def test_the_hourly_budget_counts_only_what_github_counts(
    counted: bool, slept: list[float]
) -> None:
    clock = Clock()
    pacer = _pacer(clock, per_hour=2, interval=0.0)
    _request(pacer, clock, write=False)
    _request(pacer, clock, write=False, counted=counted)  # a 304 is not counted
    _request(pacer, clock, write=False)
    assert clock.slept == slept


def test_a_used_up_limit_holds_the_next_request_until_its_reset_once() -> None:
    clock = Clock()
    pacer = _pacer(clock, interval=0.0)
    pacer.answered({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060"}, wall_now=1000.0)
    _request(pacer, clock, write=False)
    _request(pacer, clock, write=False)
    assert clock.slept == [61.0]  # the reset second itself may still be limited


def test_a_retry_that_waited_for_the_reset_is_not_held_again() -> None:
    clock = Clock()
    pacer = _pacer(clock, interval=0.0)
    pacer.answered({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060"}, wall_now=1000.0)
    pacer.reset_waited_for()
    _request(pacer, clock, write=False)
    assert clock.slept == []


def test_a_reset_too_far_away_fails_without_sleeping() -> None:
    clock = Clock()
    pacer = _pacer(clock)
    pacer.answered({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "5000"}, wall_now=1000.0)
    with pytest.raises(RateLimitError, match=r"GET /x not sent"):
        pacer.wait_turn(write=False, method="GET", path="/x")
    assert clock.slept == []


def test_remaining_requests_leave_nothing_to_wait_for() -> None:
    clock = Clock()
    pacer = _pacer(clock, interval=0.0)
    pacer.answered({"x-ratelimit-remaining": "1", "x-ratelimit-reset": "1060"}, wall_now=1000.0)
    _request(pacer, clock, write=False)
    assert clock.slept == []
