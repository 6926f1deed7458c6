"""Injected faults: error answers, dropped connections and delays for chosen requests.

Owns :class:`Fault` (one injected rule, also the handle ``GitHubEmulator.inject`` returns) and
:class:`FaultPlan` (the ordered rules, matched under a lock). A rule matches a request by method and
a regex searched in its path; it lets ``skip`` matching requests pass, then applies to the next
``times`` ones.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

__all__ = ["Fault", "FaultPlan"]


@dataclass
class Fault:
    """One rule. ``status`` None with ``drop`` or ``delay`` only; ``after`` performs the request
    first."""

    status: int | None
    method: str | None
    path: str | None
    times: int = 1
    skip: int = 0
    retry_after: int | None = None
    drop: bool = False
    delay: float = 0.0
    after: bool = False
    applied: int = 0  # how many requests this rule has hit so far
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.status is None and not self.drop and self.delay <= 0:
            raise ValueError("a fault needs a status, drop=True or a delay")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP error status, not {self.status}")
        if self.times < 1 or self.skip < 0:
            raise ValueError("times must be >= 1 and skip >= 0")
        self._pattern = re.compile(self.path) if self.path is not None else None

    @property
    def exhausted(self) -> bool:
        return self.applied >= self.times

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._pattern is None or self._pattern.search(path) is not None


class FaultPlan:
    """The active rules, oldest first; the first live rule that matches and is past its ``skip``
    applies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, counting it against the rule's ``skip`` and ``times``."""
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.applied += 1
                return fault
            self._faults = [f for f in self._faults if not f.exhausted]
        return None
