"""Rate limits and dropped connections at every request of a processing run, then a rerun.

For each request index k of the scenario's clean run (11 requests), request k is answered with
one fault. With retries the run completes by retrying: exactly one request more than a clean run,
and the transport's one wait is the one GitHub asked for (recorded, never slept). With retries
exhausted (one attempt) the run fails with a gh-store error, and a rerun converges. Either way the
object ends as each trusted update applied once. 503s and responses lost after a write are in
``tests/processor``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gh_store.core.exceptions import GitHubAPIError, RateLimitError
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue

from ._scenario import CLEAN_RUN_REQUESTS, assert_converged, seed_scenario
from ._support import RecordedSleep, make_transport, quiet_config

CONFIG = quiet_config()

Inject = Callable[[GitHubEmulator, int], None]


def _429(gh: GitHubEmulator, k: int) -> None:
    gh.inject(status=429, retry_after=5, skip=k)


def _secondary_403_with_retry_after(gh: GitHubEmulator, k: int) -> None:
    gh.inject(status=403, retry_after=7, skip=k)


def _secondary_403_without_retry_after(gh: GitHubEmulator, k: int) -> None:
    gh.inject(status=403, skip=k)


def _dropped_connection(gh: GitHubEmulator, k: int) -> None:
    gh.inject(status=None, drop=True, skip=k)


# The wait the transport must take before its one retry (GitHub's rules in GITHUB-FACTS.md):
# Retry-After when sent; a secondary limit without it waits a minute; a lost connection backs off
# by the configured factor (0 here).
FAULTS: dict[str, tuple[Inject, float, type[Exception]]] = {
    "429 retry-after 5": (_429, 5.0, RateLimitError),
    "403 secondary, retry-after 7": (_secondary_403_with_retry_after, 7.0, RateLimitError),
    "403 secondary, no retry-after": (_secondary_403_without_retry_after, 60.0, RateLimitError),
    "dropped connection": (_dropped_connection, 0.0, GitHubAPIError),
}


def test_clean_run_request_count(gh: GitHubEmulator) -> None:
    scenario = seed_scenario(gh, CONFIG, "clean")
    gh.clear_requests()
    with make_transport(gh) as transport:
        report = process_issue(transport, CONFIG, scenario.number)
        assert len(gh.requests) == CLEAN_RUN_REQUESTS == transport.requests_made
        assert len(report.applied) == 3 and len(report.untrusted) == 1
        assert_converged(gh, CONFIG, scenario, transport)


@pytest.mark.parametrize("kind", FAULTS)
def test_fault_at_every_request_is_retried_and_the_run_completes(
    gh: GitHubEmulator, kind: str
) -> None:
    inject, wait, _ = FAULTS[kind]
    sleep = RecordedSleep()
    with make_transport(gh, sleep=sleep) as transport:
        for k in range(CLEAN_RUN_REQUESTS):
            scenario = seed_scenario(gh, CONFIG, f"retry-{k}")
            gh.clear_requests()
            sleep.waits.clear()
            inject(gh, k)
            process_issue(transport, CONFIG, scenario.number)
            statuses = [r.status for r in gh.requests]
            assert len(statuses) == CLEAN_RUN_REQUESTS + 1, f"fault at request {k}: {statuses}"
            # The retry succeeds: 2xx, or 304 for what this transport read in an earlier run.
            assert statuses[k] in (0, 403, 429) and (
                statuses[k + 1] < 300 or statuses[k + 1] == 304
            )
            assert sleep.waits == [wait], f"fault at request {k}"
            assert_converged(gh, CONFIG, scenario, transport)


@pytest.mark.parametrize("kind", FAULTS)
def test_fault_with_retries_exhausted_fails_cleanly_and_a_rerun_converges(
    gh: GitHubEmulator, kind: str
) -> None:
    inject, _, error = FAULTS[kind]
    with make_transport(gh, max_attempts=1) as one_try, make_transport(gh) as transport:
        for k in range(CLEAN_RUN_REQUESTS):
            scenario = seed_scenario(gh, CONFIG, f"exhausted-{k}")
            gh.clear_requests()
            inject(gh, k)
            with pytest.raises(error):
                process_issue(one_try, CONFIG, scenario.number)
            assert len(gh.requests) == k + 1, f"the run must stop at the failed request {k}"
            process_issue(transport, CONFIG, scenario.number)
            assert_converged(gh, CONFIG, scenario, transport)
