"""The client benchmark: requests and wall time of create, get and update, each repeated.

Every repetition works on an object of its own (created in that repetition), so each ``get`` and
``update`` sees the same history; throttling is off and the emulator answers in 20 ms.
The original's ``get`` and ``update`` list open issues only while its ``create`` closes the issue,
so they cannot find a fresh object: that is recorded as a finding, and they are measured again on
the reopened issue (reopened by the harness, not counted) so their cost can still be compared.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .drivers import DriverError, Implementation
from .session import Measurement, Session
from .workloads import INITIAL_DATA, update_patch

__all__ = ["OPERATIONS", "ClientOpResult", "run_client_ops"]

OPERATIONS = ("create", "get", "update")


@dataclass(frozen=True)
class ClientOpResult:
    implementation: str
    operation: str
    repeats: int
    median_seconds: float | None  # None: not measured (see ``problem``)
    reads: list[int]  # per repetition: request counts are expected to be equal
    writes: list[int]
    problem: str = ""  # why it was not measured
    note: str = ""  # how it was measured, when not as-is

    def to_json(self) -> dict[str, Any]:
        return {
            "implementation": self.implementation,
            "operation": self.operation,
            "repeats": self.repeats,
            "median_seconds": self.median_seconds,
            "reads": self.reads,
            "writes": self.writes,
            "problem": self.problem,
            "note": self.note,
        }


def run_client_ops(
    implementation: Implementation, repeats: int, *, log_path: Path, config_path: Path
) -> list[ClientOpResult]:
    measured: dict[str, list[Measurement]] = {op: [] for op in OPERATIONS}
    problems: dict[str, str] = {}
    notes: dict[str, str] = {}
    with Session(implementation, log_path, ("off",), config_path) as session:
        for repetition in range(repeats):
            number = 0
            object_id = f"client-{repetition}"
            arguments: dict[str, dict[str, Any]] = {
                "create": {"object_id": object_id, "data": INITIAL_DATA},
                "get": {"object_id": object_id},
                "update": {"object_id": object_id, "changes": update_patch(1)},
            }
            for op in OPERATIONS:
                if op in problems:
                    continue
                try:
                    measurement, reply = session.measure(op, "off", **arguments[op])
                except DriverError as exc:
                    if "ObjectNotFound" not in str(exc) or not number:
                        problems[op] = str(exc)
                        continue
                    notes[op] = (
                        f"failed on the closed issue that its own create leaves ({exc}): it "
                        "lists open issues only; measured after the harness reopened the issue"
                    )
                    session.reopen(number)
                    measurement, reply = session.measure(op, "off", **arguments[op])
                if op == "create":
                    number = int(reply.result["issue_number"])
                measured[op].append(measurement)
    return [
        ClientOpResult(
            implementation=implementation.name,
            operation=op,
            repeats=len(measured[op]),
            median_seconds=(
                statistics.median(m.seconds for m in measured[op]) if measured[op] else None
            ),
            reads=[m.reads for m in measured[op]],
            writes=[m.writes for m in measured[op]],
            problem=problems.get(op, ""),
            note=notes.get(op, ""),
        )
        for op in OPERATIONS
    ]
