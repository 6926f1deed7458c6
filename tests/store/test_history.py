"""get_object_history and verify_history: applied updates read back, checked against the chain."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable

import pytest

from gh_store.client import GitHubStore
from gh_store.core.history import LEGACY_PROBLEM
from gh_store.core.needs import ListComments
from gh_store.core.processing import process_issue_flow
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator

from .conftest import FAST, Call, MakeStore


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
    api: str,
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
    gh.clear_requests()
    check = store.verify_history("alpha")
    assert not check.ok
    assert check.problems == (f"comment {edited} was edited after it was applied{_said(api)}",)
    assert check.expected_count == check.found_count == 3
    assert check.actual_hash != check.expected_hash
    assert gh.issue(number)["state"] == "closed"
    # Over GraphQL, one query for the one edited comment's versions; REST has none to ask.
    assert gh.count("POST", "/graphql$") == (1 if api == "graphql" else 0)
    assert _entries(store, "alpha") == _expected(api, [{"v": 1}, {"w": 2}, {"v": None}], 1)


def _said(api: str) -> str:
    """What a problem naming an edited comment adds over each API."""
    if api == "graphql":
        return "; the history shows the text applied, from GitHub's edit history"
    return (
        "; the text applied is not available "
        "(GitHub's REST API keeps only a comment's newest text: read it over GraphQL)"
    )


def _entries(store: GitHubStore, object_id: str) -> list[tuple[dict[str, object], bool]]:
    return [(u.changes, u.problem is not None) for u in store.get_object_history(object_id)]


def _expected(
    api: str, applied: list[dict[str, object]], *edited: int
) -> list[tuple[dict[str, object], bool]]:
    """The entries: over GraphQL the texts applied; over REST none for an edited one, and the
    others say that the history hash does not confirm them."""
    if api == "graphql":
        return [(changes, False) for changes in applied]
    return [({}, True) if i in edited else (c, True) for i, c in enumerate(applied)]


def test_an_applied_comment_edited_into_chat_is_named(
    gh: GitHubEmulator, store: GitHubStore, call: Call, api: str
) -> None:
    _applied_three_times(store, gh)
    first = store.get_object_history("alpha")[0].comment_id
    call("PATCH", f"/repos/octo/store/issues/comments/{first}", gh.owner_token, {"body": "oops"})
    check = store.verify_history("alpha")
    assert not check.ok
    assert check.problems == (
        f"comment {first} was edited after it was applied: it is no longer an update{_said(api)}",
    )
    assert _entries(store, "alpha") == _expected(api, [{"v": 1}, {"w": 2}, {"v": None}], 0)


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
    gh: GitHubEmulator, make_store: MakeStore, later_clock: Callable[[int], None], api: str
) -> None:
    """Issue 17: the edit lands before the mark, so "edited after it was applied" cannot see it;
    the history shows the text the run read (GraphQL) or says it is not available (REST)."""
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
    assert check.problems[0].endswith(_said(api))
    assert _entries(store, "alpha") == _expected(api, [{"v": 1}], 0)


# --- issue 17: the text applied, from GitHub's edit history --------------------------------------


def test_an_edit_back_to_the_applied_text_verifies_without_a_query(
    gh: GitHubEmulator, store: GitHubStore, later_clock: Callable[[int], None]
) -> None:
    _applied_three_times(store, gh)
    second = store.get_object_history("alpha")[1].comment_id
    text = next(
        c["body"] for c in gh.comments(store.get("alpha").meta.issue_number) if c["id"] == second
    )
    later_clock(60)
    gh.edit_comment(second, '{"w": 99}')
    gh.edit_comment(second, text, editor="octo")
    gh.clear_requests()
    check = store.verify_history("alpha")
    assert check.ok, check.problems
    assert gh.count("POST", "/graphql$") == 0
    assert _entries(store, "alpha") == [({"v": 1}, False), ({"w": 2}, False), ({"v": None}, False)]


def test_several_edits_by_author_and_admin_show_the_applied_version(
    gh: GitHubEmulator, make_store: MakeStore, later_clock: Callable[[int], None], api: str
) -> None:
    """A writer's comment edited three times by her and twice by an admin, after the run."""
    wendy = make_store(token=gh.token_for("wendy", "write"))
    owner = make_store()
    owner.create("alpha", {"v": 0})
    posted = wendy.update("alpha", {"v": 1}, apply=True).posted
    assert posted is not None
    for n, editor in enumerate(["wendy", "octo", "wendy", "octo", "wendy"], start=2):
        later_clock(1)
        gh.edit_comment(posted.comment_id, json.dumps({"v": n}), editor=editor)
    check = owner.verify_history("alpha")
    assert check.problems == (
        f"comment {posted.comment_id} was edited after it was applied{_said(api)}",
    )
    assert _entries(owner, "alpha") == _expected(api, [{"v": 1}], 0)


