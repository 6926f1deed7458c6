"""The self-test's two halves around a run of the action: make an object with a pending update,
then check what the action did. The same script runs on GitHub (.github/workflows/self-test.yml),
under act (`make e2e`) and in `make test` against the emulator, so what runs on GitHub is tested.

    python3 .github/scripts/self_test.py prepare   # before `uses: ./`
    python3 .github/scripts/self_test.py check     # in a later job, from the jobs' outputs

Both read ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY`` and ``GITHUB_API_URL`` (default api.github.com).

``prepare`` creates a fresh object with the client, posts one update as a comment, and writes the
outputs ``object-id``, ``issue-number``, ``version`` (before the update) and ``expected`` (the
object the update must produce) to ``GITHUB_OUTPUT``.

``check`` reads those back, and the action's outputs, from ``SELF_TEST_OBJECT_ID``,
``SELF_TEST_ISSUE_NUMBER``, ``SELF_TEST_VERSION_BEFORE``, ``SELF_TEST_EXPECTED``,
``SELF_TEST_OBJECT``, ``SELF_TEST_VERSION`` and ``SELF_TEST_APPLIED`` (environment variables,
never template text inside a shell). It checks that the ``object`` output holds the update,
``version`` went up by one and ``applied`` is 1; that the issue is closed, the update's comment
carries the store's +1 (by ``SELF_TEST_MARKER``, default ``github-actions[bot]``, the identity
of the workflow's token) and ``verify_history`` passes. Then it archives the object, whatever the
checks found, and exits 1 listing every failed check.

The client is used through its public API only, constructed with keyword arguments. The issue's
state and the comment's reactions are read with plain REST calls: the checker does not take the
store's word for what the store did.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

# In the checkout the package is one folder up from .github/; installed, this changes nothing.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from gh_store import GitHubStore

__all__ = ["CHANGES", "check", "expected_object", "initial_object", "prepare"]

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_MARKER = "github-actions[bot]"

#: The update the self-test posts: changes one key, adds one, removes one (RFC 7396's null).
CHANGES: dict[str, Any] = {"count": 1, "checked": True, "remove-me": None}


def initial_object(run: str) -> dict[str, Any]:
    return {"self-test": run, "count": 0, "remove-me": "this key is removed by the update"}


def expected_object(run: str) -> dict[str, Any]:
    return {"self-test": run, "count": 1, "checked": True}


def _store(env: Mapping[str, str]) -> GitHubStore:
    return GitHubStore(
        token=_required(env, "GITHUB_TOKEN"),
        repo=_required(env, "GITHUB_REPOSITORY"),
        api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
    )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SystemExit(f"self_test: {name} is not set")
    return value


def _write_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    """``GITHUB_OUTPUT`` in heredoc form with a random delimiter (values may hold anything)."""
    lines = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        lines += [f"{name}<<{delimiter}", value, delimiter]
    path = env.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")


def prepare(env: Mapping[str, str]) -> dict[str, str]:
    """Create a fresh object and post one update; return (and write) the outputs."""
    run = "-".join(
        part for part in (env.get("GITHUB_RUN_ID", ""), env.get("GITHUB_RUN_ATTEMPT", "")) if part
    )
    run = run or secrets.token_hex(4)
    object_id = f"self-test-{run}"
    with _store(env) as store:
        created = store.create(object_id, initial_object(run))
        store.update(object_id, CHANGES)
    outputs = {
        "object-id": object_id,
        "issue-number": str(created.meta.issue_number),
        "version": str(created.meta.version),
        "expected": json.dumps(expected_object(run), sort_keys=True),
    }
    _write_outputs(env, outputs)
    for name, value in outputs.items():
        print(f"{name}: {value}")
    return outputs


class _Checks:
    """Runs named checks, prints each result, and keeps the failures."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, name: str, test: Callable[[], str | None]) -> None:
        try:
            problem = test()
        except Exception as exc:  # a check that cannot run has failed; the others still run
            problem = f"{type(exc).__name__}: {exc}"
        if problem is None:
            print(f"ok    {name}")
        else:
            print(f"FAIL  {name}: {problem}")
            self.failures.append(f"{name}: {problem}")


