"""The step summary: GitHub-flavoured Markdown saying what a run did.

Text that users wrote (ids, logins, reasons, the object's JSON) is escaped so it cannot break a
table or inject HTML, and a refused issue's body is never shown: it is not the store's object.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gh_store.core.planner import UpdateOutcome
    from gh_store.core.report import ProcessReport
    from gh_store.runs import CatchUpReport

__all__ = [
    "catch_up_summary",
    "escape_markdown",
    "noop_summary",
    "report_summary",
    "write_summary",
]

#: GitHub keeps at most 1 MiB of summary per step; the object's JSON is cut well before that.
_MAX_SUMMARY_JSON = 200_000
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_SAFE_URL = re.compile(r"\Ahttps?://[^\s<>()\[\]\"'`]+\Z")


def write_summary(path: Path | None, markdown: str) -> None:
    """Append ``markdown`` to the step summary, signed with the version that wrote it."""
    from gh_store import __version__

    if path is not None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{markdown}\n<sub>gh-store {__version__}</sub>\n")


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


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)


def catch_up_summary(done: CatchUpReport) -> str:
    """A catch-up run: one row per object, then what it left and why."""
    lines = [
        "### gh-store: catch-up run",
        "",
        f"{len(done.reports)} object(s) processed · {len(done.left)} left for the next run · "
        f"{done.requests} requests",
        "",
    ]
    if done.reports:
        lines += [
            "| Object | Issue | Version | Applied | Rejected | Untrusted | Changed |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for report in done.reports:
            refused = report.refused is not None
            lines.append(
                "| "
                + " | ".join(
                    [
                        escape_markdown(report.object_id),
                        _link(f"#{report.issue_number}", report.issue_url),
                        "refused" if refused else str(report.version_after),
                        str(len(report.applied)),
                        str(len(report.rejected)),
                        str(len(report.untrusted)),
                        "yes" if report.changed else "no",
                    ]
                )
                + " |"
            )
        lines.append("")
    if done.failures:
        lines += ["**Could not be processed** (the reasons are in the log):", ""]
        lines += [f"- issue #{number}" for number, _ in done.failures]
        lines.append("")
    if done.stopped:
        lines += [f"**Stopped early:** {escape_markdown(done.stopped)}.", ""]
    return "\n".join(lines)
