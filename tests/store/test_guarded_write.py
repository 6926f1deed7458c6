"""A guarded write (issue 20): ``update(..., if_version=N)`` applies only while the object is still
at version N when it is processed, as a contents-API write is refused on a stale ``sha``.

The race: writers who all read version N and post guarded updates; exactly one applies, each
other one is rejected with the reason, whoever processes them (the processor, or a writer's own
``apply=True``, also when another writer's run decided its update first). Over both APIs.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

import pytest

from gh_store.client import GitHubStore
from gh_store.core.body import decode_body
from gh_store.core.config import RateLimitConfig
from gh_store.core.exceptions import (
    ConcurrentUpdateError,
    InvalidUpdate,
    UpdateRejected,
    VersionConflict,
)
from gh_store.core.schema import ObjectSchema
from gh_store.core.update_comment import (
    CommentKind,
    encode_update_comment,
    parse_update_comment,
)
from gh_store.emulator import GitHubEmulator

from .conftest import FAST, MakeStore


def _writers(
    gh: GitHubEmulator, make_store: MakeStore, count: int, **options: Any
) -> list[GitHubStore]:
    stores = []
    for index in range(count):
        login = f"writer{index}"
        gh.set_permission(login, "write")
        stores.append(make_store(token=gh.token_for(login), **options))
    return stores


def test_two_writers_on_one_version_one_applies_and_the_other_is_told_why(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    owner = make_store()
    owner.create("ctr", {"n": 0})
    a, b = _writers(gh, make_store, 2)
    seen_a, seen_b = a.get("ctr"), b.get("ctr")
    assert seen_a.meta.version == seen_b.meta.version == 1
    a.update("ctr", {"n": seen_a.data["n"] + 1}, if_version=seen_a.meta.version)
    b.update("ctr", {"n": seen_b.data["n"] + 1}, if_version=seen_b.meta.version)
    report = owner.process_updates(seen_a.meta.issue_number)
    assert [o.status for o in report.outcomes] == ["applied", "rejected"]
    assert report.outcomes[1].reason == "the object is at version 2, not 1"
    assert report.outcomes[1].version_conflict
    assert report.to_dict()["rejected"][0]["reason"] == "the object is at version 2, not 1"
    assert owner.get("ctr").data == {"n": 1}
    # The rejected guard is marked like every rejected update.
    comments = gh.comments(seen_a.meta.issue_number)
    assert [c["reactions"]["-1"] for c in comments] == [0, 0, 1]  # creation, A's, B's


def test_with_apply_the_loser_raises_a_version_conflict(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    owner = make_store()
    owner.create("ctr", {"n": 0})
    a, b = _writers(gh, make_store, 2)
    a.update("ctr", {"n": 1}, if_version=1)  # pending: posted, not processed
    with pytest.raises(VersionConflict) as caught:
        b.update("ctr", {"n": 1}, if_version=1, apply=True)
    assert caught.value.reason == "the object is at version 2, not 1"
    assert caught.value.url.startswith("https://github.com/")
    assert isinstance(caught.value, ConcurrentUpdateError | UpdateRejected)
    assert owner.get("ctr").meta.version == 2 and owner.get("ctr").data == {"n": 1}


def test_with_apply_an_update_decided_by_another_run_is_reported_truly(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    """A's update is posted, then B's run decides A's (applied) and B's (rejected) before A's
    own run looks: A still learns its update applied, and B that it lost."""
    owner = make_store()
    owner.create("ctr", {"n": 0})
    a, b = _writers(gh, make_store, 2)
    own_run = a.process_updates
    caught: list[Exception] = []

    def others_first(number: int) -> Any:
        try:
            b.update("ctr", {"n": 10}, if_version=1, apply=True)
        except VersionConflict as exc:
            caught.append(exc)
        return own_run(number)

    a.process_updates = others_first  # type: ignore[method-assign]
    obj = a.update("ctr", {"n": 1}, if_version=1, apply=True)
    assert obj.data == {"n": 1} and obj.meta.version == 2
    assert [e.reason for e in caught if isinstance(e, VersionConflict)] == [
        "the object is at version 2, not 1"
    ]


def test_with_apply_a_lost_update_decided_by_another_run_raises(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    owner = make_store()
    owner.create("ctr", {"n": 0})
    a, b = _writers(gh, make_store, 2)
    b.update("ctr", {"n": 10}, if_version=1)  # first in line
    own_run = a.process_updates

    def others_first(number: int) -> Any:
        owner.process_updates(number)  # decides both: B's applied, A's rejected
        return own_run(number)

    a.process_updates = others_first  # type: ignore[method-assign]
    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        a.update("ctr", {"n": 1}, if_version=1, apply=True)
    assert owner.get("ctr").data == {"n": 10}


@pytest.mark.parametrize("seed", range(4))
def test_racing_counters_that_retry_on_conflict_lose_no_increment(
    gh: GitHubEmulator, make_store: MakeStore, api: str, seed: int
) -> None:
    """Writers read, post a guarded increment and apply; a random other writer's whole attempt
    may run in between. On a conflict they read again and retry. No increment is lost."""
    rng = random.Random(seed)
    # Many requests in a moment: no pacing, which would sleep in real time.
    unpaced = dataclasses.replace(FAST, api=api, rate_limit=RateLimitConfig(0, 0))
    owner = make_store(config=unpaced)
    owner.create("ctr", {"n": 0})
    writers = _writers(gh, make_store, 3, config=unpaced)
    done = conflicts = 0

    def attempt(writer: GitHubStore, depth: int) -> bool:
        nonlocal conflicts
        seen = writer.get("ctr")
        if depth < 2 and rng.random() < 0.6:
            # Another writer's whole increment, between this one's read and its write.
            increment(rng.choice([w for w in writers if w is not writer]), depth + 1)
        try:
            writer.update(
                "ctr", {"n": seen.data["n"] + 1}, if_version=seen.meta.version, apply=True
            )
        except VersionConflict:
            conflicts += 1
            return False
        return True

    def increment(writer: GitHubStore, depth: int = 0) -> None:
        nonlocal done
        while not attempt(writer, depth):
            pass
        done += 1

    while done < 6:
        increment(rng.choice(writers))
    final = owner.get("ctr")
    assert final.data == {"n": done} and final.meta.version == done + 1
    assert conflicts > 0  # every seed here races at least once


def test_a_patch_with_an_if_version_key_is_still_a_plain_patch(make_store: MakeStore) -> None:
    store = make_store()
    store.create("o", {"v": 1})
    obj = store.update("o", {"if_version": 7, "_meta": {"if_version": 99}}, apply=True)
    assert obj.data == {"v": 1, "if_version": 7, "_meta": {"if_version": 99}}
    envelope_like = {"_data": {"x": 1}, "_meta": {"if_version": 99}}
    obj = store.update("o", envelope_like, apply=True)
    assert obj.data["_data"] == {"x": 1} and obj.data["_meta"] == {"if_version": 99}
    assert obj.meta.version == 3


def test_a_guard_travels_in_the_envelope_and_reads_back() -> None:
    text = encode_update_comment({"if_version": 1, "n": 2}, if_version=5)
    assert json.loads(text) == {
        "_data": {"if_version": 1, "n": 2},
        "_meta": {"client": "gh-store", "if_version": 5},
    }
    parsed = parse_update_comment(text)
    assert (parsed.kind, parsed.patch, parsed.if_version) == (
        CommentKind.UPDATE,
        {"if_version": 1, "n": 2},
        5,
    )
    # 1.1's comments (plain patches, wrapped envelopes, the original's) carry no guard.
    for old in (
        '{"n": 2}',
        '{"_data": {"n": 2}, "_meta": {"client": "gh-store"}}',
        '{"_data": {"n": 2}, "_meta": {"client_version": "0.11.3", "update_mode": "append"}}',
    ):
        assert parse_update_comment(old).if_version is None


@pytest.mark.parametrize(
    ("guard", "kind"),
    [
        ("0", "a number"),
        ("-1", "a number"),
        ('"3"', "a string"),
        ("true", "a boolean"),
        ("null", "null"),
        ("1.0", "a number"),
        ("1000000001", "a number"),
        ("[1]", "an array"),
    ],
)
def test_a_malformed_guard_is_rejected_with_a_reason(guard: str, kind: str) -> None:
    parsed = parse_update_comment(f'{{"_data": {{"n": 1}}, "_meta": {{"if_version": {guard}}}}}')
    assert parsed.kind is CommentKind.BROKEN
    assert parsed.reason == f"the update's if_version must be a whole number from 1, not {kind}"


@pytest.mark.parametrize("bad", [0, -1, True, 1.0, "3", 10**9 + 1])
def test_the_client_refuses_a_malformed_guard_before_any_request(
    gh: GitHubEmulator, make_store: MakeStore, bad: Any
) -> None:
    store = make_store()
    with pytest.raises(InvalidUpdate, match="if_version must be a whole number from 1"):
        store.update("o", {"n": 1}, if_version=bad)
    assert gh.count() == 0


def test_a_guard_on_a_version_already_passed_is_rejected_not_left_pending(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    store = make_store()
    store.create("o", {"n": 0})
    store.update("o", {"n": 1}, apply=True)
    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        store.update("o", {"n": 5}, if_version=1, apply=True)
    with pytest.raises(VersionConflict, match="at version 2, not 3"):
        store.update("o", {"n": 5}, if_version=3, apply=True)
    issue = gh.issue(store.get("o").meta.issue_number)
    assert issue["state"] == "closed" and decode_body(issue["body"]).data == {"n": 1}
    store.update("o", {"n": 2}, if_version=2, apply=True)
    assert store.get("o").data == {"n": 2}


def test_another_rejection_with_apply_raises_update_rejected(make_store: MakeStore) -> None:
    store = make_store(
        schema=ObjectSchema({"type": "object", "properties": {"n": {"type": "integer"}}})
    )
    store.create("o", {"n": 0})
    with pytest.raises(UpdateRejected, match="does not match the schema") as caught:
        store.update("o", {"n": "x"}, if_version=1, apply=True)
    assert not isinstance(caught.value, VersionConflict)
