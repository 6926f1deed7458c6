"""One implementation against one fresh emulator: set-up at zero latency, measured calls at 20 ms.

A ``Session`` starts the emulator and the driver, opens the driver's stores (not measured), and
``measure`` times one driver call while counting the requests the emulator saw during it only.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from gh_store.emulator import GitHubEmulator, RecordedRequest

from .drivers import DriverProcess, Implementation, Reply

__all__ = ["LATENCY", "REPO", "Measurement", "Session"]

REPO = "octo/store"
#: Emulator latency per request while measuring: a round trip to api.github.com is rarely less.
LATENCY = 0.02
_READS = ("GET", "HEAD")


@dataclass(frozen=True)
class Measurement:
    seconds: float
    reads: int
    writes: int

    @property
    def total(self) -> int:
        return self.reads + self.writes

    @classmethod
    def of(cls, seconds: float, requests: list[RecordedRequest]) -> Measurement:
        reads = sum(1 for request in requests if request.method in _READS)
        return cls(seconds=seconds, reads=reads, writes=len(requests) - reads)


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
        emulator.latency = LATENCY
        try:
            reply = self.driver.call(op, throttle=throttle, **arguments)
        finally:
            emulator.latency = 0.0
        return Measurement.of(reply.seconds, list(emulator.requests)), reply

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
