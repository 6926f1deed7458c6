"""Helpers for the emulator's own tests: a raw HTTP caller over ``requests``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from gh_store.emulator import GitHubEmulator

Call = Callable[..., requests.Response]


@pytest.fixture
def call(gh: GitHubEmulator) -> Call:
    """``call(method, path, token=..., json=..., headers=..., params=...)`` against ``gh``.

    ``token`` defaults to the owner's; pass ``token=None`` for an anonymous request.
    """
    session = requests.Session()
    sentinel = object()

    def _call(
        method: str,
        path: str,
        token: Any = sentinel,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        chosen = gh.owner_token if token is sentinel else token
        if chosen is not None:
            sent["Authorization"] = f"token {chosen}"
        url = path if path.startswith("http") else gh.url + path
        return session.request(method, url, json=json, headers=sent, params=params, timeout=10)

    return _call
