"""The action names its version: first in the log, in the step summary, in every request."""

from __future__ import annotations

from pathlib import Path

import pytest

from gh_store import __version__
from gh_store.emulator import GitHubEmulator

from .conftest import Harness


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_the_action_names_its_version_in_log_summary_and_requests(
    gh: GitHubEmulator, tmp_path: Path, api: str
) -> None:
    harness = Harness(gh, tmp_path)
    number = harness.seed_object("a", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    run = harness.run("schedule", {}, api=api)
    assert run.exit_code == 0
    # first after the token's mask, which must come before anything else
    assert run.stdout.splitlines()[1] == f"gh-store {__version__}"
    assert run.summary.rstrip().endswith(f"<sub>gh-store {__version__}</sub>")
    assert gh.issue(number)["state"] == "closed"
    assert {r.user_agent for r in gh.requests} == {f"gh-store/{__version__}"}
