"""What the client's reads cost when nothing changed: conditional requests, measured.

The cost of a read is what GitHub counts against the token: the emulator's own counter
(``GET /rate_limit``, itself free), which a ``304 Not Modified`` leaves alone. A change made by
anyone else must be seen by the very next read, cache or no cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest

from gh_store.client import GitHubStore
from gh_store.core.body import BodyMeta, IssueBody, encode_body
from gh_store.core.exceptions import ConfigurationError, ObjectNotFound
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

from .conftest import Call, MakeStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def counted(gh: GitHubEmulator) -> Callable[..., int]:
    """``counted(token=owner)``: requests the emulator has counted against the token so far."""

    def count(token: str | None = None) -> int:
        options = gh.client_options()
        transport = options["http_transport"]
        with httpx2.Client(base_url=options["api_url"], transport=transport) as http:
            answer = http.get(
                "/rate_limit", headers={"Authorization": f"token {token or gh.owner_token}"}
            )
        return int(answer.json()["resources"]["core"]["used"])

    return count


def seed_objects(gh: GitHubEmulator, count: int) -> None:
    """``count`` objects as ``create`` leaves them, without paying their requests."""
    for i in range(count):
        body = encode_body(IssueBody({"i": i}, BodyMeta()))
        gh.seed_issue(f"Stored Object: o{i}", body, ["stored-object", f"UID:o{i}"], state="closed")


def statuses(gh: GitHubEmulator) -> list[int]:
    return [r.status for r in gh.requests if r.path != "/rate_limit"]


# --- get ---------------------------------------------------------------------------------------


def test_twenty_gets_of_an_unchanged_object_cost_one_counted_request(
    gh: GitHubEmulator, store: GitHubStore, make_store: MakeStore, counted: Callable[..., int]
) -> None:
    store.create("alpha", {"v": 1})
    reader = make_store()
    gh.clear_requests()
    before = counted()
    objects = [reader.get("alpha") for _ in range(20)]
    assert counted() - before == 1
    assert statuses(gh) == [200] + [304] * 19
    assert all(obj == objects[0] for obj in objects) and objects[0].data == {"v": 1}


def test_without_the_cache_each_get_is_counted(
    gh: GitHubEmulator, make_store: MakeStore, counted: Callable[..., int]
) -> None:
    make_store().create("alpha", {"v": 1})
    reader = make_store(cache=False)
    before = counted()
    for _ in range(5):
        reader.get("alpha")
    assert counted() - before == 5


def _change_by_comment(other: GitHubStore, gh: GitHubEmulator, call: Call) -> None:
    other.update("alpha", {"v": 2})  # a pending update: the issue reopens


def _change_by_applied_update(other: GitHubStore, gh: GitHubEmulator, call: Call) -> None:
    other.update("alpha", {"v": 2}, apply=True)


def _change_by_body_write(other: GitHubStore, gh: GitHubEmulator, call: Call) -> None:
    body = encode_body(IssueBody({"v": 3}, BodyMeta()))
    call("PATCH", "/repos/octo/store/issues/1", gh.owner_token, {"body": body})


def _change_by_label(other: GitHubStore, gh: GitHubEmulator, call: Call) -> None:
    call("PATCH", "/repos/octo/store/issues/1", gh.owner_token, {"labels": ["stored-object"]})


CHANGES = {
    "comment": _change_by_comment,
    "applied update": _change_by_applied_update,
    "body write": _change_by_body_write,
    "label": _change_by_label,  # the object's own label removed: it is gone
}
SEEN = {"comment": {"v": 1}, "applied update": {"v": 2}, "body write": {"v": 3}, "label": None}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_by_someone_else_is_seen_at_once(
    gh: GitHubEmulator,
    make_store: MakeStore,
    call: Call,
    counted: Callable[..., int],
    later_clock: Callable[[int], None],
    change: str,
) -> None:
    alice = gh.token_for("alice", "read")
    writer, reader = make_store(), make_store(alice)
    writer.create("alpha", {"v": 1})
    first = reader.get("alpha")
    assert reader.get("alpha") == first
    later_clock(5)  # the emulator stamps whole seconds: make the change's time show
    CHANGES[change](writer, gh, call)
    gh.clear_requests()
    before = counted(alice)
    if SEEN[change] is None:
        with pytest.raises(ObjectNotFound):
            reader.get("alpha")
    else:
        now = reader.get("alpha")
        assert now.data == SEEN[change]
        assert now.meta.updated_at >= first.meta.updated_at + timedelta(seconds=5)
    assert statuses(gh) == [200] and counted(alice) - before == 1


# --- listings ----------------------------------------------------------------------------------


def test_a_second_list_all_of_an_unchanged_store_costs_nothing(
    gh: GitHubEmulator, store: GitHubStore, counted: Callable[..., int]
) -> None:
    seed_objects(gh, 150)
    before = counted()
    first = list(store.list_all())
    assert counted() - before == 2  # 100 a page
    second = list(store.list_all())
    assert counted() - before == 2
    assert second == first and len(first) == 150


def test_list_all_sees_a_new_and_an_archived_object_at_once(
    gh: GitHubEmulator, make_store: MakeStore, counted: Callable[..., int]
) -> None:
    seed_objects(gh, 3)
    reader, writer = make_store(), make_store()
    assert len(list(reader.list_all())) == 3
    writer.create("new", {"v": 1})
    writer.delete("o1")
    before = counted()
    ids = sorted(obj.meta.object_id for obj in reader.list_all())
    assert ids == ["new", "o0", "o2"] and counted() - before == 1


def test_a_second_list_updated_since_costs_nothing(
    gh: GitHubEmulator, store: GitHubStore, counted: Callable[..., int]
) -> None:
    seed_objects(gh, 5)
    since = datetime.now(UTC) - timedelta(hours=1)
    first = list(store.list_updated_since(since))
    before = counted()
    assert list(store.list_updated_since(since)) == first and len(first) == 5
    assert counted() - before == 0


# --- history -----------------------------------------------------------------------------------


def test_history_read_again_costs_nothing_and_sees_a_new_update(
    gh: GitHubEmulator, store: GitHubStore, make_store: MakeStore, counted: Callable[..., int]
) -> None:
    store.create("alpha", {"v": 0})
    store.update("alpha", {"v": 1}, apply=True)
    reader = make_store()
    assert [u.changes for u in reader.get_object_history("alpha")] == [{"v": 1}]
    before = counted()
    assert [u.changes for u in reader.get_object_history("alpha")] == [{"v": 1}]
    assert reader.verify_history("alpha").ok
    assert counted() - before == 0
    store.update("alpha", {"v": 2}, apply=True)
    before = counted()
    assert [u.changes for u in reader.get_object_history("alpha")] == [{"v": 1}, {"v": 2}]
    assert counted() - before == 2  # the issue and its comments, both changed


# --- across processes: cache_dir ---------------------------------------------------------------


def test_a_second_store_over_the_same_directory_pays_nothing(
    gh: GitHubEmulator, make_store: MakeStore, tmp_path: Path, counted: Callable[..., int]
) -> None:
    make_store().create("alpha", {"v": 1})
    first = make_store(cache_dir=tmp_path / "cache")
    first.get("alpha")
    second = make_store(cache_dir=tmp_path / "cache")
    before = counted()
    assert second.get("alpha").data == {"v": 1}
    assert counted() - before == 0
    assert all((path.stat().st_mode & 0o777) == 0o600 for path in (tmp_path / "cache").iterdir())


def test_a_relative_cache_dir_is_read_from_the_base_directory(
    gh: GitHubEmulator, make_store: MakeStore, tmp_path: Path
) -> None:
    make_store().create("alpha", {"v": 1})
    make_store(cache_dir="cache", base_dir=tmp_path).get("alpha")
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_another_token_over_the_same_directory_pays_its_own_reads(
    gh: GitHubEmulator, make_store: MakeStore, tmp_path: Path, counted: Callable[..., int]
) -> None:
    make_store().create("alpha", {"v": 1})
    make_store(cache_dir=tmp_path).get("alpha")
    alice = gh.token_for("alice", "read")
    before = counted(alice)
    make_store(alice, cache_dir=tmp_path).get("alpha")
    assert counted(alice) - before == 1


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
def test_a_second_process_over_the_same_directory_pays_nothing(
    gh: GitHubEmulator, store: GitHubStore, tmp_path: Path, counted: Callable[..., int]
) -> None:
    store.create("alpha", {"v": 1})
    script = (
        "import json, os, sys\n"
        "from gh_store import GitHubStore\n"
        "with GitHubStore(os.environ['TOKEN'], 'octo/store', api_url=os.environ['API'],\n"
        "                 cache_dir=sys.argv[1]) as store:\n"
        "    print(json.dumps(store.get('alpha').data))\n"
    )
    env = {
        **os.environ,
        "TOKEN": gh.owner_token,
        "API": gh.url,
        "HOME": str(tmp_path),  # no user config file
    }

    def run() -> object:
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "cache")],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(done.stdout)

    before = counted()
    assert run() == {"v": 1}
    assert counted() - before == 1
    assert run() == {"v": 1}
    assert counted() - before == 1


def test_cache_dir_with_a_transport_of_ones_own_is_refused(
    gh: GitHubEmulator, tmp_path: Path
) -> None:
    with (
        GhApiTransport(gh.repo, gh.owner_token, **gh.client_options()) as transport,
        pytest.raises(ConfigurationError, match="cache_dir"),
    ):
        GitHubStore(gh.owner_token, gh.repo, transport=transport, cache_dir=tmp_path)
