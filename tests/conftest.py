"""Shared fixtures: ``gh``, a started GitHub emulator of ``octo/store`` (``gh_store.emulator``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gh_store.emulator import GitHubEmulator


@pytest.fixture
def gh() -> Iterator[GitHubEmulator]:
    """A fresh emulator of the public repository ``octo/store`` (owner ``octo``), no latency."""
    with GitHubEmulator(repo="octo/store") as emulator:
        emulator.latency = 0.0
        yield emulator
