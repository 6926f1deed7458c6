"""Runs over many objects, and reads repeated: what users of the original built around it.

* Catch-up over ``objects`` objects, each with one pending update on its open issue (as an
  update leaves it). Ours: one ``process_all()``. The original has no such call; its users
  listed the open object issues with PyGithub and called ``process_updates`` on each, and that
  loop is what its driver measures.
* ``reads`` ``get()`` of one unchanged object in a row. Ours sends conditional requests, which
  GitHub answers ``304`` without counting them against the rate limit; the original sends plain
  ones. The original's ``get`` finds open issues only, so it reads the object on its reopened
  issue (reopened by the harness, not counted).

Set-up is not measured (no latency, throttling off); measured at 20 ms per request.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gh_store.core.body import decode_body

from .drivers import Implementation
from .session import Session
from .workloads import INITIAL_DATA, expected_final, update_body

__all__ = ["CatchUpResult", "RepeatedReadsResult", "run_catch_up", "run_repeated_reads"]


@dataclass(frozen=True)
class CatchUpResult:
    implementation: str
    objects: int
    seconds: float
    reads: int
    writes: int
    correct: int  # objects whose body holds the expected data afterwards

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.reads + self.writes}


@dataclass(frozen=True)
class RepeatedReadsResult:
    implementation: str
    reads: int  # get() calls
    seconds: float
    requests: int
    counted: int  # requests GitHub counts against the rate limit (every answer but 304)
    note: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_catch_up(
    implementation: Implementation, objects: int, *, log_path: Path, config_path: Path
) -> CatchUpResult:
    with Session(implementation, log_path, ("off",), config_path) as session:
        gh = session.emulator
        numbers = []
        for index in range(objects):
            created = session.setup("create", object_id=f"many-{index}", data=INITIAL_DATA)
            number = int(created.result["issue_number"])
            gh.seed_comment(number, update_body(1))
            session.reopen(number)  # as an update leaves it: open, one comment pending
            numbers.append(number)
        measurement, _ = session.measure("catch_up", "off")
        expected = expected_final(1)
        correct = sum(1 for n in numbers if decode_body(gh.issue(n)["body"]).data == expected)
    return CatchUpResult(
        implementation=implementation.name,
        objects=objects,
        seconds=measurement.seconds,
        reads=measurement.reads,
        writes=measurement.writes,
        correct=correct,
    )


def run_repeated_reads(
    implementation: Implementation, reads: int, *, log_path: Path, config_path: Path
) -> RepeatedReadsResult:
    with Session(implementation, log_path, ("off",), config_path) as session:
        created = session.setup("create", object_id="read-me", data=INITIAL_DATA)
        note = ""
        if implementation.name == "original":
            session.reopen(int(created.result["issue_number"]))
            note = "its get finds open issues only: read on the reopened issue"
        measurement, _ = session.measure("get_many", "off", object_id="read-me", times=reads)
        statuses = [r.status for r in session.emulator.requests]
    return RepeatedReadsResult(
        implementation=implementation.name,
        reads=reads,
        seconds=measurement.seconds,
        requests=len(statuses),
        counted=sum(1 for status in statuses if status != 304),
        note=note,
    )
