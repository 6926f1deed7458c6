"""What both adapters (REST and GraphQL) do with an HTTP answer, or with its absence.

Owns :func:`decode` (the JSON of an answer, its text when it is not JSON, None when empty),
:func:`header_int` (a number header such as ``x-ratelimit-remaining``), :func:`header_time` (the
``Date`` header: GitHub's clock, not this machine's) and :func:`no_answer`
(the message for a request that got none; it lives with the pure policy), so that both adapters
read GitHub's answers and word a lost connection alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2

from .policy import no_answer

__all__ = ["decode", "header_int", "header_time", "no_answer"]


def decode(response: httpx2.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def header_int(text: str | None, default: int | None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def header_time(text: str | None) -> datetime | None:
    """An HTTP date (``Date: Mon, 07 Dec 2026 22:47:01 GMT``) as an aware datetime, else None."""
    if not text or len(text) > 64:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
