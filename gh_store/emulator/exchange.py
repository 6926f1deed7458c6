"""The values one request passes through, from the wire to a protocol and back.

Owns :class:`HttpRequest` and :class:`HttpAnswer` (bytes in, bytes out: what an adapter hands to
:func:`~.handler.handle` and gets back), :class:`Exchange` (the request parsed once for every
protocol: path, query, JSON body, the caller, the base URL it was sent to) and :class:`Response`
(a protocol's answer as JSON, before encoding).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .hooks import RequestInfo
from .records import User

__all__ = ["Exchange", "HttpAnswer", "HttpRequest", "Response"]


@dataclass(frozen=True)
class HttpRequest:
    """A request as it arrived: ``target`` is the path with its query, as sent; header names in
    any case (``Host`` says which base URL the answer's links use)."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""
    scheme: str = "http"


@dataclass(frozen=True)
class HttpAnswer:
    """What to send back; ``dropped`` means close the connection without answering."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    dropped: bool = False

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Response:
    """A protocol's answer: HTTP status, a JSON-able body (None = no body), extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exchange:
    """One request, parsed.

    ``path`` is as sent, without the query (and without a GitHub Enterprise ``/api/v3`` prefix);
    ``headers`` have lower-case names; ``body`` is the parsed JSON (None if absent, ``null`` or
    not JSON: ``sent_body`` and ``bad_json`` tell them apart); ``user`` is None for anonymous
    callers and unknown tokens (``token`` tells them apart); ``base_url`` is the API root the
    request was sent to, for the links in answers; ``arrived`` the request log's generation when it
    arrived (``requestlog.py``).
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    sent_body: bool
    bad_json: bool
    token: str | None
    user: User | None
    base_url: str
    arrived: int = 0

    def info(self) -> RequestInfo:
        return RequestInfo(
            self.method,
            self.path,
            dict(self.query),
            self.user.login if self.user else None,
            self.body,
        )