def test_a_deleted_revision_leaves_the_applied_text_unavailable(
    gh: GitHubEmulator, make_store: MakeStore, later_clock: Callable[[int], None]
) -> None:
    """An admin deletes the applied version from the edit history: nothing else is shown."""
    store = make_store(config=dataclasses.replace(FAST, api="graphql"))
    store.create("alpha", {"v": 0})
    posted = store.update("alpha", {"v": 1}, apply=True).posted
    assert posted is not None
    later_clock(60)
    gh.edit_comment(posted.comment_id, '{"v": 2}')
    gh.delete_comment_edit(posted.comment_id, '{\n  "v": 1\n}')
    check = store.verify_history("alpha")
    assert check.problems == (
        f"comment {posted.comment_id} was edited after it was applied; the text applied is not "
        "available (no version in its edit history matches the recorded history hash)",
    )
    [entry] = store.get_object_history("alpha")
    assert entry.changes == {} and entry.problem == check.problems[0]


def test_a_deleted_comment_beside_an_edited_one(
    gh: GitHubEmulator, store: GitHubStore, later_clock: Callable[[int], None]
) -> None:
    """With an applied update gone the chain confirms nothing: the edited one is not shown."""
    _applied_three_times(store, gh)
    first, second, _ = (u.comment_id for u in store.get_object_history("alpha"))
    later_clock(60)
    gh.edit_comment(second, '{"w": 99}')
    gh.delete_comment(first)
    gh.clear_requests()
    check = store.verify_history("alpha")
    assert check.problems == (
        f"comment {second} was edited after it was applied; the text applied is not available "
        "(with an applied update missing, the history hash cannot confirm any text)",
        "an applied update is missing (deleted?)",
    )
    assert gh.count("POST", "/graphql$") == 0
    assert _entries(store, "alpha") == [({}, True), ({"v": None}, True)]


@pytest.mark.parametrize("seed", range(12))
def test_seeded_edits_at_every_point_of_a_run_never_show_a_text_that_was_not_applied(
    gh: GitHubEmulator,
    make_store: MakeStore,
    later_clock: Callable[[int], None],
    api: str,
    seed: int,
) -> None:
    """Three updates, each with its own key; between any two of a run's requests (and after
    it) the author or an admin edits one: to a new value, back to the first text, to chat, or to
    the same text again. What the object holds says which text each run applied; the history
    shows exactly that (GraphQL) or says it is not available (REST), never another text."""
    rng = random.Random(seed)
    wendy = make_store(token=gh.token_for("wendy", "write"))
    owner = make_store()
    number = owner.create("alpha", {}).meta.issue_number
    action = make_store(token=gh.bot_token)
    first_texts: dict[int, str] = {}
    values = iter(range(1000))

    def edit_one(ids: list[int]) -> None:
        target = rng.choice(ids)
        key = ids.index(target)
        text = rng.choice(
            [
                json.dumps({f"c{key}": next(values)}),
                first_texts[target],
                "thanks!",
                json.dumps({f"c{key}": next(values)}),
            ]
        )
        later_clock(rng.choice([0, 1]))
        gh.edit_comment(target, text, editor=rng.choice([None, "octo"]))

    ids: list[int] = []
    for key in range(3):
        posted = wendy.update("alpha", {f"c{key}": next(values)}).posted
        assert posted is not None
        ids.append(posted.comment_id)
        first_texts[posted.comment_id] = gh.comments(number)[-1]["body"]
        if rng.random() < 0.5 and key < 2:
            continue  # two updates in one run
        run = Stepper(
            process_issue_flow(number, action.config, action.transport.owner), action.transport
        )
        while not run.done:
            if rng.random() < 0.5:
                edit_one(ids)
            run.step()
        assert run.error is None, run.error
    for _ in range(rng.randint(0, 3)):
        later_clock(1)
        edit_one(ids)

    data = owner.get("alpha").data
    truth = {cid: {f"c{k}": data[f"c{k}"]} for k, cid in enumerate(ids) if f"c{k}" in data}
    now = {c["id"]: c["body"] for c in gh.comments(number)}
    check = owner.verify_history("alpha")
    history = owner.get_object_history("alpha")
    assert [u.comment_id for u in history] == list(truth)
    for entry in history:
        if entry.problem is None:
            assert entry.changes == truth[entry.comment_id]
        else:  # not confirmed: no text at all, or one plainly marked as unconfirmed
            assert api == "rest"
            assert entry.changes == {} or "history hash does not confirm" in entry.problem
    changed = [cid for cid in truth if not _is_json(now[cid]) or json.loads(now[cid]) != truth[cid]]
    assert check.ok == (not changed), check.problems
    for cid in changed:  # each comment that no longer holds its applied text is named
        named = any(problem.startswith(f"comment {cid} ") for problem in check.problems)
        # Over REST an edit in the second the comment was written leaves no trace to name it
        # by; its entry, as every entry then, says the hash does not confirm it (above).
        assert named or api == "rest"
    if api == "graphql":
        assert all(entry.problem is None for entry in history)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def test_a_history_longer_than_a_page_is_followed_to_the_applied_version(
    gh: GitHubEmulator, make_store: MakeStore, later_clock: Callable[[int], None]
) -> None:
    """Edited 130 times after it was applied: the applied text is on the second page of its
    edit history, one more query away."""
    store = make_store(config=dataclasses.replace(FAST, api="graphql"))
    store.create("alpha", {"v": 0})
    posted = store.update("alpha", {"v": 1}, apply=True).posted
    assert posted is not None
    later_clock(60)
    for n in range(130):
        gh.edit_comment(posted.comment_id, json.dumps({"v": n + 2}))
    gh.clear_requests()
    assert _entries(store, "alpha") == [({"v": 1}, False)]
    assert gh.count("POST", "/graphql$") == 2
