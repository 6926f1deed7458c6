"""Fixtures for the processor tests: ``repo``, the emulator with a ticking clock and a few users."""

from __future__ import annotations

import pytest

from gh_store.emulator import GitHubEmulator

from .support import install_ticking_clock


@pytest.fixture
def repo(gh: GitHubEmulator) -> GitHubEmulator:
    """``gh`` whose clock ticks a second per event, with alice (write) and rita (read) known."""
    install_ticking_clock(gh)
    gh.set_permission("alice", "write")
    gh.set_permission("rita", "read")
    return gh
