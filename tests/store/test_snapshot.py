"""Snapshots: one listing, every live object, written whole to a file."""

from __future__ import annotations

import copy
import json
import random
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gh_store.client import GitHubStore
from gh_store.core.config import StoreConfig
from gh_store.core.exceptions import ConfigurationError
from gh_store.core.needs import CountIssues, Listing, ListIssues, run_flow
from gh_store.core.objects import Scope
from gh_store.core.snapshot_format import refresh_basis
from gh_store.core.snapshots import refresh_flow
from gh_store.emulator import GitHubEmulator
from gh_store.snapshot import build_snapshot, read_snapshot, write_snapshot

from .conftest import Call


def test_snapshot_holds_every_live_object_from_one_listing(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    alpha = store.create("alpha", {"v": 1})
    store.update("alpha", {"v": 2}, apply=True)
    store.create("beta", {"name": "b"})
    store.create("gone", {"x": 1})
    store.delete("gone")
    gh.clear_requests()
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    document = build_snapshot(store.repo, store.list_all(), now=moment)
    assert gh.count() == 1
    assert document["snapshot_time"] == "2024-05-01T12:00:00+00:00"
    assert document["repository"] == "octo/store"
    assert document["since"] is None
    assert set(document["objects"]) == {"alpha", "beta"}
    entry = document["objects"]["alpha"]
    assert entry["data"] == {"v": 2}
    assert entry["meta"]["issue_number"] == alpha.meta.issue_number
    assert entry["meta"]["version"] == 2
    assert datetime.fromisoformat(entry["meta"]["updated_at"]) >= alpha.meta.created_at


def test_snapshot_since_keeps_only_changed_objects(
    store: GitHubStore, later_clock: Callable[[int], None]
) -> None:
    store.create("old", {"v": 1})
    cutoff = store.get("old").meta.updated_at + timedelta(seconds=30)
    later_clock(60)
    store.create("new", {"v": 1})
    document = store.snapshot(since=cutoff)
    assert set(document["objects"]) == {"new"}
    assert document["since"] == cutoff.isoformat()


def test_write_snapshot_replaces_the_file_whole_and_readable(
    store: GitHubStore, tmp_path: Path
) -> None:
    store.create("alpha", {"text": "héllo"})
    out = tmp_path / "snapshot.json"
    out.write_text(json.dumps(_one_one_snapshot(store.repo)))  # a snapshot by gh-store 1.1
    write_snapshot(store.snapshot(), out)
    assert json.loads(out.read_text(encoding="utf-8"))["objects"]["alpha"]["data"] == {
        "text": "héllo"
    }
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]  # no temporary left


# --- refreshed, not rebuilt (issue 11) --------------------------------------------------------


def _without_time(document: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in document.items() if k != "snapshot_time"}


