"""Workflows as GitHub runs them, under nektos/act, against the emulator (`make e2e`).

The example workflows run as a user copies them: each alone in an otherwise empty repository
(no config, no schema), unchanged; `uses: owner/gh-store@v1` is served from this checkout
(`--local-repository`), `actions/checkout` is act's copy of the user's repository, and the
action's image is built from the Dockerfile. The Pages actions, which need GitHub's artifact and
Pages services, are stand-ins that show what they were given. The self-test workflow runs too,
its `uses: ./` and its checking script included.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gh_store import GitHubStore

from .conftest import Act, ActRun, Emulator, empty_repository_with, new_token

#: Where a user puts the example: alone in their repository (the `copied` fixture).
EXAMPLE = ".github/workflows/gh-store.yml"
SELF_TEST = ".github/workflows/self-test.yml"
NO_PACING = "store:\n  rate_limit:\n    min_write_interval: 0\n"


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return empty_repository_with(tmp_path_factory.mktemp("user"), "gh-store.yml")


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
    act: Act, emulator: Emulator, owner_store: GitHubStore, copied: Path
) -> None:
    created = owner_store.create("e2e-demo", {"name": "demo", "value": 1})
    owner_store.update("e2e-demo", {"value": 2})
    number = created.meta.issue_number
    event = _comment_event(emulator, number)

    run = act(
        "issue_comment",
        EXAMPLE,
        event,
        token=emulator.tokens["github-actions[bot]"],
        repository=copied,
    )

    _assert_green(run, {"process": "success", "publish": "success"})
    # The later job read the object from needs.process.outputs and pretty-printed it.
    publish = run.output("publish")
    assert publish[0] == "object e2e-demo is now at version 2", publish
    assert json.loads("\n".join(publish[1:])) == {"name": "demo", "value": 2}
    assert emulator.rest("GET", f"issues/{number}")["state"] == "closed"
    assert owner_store.get("e2e-demo").data == {"name": "demo", "value": 2}
    assert _plus_ones(emulator, event["comment"]["id"]) == ["github-actions[bot]"]


def test_a_comment_on_an_unlabelled_issue_starts_no_container(
    act: Act, emulator: Emulator, copied: Path
) -> None:
    issue = emulator.rest("POST", "issues", {"title": "a bug report", "body": "it breaks"})
    emulator.rest("POST", f"issues/{issue['number']}/comments", {"body": '{"value": 3}'})
    event = _comment_event(emulator, issue["number"])
    assert event["issue"]["labels"] == []

    run = act(
        "issue_comment",
        EXAMPLE,
        event,
        token=emulator.tokens["github-actions[bot]"],
        repository=copied,
    )

    _assert_green(run, {"process": "skipped", "publish": "skipped"})
    assert run.containers_started() == []
    assert emulator.rest("GET", f"issues/{issue['number']}")["state"] == "open"


def test_a_comment_on_a_pull_request_starts_no_container(
    act: Act, emulator: Emulator, copied: Path
) -> None:
    issue = emulator.rest("POST", "issues", {"title": "a change", "body": "please merge"})
    emulator.rest("POST", f"issues/{issue['number']}/comments", {"body": "LGTM"})
    event = _comment_event(emulator, issue["number"])
    # GitHub sends issue_comment for pull requests too, with issue.pull_request set.
    event["issue"]["labels"] = [{"name": "stored-object", "id": 1, "color": "ededed"}]
    event["issue"]["pull_request"] = {"url": f"{emulator.url}/pulls/{issue['number']}"}

    run = act(
        "issue_comment",
        EXAMPLE,
        event,
        token=emulator.tokens["github-actions[bot]"],
        repository=copied,
    )

    _assert_green(run, {"process": "skipped", "publish": "skipped"})
    assert run.containers_started() == []


def test_a_bad_token_fails_the_job_with_one_error_and_writes_nothing(
    act: Act, emulator: Emulator, owner_store: GitHubStore, copied: Path
) -> None:
    created = owner_store.create("e2e-bad-token", {"name": "demo", "value": 1})
    owner_store.update("e2e-bad-token", {"value": 5})
    number = created.meta.issue_number
    event = _comment_event(emulator, number)

    run = act("issue_comment", EXAMPLE, event, token=new_token(), repository=copied)

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


def test_the_catch_up_example_copied_alone_applies_what_is_pending(
    act: Act, emulator: Emulator, owner_store: GitHubStore, tmp_path: Path
) -> None:
    for name in ("e2e-catch-up-1", "e2e-catch-up-2"):
        owner_store.create(name, {"value": 1})
        owner_store.update(name, {"value": 2})  # pending: no run was started for it

    repository = empty_repository_with(tmp_path, "catch-up.yml")
    run = act(
        "workflow_dispatch",
        ".github/workflows/catch-up.yml",
        {"inputs": {}, "repository": emulator.repository()},
        token=emulator.tokens["github-actions[bot]"],
        repository=repository,
    )

    _assert_green(run, {"catch-up": "success"})
    # The workflow's own report step; earlier tests may have left updates of their own pending.
    (report,) = [
        line
        for line in run.output("catch-up")
        if re.fullmatch(r"\d+ object\(s\) processed, 0 left for the next run", line)
    ]
    assert int(report.split()[0]) >= 2, report
    for name in ("e2e-catch-up-1", "e2e-catch-up-2"):
        assert owner_store.get(name).data == {"value": 2}


_UPLOAD_PAGES_STAND_IN = """\
name: upload-pages-artifact stand-in
inputs:
  path: {required: true}
runs:
  using: composite
  steps:
    - shell: bash
      env: {SITE: "${{ inputs.path }}"}
      run: cat "$SITE/objects.json"
"""
_DEPLOY_PAGES_STAND_IN = """\
name: deploy-pages stand-in
outputs:
  page_url: {value: "https://octo.github.io/store/"}
runs:
  using: composite
  steps:
    - shell: bash
      run: echo deployed
"""


def test_the_pages_example_copied_alone_publishes_a_snapshot(
    act: Act, emulator: Emulator, owner_store: GitHubStore, tmp_path: Path
) -> None:
    owner_store.create("e2e-pages", {"value": 1})
    owner_store.update("e2e-pages", {"value": 7})
    repository = empty_repository_with(tmp_path, "snapshot-pages.yml")
    workflow = yaml.safe_load((repository / ".github/workflows/snapshot-pages.yml").read_text())
    stand_ins = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            uses = step.get("uses", "")
            for name, text in (
                ("actions/upload-pages-artifact@", _UPLOAD_PAGES_STAND_IN),
                ("actions/deploy-pages@", _DEPLOY_PAGES_STAND_IN),
            ):
                if uses.startswith(name):
                    folder = tmp_path / name.strip("@").replace("/", "-")
                    folder.mkdir()
                    (folder / "action.yml").write_text(text)
                    stand_ins += ["--local-repository", f"{uses}={folder}"]
    assert len(stand_ins) == 4, workflow

    run = act(
        "workflow_dispatch",
        ".github/workflows/snapshot-pages.yml",
        {"inputs": {}, "repository": emulator.repository()},
        token=emulator.tokens["github-actions[bot]"],
        repository=repository,
        extra=stand_ins,
    )

    _assert_green(run, {"snapshot": "success", "deploy": "success"})
    # The stand-in printed the site's objects.json (indented JSON) after the action's own lines.
    printed = run.output("snapshot")
    published = json.loads("\n".join(printed[printed.index("{") :]))
    assert published["repository"] == emulator.repo, published
    assert published["objects"]["e2e-pages"]["data"] == {"value": 7}, published
    assert "deployed" in run.output("deploy")
