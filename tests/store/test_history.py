"""get_object_history and verify_history: applied updates read back, checked against the chain."""

from __future__ import annotations

import json
from collections.abc import Callable

from gh_store.client import GitHubStore
from gh_store.core.history import LEGACY_PROBLEM
from gh_store.core.needs import ListComments
from gh_store.core.processing import process_issue_flow
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator

from .conftest import Call, MakeStore


def _applied_three_times(store: GitHubStore, gh: GitHubEmulator) -> int:
    created = store.create("alpha", {"v": 0})
    number = created.meta.issue_number
    store.update("alpha", {"v": 1}, apply=True)
    gh.seed_comment(number, '{"v": ')  # broken: rejected
    gh.seed_comment(number, "thanks!")  # chat: ignored
    store.update("alpha", {"w": 2})  # two updates in one run
    store.update("alpha", {"v": None}, apply=True)
    return number


def test_history_lists_applied_updates_in_order_and_verifies_in_two_requests(
    gh: GitHubEmulator, store: GitHubStore, make_store: MakeStore
) -> None:
    _applied_three_times(store, gh)
    reader = make_store()
    gh.clear_requests()
    history = reader.get_object_history("alpha")
    assert gh.count() == 2  # the issue, its comments (reaction counts come with them)
    assert [u.changes for u in history] == [{"v": 1}, {"w": 2}, {"v": None}]
    assert {u.author for u in history} == {"octo"}
    assert [u.comment_id for u in history] == sorted(u.comment_id for u in history)
    gh.clear_requests()
    check = reader.verify_history("alpha")
    assert gh.count() == 2
    assert check.ok, check.problems
    assert (check.expected_count, check.found_count) == (3, 3)
    assert check.actual_hash == check.expected_hash
    assert reader.get("alpha").data == {"w": 2}


def test_an_edited_applied_comment_is_named(
    gh: GitHubEmulator,
    store: GitHubStore,
    call: Call,
    later_clock: Callable[[int], None],
) -> None:
    number = _applied_three_times(store, gh)
    history = store.get_object_history("alpha")
    edited = history[1].comment_id
    later_clock(60)  # an edit a minute after the processor marked it
    call(
        "PATCH",
        f"/repos/octo/store/issues/comments/{edited}",
        gh.owner_token,
        {"body": '{"w": 99}'},
    )
    check = store.verify_history("alpha")
    assert not check.ok
    assert check.problems == (f"comment {edited} was edited after it was applied",)
    assert check.expected_count == check.found_count == 3
    assert check.actual_hash != check.expected_hash
    assert gh.issue(number)["state"] == "closed"


def test_an_applied_comment_edited_into_chat_is_named(
    gh: GitHubEmulator, store: GitHubStore, call: Call
) -> None:
    _applied_three_times(store, gh)
    first = store.get_object_history("alpha")[0].comment_id
    call("PATCH", f"/repos/octo/store/issues/comments/{first}", gh.owner_token, {"body": "oops"})
    check = store.verify_history("alpha")
    assert not check.ok
    assert check.problems == (
        f"comment {first} was edited after it was applied: it is no longer an update",
    )


def test_a_deleted_applied_comment_is_reported_missing(
    gh: GitHubEmulator, store: GitHubStore, call: Call
) -> None:
    _applied_three_times(store, gh)
    history = store.get_object_history("alpha")
    call("DELETE", f"/repos/octo/store/issues/comments/{history[0].comment_id}", gh.owner_token)
    check = store.verify_history("alpha")
    assert not check.ok
    assert check.problems == ("an applied update is missing (deleted?)",)
    assert (check.expected_count, check.found_count) == (3, 2)
    assert [u.changes for u in store.get_object_history("alpha")] == [{"w": 2}, {"v": None}]


def test_untrusted_marks_do_not_enter_history(
    gh: GitHubEmulator, store: GitHubStore, make_store: MakeStore
) -> None:
    number = _applied_three_times(store, gh)
    mallory = make_store(token=gh.token_for("mallory", permission="read")).transport
    comments = gh.comments(number)
    rejected = next(c["id"] for c in comments if c["body"] == '{"v": ')
    applied = [u.comment_id for u in store.get_object_history("alpha")]
    mallory.create_comment(number, '{"v": "evil"}')
    store.process_updates(number)  # marks mallory's update untrusted
    evil = gh.comments(number)[-1]["id"]
    for comment_id in (rejected, evil):
        mallory.create_reaction(comment_id, "+1")  # a forged "processed" mark
    assert [u.comment_id for u in store.get_object_history("alpha")] == applied
    assert store.verify_history("alpha").ok
    # Knock the cheap path out (a -1 on an applied comment): the trusted-reactor check decides.
    mallory.create_reaction(applied[0], "-1")
    gh.clear_requests()
    check = store.verify_history("alpha")
    # comments with a +1 (3 applied, the rejected and the untrusted one) have theirs listed
    assert gh.count("GET", r"/reactions$") == 5
    assert gh.count("GET", r"/permission$") == 1  # mallory, asked once
    assert check.ok, check.problems
    assert [u.comment_id for u in store.get_object_history("alpha")] == applied
    assert store.get("alpha").data == {"w": 2}


def test_history_of_an_object_written_by_the_original_gh_store(
    gh: GitHubEmulator, store: GitHubStore, call: Call
) -> None:
    number = gh.seed_issue(
        "Stored Object: old",
        json.dumps({"a": 1}, indent=2),
        ["gh-store", "stored-object", "UID:old"],
        state="closed",
    )
    applied = gh.seed_comment(
        number, json.dumps({"_data": {"a": 2}, "_meta": {"client_version": "0.11"}})
    )
    gh.seed_comment(number, json.dumps({"a": 3}))  # never processed
    call(
        "POST",
        f"/repos/octo/store/issues/comments/{applied}/reactions",
        gh.owner_token,
        {"content": "+1"},
    )
    history = store.get_object_history("old")
    assert [(u.comment_id, u.changes) for u in history] == [(applied, {"a": 2})]
    check = store.verify_history("old")
    assert not check.ok
    assert check.problems == (LEGACY_PROBLEM,)
    assert check.expected_hash is None

    # Once gh-store processes it, the chain starts there and the original's history stays.
    store.process_updates(number)
    history = store.get_object_history("old")
    assert [u.changes for u in history] == [{"a": 2}, {"a": 3}]
    check = store.verify_history("old")
    assert check.ok, check.problems
    assert (check.expected_count, check.found_count) == (1, 2)


def test_a_comment_edited_between_a_runs_read_and_its_write_is_named(
    gh: GitHubEmulator, make_store: MakeStore, later_clock: Callable[[int], None]
) -> None:
    """Issue 17: the edit lands before the mark, so "edited after it was applied" cannot see it."""
    store = make_store()
    number = store.create("alpha", {"v": 0}).meta.issue_number
    posted = store.update("alpha", {"v": 1}).posted
    assert posted is not None
    action = make_store(token=gh.bot_token)
    run = Stepper(
        process_issue_flow(number, action.config, action.transport.owner), action.transport
    )
    while not isinstance(run.step(), ListComments):
        pass  # the run has read the comment's text
    later_clock(5)
    gh.edit_comment(posted.comment_id, '{"v": 666}')
    later_clock(5)
    run.run()
    assert run.error is None and store.get("alpha").data == {"v": 1}  # the text it read
    check = store.verify_history("alpha")
    assert not check.ok
    assert len(check.problems) == 1
    assert check.problems[0].startswith(
        f"comment {posted.comment_id} was edited while it was being applied"
    )
