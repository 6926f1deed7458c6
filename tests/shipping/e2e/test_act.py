"""Workflows as GitHub runs them, under nektos/act, against the emulator (`make e2e`).

The example workflows run as a user copies them: each alone in an otherwise empty repository
(no config, no schema), unchanged; `uses: owner/gh-store@v1` is served from this checkout
(`--local-repository`), `actions/checkout` is act's copy of the user's repository, and the
action's image is built from the Dockerfile. The Pages actions, which need GitHub's artifact and
Pages services, are stand-ins that show what they were given; so is setup-python (a venv of the
job image's Python). The counter example's one line that reaches the network, its install of the
client from GitHub, installs a wheel of this checkout instead. The self-test workflow runs too,
its `uses: ./` and its checking script included.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gh_store import GitHubStore
from gh_store.core.exceptions import ObjectNotFound
from gh_store.core.snapshot_format import FORMAT_VERSION, MARKER, foreign_reason

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


def _stand_ins(workflow_file: Path, tmp_path: Path, texts: dict[str, str]) -> list[str]:
    """``--local-repository`` arguments serving each ``uses:`` that starts with a key of
    ``texts`` from a folder holding that text as its action.yml."""
    workflow = yaml.safe_load(workflow_file.read_text())
    arguments = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            uses = step.get("uses", "")
            for name, text in texts.items():
                if uses.startswith(name):
                    folder = tmp_path / name.strip("@").replace("/", "-")
                    folder.mkdir(exist_ok=True)
                    (folder / "action.yml").write_text(text)
                    arguments += ["--local-repository", f"{uses}={folder}"]
    return arguments


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
    stand_ins = _stand_ins(
        repository / ".github/workflows/snapshot-pages.yml",
        tmp_path,
        {
            "actions/upload-pages-artifact@": _UPLOAD_PAGES_STAND_IN,
            "actions/deploy-pages@": _DEPLOY_PAGES_STAND_IN,
        },
    )
    assert len(stand_ins) == 4, stand_ins

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


#: What the scheduled example installs; the test serves exactly this from the checkout's wheel.
_CLIENT_FROM_GITHUB = "git+https://github.com/owner/gh-store@v1"
# setup-python puts a Python on PATH that pip installs into; a venv of the job image's Python does
# the same offline (the image's Python is the one the wheelhouse was fetched for).
_SETUP_PYTHON_STAND_IN = """\
name: setup-python stand-in
inputs:
  python-version: {required: false}
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        python3 -m venv "$RUNNER_TEMP/setup-python"
        echo "$RUNNER_TEMP/setup-python/bin" >> "$GITHUB_PATH"
