"""GitHubStore create/get/update/delete/list against the emulator, with their request counts."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gh_store.client import GitHubStore
from gh_store.core.constants import DISPATCH_EVENT
from gh_store.core.exceptions import (
    ConcurrentUpdateError,
    DuplicateUIDError,
    InvalidUpdate,
    ObjectExistsError,
    ObjectNotFound,
)
from gh_store.core.schema import ObjectSchema
from gh_store.emulator import GitHubEmulator

from .conftest import FAST, MakeStore


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def _labels(issue: dict[str, Any]) -> set[str]:
    return {label["name"] for label in issue["labels"]}


def test_create_stores_a_closed_labelled_issue_in_five_requests(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    gh.clear_requests()
    obj = store.create("alpha", {"name": "test", "value": 42}, extra_labels=["team-a"])
    assert [(r.method, r.path) for r in gh.requests] == [
        ("GET", "/repos/octo/store/issues"),  # is the id taken?
        ("POST", "/repos/octo/store/issues"),
        ("GET", "/repos/octo/store/issues"),  # did someone else create it meanwhile?
        ("POST", f"/repos/octo/store/issues/{obj.meta.issue_number}/comments"),  # version 1
        ("PATCH", f"/repos/octo/store/issues/{obj.meta.issue_number}"),
    ]
    assert obj.data == {"name": "test", "value": 42}
    assert (obj.meta.object_id, obj.meta.label, obj.meta.version) == ("alpha", "UID:alpha", 1)
    issue = gh.issue(obj.meta.issue_number)
    assert issue["state"] == "closed"
    assert issue["title"] == "Stored Object: alpha"
    assert _labels(issue) == {"stored-object", "UID:alpha", "team-a"}


def test_get_is_one_listing_by_both_labels_with_state_all(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    created = store.create("alpha", {"v": 1})
    gh.clear_requests()
    obj = store.get("alpha")
    assert gh.count() == 1
    (request,) = gh.requests
    assert request.path == "/repos/octo/store/issues"
    assert request.query["labels"] == "stored-object,UID:alpha"
    assert request.query["state"] == "all"
    assert obj == created


def test_update_costs_three_requests_then_two_and_leaves_the_issue_open(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    make_store().create("alpha", {"v": 1, "keep": True})
    fresh = make_store()  # knows nothing about alpha yet
    gh.clear_requests()
    pending = fresh.update("alpha", {"v": 2})
    assert [r.method for r in gh.requests] == ["GET", "PATCH", "POST"]
    gh.clear_requests()
    fresh.update("alpha", {"w": 3})
    # Reopen first: its answer shows the issue still holds alpha before anything is posted.
    assert [r.method for r in gh.requests] == ["PATCH", "POST"]
    assert pending.data == {"v": 1, "keep": True}  # not applied yet
    assert pending.meta.version == 1
    issue = gh.issue(pending.meta.issue_number)
    assert issue["state"] == "open"
    bodies = [json.loads(c["body"]) for c in gh.comments(pending.meta.issue_number)]
    assert bodies[1:] == [{"v": 2}, {"w": 3}]  # after the creation comment


def test_update_with_apply_processes_inline(
    gh: GitHubEmulator, store: GitHubStore, api: str
) -> None:
    created = store.create("alpha", {"v": 1, "gone": "x"})
    gh.clear_requests()
    obj = store.update("alpha", {"v": 2, "gone": None}, apply=True)
    # comment + reopen, then the run: issue, comments, one write, one mark, one last look;
    # over GraphQL the issue with its comments, then one request for the rest
    assert gh.count() == {"rest": 7, "graphql": 4}[api]
    assert obj.data == {"v": 2}
    assert obj.meta.version == 2
    assert gh.issue(created.meta.issue_number)["state"] == "closed"
    assert store.get("alpha").data == {"v": 2}


def test_update_with_dispatch_sends_the_event_the_action_listens_to(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    created = store.create("alpha", {"v": 1})
    gh.clear_requests()
    store.update("alpha", {"v": 2}, dispatch=True)
    assert gh.count() == 3
    (event,) = gh.dispatches
    assert event["event_type"] == DISPATCH_EVENT == "gh-store-update"
    assert event["client_payload"] == {
        "issue_number": created.meta.issue_number,
        "object_id": "alpha",
    }


def test_apply_and_dispatch_together_are_refused(gh: GitHubEmulator, store: GitHubStore) -> None:
    with pytest.raises(ValueError, match="not both"):
        store.update("alpha", {"v": 2}, apply=True, dispatch=True)
    assert gh.count() == 0


@pytest.mark.parametrize(
    ("object_id", "problem"),
    [("x" * 47, "label allows 46"), ("a,b", "comma"), ("", "non-empty")],
    ids=["51-char label", "comma", "empty"],
)
@pytest.mark.parametrize("operation", ["create", "get", "update", "delete", "history"])
def test_ids_that_make_no_label_are_refused_before_any_request(
    gh: GitHubEmulator, store: GitHubStore, object_id: str, problem: str, operation: str
) -> None:
    calls: dict[str, Callable[[], object]] = {
        "create": lambda: store.create(object_id, {"v": 1}),
        "get": lambda: store.get(object_id),
        "update": lambda: store.update(object_id, {"v": 1}),
        "delete": lambda: store.delete(object_id),
        "history": lambda: store.get_object_history(object_id),
    }
    with pytest.raises(ValueError, match=problem):
        calls[operation]()
    assert gh.count() == 0


def test_an_id_of_46_characters_fits(store: GitHubStore) -> None:
    assert store.create("x" * 46, {"v": 1}).meta.label == "UID:" + "x" * 46


def test_create_refuses_an_existing_id_after_one_lookup(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    store.create("alpha", {"v": 1})
    gh.clear_requests()
    with pytest.raises(ObjectExistsError, match="already exists"):
        store.create("alpha", {"v": 2})
    assert gh.count() == 1
    assert isinstance(ObjectExistsError("x"), ValueError)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (["not", "a", "dict"], "must be a JSON object"),
        ({"big": "x" * 70_000}, "GitHub allows"),
        ({"bad": {1, 2}}, "not JSON"),
        ({"n": "not a number"}, "does not match the schema"),
    ],
    ids=["list", "too big", "set", "schema"],
)
def test_create_refuses_unstorable_objects_before_any_request(
    gh: GitHubEmulator, make_store: MakeStore, data: object, problem: str
) -> None:
    schema = ObjectSchema({"type": "object", "properties": {"n": {"type": "integer"}}})
    store = make_store(schema=schema)
    with pytest.raises(InvalidUpdate, match=problem):
        store.create("alpha", data)  # type: ignore[arg-type]
    assert gh.count() == 0


def test_schema_comes_from_a_file_named_in_the_config(
    gh: GitHubEmulator, make_store: MakeStore, tmp_path: Path
) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps({"type": "object", "required": ["name"]}))
    store = make_store(config=dataclasses.replace(FAST, schema=path))
    with pytest.raises(InvalidUpdate, match="'name' is a required property"):
        store.create("alpha", {"v": 1})
    assert store.create("beta", {"name": "b"}).data == {"name": "b"}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ([1, 2], "must be a JSON object"),
        ({"s": {1}}, "not JSON"),
        ({"n": float("nan")}, "not a JSON number"),
        ({"a": _nested(70)}, "nested deeper"),
        ({"big": "x" * 65_600}, "GitHub allows"),
    ],
    ids=["list", "set", "nan", "too deep", "too big"],
)
def test_update_validates_before_any_request(
    gh: GitHubEmulator, store: GitHubStore, changes: object, problem: str
) -> None:
    with pytest.raises(InvalidUpdate, match=problem):
        store.update("alpha", changes)  # type: ignore[arg-type]
    assert gh.count() == 0


def test_get_reads_a_body_written_by_the_original_gh_store(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    data = {"name": "legacy", "items": [1, 2], "nested": {"ok": True}}
    number = gh.seed_issue(
        "Stored Object: old",
        json.dumps(data, indent=2),
        ["gh-store", "stored-object", "UID:old"],
        state="closed",
    )
    obj = store.get("old")
    assert obj.data == data
    assert (obj.meta.issue_number, obj.meta.version) == (number, 1)


def test_get_of_an_unknown_id_is_object_not_found(store: GitHubStore) -> None:
    with pytest.raises(ObjectNotFound, match="no object 'nothing' in octo/store"):
        store.get("nothing")


def test_two_issues_for_one_id_is_a_duplicate(gh: GitHubEmulator, store: GitHubStore) -> None:
    # Both carry updates: no rule can keep one without the other's (tests/store/test_races.py
    # settles the other cases, which a create that died before its check leaves).
    first = gh.seed_issue("a", "{}", ["stored-object", "UID:twice"])
    second = gh.seed_issue("b", "{}", ["stored-object", "UID:twice"])
    for number in (first, second):
        gh.seed_comment(number, '{"v": 1}', user="octo")
    with pytest.raises(DuplicateUIDError, match=f"#{first}.*#{second}|#{second}.*#{first}"):
        store.get("twice")


def test_delete_archives_and_frees_the_id(gh: GitHubEmulator, store: GitHubStore) -> None:
    first = store.create("alpha", {"v": 1}, extra_labels=["team-a"])
    store.update("alpha", {"v": 2})
    gh.clear_requests()
    store.delete("alpha")
    assert [r.method for r in gh.requests] == ["GET", "PATCH"]
    issue = gh.issue(first.meta.issue_number)
    assert issue["state"] == "closed"
    assert _labels(issue) == {"UID:alpha", "team-a", "archived"}
    assert len(gh.comments(first.meta.issue_number)) == 2  # history stays
    with pytest.raises(ObjectNotFound):
        store.get("alpha")
    with pytest.raises(ObjectNotFound):
        store.update("alpha", {"v": 3})  # the cached issue number went with it
    again = store.create("alpha", {"v": 10})
    assert again.meta.issue_number != first.meta.issue_number
    assert store.get("alpha").data == {"v": 10}


def test_list_all_pages_and_skips_archived_and_unreadable_issues(
    gh: GitHubEmulator, store: GitHubStore, caplog: pytest.LogCaptureFixture
) -> None:
    for i in range(103):
        gh.seed_issue(
            f"Stored Object: o{i}",
            json.dumps({"i": i}),
            ["stored-object", f"UID:o{i}"],
            state="closed",
        )
    archived = gh.seed_issue("x", "{}", ["stored-object", "UID:old", "archived"], state="closed")
    corrupt = gh.seed_issue("y", "this is not JSON", ["stored-object", "UID:broken"])
    gh.seed_issue("z", "{}", ["unrelated"])
    gh.clear_requests()
    with caplog.at_level(logging.WARNING, logger="gh_store"):
        objects = list(store.list_all())
    assert gh.count("GET", r"/issues$") == 2  # 105 issues: two pages
    assert sorted(o.data["i"] for o in objects) == list(range(103))
    assert {o.meta.object_id for o in objects} == {f"o{i}" for i in range(103)}
    assert archived not in {o.meta.issue_number for o in objects}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"issue #{corrupt} skipped: object 'broken': ")


def test_list_updated_since_passes_since_and_returns_changed_objects(
    gh: GitHubEmulator, store: GitHubStore, later_clock: Callable[[int], None]
) -> None:
    store.create("old", {"v": 1})
    before = store.get("old").meta.updated_at
    later_clock(120)
    store.create("new", {"v": 1})
    gh.clear_requests()
    changed = list(store.list_updated_since(before + timedelta(seconds=60)))
    assert [o.meta.object_id for o in changed] == ["new"]
    assert gh.requests[0].query["since"].endswith("Z")


def test_max_concurrent_updates_refuses_while_that_many_are_pending(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    store = make_store(max_concurrent_updates=2)
    created = store.create("alpha", {"v": 1})
    store.update("alpha", {"v": 2})
    gh.seed_comment(created.meta.issue_number, "just a chat message")  # not an update
    store.update("alpha", {"v": 3})
    gh.clear_requests()
    with pytest.raises(ConcurrentUpdateError, match="already has 2 pending updates"):
        store.update("alpha", {"v": 4})
    # the issue (listed by its labels), its comments (a client's read: REST over either API)
    assert [r.method for r in gh.requests] == ["GET", "GET"]
    assert not any(r.mutates for r in gh.requests)
    store.process_updates(created.meta.issue_number)
    gh.clear_requests()
    assert store.update("alpha", {"v": 4}).data == {"v": 3}
    # closed issue: nothing pending, no comment listing
    assert [r.method for r in gh.requests] == ["GET", "PATCH", "POST"]


def test_process_updates_reports_applied_and_rejected(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    created = store.create("alpha", {"v": 1})
    store.update("alpha", {"v": 2})
    gh.seed_comment(created.meta.issue_number, '{"v": ')
    report = store.process_updates(created.meta.issue_number)
    assert (len(report.applied), len(report.rejected)) == (1, 1)
    assert (report.version_before, report.version_after) == (1, 2)
    assert store.get("alpha").data == {"v": 2}


def test_constructing_a_store_changes_no_logging(make_store: MakeStore) -> None:
    # A library leaves logging to the program (the CLI and the action configure it).
    logger = logging.getLogger("gh_store")
    before = (logger.level, list(logger.handlers), logger.propagate)
    make_store(config=dataclasses.replace(FAST, log=dataclasses.replace(FAST.log, level="ERROR")))
    make_store()
    assert (logger.level, list(logger.handlers), logger.propagate) == before


def test_constructing_a_store_makes_no_request(gh: GitHubEmulator) -> None:
    GitHubStore(gh.owner_token, gh.repo, config=FAST, **gh.client_options()).close()
    assert gh.count() == 0


def test_extra_labels_may_be_one_string_as_the_original_took_them(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    obj = store.create("alpha", {"v": 1}, extra_labels="team-a")
    assert _labels(gh.issue(obj.meta.issue_number)) == {"stored-object", "UID:alpha", "team-a"}


@pytest.mark.parametrize("label", ["a,b", "x" * 51, "", "archived", "UID:other"])
def test_unusable_extra_labels_are_refused_before_any_request(
    gh: GitHubEmulator, store: GitHubStore, label: str
) -> None:
    with pytest.raises(InvalidUpdate, match="label"):
        store.create("alpha", {"v": 1}, extra_labels=[label])
    assert gh.count() == 0


# --- one odd issue must not break the store (issue 9.9) ---------------------------------------


@pytest.mark.parametrize("label", ["UID: spaced", "UID:a,b", "UID:", "uid:"])
def test_an_issue_with_a_label_no_id_could_make_is_skipped_by_listings(
    gh: GitHubEmulator, store: GitHubStore, caplog: pytest.LogCaptureFixture, label: str
) -> None:
    store.create("fine", {"v": 1})
    odd = gh.seed_issue("odd", json.dumps({"x": 1}), ["stored-object", label])
    with caplog.at_level(logging.WARNING, logger="gh_store"):
        listed = [obj.meta.object_id for obj in store.list_all()]
        snapshot = store.snapshot()
    assert listed == ["fine"] and set(snapshot["objects"]) == {"fine"}
    assert any(f"issue #{odd} skipped" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({1: "a", "1": "b"}, "keys must be strings"),
        ({"a": {2: "x"}}, "keys must be strings"),
        ({"n": float("nan")}, "not a JSON number"),
        ({"s": "\ud800"}, "lone surrogate"),
        ({"o": object()}, "is not JSON"),
    ],
)
def test_create_checks_data_with_the_same_rules_as_updates(
    gh: GitHubEmulator, store: GitHubStore, data: dict[object, object], problem: str
) -> None:
    with pytest.raises(InvalidUpdate, match=problem):
        store.create("x", data)  # type: ignore[arg-type]
    with pytest.raises(InvalidUpdate, match=problem):
        store.update("x", data)  # type: ignore[arg-type]
    assert gh.count() == 0


def test_create_refuses_data_nested_thousands_deep_with_a_message(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    deep: dict[str, object] = {}
    for _ in range(3_000):
        deep = {"a": deep}
    with pytest.raises(InvalidUpdate, match="nested deeper than 64 levels"):
        store.create("x", deep)
    assert gh.count() == 0


def test_an_object_that_fits_once_keeps_fitting_as_its_metadata_grows(
    gh: GitHubEmulator, store: GitHubStore
) -> None:
    # create() sizes the body with the metadata at its longest, so the first run can write it.
    low, high = 60_000, 66_000
    while high - low > 1:
        middle = (low + high) // 2
        try:
            store.create(f"probe{middle}", {"pad": "x" * middle})
        except InvalidUpdate:
            high = middle
        else:
            low = middle
    biggest = store.get(f"probe{low}")
    number = biggest.meta.issue_number
    gh.set_permission("rita", "read")
    outsider = gh.seed_comment(number, '{"pad": "mine"}', user="rita")
    # The run's metadata grows (a listing time, a comment id, a mark): the write still fits.
    report = store.process_updates(number)
    assert [(o.comment_id, o.status) for o in report.untrusted] == [(outsider, "untrusted")]
    assert len(gh.issue(number)["body"]) <= 65_536
    assert store.get(biggest.meta.object_id).data == biggest.data
