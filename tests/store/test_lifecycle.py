"""Lifecycle and queries (issue 20): ids only, archived objects, restore (with its races), and a
rollback computed from the history, guarded so a concurrent change is not overwritten."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from gh_store.client import GitHubStore
from gh_store.core.body import BodyMeta, IssueBody, encode_body
from gh_store.core.exceptions import (
    AccessDeniedError,
    DuplicateUIDError,
    InvalidUpdate,
    ObjectExistsError,
    ObjectNotFound,
    VersionConflict,
)
from gh_store.core.lifecycle import restore_flow
from gh_store.core.objects import create_flow
from gh_store.core.update_comment import CommentKind, parse_update_comment
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator

from .conftest import MakeStore


def _labels(gh: GitHubEmulator, number: int) -> set[str]:
    return {label["name"] for label in gh.issue(number)["labels"]}


def _live(gh: GitHubEmulator, count: int, object_id: str) -> list[int]:
    return [
        n
        for n in range(1, count + 1)
        if {"stored-object", f"UID:{object_id}"} <= _labels(gh, n)
        and "archived" not in _labels(gh, n)
    ]


# --- ids and archived objects ----------------------------------------------------------------


def test_list_ids_is_one_listing_and_leaves_out_what_list_all_leaves_out(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    store.create("a", {"v": 1})
    store.create("b", {"v": 2})
    store.create("c", {"v": 3})
    store.delete("b")
    body = encode_body(IssueBody({"v": 0}, BodyMeta()))
    gh.seed_issue("x", body, ["stored-object", "UID:outsider"], user="mallory")
    gh.set_permission("mallory", "read")
    gh.clear_requests()
    assert store.list_ids() == ["a", "c"]
    assert [(r.method, r.path) for r in gh.requests] == [
        ("GET", "/repos/octo/store/issues"),
        ("GET", "/repos/octo/store/collaborators/mallory/permission"),
    ]
    assert store.list_ids() == ["a", "c"]
    assert [o.meta.object_id for o in store.list_all()] == ["a", "c"]


def test_list_archived_shows_deleted_objects_with_their_data(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    store.create("a", {"v": 1})
    store.create("b", {"v": 2})
    store.delete("b")
    store.delete("a")
    gh.seed_issue("pr", "{}", ["archived", "UID:pr"], pull_request=True)
    archived = store.list_archived()
    assert [(o.meta.object_id, o.data) for o in archived] == [("a", {"v": 1}), ("b", {"v": 2})]
    assert store.list_ids() == []


# --- restore ---------------------------------------------------------------------------------


def test_restore_makes_the_object_live_again_with_its_labels(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    made = store.create("a", {"v": 1}, extra_labels=["team"])
    store.update("a", {"v": 2}, apply=True)
    store.delete("a")
    with pytest.raises(ObjectNotFound):
        store.get("a")
    gh.clear_requests()
    restored = store.restore("a")
    assert gh.count() == 4  # archived look-up, live look-up, relabel, look again
    assert (restored.data, restored.meta.version) == ({"v": 2}, 2)
    number = made.meta.issue_number
    assert _labels(gh, number) == {"stored-object", "UID:a", "team"}
    assert gh.issue(number)["state"] == "closed"
    assert store.get("a").data == {"v": 2}
    assert store.update("a", {"v": 3}, apply=True).meta.version == 3


def test_restore_is_refused_while_a_live_object_has_the_id(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    old = store.create("a", {"v": 1})
    store.delete("a")
    store.create("a", {"v": "new"})
    with pytest.raises(ObjectExistsError, match="already exists"):
        store.restore("a")
    assert "archived" in _labels(gh, old.meta.issue_number)
    assert store.get("a").data == {"v": "new"}
    with pytest.raises(ObjectNotFound, match="no archived object 'nothing'"):
        store.restore("nothing")


def test_several_archived_issues_of_one_id_need_the_issue_named(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    first = store.create("a", {"v": 1})
    store.delete("a")
    store.create("a", {"v": 2})
    store.delete("a")
    with pytest.raises(DuplicateUIDError, match="name the issue"):
        store.restore("a")
    assert store.restore("a", issue_number=first.meta.issue_number).data == {"v": 1}


def test_restore_refuses_an_archived_issue_an_outsider_opened(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    body = encode_body(IssueBody({"v": 0}, BodyMeta()))
    number = gh.seed_issue("x", body, ["archived", "UID:a"], user="mallory", state="closed")
    gh.set_permission("mallory", "read")
    with pytest.raises(AccessDeniedError):
        store.restore("a")
    assert _labels(gh, number) == {"archived", "UID:a"}


def _interleave(steppers: dict[str, Stepper[Any]], order: str) -> dict[str, Any]:
    for name in order:
        if not steppers[name].done:
            steppers[name].step()
    for stepper in steppers.values():
        stepper.run()
    return {name: s.error or s.result for name, s in steppers.items()}


@pytest.mark.parametrize("seed", range(12))
def test_a_restore_racing_a_create_or_a_restore_leaves_at_most_one_live_object(
    gh: GitHubEmulator, make_store: MakeStore, seed: int
) -> None:
    """Every request order of a restore and a rival (a create, or the restore of another archived
    issue of the id): never two live objects, and whoever loses is told."""
    rng = random.Random(seed)
    setup = make_store()
    first = setup.create("a", {"by": "first"})
    setup.delete("a")
    second = setup.create("a", {"by": "second"})
    setup.delete("a")
    a, b = make_store(), make_store()
    restore_a = Stepper(restore_flow(a._scope, "a", first.meta.issue_number), a.transport)
    rival: Stepper[Any]
    if seed % 2:
        rival = Stepper(create_flow(b._scope, "a", {"by": "create"}), b.transport)
    else:
        rival = Stepper(restore_flow(b._scope, "a", second.meta.issue_number), b.transport)
    order = "".join(rng.choice("AB") for _ in range(16))
    outcomes = _interleave({"A": restore_a, "B": rival}, order)
    live = _live(gh, 3 if seed % 2 else 2, "a")
    assert len(live) <= 1, (order, outcomes)
    winners = [n for n, o in outcomes.items() if not isinstance(o, Exception)]
    losers = [o for n, o in outcomes.items() if n not in winners]
    assert all(isinstance(o, ObjectExistsError) for o in losers), outcomes
    assert len(winners) == len(live)
    if live:
        assert make_store().get("a").meta.issue_number == live[0]


def test_the_race_really_interleaves_a_restore_and_a_create(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    """Both look for a live object first (none), then both write: exactly one survives."""
    setup = make_store()
    first = setup.create("a", {"by": "first"})
    setup.delete("a")
    a, b = make_store(), make_store()
    restore = Stepper(restore_flow(a._scope, "a", first.meta.issue_number), a.transport)
    create = Stepper(create_flow(b._scope, "a", {"by": "create"}), b.transport)
    for stepper in (restore, restore, create, restore, create):
        stepper.step()  # both checked: no live object
    outcomes = _interleave({"A": restore, "B": create}, "AABBAABBAABB")
    assert len(_live(gh, 2, "a")) <= 1, outcomes


# --- rollback --------------------------------------------------------------------------------


def test_rollback_posts_a_new_update_back_to_an_earlier_version(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    store.create("o", {"a": 1, "n": {"x": 1, "y": [1, 2]}})
    store.update("o", {"a": 2, "b": True, "n": {"x": None, "z": "new"}}, apply=True)
    store.update("o", {"b": None, "c": [None, 1], "n": {"y": "s"}}, apply=True)
    v2 = {"a": 2, "b": True, "n": {"y": [1, 2], "z": "new"}}
    assert store.rollback("o", 2, apply=True).data == v2
    back = store.rollback("o", 1, apply=True)
    assert back.data == {"a": 1, "n": {"x": 1, "y": [1, 2]}} and back.meta.version == 5
    history = store.get_object_history("o")
    assert len(history) == 4 and store.verify_history("o").ok
    # Each rollback is a guarded update in the comments, like any other.
    last = parse_update_comment(gh.comments(back.meta.issue_number)[-1]["body"])
    assert (last.kind, last.if_version) == (CommentKind.UPDATE, 4)


def test_a_rollback_does_not_overwrite_a_change_that_lands_first(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    store, other = make_store(), make_store()
    store.create("o", {"v": 1})
    store.update("o", {"v": 2}, apply=True)
    plain_update = store.update

    def change_lands_first(*args: Any, **kwargs: Any) -> Any:
        other.update("o", {"v": 99}, apply=True)
        return plain_update(*args, **kwargs)

    store.update = change_lands_first  # type: ignore[method-assign]
    with pytest.raises(VersionConflict, match="at version 3, not 2"):
        store.rollback("o", 1, apply=True)
    assert other.get("o").data == {"v": 99}


def test_rollback_without_a_trusted_creation_comment_is_refused(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    body = encode_body(IssueBody({"v": 1}, BodyMeta()))
    number = gh.seed_issue("x", body, ["stored-object", "UID:o"], state="closed")
    store.update("o", {"v": 2}, apply=True)
    forged = json.dumps({"type": "initial_state", "_data": {"v": "forged"}, "_meta": {}})
    gh.seed_comment(number, forged, user="mallory")  # an outsider's look-alike counts for nothing
    with pytest.raises(InvalidUpdate, match="creation comment"):
        store.rollback("o", 1)
    assert store.get("o").data == {"v": 2}


def test_rollback_refuses_when_the_history_does_not_verify(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    made = store.create("o", {"v": 1})
    store.update("o", {"v": 2}, apply=True)
    applied = gh.comments(made.meta.issue_number)[-1]
    gh.edit_comment(applied["id"], '{"v": 3}')
    with pytest.raises(InvalidUpdate, match="does not verify"):
        store.rollback("o", 1)


@pytest.mark.parametrize(("version", "problem"), [(2, "not an earlier version"), (0, "not an")])
def test_rollback_to_a_version_that_is_not_earlier_is_refused(
    store: GitHubStore, version: int, problem: str
) -> None:
    store.create("o", {"v": 1})
    store.update("o", {"v": 2}, apply=True)
    with pytest.raises(InvalidUpdate, match=problem):
        store.rollback("o", version)


def test_a_version_whose_data_holds_a_null_cannot_be_a_patch(store: GitHubStore) -> None:
    store.create("o", {"v": None})
    store.update("o", {"w": 1}, apply=True)
    store.update("o", {"v": 1}, apply=True)
    with pytest.raises(InvalidUpdate, match="null"):
        store.rollback("o", 1)


@pytest.mark.parametrize("seed", range(6))
def test_rollback_to_any_version_gives_that_versions_data(store: GitHubStore, seed: int) -> None:
    rng = random.Random(seed)
    keys = ["a", "b", "c"]

    def value(depth: int) -> Any:
        kind = rng.randrange(4 if depth < 2 else 3)
        if kind == 0:
            return rng.randrange(5)
        if kind == 1:
            return rng.choice(["x", "y", True, 1.5])
        if kind == 2:
            return [rng.randrange(3)]
        return {k: value(depth + 1) for k in rng.sample(keys, rng.randrange(1, 3))}

    versions = [{"a": 1}]
    store.create("o", versions[0])
    for _ in range(4):
        patch = {k: (None if rng.random() < 0.25 else value(0)) for k in rng.sample(keys, 2)}
        versions.append(store.update("o", patch, apply=True).data)
    target = rng.randrange(1, len(versions))
    assert store.rollback("o", target, apply=True).data == versions[target - 1]


def test_creation_records_the_initial_state_as_conversation(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    made = store.create("o", {"v": 1})
    (comment,) = gh.comments(made.meta.issue_number)
    assert parse_update_comment(comment["body"]).kind is CommentKind.CHAT
    assert json.loads(comment["body"])["_data"] == {"v": 1}
    assert store.wait("o").data == {"v": 1}
