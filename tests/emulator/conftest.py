"""The emulator's own tests run over both adapters, as tinydb runs its table tests over two
storages.

``adapter`` is ``"http"`` or ``"in-process"`` (see :mod:`.adapters`); ``gh``, ``client`` and
``call`` follow it, so every test in this folder that uses them runs twice. Tests that only make
sense over HTTP (PyGithub, the command line) define their own ``gh``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator

from .adapters import ADAPTERS, Call, caller, client_for, emulator


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def gh(adapter: str) -> Iterator[GitHubEmulator]:
    """A fresh emulator of the public repository ``octo/store``, reached through ``adapter``."""
    with emulator(adapter, repo="octo/store") as fresh:
        yield fresh


@pytest.fixture
def client(gh: GitHubEmulator, adapter: str) -> Iterator[httpx2.Client]:
    with client_for(gh, adapter) as made:
        yield made


@pytest.fixture
def call(gh: GitHubEmulator, client: httpx2.Client) -> Call:
    return caller(gh, client)
