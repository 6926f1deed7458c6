"""Workflow commands: escaping as the runner unescapes, groups, stop-commands blocks."""

from __future__ import annotations

import io
import re

import pytest

from gh_store.action.commands import WorkflowCommands, escape_data, escape_property


def _unescape_data(text: str) -> str:
    # actions/runner ActionCommand: the reverse mapping, applied in this order.
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


@pytest.mark.parametrize(
    "text", ["plain", "50% done", "a\nb", "a\r\nb", "%0A literal", "::error::x", "%25%"]
)
def test_escaped_data_stays_on_one_line_and_reads_back(text: str) -> None:
    escaped = escape_data(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert _unescape_data(escaped) == text


@pytest.mark.parametrize("text", ["gh-store: update rejected", "a,b:c", "x%3Ay", "line\nbreak"])
def test_escaped_properties_have_no_separators_and_read_back(text: str) -> None:
    escaped = escape_property(text)
    assert not set(escaped) & {":", ",", "\n", "\r"}
    assert _unescape_property(escaped) == text


def test_annotations_and_mask_are_single_command_lines() -> None:
    out = io.StringIO()
    commands = WorkflowCommands(out)
    commands.add_mask("s3cr%t")
    commands.error("two\nlines", title="t: a, b")
    commands.warning("w")
    commands.notice("n")
    assert out.getvalue().splitlines() == [
        "::add-mask::s3cr%25t",
        "::error title=t%3A a%2C b::two%0Alines",
        "::warning::w",
        "::notice::n",
    ]


def test_an_empty_secret_is_not_masked() -> None:
    out = io.StringIO()
    WorkflowCommands(out).add_mask("")
    assert out.getvalue() == ""


def test_group_ends_even_when_its_body_raises() -> None:
    out = io.StringIO()
    commands = WorkflowCommands(out)
    with pytest.raises(RuntimeError), commands.group("Section"):
        commands.line("inside")
        raise RuntimeError
    assert out.getvalue().splitlines() == ["::group::Section", "inside", "::endgroup::"]


def test_untrusted_text_is_fenced_by_a_fresh_random_token() -> None:
    out = io.StringIO()
    commands = WorkflowCommands(out)
    commands.write_untrusted("::add-mask::x\n::error::pwned")
    commands.write_untrusted("again\n")
    lines = out.getvalue().splitlines()
    first = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
    assert first is not None
    assert lines[1:4] == ["::add-mask::x", "::error::pwned", f"::{first.group(1)}::"]
    second = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[4])
    assert second is not None and second.group(1) != first.group(1)
    assert lines[5:] == ["again", f"::{second.group(1)}::"]
