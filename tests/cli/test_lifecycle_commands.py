"""The command line's lifecycle commands and guarded update (issue 20): ids, archived, restore,
rollback, and ``update --if-version``."""

from __future__ import annotations

import pytest

from gh_store.emulator import GitHubEmulator

from .conftest import Run

pytestmark = pytest.mark.http


def test_ids_archived_restore_and_rollback(gh: GitHubEmulator, run: Run) -> None:
    assert run("create", "a", '{"v": 1}')[0] == 0
    assert run("create", "b", '{"v": 1}')[0] == 0
    assert run("update", "a", '{"v": 2}', "--apply")[1]["meta"]["version"] == 2
    assert run("delete", "b")[0] == 0
    assert run("ids")[1] == ["a"]
    assert [o["meta"]["object_id"] for o in run("archived")[1]] == ["b"]
    status, restored, _ = run("restore", "b")
    assert (status, restored["data"]) == (0, {"v": 1})
    assert run("ids")[1] == ["a", "b"]
    status, back, _ = run("rollback", "a", "1", "--apply")
    assert (status, back["data"], back["meta"]["version"]) == (0, {"v": 1}, 3)


def test_update_if_version_applies_or_is_rejected_with_the_reason(
    gh: GitHubEmulator, run: Run
) -> None:
    run("create", "a", '{"v": 1}')
    status, obj, _ = run("update", "a", '{"v": 2}', "--if-version", "1", "--apply")
    assert (status, obj["data"]) == (0, {"v": 2})
    status, _, err = run("update", "a", '{"v": 3}', "--if-version", "1", "--apply")
    assert status == 1 and "the object is at version 2, not 1" in err
    assert run("get", "a")[1]["data"] == {"v": 2}


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "99999999999"])
def test_a_bad_if_version_is_a_usage_error(gh: GitHubEmulator, run: Run, bad: str) -> None:
    status, _, err = run("update", "a", '{"v": 3}', "--if-version", bad)
    assert status == 2 and "is not a version" in err and gh.count() == 0


def test_rollback_and_restore_errors_are_one_line(gh: GitHubEmulator, run: Run) -> None:
    run("create", "a", '{"v": 1}')
    status, _, err = run("rollback", "a", "1")
    # Exit statuses by cause (docs/client.md): 2 bad input, 3 not found.
    assert status == 2 and "not an earlier version" in err and len(err.strip().splitlines()) == 1
    status, _, err = run("restore", "a")
    assert status == 3 and "no archived object 'a'" in err
