"""GITHUB_OUTPUT heredocs and the step summary's escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gh_store.action.outputs import (
    format_outputs,
    noop_outputs,
    parse_outputs,
    report_outputs,
    run_outputs,
    write_outputs,
)
from gh_store.action.summary import catch_up_summary, escape_markdown, report_summary
from gh_store.core.planner import UpdateOutcome
from gh_store.core.report import ProcessReport

from .conftest import read_outputs

HOSTILE = "line one\nname=evil\nghadelimiter_x\n<script>alert(1)</script> | `x` [a](b)"


def test_every_value_is_a_heredoc_with_a_delimiter_not_in_it(tmp_path: Path) -> None:
    values = {"object": HOSTILE, "empty": "", "changed": "true"}
    path = tmp_path / "output"
    path.write_text("earlier=1\n")
    write_outputs(path, values)
    text = path.read_text()
    written = text.removeprefix("earlier=1\n")
    delimiters = re.findall(r"^[a-z]+<<(.+)$", written, flags=re.MULTILINE)
    assert len(delimiters) == 3 and len(set(delimiters)) == 3
    assert all(d not in HOSTILE for d in delimiters)
    assert read_outputs(written) == values
    assert parse_outputs(text) == {"earlier": "1", **values}


def test_a_delimiter_is_never_one_that_occurs_in_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr("gh_store.action.outputs.os.urandom", lambda n: bytes.fromhex(next(tokens)))
    text = format_outputs({"object": "x\nghadelimiter_" + "a" * 32 + "\ny"})
    assert text.splitlines()[0] == "object<<ghadelimiter_" + "b" * 32


def _report(**changes: object) -> ProcessReport:
    fields: dict[str, object] = {
        "object_id": "counter",
        "issue_number": 3,
        "version_before": 1,
        "version_after": 2,
        "data": {"value": 2},
        "data_before": {"value": 1},
        "issue_url": "https://github.com/octo/store/issues/3",
        "outcomes": (
            UpdateOutcome(11, "octo", "https://github.com/octo/store/issues/3#c-11", "applied"),
            UpdateOutcome(
                12, "alice", "javascript:alert(1)", "rejected", "bad | value\n<img src=x>"
            ),
            UpdateOutcome(13, "mallory", "", "untrusted", "mallory may not write"),
        ),
    }
    fields.update(changes)
    return ProcessReport(**fields)  # type: ignore[arg-type]


def test_report_outputs_are_strings_of_the_counts_and_data() -> None:
    assert report_outputs(_report()) == {
        "object": '{"value":2}',
        "object-id": "counter",
        "issue-number": "3",
        "version": "2",
        "applied": "1",
        "rejected": "1",
        "untrusted": "1",
        "changed": "true",
        "issues-processed": "1",
        "issues-left": "0",
    }
    unchanged = report_outputs(_report(data={"value": 1}, outcomes=()))
    assert unchanged["changed"] == "false" and unchanged["applied"] == "0"
    assert set(noop_outputs()) == set(unchanged)


def test_summary_table_escapes_user_text_and_links_only_safe_urls() -> None:
    summary = report_summary(_report())
    rows = [
        line
        for line in summary.splitlines()
        if line.startswith("| [comment") or "| comment" in line
    ]
    assert rows == [
        "| [comment 11](https://github.com/octo/store/issues/3#c-11) | octo | applied |  |",
        r"| comment 12 | alice | rejected | bad \| value<br>&lt;img src=x&gt; |",
        "| comment 13 | mallory | untrusted | mallory may not write |",
    ]
    assert "version 1 → 2 · 1 applied · 1 rejected · 1 untrusted" in summary
    assert "<img" not in summary


def test_summary_fences_object_json_longer_than_any_backtick_run() -> None:
    summary = report_summary(_report(data={"code": "`````"}))
    assert "\n``````json\n" in summary


def test_a_refused_run_says_so() -> None:
    summary = report_summary(_report(refused="issue opened by mallory", outcomes=()))
    assert "Nothing was processed" in summary
    assert "| Update |" not in summary


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a|b", r"a\|b"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("x\r\ny\nz", "x<br>y<br>z"),
        ("*[link](u)*", r"\*\[link\]\(u\)\*"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


# --- several objects (a catch-up run) -------------------------------------------------------------


def _object_report(
    number: int, data: dict[str, object] | None, applied: int, **changes: object
) -> ProcessReport:
    outcomes = tuple(
        UpdateOutcome(100 + i, "octo", f"https://github.com/o/r/issues/{number}#c{i}", "applied")
        for i in range(applied)
    )
    fields: dict[str, object] = {
        "object_id": f"obj{number}",
        "issue_number": number,
        "version_before": 1,
        "version_after": 1 + applied,
        "data": data,
        "data_before": {} if data is not None else None,
        "outcomes": outcomes,
        **changes,
    }
    return ProcessReport(**fields)  # type: ignore[arg-type]


def test_a_run_over_several_objects_sums_and_publishes_no_single_object() -> None:
    reports = [
        _object_report(1, {"a": 1}, 2),
        _object_report(2, {"b": 2}, 1),
        _object_report(3, {}, 0),
    ]
    outputs = run_outputs(reports, left=4)
    assert outputs == {
        "object": "",
        "object-id": "",
        "issue-number": "",
        "version": "",
        "applied": "3",
        "rejected": "0",
        "untrusted": "0",
        "changed": "true",
        "issues-processed": "3",
        "issues-left": "4",
    }


def test_a_catch_up_run_over_one_object_publishes_it() -> None:
    outputs = run_outputs([_object_report(5, {"a": 1}, 1)], left=0)
    assert (outputs["object"], outputs["object-id"], outputs["issue-number"]) == (
        '{"a":1}',
        "obj5",
        "5",
    )
    assert outputs["version"] == "2" and outputs["issues-processed"] == "1"


def test_a_refused_issue_publishes_nothing_of_its_body() -> None:
    refused = _object_report(7, None, 0, refused="opened by mallory")
    outputs = run_outputs([refused], left=0)
    assert (outputs["object"], outputs["version"], outputs["changed"]) == ("", "", "false")
    assert "mallory" not in report_summary(refused) or "Nothing was processed" in report_summary(
        refused
    )


def test_the_catch_up_summary_has_one_row_per_object() -> None:
    from gh_store.runs import CatchUpReport

    done = CatchUpReport(
        reports=(_object_report(1, {"a": 1}, 2), _object_report(2, None, 0, refused="x")),
        failures=((9, "damaged"),),
        left=(10, 11),
        stopped="the budget is spent",
        requests=42,
    )
    text = catch_up_summary(done)
    rows = [line for line in text.splitlines() if line.startswith("| obj")]
    assert len(rows) == 2 and "refused" in rows[1]
    assert "2 left for the next run" in text and "42 requests" in text
    assert "issue #9" in text and "the budget is spent" in text
