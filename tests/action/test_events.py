"""Which issue an event names, or why it names none: decided from real payloads, no requests."""

from __future__ import annotations

from typing import Any

import pytest

from gh_store.action.events import EventDecision, decide_event
from gh_store.action.inputs import InputError
from gh_store.core.config import StoreConfig
from gh_store.core.constants import DISPATCH_EVENT

from .conftest import webhook

STORED = ["stored-object", "UID:counter"]


def test_the_event_filter_uses_the_stores_own_constants() -> None:
    assert StoreConfig().base_label == "stored-object"
    assert decide_event(
        "repository_dispatch", {"action": DISPATCH_EVENT, "client_payload": {"issue_number": 3}}
    ) == EventDecision(3)


@pytest.mark.parametrize("spelled", ["Stored-Object", "STORED-OBJECT", "stored-object"])
def test_the_base_label_matches_in_any_case(spelled: str) -> None:
    # GitHub keeps the spelling of a label that already exists in the repository.
    payload = webhook("issue_comment", "created", number=7, labels=[spelled, "UID:counter"])
    assert decide_event("issue_comment", payload) == EventDecision(7)


@pytest.mark.parametrize(
    ("event", "action"),
    [
        ("issue_comment", "created"),
        ("issue_comment", "edited"),
        ("issues", "opened"),
        ("issues", "reopened"),
        ("issues", "edited"),
        ("issues", "labeled"),
    ],
)
def test_issue_events_on_a_stored_object_name_its_issue(event: str, action: str) -> None:
    payload = webhook(event, action, number=7, labels=["bug", *STORED])
    assert decide_event(event, payload) == EventDecision(7)


@pytest.mark.parametrize(
    ("event", "action", "labels", "pull_request", "why"),
    [
        ("issue_comment", "created", ["bug"], False, "lacks the 'stored-object' label"),
        ("issue_comment", "created", STORED, True, "pull request"),
        ("issue_comment", "deleted", STORED, False, "deleted"),
        ("issues", "opened", [], False, "lacks the 'stored-object' label"),
        ("issues", "closed", STORED, False, "'closed'"),
        ("issues", "unlabeled", STORED, False, "'unlabeled'"),
    ],
)
def test_events_that_change_no_object_are_skipped_with_a_reason(
    event: str, action: str, labels: list[str], pull_request: bool, why: str
) -> None:
    if action in ("closed", "unlabeled"):
        payload: dict[str, Any] = {**webhook(event, "opened", number=7, labels=labels)}
        payload["action"] = action
    else:
        payload = webhook(event, action, number=7, labels=labels, pull_request=pull_request)
    decision = decide_event(event, payload)
    assert decision.is_noop
    assert decision.skip_reason is not None and why in decision.skip_reason


def test_a_configured_base_label_is_the_one_looked_for() -> None:
    payload = webhook("issues", "opened", number=3, labels=["objects"])
    assert decide_event("issues", payload).is_noop
    assert decide_event("issues", payload, base_label="objects") == EventDecision(3)


def test_an_issue_event_uses_its_own_issue_not_the_input() -> None:
    payload = webhook("issues", "opened", number=3, labels=STORED)
    assert decide_event("issues", payload, issue_number_input=9) == EventDecision(3)


@pytest.mark.parametrize(
    ("event", "payload", "number_input", "expected"),
    [
        ("workflow_dispatch", {"inputs": {"issue-number": "12"}}, None, 12),
        ("workflow_dispatch", {"inputs": {}}, 5, 5),
        ("schedule", {"schedule": "0 * * * *"}, 8, 8),
        (
            "repository_dispatch",
            {"action": "gh-store-update", "client_payload": {"issue_number": 4}},
            None,
            4,
        ),
        ("repository_dispatch", {"action": "gh-store-update", "client_payload": {}}, 6, 6),
    ],
)
def test_dispatches_and_schedules_take_the_number_given(
    event: str, payload: dict[str, Any], number_input: int | None, expected: int
) -> None:
    assert decide_event(event, payload, issue_number_input=number_input) == EventDecision(expected)


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("workflow_dispatch", {"inputs": {}}),
        ("workflow_dispatch", {"inputs": {"issue-number": ""}}),
        ("schedule", {}),
        ("repository_dispatch", {"action": "gh-store-update", "client_payload": {}}),
        ("repository_dispatch", {"action": "gh-store-update"}),
    ],
)
def test_an_event_that_names_no_issue_is_a_catch_up_run(
    event: str, payload: dict[str, Any]
) -> None:
    decision = decide_event(event, payload)
    assert decision == EventDecision(None, catch_up=True) and not decision.is_noop


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        (
            "repository_dispatch",
            {"action": "gh-store-update", "client_payload": {"issue_number": "x1"}},
            r"`issue_number` must be a positive whole number \(the event gave a string of 2 ",
        ),
        (
            "repository_dispatch",
            {"action": "gh-store-update", "client_payload": {"issue_number": True}},
            "the event gave a bool",
        ),
    ],
)
def test_a_dispatch_naming_something_that_is_no_issue_number_is_an_input_error(
    event: str, payload: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        decide_event(event, payload)


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("repository_dispatch", {"action": "deploy", "client_payload": {"issue_number": 4}}),
        ("push", {"ref": "refs/heads/main"}),
        ("pull_request", {"action": "opened", "number": 2}),
    ],
)
def test_other_events_are_skipped(event: str, payload: dict[str, Any]) -> None:
    decision = decide_event(event, payload, issue_number_input=None)
    assert decision.is_noop and decision.skip_reason
