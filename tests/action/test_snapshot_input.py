"""The ``snapshot`` input (issue 17): it writes only a gh-store snapshot of this repository, only
inside the workspace, on GitHub's clock, and a deleted issue leaves it at the next refresh."""

from __future__ import annotations

import json
import os
import time

import pytest

from gh_store.emulator import GitHubEmulator

from .conftest import ActionRun, Harness

APIS = ["rest", "graphql"]


def _errors(run: ActionRun) -> list[str]:
    return [name for name, _ in run.commands if name.startswith("error")]


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _snapshot(harness: Harness, path: str, api: str) -> ActionRun:
    return harness.run("schedule", {}, snapshot=path, api=api)


FOREIGN = {
    "package.json": b'{\n  "name": "site",\n  "private": true\n}\n',
    "README": b"# Site\n",
    "another repository's": json.dumps(
        {"gh_store_snapshot": 2, "snapshot_time": "2026-01-01T00:00:00+00:00",
         "repository": "someone/else", "since": None, "skipped_issues": [], "objects": {}}
    ).encode(),
    "a newer format": b'{"gh_store_snapshot": 9, "repository": "octo/store", "objects": {}}',
}  # fmt: skip


@pytest.mark.parametrize("content", FOREIGN.values(), ids=list(FOREIGN))
def test_a_file_that_is_not_this_repositorys_snapshot_is_refused_and_left_as_it_is(
    harness: Harness, gh: GitHubEmulator, api: str, content: bytes
) -> None:
    harness.seed_object("a", {"n": 0})
    target = harness.tmp / "package.json"
    target.write_bytes(content)
    gh.clear_requests()
    run = _snapshot(harness, "package.json", api)
    assert run.exit_code == 2, run.stdout
    assert len(_errors(run)) == 1 and "is left as it is" in run.stdout
    assert target.read_bytes() == content and gh.requests == []


ESCAPES = ["../outside.json", "{outside}/objects.json", "linked/objects.json", "link.json"]


@pytest.mark.parametrize("value", ESCAPES)
def test_a_path_that_leaves_the_workspace_is_refused(
    harness: Harness, gh: GitHubEmulator, tmp_path_factory: pytest.TempPathFactory, value: str
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "objects.json").write_text("precious")
    (harness.tmp / "linked").symlink_to(outside)
    (harness.tmp / "link.json").symlink_to(outside / "objects.json")
    run = _snapshot(harness, value.format(outside=outside), "rest")
    assert run.exit_code == 2 and len(_errors(run)) == 1, run.stdout
    assert "leaves the workspace" in run.stdout and gh.requests == []
    assert [p.name for p in outside.iterdir()] == ["objects.json"]
    assert (outside / "objects.json").read_text() == "precious"
    assert not (harness.tmp.parent / "outside.json").exists()