"""


def test_the_scheduled_example_copied_with_its_script_applies_a_guarded_update(
    act: Act,
    emulator: Emulator,
    owner_store: GitHubStore,
    wheelhouse: Path,
    client_wheel: Path,
    tmp_path: Path,
) -> None:
    with pytest.raises(ObjectNotFound):
        owner_store.get("counter")
    repository = empty_repository_with(
        tmp_path, "scheduled-update.yml", "examples/scripts/update_counter.py"
    )
    workflow_file = repository / ".github/workflows/scheduled-update.yml"
    text = workflow_file.read_text()
    # The one change: the install line's reference, served from this checkout's wheel.
    assert text.count(_CLIENT_FROM_GITHUB) == 1, text
    workflow_file.write_text(
        text.replace(_CLIENT_FROM_GITHUB, f"file:///gh-store-dist/{client_wheel.name}")
    )
    stand_ins = _stand_ins(
        workflow_file, tmp_path, {"actions/setup-python@": _SETUP_PYTHON_STAND_IN}
    )
    assert len(stand_ins) == 2, stand_ins

    run = act(
        "workflow_dispatch",
        ".github/workflows/scheduled-update.yml",
        {"inputs": {}, "repository": emulator.repository()},
        token=emulator.tokens["github-actions[bot]"],
        repository=repository,
        extra=[
            *stand_ins,
            "--env", "PIP_NO_INDEX=1",
            "--env", "PIP_FIND_LINKS=/wheelhouse",
            "--env", "PIP_DISABLE_PIP_VERSION_CHECK=1",
        ],
        container_options=[
            "-v", f"{wheelhouse}:/wheelhouse:ro",
            "-v", f"{client_wheel.parent}:/gh-store-dist:ro",
        ],
    )  # fmt: skip

    _assert_green(run, {"bump": "success"})
    printed = run.output("bump")
    assert any(re.fullmatch(r"created counter in issue #\d+", line) for line in printed), printed
    assert any(re.fullmatch(r"counter: count 0 -> 1 \(v\d+\)", line) for line in printed), printed
    counter = owner_store.get("counter")
    assert counter.data == {"count": 1}
    number = counter.meta.issue_number
    # Applied by the processor in the same run: the update comment got its +1, the issue closed.
    (update,) = emulator.rest("GET", f"issues/{number}/comments")[-1:]
    assert json.loads(update["body"]) == {
        "_data": {"count": 1},
        "_meta": {"client": "gh-store", "if_version": 1},  # guarded with the version it read
    }, update["body"]
    assert _plus_ones(emulator, update["id"]) == ["github-actions[bot]"]
    assert emulator.rest("GET", f"issues/{number}")["state"] == "closed"


def _git(repository: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repository), *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("server", ["github.com", "ghes.example.com"])
def test_the_snapshot_commit_example_copied_alone_pushes_a_snapshot(
    act: Act,
    emulator: Emulator,
    owner_store: GitHubStore,
    job_image_with_git: str,
    tmp_path: Path,
    server: str,
) -> None:
    """On github.com and on a GitHub Enterprise Server (act's `--github-instance` sets
    `github.server_url`): the push goes to the server the workflow runs on."""
    name = f"e2e-snapshot-commit-{server.split('.')[0]}"
    owner_store.create(name, {"value": 1})
    owner_store.update(name, {"value": 4})  # pending: the run applies it
    repository = empty_repository_with(tmp_path, "snapshot-commit.yml")
    branch = _git(repository, "symbolic-ref", "--short", "HEAD").strip()
    copied = _git(repository, "rev-parse", "HEAD").strip()
    # GitHub's remote for octo/store is a bare repository the job container sees at /remote;
    # git's own URL rewriting sends the workflow's push there, with the token it must carry.
    remote = tmp_path / "remote"
    bare = remote / "octo" / "store.git"
    _git(tmp_path, "clone", "--quiet", "--bare", str(repository), str(bare))
    token = emulator.tokens["github-actions[bot]"]

    run = act(
        "workflow_dispatch",
        ".github/workflows/snapshot-commit.yml",
        {"inputs": {}, "repository": emulator.repository()},
        token=token,
        repository=repository,
        job_image=job_image_with_git,
        extra=[
            "--github-instance", server,
            "--env", "GIT_CONFIG_COUNT=1",
            "--env", "GIT_CONFIG_KEY_0=url.file:///remote/.insteadOf",
            "--env", f"GIT_CONFIG_VALUE_0=https://x-access-token:{token}@{server}/",
        ],
        container_options=["-v", f"{remote}:/remote"],
    )  # fmt: skip

    _assert_green(run, {"snapshot": "success"})
    pushed = _git(bare, "rev-parse", branch).strip()
    assert pushed != copied, "the workflow pushed nothing"
    assert _git(bare, "rev-parse", f"{pushed}^").strip() == copied
    assert _git(bare, "log", "-1", "--format=%s|%an", pushed) == (
        "Snapshot of the stored objects|github-actions[bot]\n"
    )
    assert _git(bare, "diff", "--name-only", copied, pushed) == "data/objects.json\n"
    document = json.loads(_git(bare, "show", f"{pushed}:data/objects.json"))
    assert document[MARKER] == FORMAT_VERSION, document
    assert foreign_reason(document, emulator.repo) is None, document
    stored = {stored.meta.object_id: stored.data for stored in owner_store.list_all()}
    assert {key: entry["data"] for key, entry in document["objects"].items()} == stored
    assert stored[name] == {"value": 4}