def test_a_refresh_after_one_update_costs_a_count_and_one_listing_whatever_the_store_holds(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    gh.use_ticking_clock(start=int(time.time()) - 3600)  # the store was filled an hour ago
    for i in range(150):
        gh.seed_issue(
            f"Stored Object: o{i}",
            json.dumps({"i": i}),
            ["stored-object", f"UID:o{i}"],
            "octo",
            "closed",
        )
    # The first snapshot is taken well after the filling, past the refresh's margin, however
    # many ticks the filling took.
    gh.use_ticking_clock(start=int(time.time()) - 1800)
    gh.clear_requests()
    first = store.snapshot()
    assert gh.count("GET", r"/issues$") == 2  # 150 objects: two pages
    gh.use_ticking_clock(start=int(time.time()) + 5)  # now, one update
    store.update("o7", {"i": 700}, apply=True)
    gh.clear_requests()
    refreshed = store.snapshot(previous=first)
    assert gh.count() == 2  # a count of the labelled issues, a listing of what changed since
    assert refreshed["objects"]["o7"]["data"] == {"i": 700}
    assert _without_time(refreshed) == _without_time(store.snapshot())


def test_a_refresh_drops_archived_objects_and_picks_up_new_and_relabelled_ones(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    store.create("stay", {"v": 1})
    store.create("gone", {"v": 1})
    store.create("renamed", {"v": 1})
    first = store.snapshot()
    store.delete("gone")
    store.create("new", {"v": 2})
    number = store.get("renamed").meta.issue_number
    store.transport.update_issue(number, labels=["stored-object", "UID:other-name"])
    refreshed = store.snapshot(previous=first)
    assert set(refreshed["objects"]) == {"stay", "new", "other-name"}
    assert _without_time(refreshed) == _without_time(store.snapshot())


@pytest.mark.parametrize(
    "previous",
    [
        {"repository": "someone/else", "objects": {}, "snapshot_time": "2024-01-01T00:00:00+00:00"},
        {"repository": "octo/store", "objects": {}, "snapshot_time": "not a time"},
        {"repository": "octo/store", "objects": {}, "snapshot_time": "2024-01-01T00:00:00"},
        {"repository": "octo/store", "objects": [], "snapshot_time": "2024-01-01T00:00:00+00:00"},
        {"repository": "octo/store", "objects": {}, "since": "2024-01-01T00:00:00+00:00",
         "snapshot_time": "2024-01-01T00:00:00+00:00"},
    ],
)  # fmt: skip
def test_a_previous_snapshot_that_cannot_be_refreshed_is_taken_whole(
    store: GitHubStore, previous: dict[str, object]
) -> None:
    store.create("a", {"v": 1})
    assert set(store.snapshot(previous=previous)["objects"]) == {"a"}


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
def test_the_cli_refreshes_the_snapshot_its_file_holds(
    gh: GitHubEmulator, store: GitHubStore, tmp_path: Path
) -> None:
    from gh_store.cli import main

    store.create("a", {"v": 1})
    out = tmp_path / "snap.json"
    argv = ["snapshot", "--out", str(out), "--repo", gh.repo, "--api-url", gh.url]
    argv += ["--token", gh.owner_token]
    assert main(argv) == 0
    store.create("b", {"v": 2})
    gh.clear_requests()
    assert main(argv) == 0
    listings = [r for r in gh.requests if r.path.endswith("/issues")]
    assert [r.query.get("per_page") for r in listings] == ["1", "100"]  # a count, then changes
    assert listings[1].query.get("since")
    assert set(json.loads(out.read_text())["objects"]) == {"a", "b"}


def _one_one_snapshot(repository: str) -> dict[str, object]:
    """A snapshot as gh-store 1.1 wrote it (no marker; ``since``)."""
    return {
        "snapshot_time": "2024-05-01T12:00:00+00:00",
        "repository": repository,
        "since": None,
        "objects": {},
    }


# --- a snapshot file is written only over a snapshot (issue 17) --------------------------------

NOT_SNAPSHOTS = {
    "package.json": b'{"name": "site", "version": "1.0.0", "scripts": {"build": "vite"}}\n',
    "README": b"# My site\n\nObjects live in objects.json.\n",
    "a JSON list": b"[1, 2, 3]",
    "a newer gh-store's": b'{"gh_store_snapshot": 3, "repository": "octo/store", "objects": {}}',
    "a damaged marker": b'{"gh_store_snapshot": "2", "repository": "octo/store", "objects": {}}',
    "a snapshot-like file with more": (
        b'{"snapshot_time": "2024-05-01T12:00:00+00:00", "repository": "octo/store",'
        b' "objects": {}, "scripts": {"build": "rm -rf /"}}'
    ),
    "another repository's snapshot": json.dumps(
        {"gh_store_snapshot": 2, "snapshot_time": None, "repository": "someone/else",
         "since": None, "skipped_issues": [], "objects": {}}
    ).encode(),
    "another repository's 1.1 snapshot": json.dumps(
        {"snapshot_time": "2024-05-01T12:00:00+00:00", "repository": "someone/else",
         "since": None, "objects": {}}
    ).encode(),
    "not UTF-8": b'{"repository": "octo/store", "x": "\xff\xfe"}',
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
    "a number of 5000 digits": b'{"n": ' + b"9" * 5000 + b"}",
}  # fmt: skip


@pytest.mark.parametrize("content", NOT_SNAPSHOTS.values(), ids=list(NOT_SNAPSHOTS))
def test_a_file_that_is_not_a_snapshot_of_this_repository_is_left_byte_for_byte(
    store: GitHubStore, tmp_path: Path, content: bytes
) -> None:
    store.create("a", {"v": 1})
    out = tmp_path / "objects.json"
    out.write_bytes(content)
    document = store.snapshot()
    with pytest.raises(ConfigurationError, match="is left as it is"):
        write_snapshot(document, out)
    with pytest.raises(ConfigurationError, match="is left as it is"):
        read_snapshot(out, store.repo)
    assert out.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["objects.json"]  # no temporary left


def _original_snapshot(repository: str, number: int) -> dict[str, object]:
    """A snapshot as the original gh-store 0.11.3 wrote it (``gh-store snapshot``)."""
    return {
        "snapshot_time": "2025-04-01T10:00:00.123456+00:00",
        "repository": repository,
        "objects": {
            "a": {
                "data": {"v": 0},
                "meta": {"issue_number": number, "object_id": "a",
                         "created_at": "2025-03-01T10:00:00+00:00",
                         "updated_at": "2025-03-01T10:00:00+00:00", "version": 1},
            }
        },
        "relationships": {"aliases": {}},
    }  # fmt: skip


@pytest.mark.parametrize(
    "existing",
    ["missing", "empty", "blank", "1.1", "original", "ours", "other case"],
)
def test_a_snapshot_is_written_over_nothing_or_a_snapshot_of_this_repository(
    store: GitHubStore, tmp_path: Path, existing: str
) -> None:
    number = store.create("a", {"v": 1}).meta.issue_number
    out = tmp_path / "new" / "folders" / "objects.json"
    out.parent.mkdir(parents=True)
    contents: dict[str, object] = {
        "empty": "",
        "blank": " \n",
        "1.1": json.dumps(_one_one_snapshot(store.repo)),
        "original": json.dumps(_original_snapshot(store.repo, number)),
        "ours": json.dumps(store.snapshot()),
        "other case": json.dumps(_one_one_snapshot(store.repo.upper())),
    }
    if existing in contents:
        out.write_text(str(contents[existing]))
    previous = read_snapshot(out, store.repo)
    assert (previous is None) == (existing in ("missing", "empty", "blank"))
    written = store.snapshot(previous=previous)
    write_snapshot(written, out)
    document = json.loads(out.read_text())
    assert document["gh_store_snapshot"] == 2 and document["objects"]["a"]["data"] == {"v": 1}


def test_missing_folders_are_created(store: GitHubStore, tmp_path: Path) -> None:
    out = tmp_path / "site" / "data" / "objects.json"
    write_snapshot(store.snapshot(), out)
    assert json.loads(out.read_text())["repository"] == store.repo


def test_a_link_is_followed_and_what_it_names_is_checked(
    store: GitHubStore, tmp_path: Path
) -> None:
    package = tmp_path / "package.json"
    package.write_bytes(NOT_SNAPSHOTS["package.json"])
    link = tmp_path / "objects.json"
    link.symlink_to(package)
    with pytest.raises(ConfigurationError, match="is left as it is"):
        write_snapshot(store.snapshot(), link)
    assert package.read_bytes() == NOT_SNAPSHOTS["package.json"] and link.is_symlink()
    real = tmp_path / "real.json"
    real.write_text(json.dumps(_one_one_snapshot(store.repo)))
    link.unlink()
    link.symlink_to(real)
    write_snapshot(store.snapshot(), link)
    assert link.is_symlink() and json.loads(real.read_text())["gh_store_snapshot"] == 2


def test_within_refuses_a_path_that_leads_out_through_a_linked_folder(
    store: GitHubStore, tmp_path: Path
) -> None:
    workspace, elsewhere = tmp_path / "workspace", tmp_path / "elsewhere"
    workspace.mkdir()
    elsewhere.mkdir()
    (workspace / "site").symlink_to(elsewhere)
    with pytest.raises(ConfigurationError, match="leads out of the workspace"):
        write_snapshot(store.snapshot(), workspace / "site" / "objects.json", within=workspace)
    assert list(elsewhere.iterdir()) == []


# --- GitHub's clock, not the machine's (issue 17) ----------------------------------------------


@pytest.mark.parametrize("machine_ahead", [600, -600, 0])
def test_a_refresh_misses_no_update_whatever_the_machines_clock_says(
    gh: GitHubEmulator, store: GitHubStore, machine_ahead: int
) -> None:
    """The emulator's clock is GitHub's: this machine's runs ``machine_ahead`` seconds ahead."""
    github_now = int(time.time()) - machine_ahead
    gh.use_ticking_clock(start=github_now)
    store.create("a", {"v": 1})
    first = store.snapshot()
    taken = datetime.fromisoformat(first["snapshot_time"])
    assert abs(taken.timestamp() - github_now) < 60  # GitHub's time, not this machine's
    store.update("a", {"v": 2}, apply=True)
    store.create("b", {"v": 1})
    second = store.snapshot(previous=first)
    assert {k: v["data"] for k, v in second["objects"].items()} == {"a": {"v": 2}, "b": {"v": 1}}
    store.update("b", {"v": 2}, apply=True)
    third = store.snapshot(previous=second)
    assert third["objects"]["b"]["data"] == {"v": 2}
    assert _without_time(third) == _without_time(store.snapshot())


@pytest.mark.parametrize("crafted_time", ["2999-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_a_snapshot_time_past_githubs_clock_is_not_trusted(
    gh: GitHubEmulator, store: GitHubStore, crafted_time: str
) -> None:
    store.create("a", {"v": 1})
    first = store.snapshot()
    store.create("b", {"v": 1})
    store.update("a", {"v": 2}, apply=True)
    refreshed = store.snapshot(previous={**first, "snapshot_time": crafted_time})
    assert _without_time(refreshed) == _without_time(store.snapshot())
    assert refreshed["snapshot_time"] < "2999"


# --- deleted issues leave at the next refresh (issue 17) ---------------------------------------


def test_a_deleted_issue_leaves_the_snapshot_at_the_next_refresh(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    for name in "abc":
        store.create(name, {"v": 1})
    first = store.snapshot()
    gh.delete_issue(store.get("b").meta.issue_number)
    gh.clear_requests()
    refreshed = store.snapshot(previous=first)
    assert set(refreshed["objects"]) == {"a", "c"}
    # The count disagrees with the snapshot: the refresh is not trusted, the listing is whole.
    listings = [r.query for r in gh.requests if r.path.endswith("/issues")]
    assert [(q.get("per_page"), "since" in q) for q in listings] == [
        ("1", False),
        ("100", True),
        ("100", False),
    ]
    gh.clear_requests()
    again = store.snapshot(previous=refreshed)
    assert again["objects"] == refreshed["objects"] and gh.count() == 2


def test_skipped_issues_are_remembered_so_the_count_still_adds_up(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    store.create("a", {"v": 1})
    damaged = gh.seed_issue("Stored Object: d", "{damaged", ["stored-object", "UID:d"], "octo")
    no_id = gh.seed_issue("no id", "{}", ["stored-object"], "octo")
    first = store.snapshot()
    assert first["skipped_issues"] == [damaged, no_id]
    gh.clear_requests()
    refreshed = store.snapshot(previous=first)
    assert gh.count() == 2 and refreshed["skipped_issues"] == [damaged, no_id]
    gh.delete_issue(no_id)
    assert store.snapshot(previous=refreshed)["skipped_issues"] == [damaged]


def test_github_deletes_issues_only_for_admins_and_answers_410_after(
    gh: GitHubEmulator,
) -> None:
    number = gh.seed_issue("x", "{}", ["stored-object"], "octo")
    gh.seed_comment(number, "hello")
    mutation = "mutation($id: ID!) { deleteIssue(input: {issueId: $id}) { repository { name } } }"
    query = {"query": mutation, "variables": {"id": gh.issue(number)["node_id"]}}
    options = gh.client_options()
    with httpx2.Client(base_url=options["api_url"], transport=options["http_transport"]) as http:

        def send(method: str, path: str, token: str, body: object = None) -> httpx2.Response:
            return http.request(
                method, path, json=body, headers={"Authorization": f"token {token}"}
            )

        refused = send("POST", "/graphql", gh.token_for("writer", "write"), query).json()
        assert refused["errors"][0]["type"] == "FORBIDDEN" and gh.issue(number)
        done = send("POST", "/graphql", gh.owner_token, query).json()
        assert done == {"data": {"deleteIssue": {"repository": {"name": "store"}}}}
        answer = send("GET", f"/repos/{gh.repo}/issues/{number}", gh.owner_token)
        assert answer.status_code == 410 and answer.json()["message"] == "This issue was deleted"
        comments = send("GET", f"/repos/{gh.repo}/issues/{number}/comments", gh.owner_token)
        assert comments.status_code == 410
        listed = send("GET", f"/repos/{gh.repo}/issues?state=all", gh.owner_token)
        assert listed.json() == []
        again = send("POST", "/graphql", gh.owner_token, query).json()
        assert again["errors"][0]["type"] == "NOT_FOUND"


def test_every_answer_carries_githubs_date(gh: GitHubEmulator, call: Call) -> None:
    gh.use_ticking_clock(start=1_700_000_000)
    answer = call("GET", f"/repos/{gh.repo}/issues", gh.owner_token)
    assert answer.headers.get_list("date") == ["Tue, 14 Nov 2023 22:13:19 GMT"]


# --- a crafted previous snapshot loses nothing and breaks nothing (issue 17) --------------------

_JUNK: list[object] = [None, True, -1, 0, 10**30, 1.5, "", "x" * 100, [], {}, [1, "2"], {"a": 1}]


def _damage(document: dict[str, Any], rng: random.Random) -> None:
    """One structural damage the refresh must notice (not a plausible edit of an entry)."""
    objects = document["objects"]
    kind = rng.choice(
        ["drop", "add", "entry", "meta", "skipped", "time", "objects", "since", "marker", "key"]
    )
    ids = sorted(objects) if isinstance(objects, dict) else []
    if kind == "drop" and ids:
        del objects[rng.choice(ids)]
    elif kind == "add" and isinstance(objects, dict):
        entry = {"data": {"fake": True}, "meta": {"object_id": "fake", "issue_number": 9999,
                 "version": 1, "created_at": "2024-01-01T00:00:00+00:00",
                 "updated_at": "2024-01-01T00:00:00+00:00"}}  # fmt: skip
        objects["fake"] = entry
    elif kind == "entry" and ids:
        objects[rng.choice(ids)] = rng.choice(_JUNK)
    elif kind == "meta" and ids:
        meta = objects[rng.choice(ids)]["meta"]
        field = rng.choice(["issue_number", "version", "created_at", "updated_at", "object_id"])
        meta[field] = rng.choice(_JUNK)
    elif kind == "skipped":
        document["skipped_issues"] = rng.choice([*_JUNK, [1, 1], ["3"], [-4]])
    elif kind == "time":
        document["snapshot_time"] = rng.choice(
            [*_JUNK, "2999-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00", "2024-01-01T00:00:00"]
        )
    elif kind == "objects":
        document["objects"] = rng.choice(_JUNK)
    elif kind == "since":
        document["since"] = "2024-01-01T00:00:00+00:00"
    elif kind == "marker":
        document["gh_store_snapshot"] = rng.choice([1, 3, "2", 2.0, True, None])
    else:
        document[rng.choice(["extra", "gh_store_snapshot"])] = rng.choice(_JUNK)


@pytest.mark.parametrize("seed", range(4))
def test_a_damaged_previous_snapshot_is_refreshed_into_the_whole_truth(
    gh: GitHubEmulator, store: GitHubStore, seed: int
) -> None:
    rng = random.Random(seed)
    for i in range(4):
        store.create(f"o{i}", {"i": i})
    gh.seed_issue("Stored Object: d", "{damaged", ["stored-object", "UID:d"], "octo")
    for _ in range(6):
        previous = copy.deepcopy(store.snapshot())
        for _ in range(rng.randint(1, 3)):
            _damage(previous, rng)
        # Meanwhile, on GitHub: an update, a new object, a deletion.
        live = sorted(store.snapshot()["objects"])
        store.update(rng.choice(live), {"n": rng.random()}, apply=True)
        store.create(f"n{rng.randrange(10**9)}", {"new": True})
        if len(live) > 3:
            gh.delete_issue(store.get(rng.choice(live)).meta.issue_number)
        refreshed = store.snapshot(previous=previous)
        assert _without_time(refreshed) == _without_time(store.snapshot()), previous


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
@pytest.mark.parametrize("full", [False, True])
def test_the_cli_leaves_a_file_that_is_not_a_snapshot_as_it_is(
    gh: GitHubEmulator,
    store: GitHubStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    full: bool,
) -> None:
    from gh_store.cli import main

    store.create("a", {"v": 1})
    out = tmp_path / "package.json"
    out.write_bytes(NOT_SNAPSHOTS["package.json"])
    argv = ["snapshot", "--out", str(out), "--repo", gh.repo, "--api-url", gh.url]
    argv += ["--token", gh.owner_token] + (["--full"] if full else [])
    gh.clear_requests()
    assert main(argv) != 0
    assert out.read_bytes() == NOT_SNAPSHOTS["package.json"]
    assert "is left as it is" in capsys.readouterr().err
    if not full:
        assert gh.requests == []  # refused before the first request


def test_without_githubs_time_a_refresh_is_not_trusted() -> None:
    """A GitHub (or a proxy) that sends no ``Date``: the snapshot is taken whole."""
    previous = {
        **_one_one_snapshot("octo/store"),
        "gh_store_snapshot": 2,
        "snapshot_time": "2026-01-01T00:00:00+00:00",
    }
    basis = refresh_basis(previous, "octo/store")
    assert basis is not None

    def answer(need: object) -> object:
        if isinstance(need, CountIssues):
            return 0
        assert isinstance(need, ListIssues) and need.since == "2025-12-31T23:58:00Z"
        return Listing((), complete=True, served_at=None)

    refreshed = run_flow(refresh_flow(Scope("octo/store", StoreConfig(), {}), basis), answer)
    assert refreshed.whole == "GitHub did not say what time it is"


@pytest.mark.parametrize("writer", ["1.1", "original"])
def test_a_snapshot_timed_by_a_runners_clock_is_taken_whole_once(
    gh: GitHubEmulator, store: GitHubStore, writer: str
) -> None:
    """1.1 and the original took ``snapshot_time`` from the machine: a runner ahead of GitHub
    wrote a time after changes its snapshot never saw. Their first refresh trusts no such time."""
    start = int(time.time()) - 3600
    gh.use_ticking_clock(start=start)
    number = store.create("a", {"v": 1}).meta.issue_number
    gh.advance_clock(600)
    ahead = datetime.fromtimestamp(start + 300, UTC).isoformat()  # after "a", before GitHub's now
    if writer == "1.1":
        previous: dict[str, Any] = {**_one_one_snapshot(store.repo), "snapshot_time": ahead}
    else:
        previous = {**_original_snapshot(store.repo, number), "snapshot_time": ahead}
        previous["objects"] = {}
    refreshed = store.snapshot(previous=previous)
    assert refreshed["objects"]["a"]["data"] == {"v": 1}
    assert _without_time(refreshed) == _without_time(store.snapshot())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Tue, 14 Nov 2023 22:13:20 GMT", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("Tue, 14 Nov 2023 23:13:20 +0100", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("yesterday", None),
        ("Tue, 99 Nov 2023 22:13:20 GMT", None),
        ("9" * 5000, None),
    ],
)
def test_githubs_date_header_is_read_or_ignored(header: str | None, expected: object) -> None:
    from gh_store.transport.answers import header_time

    assert header_time(header) == expected
