"""Issue 9.5: GitHub compares label names without regard to case, so does every path of the store.

A repository where ``Stored-Object`` (or ``uid:Foo``) already exists gets that spelling on every
issue that asks for the label, and answers carry it. Each operation is tried there: create, get,
update, process, the action's event filter, delete, list and snapshot.
"""

from __future__ import annotations

import pytest

from gh_store.action.events import EventDecision, decide_event
from gh_store.client import GitHubStore
from gh_store.core.exceptions import ObjectNotFound
from gh_store.emulator import GitHubEmulator

from .conftest import MakeStore


def _names(gh: GitHubEmulator, number: int) -> set[str]:
    return {lab["name"] for lab in gh.issue(number)["labels"]}


@pytest.fixture(params=["Stored-Object", "STORED-OBJECT"])
def base_spelled(request: pytest.FixtureRequest, gh: GitHubEmulator) -> str:
    """The base label already exists in the repository, spelled otherwise."""
    spelled: str = request.param
    gh.seed_issue("an older issue", "unrelated", [spelled])
    return spelled


def test_every_operation_works_when_the_base_label_exists_in_another_case(
    gh: GitHubEmulator, store: GitHubStore, base_spelled: str
) -> None:
    created = store.create("cfg", {"v": 1})
    number = created.meta.issue_number
    assert base_spelled in _names(gh, number)  # GitHub applied the existing spelling

    assert store.get("cfg").data == {"v": 1}
    store.update("cfg", {"v": 2})
    issue = gh.issue(number)
    assert decide_event("issues", {"action": "reopened", "issue": issue}) == EventDecision(number)
    report = store.process_updates(number)
    assert report.applied and store.get("cfg").data == {"v": 2}
    assert [obj.meta.object_id for obj in store.list_all()] == ["cfg"]
    assert set(store.snapshot()["objects"]) == {"cfg"}
    assert store.verify_history("cfg").ok

    store.delete("cfg")
    assert not {name.lower() for name in _names(gh, number)} & {"stored-object"}
    with pytest.raises(ObjectNotFound):
        store.get("cfg")
    assert list(store.list_all()) == []
    store.create("cfg", {"v": 3})  # the id is free again
    assert store.get("cfg").data == {"v": 3}


def test_an_object_whose_id_label_exists_in_another_case_is_listed(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    gh.seed_issue("an older issue", "unrelated", ["uid:Foo"])
    created = store.create("foo", {"v": 1})
    assert "uid:Foo" in _names(gh, created.meta.issue_number)

    # Reported under the id its label spells: GitHub holds one label for both spellings.
    assert store.get("foo").meta.object_id == "Foo"
    assert [obj.meta.object_id for obj in store.list_all()] == ["Foo"]
    assert set(store.snapshot()["objects"]) == {"Foo"}
    report = store.process_updates(created.meta.issue_number)
    assert report.object_id == "Foo"


def test_a_config_base_label_matches_issues_in_any_case(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    import dataclasses

    from .conftest import FAST

    store = make_store(config=dataclasses.replace(FAST, base_label="Objects"))
    gh.seed_issue("older", "x", ["objects"])
    number = store.create("a", {"v": 1}).meta.issue_number
    assert "objects" in _names(gh, number)
    issue = gh.issue(number)
    assert decide_event("issues", {"action": "labeled", "issue": issue}, base_label="Objects") == (
        EventDecision(number)
    )
    assert [obj.meta.object_id for obj in store.list_all()] == ["a"]
