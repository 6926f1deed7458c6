"""Helpers for the shipping tests: the repository's scripts as subprocesses, the action run
in-process the way the runner runs it, and GITHUB_OUTPUT read back as the runner reads it."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gh_store.action import main as action_main

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "scripts"


def read_outputs(text: str) -> dict[str, str]:
    """``GITHUB_OUTPUT`` in heredoc form (``name<<DELIM``, lines, ``DELIM``)."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines) - 1:
        header = re.fullmatch(r"([A-Za-z0-9_-]+)<<(\S+)", lines[index])
        assert header, f"not a heredoc header: {lines[index]!r}"
        name, delimiter = header.groups()
        end = lines.index(delimiter, index + 1)
        outputs[name] = "\n".join(lines[index + 1 : end])
        index = end + 1
    return outputs


def run_script(
    name: str, *args: str, env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python .github/scripts/NAME ARGS`` with exactly ``env`` (plus PATH)."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_action(
    tmp: Path,
    *,
    repo: str,
    token: str,
    api_url: str,
    event_name: str,
    payload: Mapping[str, Any],
    inputs: Mapping[str, str],
) -> tuple[int, str, dict[str, str]]:
    """``gh_store.action.main`` with a runner-like environment: (exit code, stdout, outputs)."""
    tmp.mkdir(parents=True, exist_ok=True)
    event = tmp / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    output = tmp / "output"
    summary = tmp / "summary"
    output.touch()
    summary.touch()
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": repo,
        "GITHUB_API_URL": api_url,
        "GITHUB_WORKSPACE": str(tmp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        # action.yml's defaults, as the runner passes them
        "INPUT_TOKEN": token,
        "INPUT_API-URL": api_url,
        "INPUT_SCHEMA": "",
        "INPUT_CONFIG": "",
        "INPUT_ISSUE-NUMBER": "",
        "INPUT_FAIL-ON-REJECTED": "false",
    }
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    stdout = io.StringIO()
    code = action_main(environ=env, stdout=stdout)
    return code, stdout.getvalue(), read_outputs(output.read_text(encoding="utf-8"))
