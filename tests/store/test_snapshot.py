"""Snapshots: one listing, every live object, written whole to a file."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
