"""The optional reply on an issue: whoever posted a rejected update reads why, where they wrote it.

Off by default (the ``reply-on-reject`` input, ``store.replies.on_reject``): a reply is a comment,
and comments count against GitHub's content-creation limits. When on, a run posts at most one
reply per issue, after its write and marks, listing the updates *it* rejected with their reasons.

Exactly what is promised: at most once per decision. The body records every decision before the
reply is posted; a run that dies before replying leaves nothing pending for those updates, so the
next run does not reply to them either (the decision and the ``-1`` stay, the reply is lost: it is
a courtesy). Two runs of one issue at once can both decide the same comment (the workflow's
``concurrency`` group, which the examples set, prevents that) and would then both reply.

Updates from users who may not write get no reply: otherwise anyone could make the store's
identity write comments (and notify every subscriber) by posting broken JSON.

Reasons can quote what users wrote (a value a schema refused, a key). A reason goes into the
comment only as an inline code span, on one line, without control or formatting characters, and
cut short: no mention pings, no link, image, HTML or markup; the reply starts with prose, so the
processor reads it as conversation, never as an update.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from .summary import safe_link, short_reason

if TYPE_CHECKING:
    from gh_store.core.report import ProcessReport
    from gh_store.transport.port import GitHubTransport

__all__ = ["MAX_LISTED", "code_span", "post_replies", "reply_text"]

#: Rejected updates one reply lists; the rest are counted. With reasons of ``MAX_REASON``
#: characters a reply stays far below GitHub's 65,536.
MAX_LISTED = 10


def code_span(text: str) -> str:
    """``text`` as one inline code span, whatever it holds."""
    kept = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in text
    )
    kept = " ".join(kept.split()) or " "
    # A delimiter longer than any run of backticks inside; spaces keep edge backticks apart.
    fence = "`" * (_longest_backtick_run(kept) + 1)
    return f"{fence} {kept} {fence}"


def reply_text(report: ProcessReport) -> str | None:
    """The reply for ``report``'s rejected updates, or None when there is nothing to say."""
    rejected = report.rejected
    if not rejected or report.refused is not None:
        return None
    lines = [
        f"gh-store did not apply {len(rejected)} update(s) to this object; the object is "
        "unchanged by each:",
        "",
    ]
    for outcome in rejected[:MAX_LISTED]:
        where = safe_link(f"comment {outcome.comment_id}", outcome.url)
        lines.append(f"- {where}: {code_span(short_reason(outcome.reason))}")
    if len(rejected) > MAX_LISTED:
        lines.append(
            f"- and {len(rejected) - MAX_LISTED} more: the workflow run's summary lists them."
        )
    lines += ["", "Correct the update and post it again as a new comment."]
    return "\n".join(lines) + "\n"


def post_replies(
    transport: GitHubTransport, reports: tuple[ProcessReport, ...]
) -> tuple[int, str | None]:
    """Reply on each report's issue that rejected updates; (replies posted, why it stopped).

    A failure stops the replies and is returned, never raised: the decisions are already in
    the bodies, and a reply is a courtesy.
    """
    from gh_store.core.exceptions import GitHubStoreError

    posted = 0
    for report in reports:
        text = reply_text(report)
        if text is None:
            continue
        try:
            transport.create_comment(report.issue_number, text)
        except GitHubStoreError as exc:
            return posted, f"issue #{report.issue_number}: {exc}"
        posted += 1
    return posted, None


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest
