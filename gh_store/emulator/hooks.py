"""Hooks: a test's code run just before the emulator handles a matching request.

Owns :class:`RequestInfo` (what a hook is told), :class:`Hook` (one registration, with
:meth:`Hook.remove`) and :class:`Hooks`. They let a test change the world between two requests of
the code under test, e.g. delete a comment while a client pages through the list. The handler calls
hooks outside the state lock, so a hook may use the emulator's helpers (``edit_comment``,
``add_reaction``, ...). A hook that sends requests to the emulator sees them too: filter them out,
or remove the hook first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Hook", "Hooks", "RequestInfo"]


@dataclass(frozen=True)
class RequestInfo:
    """The request about to be handled: ``path`` as sent, without the query; the caller's login
    (None for anonymous or unknown tokens); the JSON body (None if absent or not JSON)."""

    method: str
    path: str
    query: dict[str, str]
    user: str | None
    body: Any


@dataclass(eq=False)  # identity: two hooks with one callback are still two
class Hook:
    callback: Callable[[RequestInfo], object]
    method: str | None
    path: str | None
    _owner: Hooks = field(repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path) if self.path is not None else None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def remove(self) -> None:
        """Stop calling this hook (calling it twice is harmless)."""
        self._owner.discard(self)


class Hooks:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hooks: list[Hook] = []

    def add(
        self, callback: Callable[[RequestInfo], object], method: str | None, path: str | None
    ) -> Hook:
        hook = Hook(callback, method, path, self)
        with self._lock:
            self._hooks.append(hook)
        return hook

    def discard(self, hook: Hook) -> None:
        with self._lock:
            if hook in self._hooks:
                self._hooks.remove(hook)

    def clear(self) -> None:
        with self._lock:
            self._hooks.clear()

    def run(self, info: RequestInfo) -> None:
        """Call every matching hook, oldest first; a hook removed meanwhile is skipped."""
        with self._lock:
            matching = [h for h in self._hooks if h.matches(info.method, info.path)]
        for hook in matching:
            with self._lock:
                live = hook in self._hooks
            if live:
                hook.callback(info)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._hooks)
