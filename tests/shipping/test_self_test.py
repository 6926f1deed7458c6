"""The self-test's checking script (.github/scripts/self_test.py) against the emulator, with the
action run in between as the self-test workflow runs it (``uses: ./`` with ``issue-number``).

The workflow's token is github-actions[bot]'s, so the emulator's bot token plays it. The client's
default config file (``~/.config/gh-store/config.yml``, under a HOME of the test's own) turns off
the one-second pacing between writes that GitHub asks for, so the test does not sleep.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gh_store.core.body import decode_body
from gh_store.emulator import GitHubEmulator

from ._support import read_outputs, run_action, run_script

NO_PACING = "store:\n  rate_limit:\n    min_write_interval: 0\n"


@pytest.fixture
def gh() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(repo="octo/store") as emulator:
        emulator.latency = 0.0
        yield emulator


def _env(gh: GitHubEmulator, tmp_path: Path, token: str) -> dict[str, str]:
    home = tmp_path / "home"
    (home / ".config" / "gh-store").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "gh-store" / "config.yml").write_text(NO_PACING)
    return {
        "HOME": str(home),
        "GITHUB_TOKEN": token,
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_API_URL": gh.url,
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
    }


def _prepare(gh: GitHubEmulator, tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    output = tmp_path / "prepare-output"
    output.touch()
    done = run_script("self_test.py", "prepare", env={**env, "GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stdout + done.stderr
    return read_outputs(output.read_text())


def _run_the_action(gh: GitHubEmulator, tmp_path: Path, issue_number: str) -> dict[str, str]:
    (tmp_path / "action").mkdir()
    (tmp_path / "action" / "gh-store.yml").write_text(NO_PACING)
    code, stdout, outputs = run_action(
        tmp_path / "action",
        repo=gh.repo,
        token=gh.bot_token,
        api_url=gh.url,
        event_name="workflow_dispatch",
        payload={"inputs": {}},
        inputs={"issue-number": issue_number, "config": "gh-store.yml"},
    )
    assert code == 0, stdout
    return outputs


def _check_env(prepared: dict[str, str], action: dict[str, str]) -> dict[str, str]:
    return {
        "SELF_TEST_OBJECT_ID": prepared["object-id"],
        "SELF_TEST_ISSUE_NUMBER": prepared["issue-number"],
        "SELF_TEST_VERSION_BEFORE": prepared["version"],
        "SELF_TEST_EXPECTED": prepared["expected"],
        "SELF_TEST_OBJECT": action.get("object", ""),
        "SELF_TEST_VERSION": action.get("version", ""),
        "SELF_TEST_APPLIED": action.get("applied", ""),
    }


def test_prepare_makes_an_object_with_one_pending_update(
    gh: GitHubEmulator, tmp_path: Path
) -> None:
    prepared = _prepare(gh, tmp_path, _env(gh, tmp_path, gh.bot_token))

    assert prepared["object-id"] == "self-test-4242-1"
    assert prepared["version"] == "1"
    number = int(prepared["issue-number"])
    issue = gh.issue(number)
    assert issue["state"] == "open"  # pending: the update waits for the action
    assert {label["name"] for label in issue["labels"]} == {"stored-object", "UID:self-test-4242-1"}
    assert decode_body(issue["body"]).data == {
        "self-test": "4242-1",
        "count": 0,
        "remove-me": "this key is removed by the update",
    }
    assert [json.loads(c["body"]) for c in gh.comments(number)][1:] == [  # after the creation
        {"count": 1, "checked": True, "remove-me": None}
    ]
    assert json.loads(prepared["expected"]) == {"self-test": "4242-1", "count": 1, "checked": True}


def test_check_passes_after_the_action_ran_and_archives(gh: GitHubEmulator, tmp_path: Path) -> None:
    env = _env(gh, tmp_path, gh.bot_token)
    prepared = _prepare(gh, tmp_path, env)
    action = _run_the_action(gh, tmp_path, prepared["issue-number"])
    assert (action["applied"], action["version"]) == ("1", "2")
    gh.clear_requests()

    done = run_script("self_test.py", "check", env={**env, **_check_env(prepared, action)})

    assert done.returncode == 0, done.stdout + done.stderr
    assert sum(line.startswith("ok    ") for line in done.stdout.splitlines()) == 7, done.stdout
    assert "FAIL" not in done.stdout and done.stdout.rstrip().endswith("self-test passed")
    issue = gh.issue(int(prepared["issue-number"]))
    assert issue["state"] == "closed"
    assert "archived" in {label["name"] for label in issue["labels"]}


def test_check_fails_when_the_action_did_not_run(gh: GitHubEmulator, tmp_path: Path) -> None:
    env = _env(gh, tmp_path, gh.bot_token)
    prepared = _prepare(gh, tmp_path, env)

    done = run_script("self_test.py", "check", env={**env, **_check_env(prepared, {})})

    assert done.returncode == 1, done.stdout + done.stderr
    failed = [line.split(":")[0] for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == [
        "FAIL  the object output holds the update",
        "FAIL  version went up by one",
        "FAIL  applied is 1",
        "FAIL  the issue is closed",
        "FAIL  the issue body holds the update",
        "FAIL  the update's comment carries github-actions[bot]'s +1",
    ]
    assert "::error title=self-test failed::6 check(s) failed" in done.stdout
    # archived all the same: a failed self-test leaves no live object behind
    labels = {label["name"] for label in gh.issue(int(prepared["issue-number"]))["labels"]}
    assert "archived" in labels


def test_check_fails_when_the_mark_is_not_the_workflow_tokens(
    gh: GitHubEmulator, tmp_path: Path
) -> None:
    # The action ran with someone else's token: applied, but the +1 is not github-actions[bot]'s.
    env = _env(gh, tmp_path, gh.bot_token)
    prepared = _prepare(gh, tmp_path, env)
    (tmp_path / "action").mkdir()
    code, stdout, action = run_action(
        tmp_path / "action",
        repo=gh.repo,
        token=gh.owner_token,
        api_url=gh.url,
        event_name="workflow_dispatch",
        payload={"inputs": {}},
        inputs={"issue-number": prepared["issue-number"]},
    )
    assert code == 0, stdout

    done = run_script("self_test.py", "check", env={**env, **_check_env(prepared, action)})

    assert done.returncode == 1
    assert [line for line in done.stdout.splitlines() if line.startswith("FAIL")] == [
        "FAIL  the update's comment carries github-actions[bot]'s +1: comment "
        f"{gh.comments(int(prepared['issue-number']))[1]['id']} has +1 from ['octo'], "
        "not from github-actions[bot]"
    ]
