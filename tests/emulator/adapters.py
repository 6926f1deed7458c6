"""The two ways the emulator's tests reach it: ``"http"`` (a started server, real sockets) and
``"in-process"`` (no server: ``httpx2.Client(transport=gh.http_transport())``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

from gh_store.emulator import GitHubEmulator

__all__ = ["ADAPTERS", "Call", "caller", "client_for", "emulator"]

Call = Callable[..., httpx2.Response]
ADAPTERS = ("http", "in-process")


def client_for(gh: GitHubEmulator, adapter: str) -> httpx2.Client:
    """A plain httpx2 client that reaches ``gh`` through ``adapter``."""
    if adapter == "http":
        return httpx2.Client(timeout=10)
    return httpx2.Client(transport=gh.http_transport(), timeout=10)


@contextmanager
def emulator(adapter: str, **kwargs: Any) -> Iterator[GitHubEmulator]:
    """A fresh emulator reachable through ``adapter`` (served only for ``http``)."""
    with GitHubEmulator(serve=adapter == "http", **kwargs) as gh:
        yield gh


def caller(gh: GitHubEmulator, client: httpx2.Client) -> Call:
    """``call(method, path, token=..., json=..., headers=..., params=..., content=...)``.

    ``token`` defaults to the owner's; pass ``token=None`` for an anonymous request. ``path`` may
    be a full URL (a ``Link`` header's).
    """
    sentinel = object()

    def _call(
        method: str,
        path: str,
        token: Any = sentinel,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
    ) -> httpx2.Response:
        sent = dict(headers or {})
        chosen = gh.owner_token if token is sentinel else token
        if chosen is not None:
            sent["Authorization"] = f"token {chosen}"
        url = path if path.startswith("http") else gh.url + path
        if content is not None:
            return client.request(method, url, content=content, headers=sent, params=params)
        return client.request(method, url, json=json, headers=sent, params=params)

    return _call
