"""Shared fixtures: ``gh``, a GitHub emulator of ``octo/store`` (``gh_store.emulator``).

Most tests reach it in-process (``gh.client_options()`` hands out its in-process transport: no
thread, no socket); the store's and the processor's suites run over both adapters, in-process and
real HTTP, as tinydb runs its table tests over two storages; a test marked ``http`` (it starts a
process, or is about HTTP itself) gets a served emulator only. The emulator's own suite
(``tests/emulator``) chooses its adapters itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gh_store.emulator import GitHubEmulator

#: Suites that run over both adapters.
BOTH_ADAPTERS = ("tests/store/", "tests/processor/")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "http: needs the emulator served over real HTTP")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    path = metafunc.definition.path.as_posix()
    if "adapter" not in metafunc.fixturenames or "tests/emulator/" in path:
        return
    if metafunc.definition.get_closest_marker("http") is not None:
        adapters = ["http"]
    elif any(suite in path for suite in BOTH_ADAPTERS):
        adapters = ["in-process", "http"]
    else:
        adapters = ["in-process"]
    metafunc.parametrize("adapter", adapters)


@pytest.fixture
def gh(adapter: str) -> Iterator[GitHubEmulator]:
    """A fresh emulator of the public repository ``octo/store`` (owner ``octo``), no latency."""
    with GitHubEmulator(repo="octo/store", serve=adapter == "http") as emulator:
        yield emulator
