"""What is measured: the processing workloads and the updates they carry (pure data, no I/O).

Every update is a plain JSON object without ``null``s, so the original's deep merge and RFC 7386
merge patch must agree on the result, and ``expected_final`` can be computed without either.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FULL",
    "INITIAL_DATA",
    "QUICK",
    "Workload",
    "expected_final",
    "update_body",
    "update_patch",
]

INITIAL_DATA: dict[str, Any] = {"name": "bench", "counter": 0, "history": {}}


@dataclass(frozen=True)
class Workload:
    """``pending`` updates waiting on an object that already had ``applied`` ones processed."""

    pending: int
    applied: int = 0

    @property
    def name(self) -> str:
        if self.applied:
            return f"{self.pending} pending after {self.applied} applied"
        return f"{self.pending} pending"

    @property
    def key(self) -> str:
        return f"pending-{self.pending}-applied-{self.applied}"


FULL = (Workload(1), Workload(10), Workload(100), Workload(1, applied=300), Workload(250))
QUICK = (Workload(1), Workload(10), Workload(1, applied=20), Workload(25))


def update_patch(index: int) -> dict[str, Any]:
    """The ``index``-th update (1-based): a top-level change and a nested one."""
    return {"counter": index, "last": f"update {index}", "history": {f"u{index:04d}": index}}


def update_body(index: int) -> str:
    return json.dumps(update_patch(index))


def expected_final(updates: int) -> dict[str, Any]:
    """The object after updates 1..``updates``, merged by hand (no nulls: no deletions)."""
    data = copy.deepcopy(INITIAL_DATA)
    for index in range(1, updates + 1):
        patch = update_patch(index)
        data["counter"] = patch["counter"]
        data["last"] = patch["last"]
        data["history"].update(patch["history"])
    return data
