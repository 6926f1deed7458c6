"""A processing run killed (SIGKILL) at every request, then a rerun: the object converges.

The run is a separate process (``kill_driver.py``). Request k is held by the emulator
(``inject(delay=30, drop=True, skip=k)``: it never takes effect); once the emulator has taken it,
the process is killed. The server then holds exactly requests 0..k-1, which is every state a
kill can leave (a kill after request k landed leaves the same state as one while k+1 hangs). A
rerun in this process must end where a clean run does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue

from ._scenario import CLEAN_RUN_REQUESTS, assert_converged, seed_scenario
from ._support import make_transport, quiet_config

# A process is killed mid-request: the emulator is served over HTTP.
pytestmark = pytest.mark.http

CONFIG = quiet_config()
DRIVER = Path(__file__).with_name("kill_driver.py")
ROOT = Path(__file__).resolve().parents[2]
#: How long to wait for the process to reach request k: a bound on a hang, not a measurement.
REACH_TIMEOUT = 60.0


def _start(gh: GitHubEmulator, number: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(DRIVER), gh.url, gh.bot_token, gh.repo, str(number)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_driver_alone_makes_the_clean_run(gh: GitHubEmulator) -> None:
    scenario = seed_scenario(gh, CONFIG, "driver")
    gh.clear_requests()
    process = _start(gh, scenario.number)
    out, err = process.communicate(timeout=REACH_TIMEOUT)
    assert process.returncode == 0, err
    assert len(gh.requests) == CLEAN_RUN_REQUESTS
    assert '"version_after": 4' in out
    with make_transport(gh) as transport:
        assert_converged(gh, CONFIG, scenario, transport)


def test_kill_at_every_request_then_rerun_converges(gh: GitHubEmulator) -> None:
    with make_transport(gh) as transport:
        for k in range(CLEAN_RUN_REQUESTS):
            scenario = seed_scenario(gh, CONFIG, f"kill-{k}")
            gh.clear_requests()
            hold = gh.inject(status=None, delay=30, drop=True, skip=k)
            process = _start(gh, scenario.number)
            try:
                deadline = time.monotonic() + REACH_TIMEOUT
                while hold.applied == 0 and process.poll() is None:
                    assert time.monotonic() < deadline, f"the run never reached request {k}"
                    time.sleep(0.01)
                assert process.poll() is None, f"the run ended before request {k}"
            finally:
                process.kill()
                process.communicate()
            assert process.returncode == -9
            gh.clear_faults()
            completed = gh.requests
            assert len(completed) == k, f"killed at request {k}, the server saw {completed}"

            process_issue(transport, CONFIG, scenario.number)
            assert_converged(gh, CONFIG, scenario, transport)
