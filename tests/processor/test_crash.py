"""Crash safety: a run that dies at any request, rerun, leaves every update applied exactly once.

The updates are chosen so that applying one twice, or out of order, changes the result:
``{"a":1}``, ``{"a":2}``, ``{"a":3,"b":null}`` on ``{"b":0}`` must give ``{"a":3}``; a chat
comment and an untrusted update sit between them. Each scenario runs on a fresh emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import GitHubAPIError
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue

from .support import (
    bot_marks,
    chain,
    fold,
    install_ticking_clock,
    seed_object,
    store_config,
    stored,
    transport_for,
)

CONFIG = store_config()
BASE: dict[str, Any] = {"b": 0}
TRUSTED: list[dict[str, Any]] = [{"a": 1}, {"a": 2}, {"a": 3, "b": None}]
EXPECTED = fold(BASE, TRUSTED)


@dataclass(frozen=True)
class Scene:
    gh: GitHubEmulator
    number: int
    applied: list[int]  # the trusted updates, in order
    untrusted: int
    chat: int


def build_scene(gh: GitHubEmulator) -> Scene:
    install_ticking_clock(gh)
    gh.set_permission("alice", "write")
    gh.set_permission("rita", "read")
    number = seed_object(gh, BASE)
    first = gh.seed_comment(number, json.dumps(TRUSTED[0]), user="octo")
    chat = gh.seed_comment(number, "I'll bump it twice more", user="octo")
    second = gh.seed_comment(number, json.dumps(TRUSTED[1]), user="alice")
    untrusted = gh.seed_comment(number, '{"a": 99, "b": "mine"}', user="rita")
    third = gh.seed_comment(number, json.dumps(TRUSTED[2]), user="octo")
    return Scene(gh, number, [first, second, third], untrusted, chat)


def scene() -> Iterator[Scene]:
    with GitHubEmulator(repo="octo/store") as gh:
        yield build_scene(gh)


def run(scene: Scene, *, max_attempts: int = 3) -> None:
    with transport_for(scene.gh, max_attempts=max_attempts) as transport:
        process_issue(transport, CONFIG, scene.number)


def run_failing(scene: Scene) -> None:
    """A run that must die of the injected fault (no retries, as if the runner were killed)."""
    with pytest.raises(GitHubAPIError):
        run(scene, max_attempts=1)


def assert_converged(scene: Scene) -> None:
    """Every trusted update applied once, in order; every decided comment marked once."""
    gh, number = scene.gh, scene.number
    body = stored(gh, number)
    assert body.data == EXPECTED
    assert (body.meta.version, body.meta.applied_count) == (1 + 3, 3)
    assert body.meta.last_comment_id == scene.applied[-1]
    texts = {c["id"]: c["body"] for c in gh.comments(number)}
    assert body.meta.history_hash == chain((i, texts[i]) for i in scene.applied)
    assert gh.issue(number)["state"] == "closed"
    for comment_id in scene.applied:
        assert bot_marks(gh, comment_id) == ["+1"], comment_id
    assert bot_marks(gh, scene.untrusted) == ["eyes"]
    assert bot_marks(gh, scene.chat) == []


def clean_run_requests() -> int:
    for first in scene():
        first.gh.clear_requests()
        run(first)
        assert_converged(first)
        return len(first.gh.requests)
    raise AssertionError("unreachable")


CLEAN_REQUESTS = clean_run_requests()
FAULTS: dict[str, dict[str, Any]] = {
    "503 before the request acts": {"status": 503},
    "answer lost after the request acted": {"status": None, "drop": True, "after": True},
}


def test_the_clean_run_is_the_one_measured() -> None:
    # issue, comments, 2 permissions (alice, rita), the write, 4 marks, the last look
    assert CLEAN_REQUESTS == 1 + 1 + 2 + 1 + 4 + 1


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("k", range(CLEAN_REQUESTS))
def test_crash_at_any_request_then_rerun_converges(fault: str, k: int) -> None:
    for crashed in scene():
        injected = crashed.gh.inject(path=".*", skip=k, **FAULTS[fault])
        run_failing(crashed)
        assert injected.applied == 1

        run(crashed)

        assert_converged(crashed)
        crashed.gh.clear_requests()
        owes_a_check = bool(stored(crashed.gh, crashed.number).meta.marks)
        run(crashed)  # and a further run has nothing left to do: the issue, its comments, and
        # (when the body records marks) who placed the newest of them
        assert len(crashed.gh.requests) == 2 + owes_a_check
        assert [r.method for r in crashed.gh.requests] == ["GET"] * (2 + owes_a_check)
        assert_converged(crashed)


def _index_of_write() -> int:
    for probe in scene():
        probe.gh.clear_requests()
        run(probe)
        return [r.method for r in probe.gh.requests].index("PATCH")
    raise AssertionError("unreachable")


WRITE = _index_of_write()


@pytest.mark.parametrize(
    "k", [WRITE, WRITE + 1, CLEAN_REQUESTS - 2], ids=["write", "first mark", "last mark"]
)
def test_a_second_crash_during_recovery_still_converges(k: int) -> None:
    """The run that repairs a crashed run's marks dies too, at each of its requests in turn."""
    j = 0
    while True:
        for twice in scene():
            twice.gh.inject(path=".*", skip=k, status=None, drop=True, after=True)
            run_failing(twice)
            second = twice.gh.inject(path=".*", skip=j, status=None, drop=True, after=True)
            try:
                run(twice, max_attempts=1)
            except GitHubAPIError:
                assert second.applied == 1
            else:
                assert second.applied == 0
                assert_converged(twice)
                return
            run(twice)
            assert_converged(twice)
        j += 1


