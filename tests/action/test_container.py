"""The real image: built from the Dockerfile and run the way the Actions runner runs it.

The emulator listens on the host's loopback and the container shares the host's network. The
engine is docker wherever a daemon answers (GitHub's runners: nothing outside the repository is
looked at then). Only where none does, podman through container-check.sh, found at
$GH_STORE_CONTAINER_CHECK or ../shared/tools/ next to the checkout (it also stands in for
python:3.12-slim where Docker Hub cannot be reached). Without either the tests skip, unless
GH_STORE_REQUIRE_CONTAINER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from tempfile import gettempdir

import pytest

from gh_store.core.body import decode_body
from gh_store.emulator import GitHubEmulator

from .conftest import ROOT, TEST_CONFIG, Harness, read_outputs, webhook

pytestmark = pytest.mark.container

TAG = "localhost/gh-store-action:test"
# `make test` runs on several pytest-xdist workers, and two of them may build or run the image at
# once; container-check.sh rewrites podman's configuration on every call, and two builds of one
# tag race. One engine command at a time on this machine, whichever process asks.
LOCK = Path(gettempdir()) / "gh-store-container-test.lock"
LABELS = ["stored-object", "UID:counter"]


def _container_check_script() -> Path | None:
    candidates = [
        os.environ.get("GH_STORE_CONTAINER_CHECK"),
        str(ROOT.parent / "shared" / "tools" / "container-check.sh"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@contextlib.contextmanager
def _one_at_a_time() -> Iterator[None]:
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Engine:
    """Builds and runs the action's image with docker or with podman (via the script)."""

    name: str
    script: Path | None = None

    def build(self) -> None:
        if self.script is not None:
            command = ["bash", str(self.script), "build", "-t", TAG, str(ROOT)]
        else:
            command = ["docker", "build", "-t", TAG, str(ROOT)]
        with _one_at_a_time():
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, (
            f"image build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )

    def gh_run(
        self,
        event: Path,
        workspace: Path,
        temp: Path,
        inputs: dict[str, str],
        event_name: str = "issue_comment",
    ) -> subprocess.CompletedProcess[str]:
        """Run the image as the runner does; the file-command files end up under ``temp``."""
        if self.script is not None:
            command = ["bash", str(self.script), "gh-run", "-t", TAG, "--event", str(event)]
            command += ["--workspace", str(workspace), "--temp", str(temp)]
            for name, value in inputs.items():
                command += ["-i", f"{name}={value}"]
            command += [
                "-e",
                f"GITHUB_EVENT_NAME={event_name}",
                "-e",
                "GITHUB_REPOSITORY=octo/store",
            ]
        else:
            command = self._docker_run(event, workspace, temp, inputs, event_name)
        with _one_at_a_time():
            return subprocess.run(command, capture_output=True, text=True, timeout=300)

    @staticmethod
    def _docker_run(
        event: Path, workspace: Path, temp: Path, inputs: dict[str, str], event_name: str
    ) -> list[str]:
        files = temp / "_runner_file_commands"
        workflow = temp / "_github_workflow"
        for folder in (files, workflow, temp / "_github_home"):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(event, workflow / "event.json")
        for name in ("set_output", "step_summary"):
            (files / name).touch()
        command = ["docker", "run", "--rm", "--network", "host", "--workdir", "/github/workspace"]
        command += [
            "-v",
            f"{temp / '_github_home'}:/github/home",
            "-v",
            f"{workflow}:/github/workflow",
        ]
        command += ["-v", f"{files}:/github/file_commands", "-v", f"{workspace}:/github/workspace"]
        env = {
            "HOME": "/github/home",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": "/github/workspace",
            "GITHUB_EVENT_PATH": "/github/workflow/event.json",
            "GITHUB_OUTPUT": "/github/file_commands/set_output",
            "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_REPOSITORY": "octo/store",
            **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
        }
        for name, value in env.items():
            command += ["-e", f"{name}={value}"]
        return [*command, TAG]


def _find_engine() -> Engine | None:
    if _docker_answers():
        return Engine("docker")
    script = _container_check_script()
    if script is not None and os.geteuid() == 0:
        return Engine("podman", script)
    return None


def test_docker_is_used_wherever_it_answers_and_nothing_outside_is_looked_at(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_at: list[str] = []
    monkeypatch.setattr(f"{__name__}._docker_answers", lambda: True)
    monkeypatch.setattr(f"{__name__}._container_check_script", lambda: looked_at.append("x"))
    found = _find_engine()
    assert found is not None and (found.name, found.script) == ("docker", None)
    assert looked_at == []


def test_without_docker_the_script_next_to_the_checkout_is_the_fallback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "container-check.sh"
    script.write_text("#!/bin/sh\n")
    monkeypatch.setenv("GH_STORE_CONTAINER_CHECK", str(script))
    assert _container_check_script() == script
    monkeypatch.setenv("GH_STORE_CONTAINER_CHECK", str(tmp_path / "missing.sh"))
    expected = ROOT.parent / "shared" / "tools" / "container-check.sh"
    assert _container_check_script() == (expected if expected.is_file() else None)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    found = _find_engine()
    if found is None:
        reason = (
            "no container engine: `docker info` does not answer, and podman needs "
            "shared/tools/container-check.sh (set GH_STORE_CONTAINER_CHECK) run as root"
        )
        if os.environ.get("GH_STORE_REQUIRE_CONTAINER") == "1":
            pytest.fail(reason + " (GH_STORE_REQUIRE_CONTAINER=1)")
        pytest.skip(reason)
    found.build()  # once per session of this module: the layers cache between runs
    yield found


def test_the_image_processes_an_issue_comment_like_the_runner_runs_it(
    engine: Engine, tmp_path: Path
) -> None:
    with GitHubEmulator(repo="octo/store", host="127.0.0.1") as gh:
        workspace = tmp_path / "workspace"
        workspace.mkdir()
        (workspace / "gh-store.yml").write_text(TEST_CONFIG)
        harness = Harness(gh, tmp_path)
        number = harness.seed_object(
            "counter",
            {"value": 1},
            updates=[("octo", '{"value": 2}'), ("mallory", '{"value": 3}'), ("octo", '{"x": 1}')],
        )
        last = gh.comments(number)[-1]
        event = tmp_path / "event.json"
        payload = webhook(
            "issue_comment",
            "created",
            number=number,
            labels=LABELS,
            comment_id=last["id"],
            comment_body=last["body"],
        )
        event.write_text(json.dumps(payload))
        temp = tmp_path / "runner"
        gh.clear_requests()

        done = engine.gh_run(
            event,
            workspace,
            temp,
            {
                "token": gh.bot_token,
                "api-url": gh.url,
                "config": "gh-store.yml",
                "fail-on-rejected": "false",
            },
        )

        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        outputs = read_outputs((temp / "_runner_file_commands" / "set_output").read_text())
        assert outputs == {
            "object": '{"value":2,"x":1}',
            "object-id": "counter",
            "issue-number": str(number),
            "version": "3",
            "applied": "2",
            "rejected": "0",
            "untrusted": "1",
            "changed": "true",
            "issues-processed": "1",
            "issues-left": "0",
        }
        issue = gh.issue(number)
        assert issue["state"] == "closed"
        assert decode_body(issue["body"]).data == {"value": 2, "x": 1}
        summary = (temp / "_runner_file_commands" / "step_summary").read_text()
        assert "2 applied · 0 rejected · 1 untrusted" in summary
        assert done.stdout.splitlines()[0] == f"::add-mask::{gh.bot_token}"
        # The image speaks GraphQL by default (graphql-core is the emulator's, not in it): the
        # issue with its comments, mallory's role (REST), one request of writes and marks that
        # brings back the last look
        assert [(r.method, r.path, r.mutates) for r in gh.requests] == [
            ("POST", "/graphql", False),
            ("GET", "/repos/octo/store/collaborators/mallory/permission", False),
            ("POST", "/graphql", True),
        ]


def test_the_image_ends_a_noop_event_without_a_request(engine: Engine, tmp_path: Path) -> None:
    with GitHubEmulator(repo="octo/store", host="127.0.0.1") as gh:
        workspace = tmp_path / "workspace"
        workspace.mkdir()
        event = tmp_path / "event.json"
        event.write_text(json.dumps(webhook("issue_comment", "created", number=1, labels=["bug"])))
        temp = tmp_path / "runner"
        done = engine.gh_run(event, workspace, temp, {"token": gh.bot_token, "api-url": gh.url})
        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        outputs = read_outputs((temp / "_runner_file_commands" / "set_output").read_text())
        assert (outputs["changed"], outputs["object"]) == ("false", "")
        assert gh.requests == []


def test_the_image_catches_up_on_a_schedule_and_writes_the_snapshot(
    engine: Engine, tmp_path: Path
) -> None:
    """No issue named: every open object is processed, and the snapshot lands in the workspace."""
    with GitHubEmulator(repo="octo/store", host="127.0.0.1") as gh:
        workspace = tmp_path / "workspace"
        (workspace / "site").mkdir(parents=True)
        harness = Harness(gh, tmp_path)
        first = harness.seed_object("a", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
        harness.seed_object("b", {"n": 5})  # closed, nothing pending
        third = harness.seed_object("c", {"n": 0}, state="open", updates=[("octo", '{"n": 3}')])
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"schedule": "17 * * * *"}))
        temp = tmp_path / "runner"
        inputs = {"token": gh.bot_token, "api-url": gh.url, "snapshot": "site/objects.json"}

        done = engine.gh_run(event, workspace, temp, inputs, event_name="schedule")

        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        outputs = read_outputs((temp / "_runner_file_commands" / "set_output").read_text())
        assert (outputs["issues-processed"], outputs["issues-left"]) == ("2", "0")
        assert (outputs["applied"], outputs["changed"], outputs["object"]) == ("2", "true", "")
        assert all(gh.issue(n)["state"] == "closed" for n in (first, third))
        snapshot = json.loads((workspace / "site" / "objects.json").read_text())
        assert {key: entry["data"] for key, entry in snapshot["objects"].items()} == {
            "a": {"n": 1},
            "b": {"n": 5},
            "c": {"n": 3},
        }
