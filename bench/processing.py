"""The processing benchmark: one workload, one implementation, one throttling mode.

Set-up (not measured, throttling off, no latency): the implementation creates the object with its
own client, the harness posts ``applied`` updates as the repository owner and the implementation
processes them, then the harness posts the ``pending`` ones. Measured: one ``process_updates``.
Afterwards the issue body is read back and compared with the hand-merged expectation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gh_store.core.body import decode_body

from .drivers import Implementation
from .session import Session
from .workloads import INITIAL_DATA, Workload, expected_final, update_body

__all__ = ["ProcessingResult", "run_processing"]

OBJECT_ID = "bench-object"


@dataclass(frozen=True)
class ProcessingResult:
    implementation: str
    workload: str
    pending: int
    applied: int
    throttle: str
    seconds: float
    reads: int
    writes: int
    points: int  # GraphQL points (0 over REST)
    graphql: int  # of the requests, GraphQL ones (the rest went to the REST budget)
    correct: bool  # the issue body holds exactly the expected object
    marked: int  # pending update comments that carry a +1 afterwards
    problem: str  # what differs, when not correct

    @property
    def total(self) -> int:
        return self.reads + self.writes

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total}


def run_processing(
    implementation: Implementation,
    workload: Workload,
    throttle: str,
    *,
    log_path: Path,
    config_path: Path,
) -> ProcessingResult:
    with Session(implementation, log_path, (throttle,), config_path) as session:
        gh = session.emulator
        number = int(
            session.setup("create", object_id=OBJECT_ID, data=INITIAL_DATA).result["issue_number"]
        )
        for index in range(1, workload.applied + 1):
            gh.seed_comment(number, update_body(index))
        if workload.applied:
            session.setup("process", issue_number=number)
        first = workload.applied + 1
        pending_ids = [
            gh.seed_comment(number, update_body(index))
            for index in range(first, first + workload.pending)
        ]
        measurement, _ = session.measure("process", throttle, issue_number=number)
        final = decode_body(gh.issue(number)["body"]).data
        expected = expected_final(workload.applied + workload.pending)
        marked = sum(
            1
            for comment_id in pending_ids
            if any(r["content"] == "+1" for r in gh.reactions(comment_id))
        )
    return ProcessingResult(
        implementation=implementation.name,
        workload=workload.name,
        pending=workload.pending,
        applied=workload.applied,
        throttle=throttle,
        seconds=measurement.seconds,
        reads=measurement.reads,
        writes=measurement.writes,
        points=measurement.points,
        graphql=measurement.graphql,
        correct=final == expected,
        marked=marked,
        problem="" if final == expected else _difference(final, expected),
    )


def _difference(final: dict[str, Any], expected: dict[str, Any]) -> str:
    keys = sorted(set(final) | set(expected))
    wrong = [k for k in keys if final.get(k) != expected.get(k)]
    parts = []
    for key in wrong[:3]:
        got, want = final.get(key), expected.get(key)
        if isinstance(got, dict) and isinstance(want, dict):
            parts.append(f"{key}: {len(got)} entries, expected {len(want)}")
        else:
            parts.append(f"{key}: {got!r}, expected {want!r}")
    return "; ".join(parts)
