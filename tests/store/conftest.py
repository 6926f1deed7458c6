"""Fixtures for the store's tests: a config that never sleeps, stores for several callers, and a
raw HTTP helper for what the store must not do itself (edit or delete a comment, react).

Every store test runs over both transports (``api``: ``store.api`` of the stores it makes), as
over both adapters of the emulator: the same objects and answers, different requests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from gh_store.client import GitHubStore
from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig
from gh_store.emulator import GitHubEmulator

#: No pacing and no backoff, so tests never sleep; 3 attempts so each retry path is taken.
FAST = dataclasses.replace(
    StoreConfig(),
    rate_limit=RateLimitConfig(min_write_interval=0),
    retries=RetryConfig(max_attempts=3, backoff_factor=0),
)

MakeStore = Callable[..., GitHubStore]
Call = Callable[..., httpx2.Response]


@pytest.fixture(params=["rest", "graphql"])
def api(request: pytest.FixtureRequest) -> str:
    """The ``store.api`` of the stores ``make_store`` makes."""
    return str(request.param)


@pytest.fixture
def make_store(gh: GitHubEmulator, api: str) -> Iterator[MakeStore]:
    """``make_store(token=<owner>, **kwargs)``: a store on ``gh``, closed after the test."""
    made: list[GitHubStore] = []
    sentinel = object()

    def make(token: Any = sentinel, **kwargs: Any) -> GitHubStore:
        chosen = gh.owner_token if token is sentinel else token
        # A store without a token can only read over REST: GraphQL takes no anonymous calls.
        kwargs.setdefault("config", dataclasses.replace(FAST, api=api if chosen else "auto"))
        options = {**gh.client_options(), **kwargs}
        store = GitHubStore(chosen, gh.repo, **options)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> GitHubStore:
    """A store writing as the repository owner."""
    return make_store()


@pytest.fixture
def call(gh: GitHubEmulator) -> Iterator[Call]:
    """``call(method, path, token, json=None)``: one raw request to ``gh`` as ``token``."""
    options = gh.client_options()
    session = httpx2.Client(base_url=options["api_url"], transport=options["http_transport"])

    def _call(method: str, path: str, token: str, json: Any = None) -> httpx2.Response:
        headers = {"Authorization": f"token {token}"}
        response = session.request(method, path, json=json, headers=headers, timeout=10)
        assert response.status_code < 300, response.text
        return response

    yield _call
    session.close()


@pytest.fixture
def later_clock(gh: GitHubEmulator) -> Callable[[int], None]:
    """``later(seconds)``: move the emulator's clock forward (its times have whole seconds)."""
    return gh.advance_clock