def _rest(env: Mapping[str, str], path: str) -> Any:
    api = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    request = urllib.request.Request(
        f"{api}/repos/{_required(env, 'GITHUB_REPOSITORY')}/{path}",
        headers={
            "Authorization": f"Bearer {_required(env, 'GITHUB_TOKEN')}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _int(env: Mapping[str, str], name: str) -> int:
    text = env.get(name, "").strip()
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} is {text!r}, not a number (did the action run?)") from None


def check(env: Mapping[str, str]) -> list[str]:
    """Check what the action did; archive the object; return the failures (empty: all passed)."""
    object_id = _required(env, "SELF_TEST_OBJECT_ID")
    expected = json.loads(_required(env, "SELF_TEST_EXPECTED"))
    marker = env.get("SELF_TEST_MARKER") or DEFAULT_MARKER
    checks = _Checks()

    def object_output() -> str | None:
        text = env.get("SELF_TEST_OBJECT", "")
        if not text:
            return "the action's object output is empty"
        got = json.loads(text)
        return None if got == expected else f"got {got}, expected {expected}"

    def version_output() -> str | None:
        before = _int(env, "SELF_TEST_VERSION_BEFORE")
        after = _int(env, "SELF_TEST_VERSION")
        return None if after == before + 1 else f"{before} -> {after}, expected {before + 1}"

    def applied_output() -> str | None:
        applied = _int(env, "SELF_TEST_APPLIED")
        return None if applied == 1 else f"applied = {applied}, expected 1"

    issue_number = _int(env, "SELF_TEST_ISSUE_NUMBER")

    def issue_closed() -> str | None:
        issue = _rest(env, f"issues/{issue_number}")
        return None if issue["state"] == "closed" else f"issue #{issue_number} is {issue['state']}"

    with _store(env) as store:

        def stored_object() -> str | None:
            got = store.get(object_id).data
            return None if got == expected else f"the issue holds {got}, expected {expected}"

        def comment_marked() -> str | None:
            history = store.get_object_history(object_id)
            if [update.changes for update in history] != [CHANGES]:
                return f"applied updates are {[u.changes for u in history]}, expected [{CHANGES}]"
            comment_id = history[0].comment_id
            reactions = _rest(env, f"issues/comments/{comment_id}/reactions?per_page=100")
            marks = [r["user"]["login"] for r in reactions if r["content"] == "+1"]
            if marker not in marks:
                return f"comment {comment_id} has +1 from {marks or 'nobody'}, not from {marker}"
            return None

        def history_verified() -> str | None:
            result = store.verify_history(object_id)
            return None if result.ok else "; ".join(result.problems) or "not ok"

        try:
            checks("the object output holds the update", object_output)
            checks("version went up by one", version_output)
            checks("applied is 1", applied_output)
            checks("the issue is closed", issue_closed)
            checks("the issue body holds the update", stored_object)
            checks(f"the update's comment carries {marker}'s +1", comment_marked)
            checks("verify_history passes", history_verified)
        finally:
            # Archived whatever the checks found: the repository keeps no live test objects.
            store.delete(object_id)
            print(f"archived {object_id} (issue #{issue_number})")
    return checks.failures


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="gh-store's self-test around a run of the action")
    parser.add_argument("step", choices=["prepare", "check"])
    args = parser.parse_args(argv)
    env = os.environ if environ is None else environ
    if args.step == "prepare":
        prepare(env)
        return 0
    failures = check(env)
    if failures:
        print(f"::error title=self-test failed::{len(failures)} check(s) failed", flush=True)
        return 1
    print("self-test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
