"""The two places answers are kept, ``MemoryCache`` and ``DiskCache``: the same contract run
against both, then what only a directory shared across processes must guard against."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from gh_store.transport.cache import DiskCache, MemoryCache, ResponseCache, StoredAnswer

MakeCache = Callable[[int], ResponseCache]


def answer(text: str, etag: str = '"e"') -> StoredAnswer:
    return StoredAnswer({"etag": etag, "link": '<u?page=2>; rel="next"'}, text.encode())


@pytest.fixture(params=["memory", "disk"])
def make_cache(request: pytest.FixtureRequest, tmp_path: Path) -> MakeCache:
    def make(max_bytes: int = 1 << 20) -> ResponseCache:
        if request.param == "memory":
            return MemoryCache(max_bytes)
        return DiskCache(tmp_path / "cache", max_bytes)

    return make


# --- the contract, for both ---------------------------------------------------------------------


def test_an_answer_comes_back_as_kept(make_cache: MakeCache) -> None:
    cache = make_cache(1 << 20)
    assert cache.lookup("k") is None
    cache.keep("k", answer('[{"id": 1}]'))
    assert cache.lookup("k") == answer('[{"id": 1}]')
    assert cache.lookup("other") is None


def test_a_newer_answer_replaces_the_older(make_cache: MakeCache) -> None:
    cache = make_cache(1 << 20)
    cache.keep("k", answer("[1]", '"a"'))
    cache.keep("k", answer("[2]", '"b"'))
    assert cache.lookup("k") == answer("[2]", '"b"')


def test_forget(make_cache: MakeCache) -> None:
    cache = make_cache(1 << 20)
    cache.keep("k", answer("[1]"))
    cache.forget("k")
    cache.forget("never kept")
    assert cache.lookup("k") is None


def test_an_answer_larger_than_the_bound_is_not_kept(make_cache: MakeCache) -> None:
    cache = make_cache(1000)
    cache.keep("k", answer("[" + "1," * 600 + "1]"))
    assert cache.lookup("k") is None


# --- memory -------------------------------------------------------------------------------------


def test_memory_drops_the_least_recently_used_past_its_bound() -> None:
    size = answer("x" * 100).size
    cache = MemoryCache(max_bytes=3 * size)
    for key in "abc":
        cache.keep(key, answer("x" * 100))
    assert cache.lookup("a") is not None  # used: now the most recent
    cache.keep("d", answer("x" * 100))
    assert [k for k in "abcd" if cache.lookup(k) is not None] == ["a", "c", "d"]
    assert len(cache) == 3


# --- disk ---------------------------------------------------------------------------------------


def files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file())


def test_disk_files_and_directory_are_the_owners_only(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "new" / "cache")
    cache.keep("k", answer("[1]"))
    (path,) = files(tmp_path / "new" / "cache")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new" / "cache").stat().st_mode) == 0o700
    assert "k" not in path.name  # named by a hash of the key


def test_disk_answers_outlive_the_object_that_kept_them(tmp_path: Path) -> None:
    DiskCache(tmp_path).keep("k", answer("[1]"))
    assert DiskCache(tmp_path).lookup("k") == answer("[1]")


def test_a_file_open_to_others_is_ignored(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    cache.keep("k", answer("[1]"))
    (path,) = files(tmp_path)
    path.chmod(0o644)
    assert cache.lookup("k") is None


def test_a_file_of_another_user_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = DiskCache(tmp_path)
    cache.keep("k", answer("[1]"))
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    assert cache.lookup("k") is None


def test_a_file_holding_another_key_is_ignored(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    cache.keep("theirs", answer("[1]"))
    cache.keep("mine", answer("[2]"))
    theirs, mine = cache._path("theirs"), cache._path("mine")
    os.replace(theirs, mine)  # a file copied under another name must not answer for it
    assert cache.lookup("mine") is None


def test_a_symbolic_link_is_not_followed(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache")
    cache.keep("k", answer("[1]"))
    target = tmp_path / "elsewhere.json"
    os.replace(cache._path("k"), target)
    cache._path("k").symlink_to(target)
    assert cache.lookup("k") is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"format": "gh-store response cache 1", "key": "k", "headers": {}, "content": "[1',
        json.dumps(
            {"format": "something else", "key": "k", "headers": {}, "content": "[]"}
        ).encode(),
        json.dumps(
            {"format": "gh-store response cache 1", "key": "k", "headers": [], "content": "[]"}
        ).encode(),
        json.dumps(
            {"format": "gh-store response cache 1", "key": "k", "headers": {}, "content": 1}
        ).encode(),
        json.dumps(
            {
                "format": "gh-store response cache 1",
                "key": "k",
                "headers": {"etag": 1},
                "content": "[]",
            }
        ).encode(),
        json.dumps({"format": "gh-store response cache 1", "key": "k", "headers": {}}).encode(),
        b"[]",
        b"\xff\xfe",
    ],
)
def test_a_corrupt_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    cache = DiskCache(tmp_path)
    cache.keep("k", answer("[1]"))
    cache._path("k").write_bytes(content)
    assert cache.lookup("k") is None
    cache.keep("k", answer("[2]"))
    assert cache.lookup("k") == answer("[2]")


def test_a_file_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cache = DiskCache(tmp_path)
    cache.keep("k", answer("[1]"))

    def no_rename(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    with caplog.at_level(logging.WARNING, logger="gh_store.transport"):
        cache.keep("k", answer("[2]"))  # never an error: the answer is just not kept
    assert cache.lookup("k") == answer("[1]")  # the whole older file, not a part of the newer
    assert [p.name for p in files(tmp_path)] == [cache._path("k").name]  # no leftover
    assert "No space left on device" in caplog.text


def test_an_unusable_directory_keeps_nothing_and_fails_nothing(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    cache = DiskCache(tmp_path / "a-file" / "cache")
    cache.keep("k", answer("[1]"))
    assert cache.lookup("k") is None


def test_disk_stays_within_its_bound_dropping_the_least_recently_used(tmp_path: Path) -> None:
    one = len(json.dumps({"format": "gh-store response cache 1"})) + 200  # about one file
    cache = DiskCache(tmp_path, max_bytes=10 * one)
    for i in range(40):
        cache.keep(f"k{i}", answer("x" * 100))
        os.utime(cache._path(f"k{i}"), (1_000_000 + i, 1_000_000 + i))  # kept in this order
        if i == 5:
            assert cache.lookup("k0") is not None  # used: moves to now, so it is kept
        used = sum(p.stat().st_size for p in files(tmp_path))
        assert used <= 10 * one
    assert cache.lookup("k0") is not None and cache.lookup("k39") is not None
    assert cache.lookup("k1") is None


def test_a_crashed_writers_leftover_is_removed_and_a_fresh_one_left(tmp_path: Path) -> None:
    old, fresh = tmp_path / ".tmp-old", tmp_path / ".tmp-fresh"
    old.write_bytes(b"x" * 50)
    fresh.write_bytes(b"x" * 50)
    os.utime(old, (1_000_000, 1_000_000))
    cache = DiskCache(tmp_path, max_bytes=1000)
    for i in range(10):
        cache.keep(f"k{i}", answer("x" * 100))
    assert not old.exists() and fresh.exists()
