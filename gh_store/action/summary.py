"""The step summary: GitHub-flavoured Markdown saying what a run did.

Text that users wrote (ids, logins, reasons, the object's JSON) is escaped so it cannot break a
table, inject HTML or become a link, and a refused issue's body is never shown: it is not the
store's object. Every update that was not applied is listed with its reason and a link to its
comment, for a catch-up run too; each reason is cut at ``MAX_REASON`` characters and the rows
stop, saying how many more the log holds, before the summary could pass GitHub's 1 MiB a step.
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
    "safe_link",
    "short_reason",
    "write_summary",
]

#: GitHub keeps at most 1 MiB of summary per step; the object's JSON is cut well before that.
_MAX_SUMMARY_JSON = 200_000
#: Characters of one reason shown (a schema error can quote a whole value).
MAX_REASON = 300
#: UTF-8 bytes of update rows in one summary, and of a catch-up run's object rows: with the JSON
#: and the rest, well under 1 MiB.
MAX_ROWS_BYTES = 500_000
MAX_OBJECT_ROWS_BYTES = 300_000
#: Text the autolink extension would turn into a link (``https://``, ``www.``, ``a@b``).
_AUTOLINK_TRIGGERS = re.compile(r"(?i)(:|@|(?<=www)\.)")
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
        f"({safe_link(f'issue #{report.issue_number}', report.issue_url)})",
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
        lines += _bounded_rows([_outcome_row(outcome) for outcome in report.outcomes])
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
    """``text`` as literal Markdown table-cell content: no HTML, no markup, no link, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # As character references the autolink extension no longer sees a URL, a www. or an address.
    text = _AUTOLINK_TRIGGERS.sub(lambda m: f"&#{ord(m.group(1))};", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def short_reason(reason: str | None) -> str:
    """A reason cut to ``MAX_REASON`` characters (the log keeps it whole)."""
    text = reason or ""
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _bounded_rows(
    rows: list[str], budget: int = MAX_ROWS_BYTES, what: str = "update(s)"
) -> list[str]:
    kept: list[str] = []
    size = 0
    for index, row in enumerate(rows):
        size += len(row.encode("utf-8")) + 1
        if size > budget:
            more = len(rows) - index
            return [*kept, "", f"... and {more} more {what}: the log lists every one."]
        kept.append(row)
    return kept


def _outcome_row(outcome: UpdateOutcome) -> str:
    cells = [
        safe_link(f"comment {outcome.comment_id}", outcome.url),
        escape_markdown(outcome.author),
        outcome.status,
        escape_markdown(short_reason(outcome.reason)),
    ]
    return "| " + " | ".join(cells) + " |"


def safe_link(text: str, url: str) -> str:
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
        f"{len(done.reports)} object(s) processed · {len(done.failures)} failed · "
        f"{len(done.left)} left for the next run · {done.requests} requests",
        "",
    ]
    if done.reports:
        lines += [
            "| Object | Issue | Version | Applied | Rejected | Untrusted | Changed |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        object_rows: list[str] = []
        for report in done.reports:
            refused = report.refused is not None
            object_rows.append(
                "| "
                + " | ".join(
                    [
                        escape_markdown(report.object_id),
                        safe_link(f"#{report.issue_number}", report.issue_url),
                        "refused" if refused else str(report.version_after),
                        str(len(report.applied)),
                        str(len(report.rejected)),
                        str(len(report.untrusted)),
                        "yes" if report.changed else "no",
                    ]
                )
                + " |"
            )
        lines += _bounded_rows(object_rows, MAX_OBJECT_ROWS_BYTES, "object(s)")
        lines.append("")
    not_applied = [
        (report, outcome)
        for report in done.reports
        for outcome in report.outcomes
        if outcome.status != "applied"
    ]
    if not_applied:
        lines += [
            "**Updates not applied:**",
            "",
            "| Object | Update | Author | Result | Reason |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += _bounded_rows(
            [
                f"| {escape_markdown(report.object_id)} |{_outcome_row(outcome)[1:]}"
                for report, outcome in not_applied
            ]
        )
        lines.append("")
    if done.failures:
        lines += ["**Could not be processed** (passed over; the other objects were processed):", ""]
        lines += [
            f"- issue #{number}: {escape_markdown(reason)}" for number, reason in done.failures
        ]
        lines.append("")
    if done.left:
        shown = ", ".join(f"#{number}" for number in done.left)
        lines += [f"**Left for the next run:** {shown}", ""]
    if done.stopped:
        lines += [f"**Why:** {escape_markdown(done.stopped)}.", ""]
    return "\n".join(lines)
