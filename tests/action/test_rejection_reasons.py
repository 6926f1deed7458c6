"""The person who commented learns why (issue 20): the step summary lists every update that was
not applied, with its reason and a link, for single-issue and catch-up runs; an optional reply
on the issue quotes the reason, safely, at most once, never for outsiders."""

from __future__ import annotations

import json
import re

import pytest

from gh_store.action.replies import MAX_LISTED, code_span, reply_text
from gh_store.action.summary import MAX_REASON, catch_up_summary, report_summary
from gh_store.core.config import parse_config
from gh_store.core.exceptions import ConfigurationError
from gh_store.core.planner import UpdateOutcome
from gh_store.core.report import ProcessReport
from gh_store.emulator import GitHubEmulator
from gh_store.runs import CatchUpReport

from .conftest import TEST_CONFIG, Harness, webhook

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}}
#: A value an outsider-controlled reason can quote: a mention, a link, HTML, a table break,
#: backticks, a workflow command on a line of its own.
HOSTILE = "@octocat https://evil.example www.evil.example <img src=x> ``x | y\n::error::z"
LABELS = ["stored-object", "UID:ctr"]


def _event(gh: GitHubEmulator, number: int) -> dict[str, object]:
    last = gh.comments(number)[-1]
    return webhook(
        "issue_comment",
        "created",
        number=number,
        labels=LABELS,
        comment_id=last["id"],
        comment_body=last["body"],
    )


def _hostile_object(harness: Harness, gh: GitHubEmulator) -> int:
    (harness.tmp / "schema.json").write_text(json.dumps(SCHEMA))
    gh.set_permission("alice", "write")
    return harness.seed_object(
        "ctr",
        {"n": 0},
        state="open",
        updates=[
            ("alice", json.dumps({"n": HOSTILE})),  # rejected: the reason quotes the value
            ("mallory", '{"n": 5}'),  # untrusted
            ("alice", '{"n": 1}'),
        ],
    )


def _not_applied_rows(summary: str) -> list[str]:
    return [
        line for line in summary.splitlines() if "| rejected |" in line or "| untrusted |" in line
    ]


def _assert_inert(markdown: str) -> None:
    assert "https://evil" not in markdown and "www.evil" not in markdown
    assert "@octocat" not in markdown and "<img" not in markdown


