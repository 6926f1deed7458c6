"""Fixtures for the processor tests: ``repo``, the emulator with a ticking clock and a few users;
``api``, the transport each executor test runs over (REST and GraphQL: the same suite for both)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gh_store.emulator import GitHubEmulator

from .support import APIS, install_ticking_clock, use_api

#: Modules that choose their transports themselves: planning needs none (one run is enough),
#: GraphQL's costs only GraphQL, and the crash points depend on the transport.
_ONE_API = {"test_plan.py": ["rest"], "test_graphql_costs.py": ["graphql"]}
_OWN_CHOICE = ("test_crash.py",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.definition.path.name
    if "api" in metafunc.fixturenames and module not in _OWN_CHOICE:
        metafunc.parametrize("api", _ONE_API.get(module, list(APIS)), indirect=True)


@pytest.fixture(autouse=True)
def api(request: pytest.FixtureRequest) -> Iterator[str]:
    """The API ``support.transport_for`` builds a transport for, in this test."""
    chosen = str(request.param)
    use_api(chosen)
    yield chosen
    use_api("rest")


@pytest.fixture
def repo(gh: GitHubEmulator) -> GitHubEmulator:
    """``gh`` whose clock ticks a second per event, with alice (write) and rita (read) known."""
    install_ticking_clock(gh)
    gh.set_permission("alice", "write")
    gh.set_permission("rita", "read")
    return gh
