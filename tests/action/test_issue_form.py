"""An issue form creates an object from the web UI (issue 20): the example form is valid GitHub
issue-forms YAML, and an ``issues.opened`` event for the issue it makes (a real payload, its body
as GitHub renders a form) is processed by the action like any other create."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gh_store.core.body import decode_body
from gh_store.core.issue_form import DATA_FIELD, ID_FIELD
from gh_store.emulator import GitHubEmulator
from gh_store.emulator.hooks import RequestInfo

from .conftest import ROOT, Harness, webhook

FORM = ROOT / "examples" / "ISSUE_TEMPLATE" / "new-object.yml"


def _form_body(object_id: str, data_text: str) -> str:
    """What GitHub writes into the issue for a submitted form (``render: json`` fences the data)."""
    return f"### {ID_FIELD}\n\n{object_id}\n\n### {DATA_FIELD}\n\n```json\n{data_text}\n```"


def _open(harness: Harness, gh: GitHubEmulator, body: str, user: str = "octo") -> tuple[int, Any]:
    number = gh.seed_issue("New object", body, ["stored-object"], user=user)
    payload = webhook("issues", "opened", number=number, labels=["stored-object"])
    payload["issue"]["body"] = body
    payload["issue"]["user"]["login"] = user
    return number, payload


def _labels(gh: GitHubEmulator, number: int) -> set[str]:
    return {label["name"] for label in gh.issue(number)["labels"]}


def test_the_form_is_valid_issue_forms_yaml_and_names_the_fields_the_store_reads() -> None:
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is missing: install the test extras"
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-issue-forms", str(FORM)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    form = yaml.safe_load(FORM.read_text())
    labels = [item["attributes"]["label"] for item in form["body"] if item["type"] != "markdown"]
    assert labels == [ID_FIELD, DATA_FIELD]
    assert form["labels"] == ["stored-object"]


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_an_opened_form_issue_becomes_the_object(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    gh.set_permission("alice", "write")
    number, payload = _open(
        harness, gh, _form_body("my-object", '{"name": "test", "value": 42}'), user="alice"
    )
    run = harness.run("issues", payload, api=api)
    assert run.exit_code == 0, run.stdout
    assert (run.outputs["object-id"], run.outputs["version"]) == ("my-object", "1")
    assert json.loads(run.outputs["object"]) == {"name": "test", "value": 42}
    issue = gh.issue(number)
    assert issue["state"] == "closed"
    assert _labels(gh, number) == {"stored-object", "UID:my-object"}
    assert decode_body(issue["body"]).data == {"name": "test", "value": 42}
    # From here it is an object like any other: updates apply, the id is taken.
    gh.seed_comment(number, '{"value": 43}', user="alice")
    comment = gh.comments(number)[-1]
    event = webhook(
        "issue_comment",
        "created",
        number=number,
        labels=["stored-object", "UID:my-object"],
        comment_id=comment["id"],
        comment_body=comment["body"],
    )
    assert harness.run("issue_comment", event, api=api).outputs["version"] == "2"
    again, payload = _open(harness, gh, _form_body("my-object", "{}"))
    refused = harness.run("issues", payload, api=api)
    assert refused.exit_code == 2 and "already exists" in refused.stdout
    assert _labels(gh, again) == {"stored-object"} and gh.issue(again)["state"] == "open"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (_form_body("x", '{"value": "not a number"}'), "does not match the schema"),
        (_form_body("x", "{broken"), "is not valid JSON"),
        (_form_body("x", "[1, 2]"), "must be a JSON object"),
        (_form_body("_No response_", "{}"), "field is empty"),
        (_form_body("a,b", "{}"), "comma"),
        (f"### {ID_FIELD}\n\nx\n\n### {DATA_FIELD}\n\n_No response_", "field is empty"),
    ],
    ids=["schema", "broken", "array", "no id", "bad id", "no data"],
)
def test_a_form_that_cannot_be_an_object_fails_with_the_reason_and_is_left_alone(
    harness: Harness, gh: GitHubEmulator, body: str, problem: str
) -> None:
    (harness.tmp / "schema.json").write_text(
        json.dumps({"type": "object", "properties": {"value": {"type": "integer"}}})
    )
    number, payload = _open(harness, gh, body)
    run = harness.run("issues", payload, schema="schema.json")
    assert run.exit_code == 2, run.stdout
    assert problem in run.stdout
    issue = gh.issue(number)
    assert issue["body"] == body and issue["state"] == "open"
    assert _labels(gh, number) == {"stored-object"}


def test_a_form_opened_by_a_user_who_may_not_write_is_refused(
    harness: Harness, gh: GitHubEmulator
) -> None:
    gh.set_permission("mallory", "read")
    body = _form_body("mine", '{"owned": true}')
    number, payload = _open(harness, gh, body, user="mallory")
    run = harness.run("issues", payload)
    assert run.exit_code == 0 and run.outputs["object"] == ""
    assert gh.issue(number)["body"] == body and _labels(gh, number) == {"stored-object"}
    assert "Nothing was processed" in run.summary


def test_a_form_racing_an_older_issue_for_the_same_id_archives_itself(
    harness: Harness, gh: GitHubEmulator
) -> None:
    older = gh.seed_issue("older", json.dumps({"by": "older"}), ["stored-object"], user="octo")
    number, payload = _open(harness, gh, _form_body("race", '{"by": "form"}'))

    def older_takes_the_id(info: RequestInfo) -> None:
        if not hook_state:
            hook_state.append(1)
            gh.set_labels(older, ["stored-object", "UID:race"])

    hook_state: list[int] = []
    gh.add_hook(older_takes_the_id, "PATCH", rf"/issues/{number}$")
    run = harness.run("issues", payload)
    assert run.exit_code == 2 and "created by someone else" in run.stdout
    assert "archived" in _labels(gh, number) and "stored-object" not in _labels(gh, number)
    assert gh.issue(number)["state"] == "closed"
