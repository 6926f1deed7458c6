"""Races between clients (issue 9.4, 9.8): each interleaving forced, request by request.

The client's decisions are flows (``core/objects.py``), so two clients can be stepped one request
at a time in any order the test chooses, with someone else acting in between.
"""

from __future__ import annotations

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import ObjectExistsError, ObjectNotFound
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
