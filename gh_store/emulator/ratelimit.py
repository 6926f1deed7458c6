"""Primary rate limits: one hourly bucket per caller and resource.

Owns :class:`RateLimiter`, :class:`Bucket` and the ``x-ratelimit-*`` headers. Limits follow
GitHub: 5,000/hour for a user token, 1,000 for ``GITHUB_TOKEN`` (the bot), 60 unauthenticated (one
bucket for all anonymous callers), 5,000 for a GitHub App's installation, shared by its tokens (the
least GitHub gives one; see ``EmulatorState.bucket_of``). Buckets are kept per ``resource``
(REST's is ``core``), so another protocol served from the same state keeps its own budget, as
GitHub's GraphQL API does.
Windows follow the emulator's clock (:meth:`.clock.Clock.wall`): advancing it an hour refills them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ANONYMOUS_LIMIT", "INSTALLATION_LIMIT", "Bucket", "RateLimiter", "limit_for"]

USER_LIMIT = 5000
INSTALLATION_LIMIT = 5000
BOT_LIMIT = 1000
ANONYMOUS_LIMIT = 60
WINDOW = 3600


def limit_for(user_type: str | None) -> int:
    """The hourly limit for a caller of this type (None = anonymous)."""
    if user_type is None:
        return ANONYMOUS_LIMIT
    return BOT_LIMIT if user_type == "Bot" else USER_LIMIT


@dataclass
class Bucket:
    limit: int
    used: int
    reset: int
    resource: str = "core"

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-resource": self.resource,
        }

    def json(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "reset": self.reset,
            "resource": self.resource,
        }


class RateLimiter:
    def __init__(self, wall: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self._wall = wall
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def _bucket(self, key: str, limit: int, resource: str) -> Bucket:
        now = int(self._wall())
        bucket = self._buckets.get((resource, key))
        if bucket is None or now >= bucket.reset:
            bucket = Bucket(limit, 0, now + WINDOW, resource)
            self._buckets[(resource, key)] = bucket
        return bucket

    def peek(self, key: str, limit: int, resource: str = "core") -> Bucket:
        """A copy of the bucket's current state."""
        with self._lock:
            bucket = self._bucket(key, limit, resource)
            return Bucket(bucket.limit, bucket.used, bucket.reset, resource)

    def consume(self, key: str, limit: int, resource: str = "core", cost: int = 1) -> Bucket:
        """Count one request (``cost`` units); returns the state after counting."""
        with self._lock:
            bucket = self._bucket(key, limit, resource)
            bucket.used += cost
            return Bucket(bucket.limit, bucket.used, bucket.reset, resource)

    def set_remaining(self, key: str, limit: int, remaining: int, resource: str = "core") -> None:
        with self._lock:
            bucket = self._bucket(key, limit, resource)
            bucket.used = max(0, limit - remaining)
