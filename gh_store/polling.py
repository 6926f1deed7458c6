"""How ``GitHubStore.wait`` polls: its arguments checked, its pauses, its deadline.

Polls start ``interval`` seconds apart (at least one second: a smaller interval is raised to it,
so a caller cannot make the client hammer GitHub), then 1.5 times longer each time, up to 15 s;
the last pause ends at the deadline. The clock and the sleep are the caller's (tests fake them).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .core.exceptions import WaitTimeout

__all__ = ["Deadline", "checked_wait"]

_LONGEST_POLL = 15.0  # seconds between polls, at most
_SHORTEST_POLL = 1.0  # ... and at least


class Deadline:
    """When ``wait()`` gives up, and how long it sleeps between polls (backing off)."""

    def __init__(
        self,
        clock: Callable[[], float],
        timeout: float,
        interval: float,
        sleep: Callable[[float], None],
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._started = clock()
        self._timeout = timeout
        self._delay = interval

    def pause(self, what: str) -> None:
        """Sleep before the next poll, or raise ``WaitTimeout`` saying ``what``."""
        waited = self._clock() - self._started
        if waited >= self._timeout:
            raise WaitTimeout(
                f"{what} after waiting {waited:.0f} s; is the gh-store workflow running "
                "for its issue?"
            )
        self._sleep(max(0.0, min(self._delay, self._timeout - waited)))
        self._delay = min(self._delay * 1.5, _LONGEST_POLL)


def checked_wait(timeout: Any, interval: Any) -> tuple[float, float]:
    """``wait()``'s timeout and interval as seconds; the interval is at least one second."""
    for name, value in (("timeout", timeout), ("interval", interval)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"wait(): {name} must be a number of seconds, not {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"wait(): {name} must be a finite number of seconds, 0 or more, not {value!r}"
            )
    return float(timeout), max(float(interval), _SHORTEST_POLL)
