"""Transport test fixtures: a fake clock that records sleeps, and transports on ``gh``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gh_store.core.config import RateLimitConfig, RetryConfig
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

R = "/repos/octo/store"


class FakeTime:
    """``clock`` and ``sleep`` for a transport: sleeping advances the clock and is recorded.

    ``wall_clock`` is the real time moved by ``wall_shift`` seconds (the emulator stamps real
    times; a test moves the transport's view of them).
    """

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[float], None] | None = None
        self.wall_shift = 0.0

    def clock(self) -> float:
        return self.now

    def wall_clock(self) -> float:
        return time.time() + self.wall_shift

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


MakeTransport = Callable[..., GhApiTransport]


@pytest.fixture
def make(gh: GitHubEmulator, fake_time: FakeTime) -> Iterator[MakeTransport]:
    """Build a transport on the emulator: owner's token, 3 attempts, backoff 1 s, no pacing."""
    made: list[GhApiTransport] = []

    def build(token: Any = "owner", **kwargs: Any) -> GhApiTransport:
        options: dict[str, Any] = {
            **gh.client_options(),
            "retries": RetryConfig(max_attempts=3, backoff_factor=1.0),
            "rate_limit": RateLimitConfig(max_requests_per_hour=0, min_write_interval=0),
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "wall_clock": fake_time.wall_clock,
            **kwargs,
        }
        transport = GhApiTransport(
            gh.repo, gh.owner_token if token == "owner" else token, **options
        )
        made.append(transport)
        return transport

    yield build
    for transport in made:
        transport.close()


@pytest.fixture
def store(make: MakeTransport) -> GhApiTransport:
    """The repository owner's transport."""
    return make()
