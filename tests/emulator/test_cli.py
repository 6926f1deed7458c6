"""``python -m gh_store.emulator`` (and ``python -m gh_store emulator``) in a subprocess: first
line, a request, SIGTERM, --state."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from gh_store.emulator.cli import main


def start(
    *args: str, command: tuple[str, ...] = ("gh_store.emulator",)
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_cli_serves_and_stops(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    process, info = start("--user", "alice:write", "--repo", "octo/store", "--state", str(state))
    try:
        assert set(info["tokens"]) == {"octo", "github-actions[bot]", "alice"}
        headers = {"Authorization": f"token {info['tokens']['alice']}"}
        made = requests.post(
            f"{info['url']}/repos/octo/store/issues",
            json={"title": "kept"},
            headers=headers,
            timeout=5,
        )
        assert made.status_code == 201
    finally:
        stop(process)
    assert state.exists()
    process, again = start("--state", str(state), command=("gh_store", "emulator"))
    try:
        assert again["tokens"]["octo"] == info["tokens"]["octo"]
        answer = requests.get(f"{again['url']}/repos/octo/store/issues/1", timeout=5)
        assert answer.json()["title"] == "kept" and answer.json()["user"]["login"] == "alice"
    finally:
        stop(process)


def test_cli_rejects_bad_user() -> None:
    try:
        main(["--user", "alice:superuser"])
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("expected argparse to reject the permission")
