"""One implementation against one fresh emulator: set-up at zero latency, measured calls at 20 ms.

A ``Session`` starts the emulator and the driver, opens the driver's stores (not measured), and
``measure`` times one driver call while counting the requests the emulator saw during it only:
reads (REST ``GET``s and GraphQL queries), writes (REST writes and GraphQL requests with
mutations), and the GraphQL points the token used (GraphQL's budget is its own).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from gh_store.emulator import GitHubEmulator, RecordedRequest
from gh_store.emulator.graphql_schema import github_schema

from .drivers import DriverProcess, Implementation, Reply

__all__ = ["LATENCY", "REPO", "Measurement", "Session"]

REPO = "octo/store"
#: Emulator latency per request while measuring: a round trip to api.github.com is rarely less.
LATENCY = 0.02


@dataclass(frozen=True)
class Measurement:
    seconds: float
    reads: int
    writes: int
    points: int = 0  # GraphQL points
    graphql: int = 0  # of the requests, those to the GraphQL endpoint

    @property
    def total(self) -> int:
        return self.reads + self.writes

    @classmethod
    def of(cls, seconds: float, requests: list[RecordedRequest], points: int = 0) -> Measurement:
        writes = sum(1 for request in requests if request.mutates)
        graphql = sum(1 for request in requests if request.path.endswith("/graphql"))
        return cls(seconds, len(requests) - writes, writes, points, graphql)


class Session:
    def __init__(
        self,
        implementation: Implementation,
        log_path: Path,
        throttles: tuple[str, ...],
        config_path: Path,
    ) -> None:
        self.emulator = GitHubEmulator(repo=REPO)
        self.emulator.start()
        # The emulator builds GitHub's GraphQL schema on its first GraphQL request, once per
        # process (about half a second): here, in set-up, so that no measurement pays for it.
        github_schema()
        self.emulator.latency = 0.0
        # Set-up posts hundreds of comments at machine speed; GitHub allows about 80 a minute,
        # so real comments are seconds apart. The ticking clock spaces them a second apart, as
        # GitHub would at the least; at machine speed, 300 comments stamped in one second would
        # all be listed again by our `since` filter (see docs/benchmarks.md).
        self.emulator.use_ticking_clock()
        self.driver = DriverProcess(implementation, log_path)
        try:
            for throttle in dict.fromkeys(("off", *throttles)):
                self.driver.call(
                    "open",
                    throttle=throttle,
                    repo=REPO,
                    token=self.emulator.owner_token,
                    api_url=self.emulator.url,
                    config_path=str(config_path),
                )
        except BaseException:
            self.close()
            raise

    def setup(self, op: str, **arguments: Any) -> Reply:
        """A call that prepares a measurement: throttling off, no latency, not counted."""
        return self.driver.call(op, throttle="off", **arguments)

    def measure(self, op: str, throttle: str, **arguments: Any) -> tuple[Measurement, Reply]:
        emulator = self.emulator
        emulator.clear_requests()
        points = emulator.rate_limit(emulator.owner_token, "graphql")["used"]
        emulator.latency = LATENCY
        try:
            reply = self.driver.call(op, throttle=throttle, **arguments)
        finally:
            emulator.latency = 0.0
        points = emulator.rate_limit(emulator.owner_token, "graphql")["used"] - points
        return Measurement.of(reply.seconds, list(emulator.requests), points), reply

    def reopen(self, issue_number: int) -> None:
        """Reopen an issue as its owner would on github.com (set-up: not counted)."""
        request = urllib.request.Request(
            f"{self.emulator.url}/repos/{REPO}/issues/{issue_number}",
            data=json.dumps({"state": "open"}).encode(),
            method="PATCH",
            headers={"Authorization": f"token {self.emulator.owner_token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def close(self) -> None:
        try:
            if hasattr(self, "driver"):
                self.driver.close()
        finally:
            self.emulator.stop()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
