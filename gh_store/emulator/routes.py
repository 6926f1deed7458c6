"""The REST router: method + path regex -> handler and GitHub operation, and paging.

Owns :class:`Router` (each route names the operation
of GitHub's OpenAPI description it implements, e.g. ``issues/get``, so request checks and the
fidelity tests can look the operation up) and :func:`paginate` (GitHub's ``per_page``/``page`` with
its exact ``Link`` header format). Handlers are plain functions; they know nothing of sockets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import unquote, urlencode

from .errors import invalid_request
from .exchange import Exchange, Response

__all__ = ["Handler", "Route", "Router", "int_query", "paginate"]

T = TypeVar("T")


def int_query(request: Exchange, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid_request(f"For '{name}', {raw!r} is not an integer.") from None


Handler = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    """``operation`` is the operationId in GitHub's OpenAPI description."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    operation: str


class Router:
    """Routes by method and full-match regex; named groups are URL-decoded and passed as
    keywords."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, operation: str) -> None:
        self._routes.append(Route(method.upper(), re.compile(pattern), handler, operation))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found and route.method == method.upper():
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def describe(self) -> list[str]:
        return [f"{r.method} {r.pattern.pattern} ({r.operation})" for r in self._routes]


def paginate(
    request: Exchange, items: Sequence[T], default_per_page: int = 30
) -> tuple[list[T], dict[str, str]]:
    """The requested page of ``items`` and a ``Link`` header like GitHub's (prev, next, last,
    first).

    ``per_page`` is capped at 100; a page past the end is an empty list.
    """
    per_page = max(1, min(100, int_query(request, "per_page", default_per_page)))
    page = max(1, int_query(request, "page", 1))
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