def test_a_folder_that_does_not_exist_yet_is_created(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    harness.seed_object("a", {"n": 0})
    run = _snapshot(harness, "site/data/objects.json", api)
    assert run.exit_code == 0, run.stdout
    written = json.loads((harness.tmp / "site" / "data" / "objects.json").read_text())
    assert written["objects"]["a"]["data"] == {"n": 0}


def test_an_absolute_path_inside_the_workspace_and_a_link_inside_it_are_written(
    harness: Harness, gh: GitHubEmulator
) -> None:
    harness.seed_object("a", {"n": 0})
    (harness.tmp / "public").mkdir()
    (harness.tmp / "site").symlink_to(harness.tmp / "public")
    run = _snapshot(harness, str(harness.tmp / "site" / "objects.json"), "rest")
    assert run.exit_code == 0, run.stdout
    assert json.loads((harness.tmp / "public" / "objects.json").read_text())["objects"]


def test_a_snapshot_written_by_1_1_is_taken_whole_once_then_refreshed(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    """1.1 took the snapshot's time from the runner's clock: its first refresh is whole."""
    first = harness.seed_object("a", {"n": 0})
    harness.seed_object("b", {"n": 0})
    old = {"snapshot_time": _github_time(gh, -60), "repository": gh.repo, "since": None,
           "objects": _one_one_objects(gh, first)}  # fmt: skip
    (harness.tmp / "objects.json").write_text(json.dumps(old))
    for incremental in (False, True):
        gh.clear_requests()
        run = _snapshot(harness, "objects.json", api)
        assert run.exit_code == 0, run.stdout
        written = json.loads((harness.tmp / "objects.json").read_text())
        assert set(written["objects"]) == {"a", "b"} and written["gh_store_snapshot"] == 2
        # After the catch-up run's own listing: the snapshot's requests.
        listings = [r.query for r in gh.requests if r.path.endswith("/issues")][1:]
        expected = [(False, "1"), (True, "100")] if incremental else [(False, "100")]
        assert [("since" in q, q.get("per_page")) for q in listings] == expected


@pytest.mark.parametrize("machine_ahead", [600, -600])
def test_a_runner_clock_ten_minutes_off_misses_no_update(
    harness: Harness, gh: GitHubEmulator, api: str, machine_ahead: int
) -> None:
    gh.use_ticking_clock(start=int(time.time()) - machine_ahead)  # GitHub's clock
    number = harness.seed_object("a", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    assert _snapshot(harness, "objects.json", api).exit_code == 0
    gh.seed_comment(number, '{"n": 2}', user="octo")
    comment = {"action": "created", "issue": gh.issue(number), "comment": gh.comments(number)[-1]}
    harness.seed_object("b", {"n": 0})
    run = harness.run("issue_comment", comment, snapshot="objects.json", api=api)
    assert run.exit_code == 0, run.stdout
    written = json.loads((harness.tmp / "objects.json").read_text())
    assert {k: v["data"] for k, v in written["objects"].items()} == {"a": {"n": 2}, "b": {"n": 0}}


def test_a_deleted_issue_leaves_the_snapshot_at_the_next_run(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    harness.seed_object("a", {"n": 0})
    gone = harness.seed_object("b", {"n": 0})
    assert _snapshot(harness, "objects.json", api).exit_code == 0
    gh.delete_issue(gone)
    assert _snapshot(harness, "objects.json", api).exit_code == 0
    written = json.loads((harness.tmp / "objects.json").read_text())
    assert set(written["objects"]) == {"a"}


def _github_time(gh: GitHubEmulator, offset: int) -> str:
    from datetime import UTC, datetime

    now = gh.state.clock.now() + offset
    return datetime.fromtimestamp(now, UTC).isoformat()


def _one_one_objects(gh: GitHubEmulator, number: int) -> dict[str, object]:
    issue = gh.issue(number)
    return {
        "a": {
            "data": {"n": 0},
            "meta": {"object_id": "a", "issue_number": number, "version": 1,
                     "created_at": issue["created_at"].replace("Z", "+00:00"),
                     "updated_at": issue["updated_at"].replace("Z", "+00:00")},
        }
    }  # fmt: skip


UNUSABLE = {
    "a loop of links": ("loop/objects.json", "a loop of links"),
    "a name too long": ("x" * 5000 + ".json", "cannot be used"),
    "under a file": ("README/objects.json", "a file, not a folder"),
    "a pipe": ("pipe.json", "it is not a file"),
    "the workspace itself": (".", "leaves the workspace"),
}


@pytest.mark.parametrize(("value", "message"), UNUSABLE.values(), ids=list(UNUSABLE))
def test_a_path_that_cannot_hold_a_snapshot_is_one_input_error(
    harness: Harness, gh: GitHubEmulator, value: str, message: str
) -> None:
    (harness.tmp / "loop").symlink_to(harness.tmp / "loop")
    (harness.tmp / "README").write_text("# Site\n")
    os.mkfifo(harness.tmp / "pipe.json")  # reading it would wait for a writer forever
    run = _snapshot(harness, value, "rest")
    assert run.exit_code == 2 and len(_errors(run)) == 1, run.stdout
    assert message in run.stdout and gh.requests == []
    assert (harness.tmp / "README").read_text() == "# Site\n"
