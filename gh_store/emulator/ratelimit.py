"""Primary rate limits: one hourly bucket per token (one for all anonymous callers).

Owns :class:`RateLimiter` and the ``x-ratelimit-*`` headers. Limits follow GitHub: 5,000/hour for a
user token, 1,000 for ``GITHUB_TOKEN`` (the bot), 60 unauthenticated.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["Bucket", "RateLimiter", "limit_for"]

USER_LIMIT = 5000
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

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-resource": "core",
        }

    def json(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "reset": self.reset,
            "resource": "core",
        }


class RateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, Bucket] = {}

    def _bucket(self, key: str, limit: int) -> Bucket:
        now = int(time.time())
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.reset:
            bucket = Bucket(limit, 0, now + WINDOW)
            self._buckets[key] = bucket
        return bucket

    def peek(self, key: str, limit: int) -> Bucket:
        """A copy of the bucket's current state."""
        with self._lock:
            bucket = self._bucket(key, limit)
            return Bucket(bucket.limit, bucket.used, bucket.reset)

    def consume(self, key: str, limit: int) -> Bucket:
        """Count one request; returns the state after counting."""
        with self._lock:
            bucket = self._bucket(key, limit)
            bucket.used += 1
            return Bucket(bucket.limit, bucket.used, bucket.reset)

    def set_remaining(self, key: str, limit: int, remaining: int) -> None:
        with self._lock:
            bucket = self._bucket(key, limit)
            bucket.used = max(0, limit - remaining)