# --- the summary -----------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_single_issue_summary_gives_each_reason_inert_and_linked(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    number = _hostile_object(harness, gh)
    comments = gh.comments(number)
    run = harness.run("issue_comment", _event(gh, number), schema="schema.json", api=api)
    assert run.exit_code == 0, run.stdout
    rows = _not_applied_rows(run.summary)
    assert len(rows) == 2
    assert rows[0].startswith(f"| [comment {comments[0]['id']}]({comments[0]['html_url']}) |")
    assert "is not of type" in rows[0] and "octocat" in rows[0]
    _assert_inert(run.summary)
    assert not gh.comments(number)[3:]  # no reply unless asked for


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_catch_up_summary_lists_each_update_not_applied_with_reason_and_link(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    number = _hostile_object(harness, gh)
    other = harness.seed_object("b", {"n": 0}, state="open", updates=[("octo", "{broken")])
    comments = gh.comments(number) + gh.comments(other)
    run = harness.run("schedule", {}, schema="schema.json", api=api)
    assert run.exit_code == 0, run.stdout
    rows = _not_applied_rows(run.summary)
    assert len(rows) == 3
    assert rows[0].startswith(f"| ctr | [comment {comments[0]['id']}](")
    assert "| alice | rejected |" in rows[0] and "is not of type" in rows[0]
    assert rows[1].startswith(f"| ctr | [comment {comments[1]['id']}](")
    assert "| mallory | untrusted | mallory may not write" in rows[1]
    assert rows[2].startswith(f"| b | [comment {comments[3]['id']}](")
    assert "not valid JSON" in rows[2]
    _assert_inert(run.summary)


def _many(reports: int, per_report: int, reason: str) -> CatchUpReport:
    made = []
    for number in range(1, reports + 1):
        outcomes = tuple(
            UpdateOutcome(
                number * 10_000 + i,
                "alice",
                f"https://github.com/o/r/issues/{number}#issuecomment-{i}",
                "rejected",
                reason,
            )
            for i in range(per_report)
        )
        made.append(
            ProcessReport(f"obj{number}", number, 1, 1, {"n": 1}, {"n": 1}, outcomes=outcomes)
        )
    return CatchUpReport(tuple(made))


@pytest.mark.parametrize("reason", ["&" * 70_000, "x" * 70_000, "`|<\n" * 15_000])
def test_a_summary_of_many_rejected_updates_stays_under_githubs_limit(reason: str) -> None:
    done = _many(20, 500, reason)
    summary = catch_up_summary(done)
    assert len(summary.encode("utf-8")) < 1024 * 1024
    shown = _not_applied_rows(summary)
    assert 0 < len(shown) < 10_000
    assert f"... and {10_000 - len(shown)} more update(s): the log lists every one." in summary
    single = report_summary(done.reports[0])
    assert len(single.encode("utf-8")) < 1024 * 1024
    # Each reason is cut: a row holds at most MAX_REASON characters of it, escaped.
    assert max(len(row) for row in shown) < 200 + 6 * MAX_REASON


# --- the reply -------------------------------------------------------------------------------


_ITEM = re.compile(
    r"- \[comment \d+\]\(https://github\.com/[^\s()]+\): "
    r"(?P<fence>`+) (?P<reason>[^\n]*) (?P=fence)"
)


def _replies(gh: GitHubEmulator, number: int) -> list[str]:
    return [c["body"] for c in gh.comments(number) if c["body"].startswith("gh-store did not")]


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_the_reply_quotes_each_rejected_reason_inertly_and_skips_outsiders(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    number = _hostile_object(harness, gh)
    rejected_id = gh.comments(number)[0]["id"]
    run = harness.run(
        "issue_comment",
        _event(gh, number),
        schema="schema.json",
        api=api,
        reply_on_reject="true",
    )
    assert run.exit_code == 0, run.stdout
    (reply,) = _replies(gh, number)
    items = [line for line in reply.splitlines() if line.startswith("- ")]
    assert len(items) == 1 and f"[comment {rejected_id}]" in items[0]  # mallory's: no reply
    match = _ITEM.fullmatch(items[0])
    assert match is not None, items[0]
    fence, reason = match.group("fence"), match.group("reason")
    # Inside the span: a longer fence than any backtick run, one line, the value's text whole.
    assert "`" * len(fence) not in reason and "is not of type" in reason
    assert "@octocat https://evil.example" in reason and "::error::z" in reason
    # Outside the span: no mention, link or markup that GitHub would act on.
    outside = reply.replace(match.group(0), "")
    assert "@" not in outside and "<" not in outside and "evil" not in outside
    # A reply is conversation to the processor: the next run finds nothing and says nothing.
    again = harness.run(
        "issue_comment", _event(gh, number), schema="schema.json", api=api, reply_on_reject="true"
    )
    assert again.exit_code == 0 and again.outputs["rejected"] == "0"
    assert len(_replies(gh, number)) == 1 and gh.issue(number)["state"] == "closed"


def test_the_config_key_turns_replies_on_and_the_input_wins(
    harness: Harness, gh: GitHubEmulator
) -> None:
    harness.config_text = TEST_CONFIG + "  replies:\n    on_reject: true\n"
    number = harness.seed_object("ctr", {"n": 0}, state="open", updates=[("octo", "{broken")])
    harness.run("issue_comment", _event(gh, number), reply_on_reject="false")
    assert _replies(gh, number) == []
    gh.seed_comment(number, "{also broken", user="octo")
    harness.run("issue_comment", _event(gh, number))
    replies = _replies(gh, number)
    assert replies and "not valid JSON" in replies[-1]


def test_a_reply_that_fails_loses_no_decision_and_is_never_sent_twice(
    harness: Harness, gh: GitHubEmulator
) -> None:
    number = harness.seed_object("ctr", {"n": 0}, state="open", updates=[("octo", "{broken")])
    gh.inject(500, "POST", rf"/issues/{number}/comments$", times=10)
    run = harness.run("issue_comment", _event(gh, number), reply_on_reject="true")
    assert run.exit_code == 0, run.stdout
    assert run.outputs["rejected"] == "1" and gh.issue(number)["state"] == "closed"
    assert "replies stopped" in run.stdout
    gh.clear_faults()
    again = harness.run("issue_comment", _event(gh, number), reply_on_reject="true")
    assert again.outputs["rejected"] == "0"
    assert _replies(gh, number) == []  # at most once: the decision was made, the reply lost


def test_a_bad_reply_input_is_refused_before_any_request(
    harness: Harness, gh: GitHubEmulator
) -> None:
    number = harness.seed_object("ctr", {"n": 0}, state="open", updates=[("octo", "{broken")])
    run = harness.run("issue_comment", _event(gh, number), reply_on_reject="yes")
    assert run.exit_code == 2 and gh.count() == 0
    assert "reply-on-reject input must be true or false" in run.stdout


def test_the_config_key_is_checked() -> None:
    assert parse_config({"store": {"replies": {"on_reject": True}}}).replies.on_reject
    assert not parse_config({}).replies.on_reject
    expected = r"store\.replies\.on_reject: expected true or false"
    with pytest.raises(ConfigurationError, match=expected):
        parse_config({"store": {"replies": {"on_reject": "yes"}}})


def test_a_reply_lists_at_most_a_few_and_counts_the_rest() -> None:
    outcomes = tuple(
        UpdateOutcome(
            i, "alice", f"https://github.com/o/r/issues/1#issuecomment-{i}", "rejected", "r" * 5000
        )
        for i in range(MAX_LISTED + 5)
    )
    text = reply_text(ProcessReport("o", 1, 1, 1, {}, {}, outcomes=outcomes))
    assert text is not None and len(text) < 10_000
    assert text.count("\n- [comment") == MAX_LISTED
    assert "- and 5 more: the workflow run's summary lists them." in text
    assert not text.lstrip().startswith(("{", "[", "`"))  # never read as an update


@pytest.mark.parametrize(
    "text",
    ["plain", "`", "``a``", "a```b", "`edge", "new\nline\r\x00\u202eright-to-left\u2028", ""],
)
def test_a_code_span_holds_any_text_on_one_line(text: str) -> None:
    span = code_span(text)
    assert "\n" not in span and "\r" not in span and "\u202e" not in span and "\x00" not in span
    fence = re.match(r"`+", span)
    assert fence is not None and span.endswith(" " + fence.group(0))
    inner = span[len(fence.group(0)) : -len(fence.group(0))]
    assert fence.group(0) not in inner


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_two_guarded_updates_on_one_version_one_applies_and_the_summary_says_why(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    from gh_store.core.update_comment import encode_update_comment

    gh.set_permission("alice", "write")
    number = harness.seed_object(
        "ctr",
        {"n": 0},
        state="open",
        updates=[
            ("alice", encode_update_comment({"n": 1}, if_version=1)),
            ("octo", encode_update_comment({"n": 1}, if_version=1)),
        ],
    )
    run = harness.run("issue_comment", _event(gh, number), api=api, reply_on_reject="true")
    assert (run.outputs["applied"], run.outputs["rejected"], run.outputs["version"]) == (
        "1",
        "1",
        "2",
    )
    (row,) = _not_applied_rows(run.summary)
    assert "| octo | rejected | the object is at version 2, not 1 |" in row
    (reply,) = _replies(gh, number)
    assert ": ` the object is at version 2, not 1 `\n" in reply


def test_a_catch_up_summary_of_many_objects_stays_under_githubs_limit() -> None:
    long_id = "@:" * 23  # the longest id, every character escaped
    reports = tuple(
        ProcessReport(
            long_id, n, 1, 2, {"n": 1}, {}, issue_url=f"https://github.com/o/r/issues/{n}"
        )
        for n in range(1, 30_001)
    )
    summary = catch_up_summary(CatchUpReport(reports))
    assert len(summary.encode("utf-8")) < 1024 * 1024
    assert "more object(s): the log lists every one." in summary
