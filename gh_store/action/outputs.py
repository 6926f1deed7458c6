"""What a run leaves for later steps: the ``GITHUB_OUTPUT`` file (the summary is ``summary.py``).

Every output is written as ``name<<DELIMITER`` / value / ``DELIMITER`` with a random delimiter
that occurs in neither, so a value (the object's JSON, which users wrote) cannot end early and
set other outputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gh_store.core.report import ProcessReport

__all__ = [
    "OUTPUT_NAMES",
    "format_outputs",
    "noop_outputs",
    "object_json",
    "parse_outputs",
    "report_outputs",
    "run_outputs",
    "write_outputs",
]

OUTPUT_NAMES = (
    "object",
    "object-id",
    "issue-number",
    "version",
    "applied",
    "rejected",
    "untrusted",
    "changed",
    "issues-processed",
    "issues-left",
)


def noop_outputs() -> dict[str, str]:
    """The outputs of a run that had nothing to do."""
    return {
        "object": "",
        "object-id": "",
        "issue-number": "",
        "version": "",
        "applied": "0",
        "rejected": "0",
        "untrusted": "0",
        "changed": "false",
        "issues-processed": "0",
        "issues-left": "0",
    }


def object_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def report_outputs(report: ProcessReport) -> dict[str, str]:
    """The outputs of a run over one object."""
    return run_outputs([report], left=0)


def run_outputs(reports: Sequence[ProcessReport], left: int) -> dict[str, str]:
    """The outputs of a run over ``reports`` (one object, or a catch-up run's many).

    The object's own outputs are filled only when exactly one object was processed and it was not
    refused (a refused issue's body is not the store's: nothing of it is published); the counts
    are summed, and ``changed`` is true if any object changed.
    """
    outputs = noop_outputs()
    published = [r for r in reports if r.refused is None and r.data is not None]
    if len(reports) == 1 and len(published) == 1:
        (report,) = published
        outputs.update(
            {
                "object": object_json(report.data),
                "object-id": report.object_id,
                "issue-number": str(report.issue_number),
                "version": str(report.version_after),
            }
        )
    outputs.update(
        {
            "applied": str(sum(len(r.applied) for r in reports)),
            "rejected": str(sum(len(r.rejected) for r in reports)),
            "untrusted": str(sum(len(r.untrusted) for r in reports)),
            "changed": "true" if any(r.changed for r in reports) else "false",
            "issues-processed": str(len(reports)),
            "issues-left": str(left),
        }
    )
    return outputs


def format_outputs(outputs: Mapping[str, str]) -> str:
    """The ``GITHUB_OUTPUT`` text for ``outputs``, each in a heredoc of its own."""
    parts = []
    for name, value in outputs.items():
        delimiter = _delimiter(name, value)
        parts.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(parts)


def write_outputs(path: Path | None, outputs: Mapping[str, str]) -> None:
    """Append ``outputs`` to the runner's output file (nothing to do outside a runner)."""
    if path is not None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(format_outputs(outputs))


def parse_outputs(text: str) -> dict[str, str]:
    """Read a ``GITHUB_OUTPUT`` file back (``name=value`` and heredoc forms) as the runner does."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value_lines = []
            while index < len(lines) and lines[index] != delimiter:
                value_lines.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ValueError(f"output {name!r}: delimiter {delimiter!r} never closes")
            index += 1
            outputs[name] = "\n".join(value_lines)
        else:
            name, _, value = line.partition("=")
            outputs[name] = value
    return outputs


def _delimiter(name: str, value: str) -> str:
    while True:
        delimiter = f"ghadelimiter_{os.urandom(16).hex()}"
        if delimiter not in value and delimiter not in name:
            return delimiter
