"""Helpers for the action's tests: real webhook payloads adapted to the emulator's repository,
the runner's environment and files, and a reader of stdout as the runner reads commands."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from gh_store.action import main
from gh_store.core.body import BodyMeta, IssueBody, encode_body
from gh_store.emulator import GitHubEmulator

ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = ROOT / "tests" / "fixtures" / "webhooks"
PAYLOAD_SCHEMAS = WEBHOOKS / "payload-schemas" / "api.github.com"

#: A config for tests: no pacing between writes, few quick retries.
TEST_CONFIG = """\
store:
  rate_limit:
    min_write_interval: 0
  retries:
    max_attempts: 2
    backoff_factor: 0.01
"""


# --- webhook payloads --------------------------------------------------------------------------


def _schema_registry() -> Registry:
    resources = []
    for path in PAYLOAD_SCHEMAS.rglob("*.schema.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        resources.append((document["$id"], Resource.from_contents(document, DRAFT7)))
    return Registry().with_resources(resources)


_REGISTRY = _schema_registry()


def validate_payload(event: str, action: str, payload: dict[str, Any]) -> None:
    """Fail unless ``payload`` is a valid ``event``.``action`` payload (octokit's schemas)."""
    schema = json.loads((PAYLOAD_SCHEMAS / event / f"{action}.schema.json").read_text())
    jsonschema.Draft7Validator(schema, registry=_REGISTRY).validate(payload)


def _label(repo: str, name: str, index: int) -> dict[str, Any]:
    return {
        "id": 1000 + index,
        "node_id": f"LA_{index}",
        "url": f"https://api.github.com/repos/{repo}/labels/{name}",
        "name": name,
        "color": "ededed",
        "default": False,
        "description": None,
    }


def webhook(
    event: str,
    action: str,
    *,
    number: int,
    labels: list[str],
    repo: str = "octo/store",
    comment_id: int = 1,
    comment_body: str = "{}",
    pull_request: bool = False,
) -> dict[str, Any]:
    """A real payload from tests/fixtures/webhooks, moved to ``repo`` and issue ``number``,
    checked against the event's payload schema."""
    source = {
        ("issues", "reopened"): "issues/reopened",
        ("issue_comment", "created"): "issue_comment/created",
        ("issue_comment", "edited"): "issue_comment/created",
        ("issue_comment", "deleted"): "issue_comment/created",
    }.get((event, action), "issues/opened")
    payload: dict[str, Any] = copy.deepcopy(
        json.loads((WEBHOOKS / f"{source}.payload.json").read_text())
    )
    payload["action"] = action
    owner, name = repo.split("/")
    payload["repository"].update(name=name, full_name=repo)
    payload["repository"]["owner"]["login"] = owner
    issue = payload["issue"]
    issue["number"] = number
    issue["labels"] = [_label(repo, label, i) for i, label in enumerate(labels)]
    issue["html_url"] = f"https://github.com/{repo}/issues/{number}"
    if pull_request:
        issue["pull_request"] = {
            "url": f"https://api.github.com/repos/{repo}/pulls/{number}",
            "html_url": f"https://github.com/{repo}/pull/{number}",
            "diff_url": f"https://github.com/{repo}/pull/{number}.diff",
            "patch_url": f"https://github.com/{repo}/pull/{number}.patch",
        }
    if event == "issue_comment":
        payload["comment"].update(id=comment_id, body=comment_body)
        if action == "edited":
            payload["changes"] = {"body": {"from": "{}"}}
    if event == "issues" and action == "edited":
        payload["changes"] = {"body": {"from": "old body"}}
    if event == "issues" and action == "labeled" and labels:
        payload["label"] = issue["labels"][-1]
    validate_payload(event, action, payload)
    return payload


# --- the runner's side -------------------------------------------------------------------------


@dataclass
class ActionRun:
    exit_code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    @property
    def commands(self) -> list[tuple[str, str]]:
        return runner_commands(self.stdout)

    def annotations(self, command: str) -> list[str]:
        """The data of every command named exactly ``command`` (properties included)."""
        return [data for name, data in self.commands if name == command]


def read_outputs(text: str) -> dict[str, str]:
    """``GITHUB_OUTPUT`` as the runner reads it; every value must be in heredoc form."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    assert lines[-1] == "", "the output file must end with a newline"
    index = 0
    while index < len(lines) - 1:
        header = re.fullmatch(r"([A-Za-z0-9_-]+)<<(ghadelimiter_[0-9a-f]{32})", lines[index])
        assert header, f"not a heredoc header: {lines[index]!r}"
        name, delimiter = header.groups()
        end = lines.index(delimiter, index + 1)
        assert name not in outputs, f"output {name} written twice"
        outputs[name] = "\n".join(lines[index + 1 : end])
        index = end + 1
    return outputs


def runner_commands(stdout: str) -> list[tuple[str, str]]:
    """The workflow commands the runner would act on: ``(name and properties, data)``.

    Lines inside ``::stop-commands::T`` ... ``::T::`` are ignored, as the runner does.
    """
    found: list[tuple[str, str]] = []
    resume: str | None = None
    for raw in stdout.splitlines():
        line = raw.strip()
        if resume is not None:
            if line == f"::{resume}::":
                resume = None
            continue
        match = re.match(r"::([^:]*)::(.*)\Z", line)
        if not match:
            continue
        name, data = match.groups()
        if name == "stop-commands":
            assert data, "stop-commands needs a token"
            resume = data
            continue
        found.append((name, data))
    assert resume is None, "a stop-commands block is never closed"
    return found


@dataclass
class Harness:
    """Runs the action as the runner would, against ``gh``, with files under ``tmp``."""

    gh: GitHubEmulator
    tmp: Path
    config_text: str | None = TEST_CONFIG
    token: str = ""
    runs: int = field(default=0)

    def __post_init__(self) -> None:
        self.token = self.token or self.gh.bot_token

    def seed_object(
        self,
        object_id: str,
        data: dict[str, Any],
        *,
        user: str = "octo",
        state: str = "closed",
        updates: Sequence[tuple[str, str]] = (),
    ) -> int:
        """An object's issue as the store leaves it, and pending update comments (user, body)."""
        body = encode_body(IssueBody(data=data, meta=BodyMeta()))
        number = self.gh.seed_issue(
            f"Stored Object: {object_id}",
            body,
            ["stored-object", f"UID:{object_id}"],
            user=user,
            state=state,
        )
        for author, text in updates:
            self.gh.seed_comment(number, text, user=author)
        return number

    def env(self, event_name: str, payload: dict[str, Any], **inputs: str) -> dict[str, str]:
        self.runs += 1
        run_dir = self.tmp / f"run{self.runs}"
        run_dir.mkdir()
        event_path = run_dir / "event.json"
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        (run_dir / "output").touch()
        (run_dir / "summary").touch()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": self.gh.repo,
            "GITHUB_API_URL": "https://api.github.invalid",
            "GITHUB_WORKSPACE": str(self.tmp),
            "GITHUB_OUTPUT": str(run_dir / "output"),
            "GITHUB_STEP_SUMMARY": str(run_dir / "summary"),
            "INPUT_TOKEN": self.token,
            "INPUT_API-URL": self.gh.url,
            "INPUT_FAIL-ON-REJECTED": "false",
            "INPUT_SCHEMA": "",
            "INPUT_ISSUE-NUMBER": "",
            "INPUT_CONFIG": "",
        }
        if self.config_text is not None:
            (self.tmp / "gh-store.yml").write_text(self.config_text, encoding="utf-8")
            env["INPUT_CONFIG"] = "gh-store.yml"
        for name, value in inputs.items():
            env["INPUT_" + name.upper().replace("_", "-")] = value
        return env

    def run(self, event_name: str, payload: dict[str, Any], **inputs: str) -> ActionRun:
        """``main()`` in this process."""
        env = self.env(event_name, payload, **inputs)
        stdout = io.StringIO()
        transport = self.gh.client_options()["http_transport"]
        code = main(environ=env, stdout=stdout, http_transport=transport)
        return self._result(env, code, stdout.getvalue(), "")

    def run_process(self, event_name: str, payload: dict[str, Any], **inputs: str) -> ActionRun:
        """``python entrypoint.py`` as the runner starts the container's entry point."""
        env = self.env(event_name, payload, **inputs)
        done = subprocess.run(
            [sys.executable, str(ROOT / "entrypoint.py")],
            env=env,
            cwd=self.tmp,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return self._result(env, done.returncode, done.stdout, done.stderr)

    def _result(self, env: dict[str, str], code: int, stdout: str, stderr: str) -> ActionRun:
        outputs_text = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
        outputs = read_outputs(outputs_text) if outputs_text else {}
        summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
        return ActionRun(code, stdout, stderr, outputs, summary)


@pytest.fixture
def harness(gh: GitHubEmulator, tmp_path: Path) -> Harness:
    return Harness(gh, tmp_path)


MakePayload = Callable[..., dict[str, Any]]


@pytest.fixture
def payload() -> Iterator[MakePayload]:
    yield webhook
