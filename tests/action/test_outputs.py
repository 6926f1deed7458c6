"""GITHUB_OUTPUT heredocs and the step summary's escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gh_store.action.outputs import (
    escape_markdown,
    format_outputs,
    noop_outputs,
    parse_outputs,
    report_outputs,
    report_summary,
    write_outputs,
)
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
