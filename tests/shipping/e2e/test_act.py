"""Workflows as GitHub runs them, under nektos/act, against the emulator (`make e2e`).

The example workflow runs unchanged: `uses: owner/gh-store@v1` is served from this checkout
(`--local-repository`), `actions/checkout` is act's copy of it, and the action's image is built
from the Dockerfile. The self-test workflow runs too, its `uses: ./` and its checking script
included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gh_store import GitHubStore

from .conftest import Act, ActRun, Emulator, new_token

EXAMPLE = "examples/workflows/gh-store.yml"
SELF_TEST = ".github/workflows/self-test.yml"
NO_PACING = "store:\n  rate_limit:\n    min_write_interval: 0\n"


@pytest.fixture
def owner_store(emulator: Emulator, tmp_path: Path) -> GitHubStore:
    config = tmp_path / "config.yml"
    config.write_text(NO_PACING)
    return GitHubStore(
        token=emulator.tokens["octo"],
        repo=emulator.repo,
        api_url=emulator.url,
        config_path=config,
    )


def _comment_event(emulator: Emulator, number: int) -> dict[str, Any]:
    """The issue_comment.created payload GitHub would send for the issue's last comment."""
    issue = emulator.rest("GET", f"issues/{number}")
    comment = emulator.rest("GET", f"issues/{number}/comments")[-1]
    return {
        "action": "created",
        "issue": issue,
        "comment": comment,
        "repository": emulator.repository(),
        "sender": comment["user"],
    }


def _plus_ones(emulator: Emulator, comment_id: int) -> list[str]:
    reactions = emulator.rest("GET", f"issues/comments/{comment_id}/reactions")
    return [r["user"]["login"] for r in reactions if r["content"] == "+1"]


def _assert_green(run: ActRun, jobs: dict[str, str]) -> None:
    assert run.returncode == 0, "\n".join(run.lines()[-80:])
    assert run.job_results() == jobs, "\n".join(run.lines()[-80:])


def test_an_update_comment_runs_both_jobs_and_the_later_one_reads_the_object(
    act: Act, emulator: Emulator, owner_store: GitHubStore
) -> None:
    created = owner_store.create("e2e-demo", {"name": "demo", "value": 1})
    owner_store.update("e2e-demo", {"value": 2})
    number = created.meta.issue_number
    event = _comment_event(emulator, number)

    run = act("issue_comment", EXAMPLE, event, token=emulator.tokens["github-actions[bot]"])

    _assert_green(run, {"process": "success", "publish": "success"})
    # The later job read the object from needs.process.outputs and pretty-printed it.
    publish = run.output("publish")
    assert publish[0] == "object e2e-demo is now at version 2", publish
    assert json.loads("\n".join(publish[1:])) == {"name": "demo", "value": 2}
    assert emulator.rest("GET", f"issues/{number}")["state"] == "closed"
    assert owner_store.get("e2e-demo").data == {"name": "demo", "value": 2}
    assert _plus_ones(emulator, event["comment"]["id"]) == ["github-actions[bot]"]


def test_a_comment_on_an_unlabelled_issue_starts_no_container(act: Act, emulator: Emulator) -> None:
    issue = emulator.rest("POST", "issues", {"title": "a bug report", "body": "it breaks"})
    emulator.rest("POST", f"issues/{issue['number']}/comments", {"body": '{"value": 3}'})
    event = _comment_event(emulator, issue["number"])
    assert event["issue"]["labels"] == []

    run = act("issue_comment", EXAMPLE, event, token=emulator.tokens["github-actions[bot]"])

    _assert_green(run, {"process": "skipped", "publish": "skipped"})
    assert run.containers_started() == []
    assert emulator.rest("GET", f"issues/{issue['number']}")["state"] == "open"


def test_a_comment_on_a_pull_request_starts_no_container(act: Act, emulator: Emulator) -> None:
    issue = emulator.rest("POST", "issues", {"title": "a change", "body": "please merge"})
    emulator.rest("POST", f"issues/{issue['number']}/comments", {"body": "LGTM"})
    event = _comment_event(emulator, issue["number"])
    # GitHub sends issue_comment for pull requests too, with issue.pull_request set.
    event["issue"]["labels"] = [{"name": "stored-object", "id": 1, "color": "ededed"}]
    event["issue"]["pull_request"] = {"url": f"{emulator.url}/pulls/{issue['number']}"}

    run = act("issue_comment", EXAMPLE, event, token=emulator.tokens["github-actions[bot]"])

    _assert_green(run, {"process": "skipped", "publish": "skipped"})
    assert run.containers_started() == []


def test_a_bad_token_fails_the_job_with_one_error_and_writes_nothing(
    act: Act, emulator: Emulator, owner_store: GitHubStore
) -> None:
    created = owner_store.create("e2e-bad-token", {"name": "demo", "value": 1})
    owner_store.update("e2e-bad-token", {"value": 5})
    number = created.meta.issue_number
    event = _comment_event(emulator, number)

    run = act("issue_comment", EXAMPLE, event, token=new_token())

    assert run.returncode != 0
    results = run.job_results()
    assert results["process"] == "failure", results
    assert results.get("publish", "skipped") == "skipped", results  # act may not report it
    # docs/action.md: exit code 2, exactly one ::error naming the problem and the fix, no traceback
    errors = run.commands("process", "error")
    assert len(errors) == 1, errors
    assert errors[0]["arg"].startswith("GitHub rejected the token (401 Bad credentials)"), errors
    assert not any("Traceback" in line for line in run.output("process"))
    assert "exit with `FAILURE`: 2" in run.lines("process")
    assert emulator.rest("GET", f"issues/{number}")["state"] == "open"
    assert _plus_ones(emulator, event["comment"]["id"]) == []


def test_the_self_test_workflow_passes_against_the_emulator(
    act: Act, emulator: Emulator, wheelhouse: Path
) -> None:
    run = act(
        "workflow_dispatch",
        SELF_TEST,
        {"inputs": {}, "repository": emulator.repository()},
        token=emulator.tokens["github-actions[bot]"],
        extra=[
            "--var", "GH_STORE_SELF_TEST=true",
            "--env", "PIP_NO_INDEX=1",
            "--env", "PIP_FIND_LINKS=/wheelhouse",
            "--env", "PIP_DISABLE_PIP_VERSION_CHECK=1",
        ],
        container_options=["-v", f"{wheelhouse}:/wheelhouse:ro"],
    )  # fmt: skip

    _assert_green(run, {"run": "success", "check": "success"})
    check = run.output("check")
    assert check[-1] == "self-test passed", check
    assert sum(line.startswith("ok    ") for line in check) == 7, check
    prepared = [line for line in run.output("run") if line.startswith("issue-number: ")]
    number = int(prepared[0].split(": ")[1])
    issue = emulator.rest("GET", f"issues/{number}")
    assert issue["state"] == "closed"
    assert "archived" in {label["name"] for label in issue["labels"]}
