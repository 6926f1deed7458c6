"""What pacing remembers between requests of one budget, for both adapters.

The rules are pure functions of :mod:`.policy` (:func:`~.policy.pacing_delay`,
:func:`~.policy.blocked_error`, :func:`~.policy.reset_wait`). What they need to know of the past
lives here, once: when the counted requests of the last hour went out, when the last write did,
and until when GitHub said the primary limit is used up. The REST and the GraphQL adapter each
keep one :class:`Pacer`, as GitHub keeps a budget for each.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping

from gh_store.core.config import RateLimitConfig

from .policy import blocked_error, pacing_delay, reset_wait

__all__ = ["Pacer"]

log = logging.getLogger("gh_store")


class Pacer:
    """Holds requests back as the policy says, and remembers what it needs for that."""

    def __init__(
        self,
        rate: RateLimitConfig,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque(maxlen=max(rate.max_requests_per_hour, 1))
        self._last_write: float | None = None
        self._blocked_until: float | None = None  # clock() time when the primary limit resets

    def wait_turn(self, *, write: bool, method: str, path: str) -> None:
        """Sleep until the request may go; raise when the limit resets too far away."""
        now = self._clock()
        error = blocked_error(self._blocked_until, now, method, path)
        if error is not None:
            raise error
        delay = pacing_delay(
            now,
            write=write,
            sent=self._sent,
            max_per_hour=self._rate.max_requests_per_hour,
            last_write=self._last_write,
            min_write_interval=self._rate.min_write_interval,
            blocked_until=self._blocked_until,
        )
        self._blocked_until = None  # waited for above
        if delay > 0:
            log.info("pacing: waiting %.1f s before %s %s", delay, method, path)
            self._sleep(delay)

    def sent(self, at: float, *, write: bool, counted: bool = True) -> None:
        """A request went out at ``at``; ``counted``: GitHub counts it (a 304 it does not)."""
        if write:
            self._last_write = at
        if counted and self._rate.max_requests_per_hour:
            self._sent.append(at)

    def answered(self, headers: Mapping[str, str], wall_now: float) -> None:
        """Note an answer that used the primary limit up: later requests wait for its reset."""
        wait = reset_wait(headers, wall_now)
        if wait is not None:
            self._blocked_until = self._clock() + wait

    def reset_waited_for(self) -> None:
        """A retry's wait already covers the reset: the next request need not wait again."""
        self._blocked_until = None
