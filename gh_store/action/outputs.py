"""What a run leaves for later steps: the ``GITHUB_OUTPUT`` file and the step summary.

Every output is written as ``name<<DELIMITER`` / value / ``DELIMITER`` with a random delimiter
that occurs in neither, so a value (the object's JSON, which users wrote) cannot end early and
set other outputs. The summary is GitHub-flavoured Markdown; text that users wrote is escaped so
it cannot break the table or inject HTML.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gh_store.core.planner import UpdateOutcome
    from gh_store.core.report import ProcessReport

__all__ = [
    "OUTPUT_NAMES",
    "escape_markdown",
    "format_outputs",
    "noop_outputs",
    "noop_summary",
    "object_json",
    "parse_outputs",
    "report_outputs",
    "report_summary",
    "write_outputs",
    "write_summary",
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
)

#: GitHub keeps at most 1 MiB of summary per step; the object's JSON is cut well before that.
_MAX_SUMMARY_JSON = 200_000
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_SAFE_URL = re.compile(r"\Ahttps?://[^\s<>()\[\]\"'`]+\Z")


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
    }


def object_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def report_outputs(report: ProcessReport) -> dict[str, str]:
    """The outputs of a processed object; a refused issue publishes nothing (its body is not
    the store's: its opener may not write)."""
    if report.refused is not None or report.data is None:
        return noop_outputs()
    return {
        "object": object_json(report.data),
        "object-id": report.object_id,
        "issue-number": str(report.issue_number),
        "version": str(report.version_after),
        "applied": str(len(report.applied)),
        "rejected": str(len(report.rejected)),
        "untrusted": str(len(report.untrusted)),
        "changed": "true" if report.changed else "false",
    }


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


def write_summary(path: Path | None, markdown: str) -> None:
    if path is not None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(markdown)


def noop_summary(reason: str) -> str:
    return f"### gh-store: nothing to do\n\n{escape_markdown(reason)}\n"


def report_summary(report: ProcessReport) -> str:
    """The step summary: what happened to the object, and a table of every update decided."""
    lines = [
        f"### gh-store: {escape_markdown(report.object_id)} "
        f"({_link(f'issue #{report.issue_number}', report.issue_url)})",
        "",
    ]
    if report.refused is not None or report.data is None:
        # Nothing of the issue's body is shown: it is not the store's object.
        lines += [
            "**Nothing was processed:** the issue was opened by a user who may not write to "
            "the repository, so its body is not a stored object and is not shown here.",
            "",
        ]
        return "\n".join(lines)
    version = (
        f"version {report.version_before} → {report.version_after}"
        if report.version_after != report.version_before
        else f"version {report.version_after} (unchanged)"
    )
    lines += [
        f"{version} · {len(report.applied)} applied · {len(report.rejected)} rejected · "
        f"{len(report.untrusted)} untrusted",
        "",
    ]
    if report.left_pending:
        lines += [
            "**Not every comment could be read:** the list kept changing while this run read "
            "it. The issue stays open and the next run continues.",
            "",
        ]
    if report.outcomes:
        lines += ["| Update | Author | Result | Reason |", "| --- | --- | --- | --- |"]
        lines += [_outcome_row(outcome) for outcome in report.outcomes]
        lines.append("")
    shown = json.dumps(report.data, ensure_ascii=False, indent=2)
    if len(shown) > _MAX_SUMMARY_JSON:
        shown = shown[:_MAX_SUMMARY_JSON] + "\n... (cut: see the object output)"
    fence = "`" * max(3, _longest_run(shown, "`") + 1)
    lines += [
        "<details><summary>Object after the run</summary>",
        "",
        f"{fence}json",
        shown,
        fence,
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def escape_markdown(text: str) -> str:
    """``text`` as literal Markdown table-cell content: no HTML, no markup, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _outcome_row(outcome: UpdateOutcome) -> str:
    cells = [
        _link(f"comment {outcome.comment_id}", outcome.url),
        escape_markdown(outcome.author),
        outcome.status,
        escape_markdown(outcome.reason or ""),
    ]
    return "| " + " | ".join(cells) + " |"


def _link(text: str, url: str) -> str:
    # Only URLs that cannot close the link or add markup; GitHub's html_url always qualifies.
    return f"[{text}]({url})" if _SAFE_URL.match(url or "") else text


def _delimiter(name: str, value: str) -> str:
    while True:
        delimiter = f"ghadelimiter_{os.urandom(16).hex()}"
        if delimiter not in value and delimiter not in name:
            return delimiter


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)
