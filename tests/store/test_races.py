"""Races between clients (issue 9.4, 9.8): each interleaving forced, request by request.

The client's decisions are flows (``core/objects.py``), so two clients can be stepped one request
at a time in any order the test chooses, with someone else acting in between.
"""

from __future__ import annotations

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import DuplicateUIDError, ObjectExistsError, ObjectNotFound
from gh_store.core.needs import CreateIssue, ListIssues
from gh_store.core.objects import create_flow
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator

from .conftest import MakeStore


def _issues(store: GitHubStore) -> dict[int, set[str]]:
    """Every issue of the repository, with its label names."""
    return {
        int(issue["number"]): {lab["name"] for lab in issue["labels"]}
        for issue in store.transport.list_issues(labels=[])
    }


@pytest.mark.parametrize(
    "order",
    [
        "AB AB AB",  # both look up, both create, both look again
        "AB BA AB",
        "AB BA BA",
        "A B A B A B",  # strictly alternating
        "AAB B B A",  # A creates before B looks up again... but after B's first look-up
    ],
)
def test_racing_creates_leave_one_live_object_and_the_loser_is_told(
    gh: GitHubEmulator, make_store: MakeStore, order: str
) -> None:
    stores = {name: make_store() for name in "AB"}
    steppers = {
        name: Stepper(create_flow(store._scope, "cfg", {"by": name}), store.transport)
        for name, store in stores.items()
    }
    for name in order.replace(" ", ""):
        if not steppers[name].done:
            steppers[name].step()
    for stepper in steppers.values():
        stepper.run()

    outcomes = {name: stepper.error or stepper.result for name, stepper in steppers.items()}
    winners = [name for name, outcome in outcomes.items() if not isinstance(outcome, Exception)]
    losers = [name for name, outcome in outcomes.items() if isinstance(outcome, ObjectExistsError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    issues = _issues(make_store())
    live = [n for n, names in issues.items() if {"stored-object", "UID:cfg"} <= names]
    archived = [n for n, names in issues.items() if "archived" in names]
    assert len(live) == 1
    assert len(archived) == len(issues) - 1  # a loser that created its issue archived it
    # Readers see one object, the winner's, and no DuplicateUIDError.
    assert make_store().get("cfg").data == {"by": winners[0]}


def _names(gh: GitHubEmulator, number: int) -> set[str]:
    return {lab["name"] for lab in gh.issue(number)["labels"]}


def test_the_race_really_ran_both_creates(gh: GitHubEmulator, make_store: MakeStore) -> None:
    a, b = make_store(), make_store()
    first = Stepper(create_flow(a._scope, "cfg", {"by": "A"}), a.transport)
    second = Stepper(create_flow(b._scope, "cfg", {"by": "B"}), b.transport)
    assert isinstance(first.step(), ListIssues) and isinstance(second.step(), ListIssues)
    assert isinstance(first.step(), CreateIssue) and isinstance(second.step(), CreateIssue)
    first.run()
    second.run()
    assert gh.count("POST", r"/issues$") == 2
    assert first.result is not None and isinstance(second.error, ObjectExistsError)
    assert "archived" in str(second.error)


# --- a cached issue number must not outlive its object ----------------------------------------


def test_an_update_through_a_stale_number_posts_nothing_to_the_archived_issue(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    a, b = make_store(), make_store()
    number = a.create("cfg", {"v": 1}).meta.issue_number
    b.get("cfg")  # B caches the number
    a.delete("cfg")
    comments_before = gh.comments(number)

    with pytest.raises(ObjectNotFound, match="no object 'cfg'"):
        b.update("cfg", {"v": 2})

    assert gh.comments(number) == comments_before
    issue = gh.issue(number)
    assert issue["state"] == "closed" and issue["state_reason"] == "not_planned"
    assert "archived" in _names(gh, number) and "stored-object" not in _names(gh, number)


@pytest.mark.parametrize("apply", [False, True])
def test_an_update_through_a_stale_number_goes_to_the_re_created_object(
    gh: GitHubEmulator, make_store: MakeStore, apply: bool
) -> None:
    a, b = make_store(), make_store()
    old = a.create("cfg", {"v": 1}).meta.issue_number
    b.get("cfg")
    a.delete("cfg")
    new = a.create("cfg", {"v": 10}).meta.issue_number

    result = b.update("cfg", {"v": 11}, apply=apply)

    assert result.meta.issue_number == new
    assert len(gh.comments(old)) == 1  # its creation comment only
    assert [c["body"] for c in gh.comments(new)][1:] == ['{\n  "v": 11\n}']
    if apply:
        assert result.data == {"v": 11} and a.get("cfg").data == {"v": 11}
    assert gh.issue(old)["state"] == "closed"


def test_a_fresh_number_costs_nothing_more(gh: GitHubEmulator, make_store: MakeStore) -> None:
    store = make_store()
    store.create("cfg", {"v": 1})
    gh.clear_requests()
    store.update("cfg", {"v": 2})
    # The reopen's answer carries the labels: checking the number is free.
    assert [r.method for r in gh.requests] == ["PATCH", "POST"]


# --- a create that died between its create and its check (issue 17) ----------------------------

#: Interleavings of two creates' four requests (look up, create, look again, close/archive).
ORDERS = ["AB AB AB AB", "AB BA AB BA", "A B A B A B A B", "AAB B B A A B", "BBAA BA BA BA"]


def _live(gh: GitHubEmulator) -> list[int]:
    """The issues that hold ``cfg`` now: both labels, not archived."""
    live = []
    number = 1
    while True:
        try:
            names = _names(gh, number)
        except Exception:  # past the newest issue
            return live
        if {"stored-object", "UID:cfg"} <= names and "archived" not in names:
            live.append(number)
        number += 1


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("crash_after", [1, 2, 3], ids=lambda k: f"B dies after {k} requests")
def test_a_create_that_dies_at_any_request_leaves_an_id_the_next_read_repairs(
    gh: GitHubEmulator, make_store: MakeStore, order: str, crash_after: int
) -> None:
    """B's create dies after each of its requests in turn (the process is gone: no retry), in
    every interleaving with A's; the next read by a writer settles the id to one live issue,
    the one a create returned if any did, and a second read costs no write."""
    stores = {name: make_store() for name in "AB"}
    steppers = {
        name: Stepper(create_flow(store._scope, "cfg", {"by": name}), store.transport)
        for name, store in stores.items()
    }
    taken = {"A": 0, "B": 0}
    for name in order.replace(" ", ""):
        if steppers[name].done or (name == "B" and taken["B"] >= crash_after):
            continue
        steppers[name].step()
        taken[name] += 1
    steppers["A"].run()
    returned = steppers["A"].result

    reader = make_store()
    data = reader.get("cfg").data

    assert len(_live(gh)) == 1
    if returned is not None:
        assert data == {"by": "A"} and _live(gh) == [returned.meta.issue_number]
    gh.clear_requests()
    assert make_store().get("cfg").data == data
    assert not any(r.mutates for r in gh.requests)


def _two_live(gh: GitHubEmulator, *, older_by: str = "octo") -> tuple[int, int]:
    """What a create that died before its check leaves: two live issues for ``cfg``."""
    from gh_store.core.body import BodyMeta, IssueBody, encode_body

    labels = ["stored-object", "UID:cfg"]
    older = gh.seed_issue(
        "Stored Object: cfg", encode_body(IssueBody({"by": "older"}, BodyMeta())), labels,
        user=older_by, state="closed",
    )  # fmt: skip
    newer = gh.seed_issue(
        "Stored Object: cfg", encode_body(IssueBody({"by": "newer"}, BodyMeta())), labels,
        user="octo", state="open",
    )  # fmt: skip
    return older, newer


@pytest.mark.parametrize("how", ["get", "update", "delete", "create"])
def test_two_issues_for_one_id_are_settled_by_the_next_read_or_write(
    gh: GitHubEmulator, make_store: MakeStore, how: str
) -> None:
    older, newer = _two_live(gh)
    store = make_store()
    if how == "get":
        assert store.get("cfg").data == {"by": "older"}
    elif how == "update":
        store.update("cfg", {"v": 1})
        assert [c["body"] for c in gh.comments(older)] == ['{\n  "v": 1\n}']
    elif how == "delete":
        store.delete("cfg")
    else:
        with pytest.raises(ObjectExistsError):
            store.create("cfg", {"by": "third"})
    assert "archived" in _names(gh, newer) and gh.issue(newer)["state"] == "closed"
    assert _live(gh) == ([] if how == "delete" else [older])


@pytest.mark.parametrize("carrier", ["older", "newer"])
def test_the_issue_that_carries_updates_is_the_one_kept(
    gh: GitHubEmulator, make_store: MakeStore, carrier: str
) -> None:
    older, newer = _two_live(gh)
    kept, archived = (older, newer) if carrier == "older" else (newer, older)
    gh.set_permission("alice", "write")
    gh.seed_comment(kept, '{"v": 1}', user="alice")
    # Chat, and an outsider's update, on the other one: neither is an update to keep.
    gh.seed_comment(archived, "is this the right one?", user="alice")
    gh.seed_comment(archived, '{"v": 666}', user="mallory")

    assert make_store().get("cfg").data == {"by": carrier}

    assert _live(gh) == [kept]
    assert "archived" in _names(gh, archived)
    assert [c["body"] for c in gh.comments(kept)] == ['{"v": 1}']  # nothing lost, nothing moved


def test_two_issues_that_both_carry_updates_are_left_to_a_person(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    older, newer = _two_live(gh)
    gh.seed_comment(older, '{"v": 1}', user="octo")
    gh.seed_comment(newer, '{"v": 2}', user="octo")
    with pytest.raises(DuplicateUIDError, match=f"#{older}, #{newer}"):
        make_store().get("cfg")
    assert _live(gh) == [older, newer]  # no update was put out of reach


def test_a_reader_without_write_access_reads_the_issue_kept(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    older, newer = _two_live(gh)
    assert make_store(token=None).get("cfg").data == {"by": "older"}
    assert _live(gh) == [older, newer]  # it could not archive: the next writer does
    assert make_store().get("cfg").data == {"by": "older"}
    assert _live(gh) == [older]


@pytest.mark.parametrize("outsiders_is", ["older", "newer"])
def test_an_outsiders_issue_labelled_by_triage_neither_jams_an_id_nor_gets_it_archived(
    gh: GitHubEmulator, make_store: MakeStore, outsiders_is: str
) -> None:
    """mallory (read) opens an issue; a triage user gives it the id's labels. It is no object:
    creating the id works beside it, reads find the real one, and neither is archived."""
    from gh_store.core.body import BodyMeta, IssueBody, encode_body

    gh.set_permission("mallory", "read")
    gh.set_permission("tracy", "triage")
    fake_body = encode_body(IssueBody({"by": "mallory"}, BodyMeta()))

    def plant() -> int:
        return gh.seed_issue(
            "Stored Object: cfg", fake_body, ["stored-object", "UID:cfg"], user="mallory"
        )

    store = make_store()
    fake = plant() if outsiders_is == "older" else 0
    real = store.create("cfg", {"by": "octo"}).meta.issue_number
    fake = fake or plant()

    for reader in (store, make_store()):
        assert reader.get("cfg").data == {"by": "octo"}
    reader.update("cfg", {"v": 1})
    # The creation comment, then the update.
    assert [c["body"] for c in gh.comments(real)][1:] == ['{\n  "v": 1\n}']
    assert gh.comments(fake) == []
    assert _live(gh) == sorted([real, fake])  # the real object was never archived
