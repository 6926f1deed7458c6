"""Exit statuses say what happened, over both APIs; the table is the one in --help and the docs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gh_store.cli import main
from gh_store.core import exceptions as e
from gh_store.emulator import GitHubEmulator
from gh_store.terminal import (
    EXIT_FAILED,
    EXIT_GITHUB,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_PERMISSION,
    EXIT_STATUSES,
    EXIT_USAGE,
    exit_status,
)

pytestmark = pytest.mark.http

DOCS = Path(__file__).parent.parent.parent / "docs" / "client.md"

Cli = Callable[..., tuple[int, Any, str]]


@pytest.fixture(params=["rest", "graphql"])
def cli(
    request: pytest.FixtureRequest,
    gh: GitHubEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    """``cli(*argv, token=...)`` -> (status, stdout parsed as JSON or None, stderr)."""
    config = tmp_path / f"{request.param}.yml"
    config.write_text(
        f"store:\n  api: {request.param}\n  rate_limit:\n    min_write_interval: 0\n"
        "  retries:\n    backoff_factor: 0\n"
    )
    for name in ("GH_TOKEN", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.repo)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)

    def run(*argv: str, token: str | None = None) -> tuple[int, Any, str]:
        chosen = gh.owner_token if token is None else token
        status = main([*argv, "--config", str(config), "--token", chosen])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return status, json.loads(out) if out.strip() else None, err

    return run


def _object(
    gh: GitHubEmulator, object_id: str, data: dict[str, Any], *updates: dict[str, Any]
) -> int:
    """The object's issue number; ``updates`` are posted (pending, the issue open)."""
    from gh_store import GitHubStore

    with GitHubStore(gh.owner_token, gh.repo, **gh.client_options()) as store:
        number = store.create(object_id, data).meta.issue_number
        for changes in updates:
            store.update(object_id, changes)
    return number


def test_ok_is_0(cli: Cli, gh: GitHubEmulator) -> None:
    _object(gh, "alpha", {})
    assert cli("get", "alpha")[0] == EXIT_OK


def test_a_catch_up_with_an_object_that_failed_is_1_and_still_one_json_document(
    cli: Cli, gh: GitHubEmulator
) -> None:
    good = _object(gh, "good", {"n": 1}, {"n": 2})
    damaged = gh.seed_issue("damaged", "{not json", ["stored-object", "UID:damaged"])
    gh.seed_comment(damaged, '{"n": 2}')
    status, out, err = cli("process-updates", "--all")
    assert status == EXIT_FAILED
    assert [f["issue_number"] for f in out["failed"]] == [damaged]
    assert [r["issue_number"] for r in out["processed"]] == [good]
    assert out["processed"][0]["data"] == {"n": 2}  # the others were processed
    assert f"1 object issue(s) could not be processed (#{damaged})" in err


def test_a_catch_up_where_every_object_went_through_is_0(cli: Cli, gh: GitHubEmulator) -> None:
    number = _object(gh, "good", {"n": 1}, {"n": 2})
    gh.seed_comment(number, "[1]")  # rejected: an outcome of processing, as in the action
    status, out, _ = cli("process-updates", "--all")
    assert (status, out["failed"], len(out["processed"][0]["rejected"])) == (EXIT_OK, [], 1)


@pytest.mark.parametrize(
    "argv",
    [
        ("create", "alpha", "{not json"),
        ("create", "a,b", "{}"),
        ("create", "alpha", "[1, 2]"),
        ("update", "alpha"),
        ("process-updates",),
        ("process-updates", "--issue", "1", "--all"),
        ("process-updates", "--issue", "9" * 4000),
        ("process-updates", "1", "--issue", "2"),
        ("process-updates", "--all", "--budget", "9" * 5000),
        ("process-updates", "--all", "--budget", "0"),
        ("process-updates", "--issue", "ghp_" + "a" * 36),
        ("update-snapshot",),
        ("create", "--object-id", "a", "b", "{}"),
        ("frobnicate",),
    ],
)
def test_bad_input_is_2(cli: Cli, argv: tuple[str, ...]) -> None:
    status, out, err = cli(*argv)
    assert (status, out) == (EXIT_USAGE, None)
    lines = err.strip().splitlines()
    assert [line.startswith("gh-store: error: ") for line in lines][-1:] == [True], err
    assert all(line.startswith("gh-store: note: ") for line in lines[:-1]), err
    assert (
        len(lines[-1]) < 400
    )  # a huge argument is not echoed whole  # a huge argument is not echoed whole
    assert "ghp_" not in err  # nor a token given where a number belongs


def test_not_found_is_3(cli: Cli) -> None:
    assert cli("get", "nothing")[0] == EXIT_NOT_FOUND
    assert cli("history", "nothing")[0] == EXIT_NOT_FOUND
    assert cli("process-updates", "--issue", "77")[0] == EXIT_NOT_FOUND


def test_a_read_only_users_write_is_4_and_says_the_token_cannot_write(
    cli: Cli, gh: GitHubEmulator
) -> None:
    number = _object(gh, "alpha", {}, {"n": 1})
    reader = gh.token_for("rita", permission="read")
    for argv in (("update", "alpha", "{}"), ("process-updates", "--issue", str(number))):
        status, _, err = cli(*argv, token=reader)
        assert status == EXIT_PERMISSION, err
        assert (
            "the token (--token, GH_TOKEN or GITHUB_TOKEN) cannot write issues in octo/store" in err
        )
        assert "permissions:" not in err  # the workflow's fix is not the command line's


def test_a_rejected_token_is_4(cli: Cli) -> None:
    assert cli("get", "alpha", token="ghp_" + "x" * 36)[0] == EXIT_PERMISSION


def test_github_failing_after_every_retry_is_5(cli: Cli, gh: GitHubEmulator) -> None:
    _object(gh, "alpha", {})
    gh.inject(502, times=10)
    status, _, err = cli("get", "alpha")
    assert status == EXIT_GITHUB
    assert "502" in err


def test_every_store_error_has_a_documented_status() -> None:
    kinds = [getattr(e, name) for name in e.__all__]
    for kind in kinds:
        assert exit_status(kind.__new__(kind)) in EXIT_STATUSES  # by kind: no arguments needed
    assert exit_status(e.AuthError("x", status=403)) == EXIT_PERMISSION  # not 5: both kinds
    assert exit_status(e.RateLimitError("x", status=403)) == EXIT_GITHUB
    assert exit_status(e.InvalidUpdate("x")) == EXIT_USAGE
    assert exit_status(e.ObjectNotFound("x")) == EXIT_NOT_FOUND
    assert exit_status(e.CorruptObjectError("x")) == EXIT_FAILED


def test_the_statuses_are_in_help_and_in_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    docs = DOCS.read_text()
    for code, meaning in EXIT_STATUSES.items():
        assert f"{code} {' '.join(meaning.split())}" in help_text
        assert re.search(rf"^\| {code} \| {re.escape(meaning)} \|$", docs, re.MULTILINE), code
