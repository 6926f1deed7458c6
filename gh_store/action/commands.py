"""Workflow commands on stdout: masks, log groups, annotations and stop-commands blocks.

The runner reads any stdout line that starts with ``::`` (after spaces) as a command, and any line
holding ``##[`` as a legacy one, so text that users wrote
(comment bodies, object data, reasons quoting them) is only ever written inside a
``::stop-commands::TOKEN`` ... ``::TOKEN::`` block with a fresh random token: a comment cannot
add a mask, fake an annotation or end the block early. Data and properties of our own commands
are escaped the way the runner unescapes them (actions/toolkit ``command.ts``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["WorkflowCommands", "escape_data", "escape_property", "neutralize"]


def neutralize(text: str) -> str:
    """``text`` without the runner's legacy command marker ``##[``, which it acts on anywhere in a
    line (actions/runner ``ActionCommand.TryParse``), even inside another command's message."""
    return text.replace("##[", "# #[")


def escape_data(text: str) -> str:
    """Escape a command's message so it stays on one line and reads back unchanged."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property (``title=...``), where ``:`` and ``,`` are separators too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class WorkflowCommands:
    """Writes workflow commands, and the log lines between them, to one stream."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def line(self, text: str = "") -> None:
        """A log line in our own words (never text that users wrote: see ``untrusted``).

        Made inert anyway: one line, and nothing the runner could read as a command.
        """
        text = neutralize(" ".join(text.splitlines()))
        if text.lstrip().startswith("::"):
            text = "| " + text
        self.stream.write(text + "\n")

    def add_mask(self, secret: str) -> None:
        if secret:
            self._command("add-mask", escape_data(secret))

    def error(self, message: str, title: str | None = None) -> None:
        self._annotation("error", message, title)

    def warning(self, message: str, title: str | None = None) -> None:
        self._annotation("warning", message, title)

    def notice(self, message: str, title: str | None = None) -> None:
        self._annotation("notice", message, title)

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A foldable log section."""
        self._command("group", escape_data(title))
        try:
            yield
        finally:
            self.flush()
            self._command("endgroup", "")

    @contextmanager
    def untrusted(self) -> Iterator[None]:
        """A block in which the runner ignores commands: for any text that users wrote.

        What is written inside must end with a newline, so the command that ends the block
        starts a line of its own.
        """
        token = os.urandom(16).hex()  # not `secrets`: its imports cost a no-op run ~10 ms
        self._command("stop-commands", token)
        try:
            yield
        finally:
            self.flush()
            self._command(token, "")

    def write_untrusted(self, text: str) -> None:
        """Print ``text`` (which users may have written) inside its own stop-commands block."""
        with self.untrusted():
            self.stream.write(text if text.endswith("\n") else text + "\n")

    def flush(self) -> None:
        self.stream.flush()

    def _annotation(self, kind: str, message: str, title: str | None) -> None:
        properties = f" title={escape_property(title)}" if title else ""
        self._command(kind + properties, escape_data(message))

    def _command(self, name: str, data: str) -> None:
        self.stream.write(f"::{name}::{neutralize(data)}\n")
