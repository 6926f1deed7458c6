"""The emulator's clock: when things happen, in whole seconds as GitHub reports them.

Owns :class:`Clock`. Three readings: :meth:`Clock.stamp` dates an event (a comment created, an issue
edited), :meth:`Clock.now` is the time every answer's ``Date`` header tells, and
:meth:`Clock.wall` says what time it is for rate-limit windows. By default both follow
the system clock; :meth:`Clock.advance` moves both forward (a test's "an hour later"), and
:meth:`Clock.tick_from` makes every stamp one second after the previous one, so that ``since``
filtering and the request counts that depend on it do not depend on how fast the machine is.
"""

from __future__ import annotations

import threading
import time

__all__ = ["Clock"]


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0
        self._next_tick: int | None = None

    def stamp(self) -> int:
        """The time of an event happening now (the next tick on a ticking clock)."""
        with self._lock:
            if self._next_tick is None:
                return int(time.time()) + self._offset
            stamp, self._next_tick = self._next_tick, self._next_tick + 1
            return stamp

    def now(self) -> int:
        """What time it is, as the ``Date`` header says: never before an event already stamped,
        never after the next one (on a ticking clock, the last stamp given)."""
        with self._lock:
            if self._next_tick is None:
                return int(time.time()) + self._offset
            return self._next_tick - 1

    def wall(self) -> float:
        """The time for rate-limit windows: the system clock plus what :meth:`advance` added.

        A ticking clock does not move it: limits keep working in real time, so a client that
        waits for ``x-ratelimit-reset`` waits a sensible while.
        """
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: int) -> None:
        """Move the clock forward by whole seconds (stamps and rate-limit windows alike)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            if self._next_tick is not None:
                self._next_tick += seconds

    def tick_from(self, start: int | None = None) -> None:
        """From now on, stamp events one second apart, starting at ``start`` (default: now)."""
        with self._lock:
            self._next_tick = int(time.time()) + self._offset if start is None else start
