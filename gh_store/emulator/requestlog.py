"""The request log: every request the emulator answered (or dropped), in arrival order.

Owns :class:`RecordedRequest` and :class:`RequestLog`. Both adapters (HTTP and in-process) record
through the same handler, so a test's request counts do not depend on which one it uses. The
emulator's direct helpers (``seed_issue`` and the like) are never recorded.

A request belongs to the log as it was when the request arrived: one still in flight when the log
is cleared (held by an injected delay, sent by a process killed since) is recorded into nothing,
never into the log that a test began after it. Each clear starts a new generation; a request
takes the generation current at its arrival and is recorded only if it is still current.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["RecordedRequest", "RequestLog"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw it. ``path`` is as sent (percent-encoded), without the query.

    ``status`` is what was answered; 0 when the connection was dropped without an answer.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    user: str | None
    body: Any
    user_agent: str | None = None  # the User-Agent header as sent (None: none was sent)

    @property
    def mutates(self) -> bool:
        """Whether the request asked to change something: a REST write, or a GraphQL request
        whose operation is a mutation (a GraphQL query is a ``POST`` too, but only reads)."""
        if self.path.endswith("/graphql"):
            query = self.body.get("query") if isinstance(self.body, dict) else None
            return isinstance(query, str) and query.lstrip().startswith("mutation")
        return self.method in ("POST", "PATCH", "PUT", "DELETE")


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []
        self._generation = 0

    def generation(self) -> int:
        """The log's generation now: taken by a request when it arrives."""
        with self._lock:
            return self._generation

    def append(self, entry: RecordedRequest, generation: int | None = None) -> None:
        """Record ``entry``, unless the log was cleared since its request arrived at
        ``generation`` (None: it arrived now)."""
        with self._lock:
            if generation is None or generation == self._generation:
                self._entries.append(entry)

    def entries(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many entries match ``method`` and the regex ``path`` (searched)."""
        pattern = re.compile(path) if path is not None else None
        return sum(
            1
            for r in self.entries()
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.search(r.path))
        )
