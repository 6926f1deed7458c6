"""Snapshots: one listing, every live object, written whole to a file."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gh_store.client import GitHubStore
from gh_store.emulator import GitHubEmulator
from gh_store.snapshot import build_snapshot, write_snapshot


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
    out.write_text("old content")
    write_snapshot(store.snapshot(), out)
    assert json.loads(out.read_text(encoding="utf-8"))["objects"]["alpha"]["data"] == {
        "text": "héllo"
    }
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]  # no temporary left


# --- refreshed, not rebuilt (issue 11) --------------------------------------------------------


def _without_time(document: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in document.items() if k != "snapshot_time"}


def test_a_refresh_after_one_update_costs_one_listing_whatever_the_store_holds(
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
    gh.clear_requests()
    first = store.snapshot()
    assert gh.count("GET", r"/issues$") == 2  # 150 objects: two pages
    gh.use_ticking_clock(start=int(time.time()) + 5)  # now, one update
    store.update("o7", {"i": 700}, apply=True)
    gh.clear_requests()
    refreshed = store.snapshot(previous=first)
    assert gh.count() == 1  # one listing of what changed since the last snapshot
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
    assert gh.count("GET", r"/issues$") == 1 and gh.requests[0].query.get("since")
    assert set(json.loads(out.read_text())["objects"]) == {"a", "b"}