# --- crash repair looks at who placed a mark, not at counts (issue 9.8) -----------------------


@pytest.mark.parametrize("reactor", ["rita", "stranger"])
def test_an_outsiders_reaction_on_the_newest_applied_comment_does_not_hide_a_crash(
    reactor: str,
) -> None:
    for crashed in scene():
        # The run dies before its marks: every reaction POST fails.
        crashed.gh.inject(status=503, method="POST", path=r"/reactions$", times=10)
        run_failing(crashed)
        crashed.gh.clear_faults()
        assert bot_marks(crashed.gh, crashed.applied[-1]) == []
        # Then an outsider adds the very reaction the store owes on the newest decided comment.
        with transport_for(crashed.gh, crashed.gh.token_for(reactor, permission=None)) as outsider:
            outsider.create_reaction(crashed.applied[-1], "+1")

        run(crashed)

        assert_converged(crashed)  # every mark from the store, exactly once
        with GitHubStore(
            crashed.gh.owner_token, crashed.gh.repo, config=CONFIG, **crashed.gh.client_options()
        ) as store:
            assert store.verify_history("x").ok


# --- a deleted comment cannot hide owed marks (found by `make torture`, seed 506) --------------


@pytest.mark.parametrize("placed", range(5), ids=lambda k: f"{k} of 5 marks placed")
def test_deleting_the_newest_marked_comment_does_not_hide_a_crash(placed: int) -> None:
    """The run dies after its write, having placed only some marks; then the outsider whose
    comment carries the newest recorded mark deletes it. That mark can no longer say whether
    the run finished, so the next older one (on a comment no longer listed) decides."""
    for crashed in scene():
        late = crashed.gh.seed_comment(crashed.number, '{"a": 7}', user="rita")
        crashed.gh.inject(status=503, method="POST", path=r"/reactions$", skip=placed, times=10)
        run_failing(crashed)
        crashed.gh.clear_faults()
        assert stored(crashed.gh, crashed.number).meta.marks[-1] == (late, "eyes")
        crashed.gh.delete_comment(late)

        run(crashed)

        gh, number = crashed.gh, crashed.number
        body = stored(gh, number)
        assert body.data == EXPECTED
        assert (body.meta.version, body.meta.applied_count) == (4, 3)
        assert [bot_marks(gh, c) for c in crashed.applied] == [["+1"]] * 3
        assert bot_marks(gh, crashed.untrusted) == ["eyes"]
        assert bot_marks(gh, crashed.chat) == []
        assert gh.issue(number)["state"] == "closed"
