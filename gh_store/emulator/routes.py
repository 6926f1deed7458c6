"""The router: method + path regex -> handler, and the request/response values handlers see.

Owns :class:`Request`, :class:`Response`, :class:`Router` and :func:`paginate` (GitHub's
``per_page``/``page`` with its exact ``Link`` header format). Handlers are plain functions of a
:class:`Request` and the path's named groups; they know nothing of sockets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlencode

from .errors import invalid_request
from .state import User

__all__ = ["Handler", "Request", "Response", "Router", "paginate"]

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """One parsed request: ``path`` without query string, the caller (None = anonymous)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    user: User | None
    base_url: str

    def int_query(self, name: str, default: int) -> int:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise invalid_request(f"For '{name}', {raw!r} is not an integer.") from None

    def body_dict(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise invalid_request("Body should be a JSON object")
        return self.body


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able; None = no body
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., Response]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    """Routes by method and full-match regex; named groups are URL-decoded and passed as
    keywords."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append(_Route(method.upper(), re.compile(pattern), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found and route.method == method.upper():
                return route.handler, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def describe(self) -> list[str]:
        return [f"{r.method} {r.pattern.pattern}" for r in self._routes]


def paginate(
    request: Request, items: Sequence[T], default_per_page: int = 30
) -> tuple[list[T], dict[str, str]]:
    """The requested page of ``items`` and a ``Link`` header like GitHub's (prev, next, last,
    first).

    ``per_page`` is capped at 100; a page past the end is an empty list.
    """
    per_page = max(1, min(100, request.int_query("per_page", default_per_page)))
    page = max(1, request.int_query("page", 1))
    last = max(1, -(-len(items) // per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])
    if not items:
        return chunk, {}

    def link(number: int, rel: str) -> str:
        query = {k: v for k, v in request.query.items() if k != "page"}
        query["page"] = str(number)
        return f'<{request.base_url}{request.path}?{urlencode(sorted(query.items()))}>; rel="{rel}"'

    links: list[str] = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
        links.append(link(last, "last"))
    if page > 1:
        links.append(link(1, "first"))
    return chunk, ({"Link": ", ".join(links)} if links else {})
