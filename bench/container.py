"""The action as a container: image size and time from container start to exit, with podman.

Uses the shared ``container-check.sh`` (builds the ``Dockerfile`` on a local stand-in for
``python:3.12-slim`` and runs it as the Actions runner does: ``INPUT_*``, ``/github/...`` mounts,
event file, host network so the emulator on loopback is reachable). "Start to exit" is the wall time
of one ``gh-run``: podman's own start-up is part of it, as it is on a runner.
Two runs: a no-op event, and a comment event whose one pending update is applied (its comment must
carry ``+1`` afterwards). The action reads a config with ``min_write_interval: 0``, like the rest
of the bench.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gh_store.core.body import BodyMeta, IssueBody, encode_body
from gh_store.core.config import StoreConfig
from gh_store.core.naming import issue_title, object_label
from gh_store.emulator import GitHubEmulator

from .session import LATENCY, REPO
from .startup import REPO_ROOT, noop_event
from .workloads import INITIAL_DATA, update_body

__all__ = ["IMAGE_TAG", "ContainerResult", "run_container"]

IMAGE_TAG = "localhost/gh-store-bench:latest"
CONTAINER_CHECK = REPO_ROOT.parent / "shared" / "tools" / "container-check.sh"
_CONFIG = "store:\n  rate_limit:\n    min_write_interval: 0\n"


@dataclass(frozen=True)
class ContainerResult:
    image_bytes: int | None = None
    build_seconds: float | None = None
    repeats: int = 0
    noop_seconds: float | None = None  # medians
    update_seconds: float | None = None
    problem: str = ""  # "not measured: ..." or what failed

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _ContainerFailed(RuntimeError):
    pass


def run_container(repeats: int) -> ContainerResult:
    if not (REPO_ROOT / "Dockerfile").exists():
        return ContainerResult(problem="not measured: no Dockerfile in the repository")
    if not CONTAINER_CHECK.exists():
        return ContainerResult(problem=f"not measured: no engine ({CONTAINER_CHECK} is missing)")
    started = time.perf_counter()
    try:
        _check(["build", "-t", IMAGE_TAG, str(REPO_ROOT)], timeout=1800)
    except _ContainerFailed as exc:
        return ContainerResult(problem=f"not measured: no engine (build failed: {exc})")
    build_seconds = time.perf_counter() - started
    size = int(_check(["podman", "image", "inspect", "--format", "{{.Size}}", IMAGE_TAG]).strip())
    try:
        noop, update = _timed_runs(repeats)
    except _ContainerFailed as exc:
        return ContainerResult(size, build_seconds, repeats, problem=f"run failed: {exc}")
    return ContainerResult(
        image_bytes=size,
        build_seconds=build_seconds,
        repeats=repeats,
        noop_seconds=statistics.median(noop),
        update_seconds=statistics.median(update),
    )


def _timed_runs(repeats: int) -> tuple[list[float], list[float]]:
    noop: list[float] = []
    update: list[float] = []
    config = StoreConfig()
    with GitHubEmulator(repo=REPO) as gh, tempfile.TemporaryDirectory() as temp:
        workspace = Path(temp)
        (workspace / "gh-store-bench.yml").write_text(_CONFIG, encoding="utf-8")
        number = gh.seed_issue(
            issue_title("action-bench"),
            encode_body(IssueBody(data=INITIAL_DATA, meta=BodyMeta())),
            [config.base_label, object_label(config, "action-bench")],
            state="closed",
        )
        gh.latency = LATENCY
        for index in range(1, repeats + 1):
            noop_seconds, _ = _gh_run(gh, workspace, noop_event())
            noop.append(noop_seconds)
            comment_id = gh.seed_comment(number, update_body(index))
            comment = next(c for c in gh.comments(number) if c["id"] == comment_id)
            event = {"action": "created", "issue": gh.issue(number), "comment": comment}
            seconds, log = _gh_run(gh, workspace, event)
            if not any(r["content"] == "+1" for r in gh.reactions(comment_id)):
                raise _ContainerFailed(f"the update was not applied; the run said: {log[-800:]}")
            update.append(seconds)
    return noop, update


def _gh_run(gh: GitHubEmulator, workspace: Path, event: dict[str, Any]) -> tuple[float, str]:
    event_path = workspace / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    arguments = [
        "gh-run",
        "-t",
        IMAGE_TAG,
        "--event",
        str(event_path),
        "--workspace",
        str(workspace),
        "-e",
        "GITHUB_EVENT_NAME=issue_comment",
        "-e",
        f"GITHUB_REPOSITORY={REPO}",
        "-i",
        f"token={gh.bot_token}",
        "-i",
        f"api-url={gh.url}",
        "-i",
        "config=gh-store-bench.yml",
    ]
    started = time.perf_counter()
    log = _check(arguments)
    return time.perf_counter() - started, log


def _check(arguments: list[str], timeout: float = 600) -> str:
    try:
        completed = subprocess.run(
            ["bash", str(CONTAINER_CHECK), *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _ContainerFailed(f"{arguments[0]} took longer than {timeout:.0f} s") from None
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-5:]
        raise _ContainerFailed(f"{arguments[0]} exited {completed.returncode}: {' | '.join(tail)}")
    return completed.stdout + completed.stderr
