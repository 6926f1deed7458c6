"""The torture test (issue 9.12): seeded schedules of writers, outsiders and overlapping, crashing
processors; after each, the object is the serial fold and every mark is right.

``make test`` runs a few dozen schedules; ``make torture`` thousands
(``GH_STORE_TORTURE_SCHEDULES``). A failure names its seed; ``GH_STORE_TORTURE_SEED=<seed>``
replays that one schedule.
"""

from __future__ import annotations

import os

import pytest

from gh_store.emulator import GitHubEmulator

from .schedule import run_schedule

FIRST_SEED = int(os.environ.get("GH_STORE_TORTURE_FIRST_SEED", "0"))
COUNT = int(os.environ.get("GH_STORE_TORTURE_SCHEDULES", "30"))
ONLY = os.environ.get("GH_STORE_TORTURE_SEED")
SEEDS = [int(ONLY)] if ONLY else list(range(FIRST_SEED, FIRST_SEED + COUNT))


@pytest.mark.parametrize("api", ["rest", "graphql"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_schedule_converges_to_the_serial_fold(seed: int, api: str) -> None:
    with GitHubEmulator(repo="octo/store", serve=False) as gh:  # in-process: no socket
        counts = run_schedule(gh, seed, api=api)
    assert counts["runs"] >= 0 and counts["requests"] > 0


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_the_schedules_really_overlap_and_crash(api: str) -> None:
    # Over the quick set, runs overlapped and died: the property was tried where it is hard.
    crashed = runs = 0
    for seed in range(8):
        with GitHubEmulator(repo="octo/store", serve=False) as gh:
            counts = run_schedule(gh, seed, api=api)
        crashed, runs = crashed + counts["crashed"], runs + counts["runs"]
    assert runs >= 8 and crashed >= 2, (runs, crashed)
