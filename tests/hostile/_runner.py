"""Running the action as the runner does, and reading its stdout as the runner reads commands.

The stdout reader is written from the runner's rules (actions/runner ``ActionCommandManager``: a
line that starts with ``::`` after leading spaces is a command, and a line holding ``##[``
anywhere is read as a legacy command; lines end at ``\\n``, ``\\r`` or ``\\r\\n``;
``::stop-commands::T`` ignores everything until ``::T::``) and shares no code with the action's
own writer.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gh_store.action.run import main
from gh_store.emulator import GitHubEmulator

__all__ = ["QUIET_CONFIG_YAML", "ActionResult", "commands_outside_blocks", "run_action"]

QUIET_CONFIG_YAML = """\
store:
  rate_limit:
    max_requests_per_hour: 0
    min_write_interval: 0
  retries:
    max_attempts: 3
    backoff_factor: 0
  trust:
    users: [trent]
"""
#: Commands the action may give the runner; anything else outside a block is an injection.
OUR_COMMANDS = frozenset({"add-mask", "group", "endgroup", "error", "warning", "notice"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMMAND = re.compile(r"::(?P<name>[A-Za-z0-9_-]+)(?: [^:]*)?::(?P<data>.*)\Z")


@dataclass(frozen=True)
class ActionResult:
    exit_code: int
    stdout: str
    outputs_text: str


def run_action(
    gh: GitHubEmulator,
    event_name: str,
    payload: dict[str, Any],
    *,
    token: str | None = None,
    config_yaml: str = QUIET_CONFIG_YAML,
    inputs: dict[str, str] | None = None,
    event_text: str | None = None,
) -> ActionResult:
    """One run of ``gh_store.action.run.main`` with the runner's environment and files;
    ``inputs`` by name (``"issue-number"``), ``event_text`` the event file's text if not
    ``payload``'s JSON."""
    with tempfile.TemporaryDirectory(prefix="gh-store-hostile-") as tmp:
        root = Path(tmp)
        text = json.dumps(payload) if event_text is None else event_text
        (root / "event.json").write_text(text, encoding="utf-8")
        (root / "config.yml").write_text(config_yaml, encoding="utf-8")
        (root / "output").write_text("", encoding="utf-8")
        environ = {
            "INPUT_TOKEN": token if token is not None else gh.bot_token,
            "INPUT_API-URL": gh.url,
            "INPUT_CONFIG": str(root / "config.yml"),
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(root / "event.json"),
            "GITHUB_REPOSITORY": gh.repo,
            "GITHUB_OUTPUT": str(root / "output"),
            "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
            "GITHUB_WORKSPACE": str(root),
            **{f"INPUT_{name.upper()}": value for name, value in (inputs or {}).items()},
        }
        stdout = io.StringIO()
        code = main(environ, stdout, http_transport=gh.client_options()["http_transport"])
        return ActionResult(code, stdout.getvalue(), (root / "output").read_text("utf-8"))


def commands_outside_blocks(stdout: str) -> list[tuple[str, str, str]]:
    """Every line the runner reads outside stop-commands blocks: (line, command name, data).

    Lines that are not commands have an empty name. Fails if a block never ends.
    """
    read: list[tuple[str, str, str]] = []
    resume: str | None = None
    for raw in _LINE_BREAK.split(stdout):
        line = raw.strip()
        if resume is not None:
            if line == f"::{resume}::":
                resume = None
            continue
        assert "##[" not in line, f"a legacy command marker reaches the runner: {line!r}"
        match = _COMMAND.match(line)
        if match is None:
            assert not line.startswith("::"), f"a malformed command reaches the runner: {line!r}"
            read.append((line, "", ""))
            continue
        name, data = match.group("name"), match.group("data")
        if name == "stop-commands":
            assert len(data) >= 16, f"a guessable stop-commands token: {data!r}"
            resume = data
        read.append((line, name, data))
    assert resume is None, "a stop-commands block is never closed"
    return read
