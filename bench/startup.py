"""``entrypoint.py`` start-up for a no-op event against a bare ``python -c pass``.

The no-op event is a new comment on an issue without the store's label: the action must end with
``changed=false`` before any request, which the emulator behind ``api-url`` confirms by counting.
The two commands alternate so that a slow moment of a shared machine hits both alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gh_store.action.outputs import parse_outputs
from gh_store.emulator import GitHubEmulator

from .session import REPO

__all__ = ["StartupResult", "noop_event", "run_startup"]

REPO_ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = REPO_ROOT / "entrypoint.py"


@dataclass(frozen=True)
class StartupResult:
    repeats: int
    entrypoint_seconds: float | None  # median; None: not measured (see ``problem``)
    bare_python_seconds: float | None
    requests: int  # what the no-op runs sent to the API, all of them together
    problem: str = ""

    @property
    def ratio(self) -> float | None:
        if self.entrypoint_seconds is None or not self.bare_python_seconds:
            return None
        return self.entrypoint_seconds / self.bare_python_seconds

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def noop_event() -> dict[str, Any]:
    """A comment created on issue #1, which carries no gh-store label."""
    issue = {"number": 1, "title": "A question", "labels": [], "state": "open", "body": "Hi"}
    comment = {"id": 1, "body": "thanks!", "user": {"login": "someone"}}
    return {"action": "created", "issue": issue, "comment": comment}


def run_startup(repeats: int) -> StartupResult:
    if not ENTRYPOINT.exists():
        return StartupResult(repeats, None, None, 0, problem="not measured: no entrypoint.py")
    entry: list[float] = []
    bare: list[float] = []
    with GitHubEmulator(repo=REPO) as gh, tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        event_path = workdir / "event.json"
        event_path.write_text(json.dumps(noop_event()), encoding="utf-8")
        env = _runner_env(workdir, event_path, token=gh.owner_token, api_url=gh.url)
        gh.clear_requests()
        for _ in range(repeats):
            bare.append(_timed([sys.executable, "-c", "pass"], env))
            output = workdir / "output.txt"
            output.write_text("", encoding="utf-8")
            entry.append(_timed([sys.executable, str(ENTRYPOINT)], env))
            changed = parse_outputs(output.read_text(encoding="utf-8")).get("changed")
            if changed != "false":
                return StartupResult(
                    repeats, None, None, len(gh.requests), f"no-op run gave changed={changed!r}"
                )
        requests = len(gh.requests)
    return StartupResult(
        repeats=repeats,
        entrypoint_seconds=statistics.median(entry),
        bare_python_seconds=statistics.median(bare),
        requests=requests,
    )


def _runner_env(workdir: Path, event_path: Path, *, token: str, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        {
            "GITHUB_EVENT_NAME": "issue_comment",
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_WORKSPACE": str(workdir),
            "GITHUB_OUTPUT": str(workdir / "output.txt"),
            "GITHUB_STEP_SUMMARY": str(workdir / "summary.md"),
            "INPUT_TOKEN": token,
            "INPUT_API-URL": api_url,
        }
    )
    return env


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {completed.returncode}: "
            f"{completed.stdout.decode(errors='replace')[-500:]}"
            f"{completed.stderr.decode(errors='replace')[-500:]}"
        )
    return seconds
