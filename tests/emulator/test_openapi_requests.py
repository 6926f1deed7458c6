"""Requests against GitHub's own OpenAPI description (both adapters): every body the
description's schema rejects gets 422, GitHub's own examples work, and every documented parameter
or field is either modelled or refused with a 422 that says the emulator does not model it.

Bodies come from mutating a valid one per operation: the whole body, each property removed, and
each property set to each value of ``PALETTE``; the description's schema decides which are invalid.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.emulator.bodies import UNMODELLED_FIELDS, UNMODELLED_QUERY

from .openapi import Operation, operations, validator
from .test_apps import key as app_key
from .test_apps import valid as signed_jwt

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"
NOT_MODELLED = "does not model"
PALETTE: list[Any] = [
    None,
    True,
    0,
    1.5,
    "",
    "x",
    "x" * 101,
    [],
    ["x"],
    [1],
    [{}],
    [{"name": "x"}],
    [{"field_id": 1, "value": "x"}],
    {},
    {"a": 1},
]
_counter = itertools.count()


def _fresh(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def _issue(gh: GitHubEmulator) -> int:
    return gh.seed_issue("target", "body")


def _comment(gh: GitHubEmulator) -> int:
    return gh.seed_comment(_issue(gh), "target")


def _label(gh: GitHubEmulator) -> str:
    name = _fresh("label-")
    gh.create_label(name)
    return name


def _app_tokens(gh: GitHubEmulator) -> str:
    """The token endpoint of a fresh App's installation; its JWT goes in ``AS_APP``."""
    numbers = app_key().public_key().public_numbers()
    granted = {"issues": "write", "contents": "read", "metadata": "read"}
    app, installation = gh.register_app(_fresh("app-"), (numbers.n, numbers.e), permissions=granted)
    assert installation is not None
    AS_APP[f"/app/installations/{installation.id}/access_tokens"] = signed_jwt(gh, app.id)
    return f"/app/installations/{installation.id}/access_tokens"


#: path -> the JWT to send there instead of the owner's token.
AS_APP: dict[str, str] = {}

# operation -> (method, a fresh target's path, a valid body) for each operation with a body.
TARGETS: dict[str, Callable[[GitHubEmulator], tuple[str, Any]]] = {
    "apps/create-installation-access-token": lambda gh: (
        _app_tokens(gh),
        {"repositories": ["store"], "permissions": {"issues": "write"}},
    ),
    "repos/create-dispatch-event": lambda gh: (
        f"{R}/dispatches",
        {"event_type": "e", "client_payload": {"n": 1}},
    ),
    "issues/create": lambda gh: (f"{R}/issues", {"title": "t", "body": "b", "labels": ["x"]}),
    "issues/update": lambda gh: (
        f"{R}/issues/{_issue(gh)}",
        {"title": "t", "body": "b", "state": "closed", "state_reason": "completed"},
    ),
    "issues/create-comment": lambda gh: (f"{R}/issues/{_issue(gh)}/comments", {"body": "c"}),
    "issues/update-comment": lambda gh: (f"{R}/issues/comments/{_comment(gh)}", {"body": "c"}),
    "reactions/create-for-issue-comment": lambda gh: (
        f"{R}/issues/comments/{_comment(gh)}/reactions",
        {"content": "+1"},
    ),
    "reactions/create-for-issue": lambda gh: (
        f"{R}/issues/{_issue(gh)}/reactions",
        {"content": "+1"},
    ),
    "issues/create-label": lambda gh: (
        f"{R}/labels",
        {"name": _fresh("new-"), "color": "ffffff", "description": "d"},
    ),
    "issues/update-label": lambda gh: (
        f"{R}/labels/{_label(gh)}",
        {"new_name": _fresh("renamed-"), "color": "000000", "description": "d"},
    ),
    "issues/add-labels": lambda gh: (f"{R}/issues/{_issue(gh)}/labels", {"labels": ["a"]}),
    "issues/set-labels": lambda gh: (f"{R}/issues/{_issue(gh)}/labels", {"labels": ["a"]}),
    "issues/lock": lambda gh: (f"{R}/issues/{_issue(gh)}/lock", {"lock_reason": "resolved"}),
}


# What the description's schema rejects but GitHub accepts (its own text, and PyGithub's
# recordings in tests/fixtures/pygithub): the emulator accepts these too.
def accepted_beyond_the_schema(operation: str, body: Any) -> bool:
    def names(items: Any) -> bool:
        return isinstance(items, list) and all(
            isinstance(i, str) or (isinstance(i, dict) and isinstance(i.get("name"), str))
            for i in items
        )

    if operation == "issues/add-labels":  # "you can also pass an array of labels directly"
        return names(body) and len(body) > 0
    if operation == "issues/set-labels":  # the bare array, and "an empty array" to clear
        return names(body) or (isinstance(body, dict) and body.get("labels") == [])
    return False


def send(call: Call, method: str, path: str, body: Any) -> httpx2.Response:
    token: dict[str, Any] = {"token": AS_APP[path]} if path in AS_APP else {}
    return call(
        method,
        path,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        **token,
    )


def documented_properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    branches = schema.get("oneOf", [schema])
    found: dict[str, dict[str, Any]] = {}
    for branch in branches:
        branch = branch.get("anyOf", [branch])[0]  # a nullable object: its object part
        found.update(branch.get("properties", {}))
    return found


def mutations(operation: Operation, base: Any) -> list[Any]:
    assert operation.body_schema is not None
    bodies: list[Any] = list(PALETTE)
    if isinstance(base, dict):
        bodies += [{k: v for k, v in base.items() if k != key} for key in base]
        for key in documented_properties(operation.body_schema):
            bodies += [{**base, key: value} for value in PALETTE]
    return bodies


WITH_BODIES = sorted(op for op in operations() if operations()[op].body_schema is not None)


def test_every_operation_with_a_body_has_a_target() -> None:
    assert sorted(TARGETS) == WITH_BODIES


@pytest.mark.parametrize("operation_id", WITH_BODIES)
def test_bodies_the_description_rejects_get_422(
    gh: GitHubEmulator, call: Call, operation_id: str
) -> None:
    operation = operations()[operation_id]
    assert operation.body_schema is not None
    schema = validator(operation.body_schema)
    path, base = TARGETS[operation_id](gh)
    assert schema.is_valid(base)
    assert send(call, operation.method, path, base).status_code < 300
    rejected = accepted = 0
    for body in mutations(operation, base):
        path, _ = TARGETS[operation_id](gh)
        answer = send(call, operation.method, path, body)
        where = f"{operation_id} {json.dumps(body)[:120]} -> {answer.status_code} {answer.text}"
        if not schema.is_valid(body) and not accepted_beyond_the_schema(operation_id, body):
            assert answer.status_code == 422, where
            message = answer.json()["message"]
            assert message.startswith(("Invalid request.", "Validation Failed")) or (
                NOT_MODELLED in message
            ), where
            rejected += 1
        else:
            assert answer.status_code not in (400, 500), where
            accepted += 1
    assert rejected >= 5, (rejected, accepted)


@pytest.mark.parametrize("operation_id", WITH_BODIES)
def test_githubs_own_examples(gh: GitHubEmulator, call: Call, operation_id: str) -> None:
    operation = operations()[operation_id]
    assert operation.body_examples
    for example in operation.body_examples:
        if operation_id == "apps/create-installation-access-token":
            # GitHub's example names its own Hello-World repository; ours is octo/store.
            example = json.loads(json.dumps(example).replace('"Hello-World"', '"store"'))
        path, _ = TARGETS[operation_id](gh)
        answer = send(call, operation.method, path, example)
        unmodelled = [
            name
            for name in UNMODELLED_FIELDS.get(operation_id, ())
            if example.get(name) not in (None, [])
        ]
        if unmodelled:
            assert answer.status_code == 422 and NOT_MODELLED in answer.json()["message"]
            assert f"'{unmodelled[0]}'" in answer.json()["message"]
            modelled = {k: v for k, v in example.items() if k not in unmodelled}
            path, _ = TARGETS[operation_id](gh)
            answer = send(call, operation.method, path, modelled)
        assert answer.status_code < 300, (operation_id, example, answer.text)


# Documented query parameters the emulator answers by (tests/emulator/test_listing.py).
MODELLED_QUERY = {
    "issues/list-for-repo": {
        "state",
        "labels",
        "sort",
        "direction",
        "since",
        "creator",
        "per_page",
        "page",
    },
    "issues/list-comments-for-repo": {"sort", "direction", "since", "per_page", "page"},
    "issues/list-comments": {"since", "per_page", "page"},
    "issues/list-labels-for-repo": {"per_page", "page"},
    "issues/list-labels-on-issue": {"per_page", "page"},
    "reactions/list-for-issue-comment": {"content", "per_page", "page"},
    "reactions/list-for-issue": {"content", "per_page", "page"},
}
# Documented body fields the emulator stores or acts on.
MODELLED_FIELDS = {
    "issues/create": {"title", "body", "labels"},
    "issues/update": {"title", "body", "labels", "state", "state_reason"},
}


def test_every_documented_parameter_is_modelled_or_refused(gh: GitHubEmulator, call: Call) -> None:
    refused = 0
    number = _issue(gh)
    for operation in operations().values():
        documented = operation.query_parameters()
        modelled = MODELLED_QUERY.get(operation.id, set())
        unmodelled = set(UNMODELLED_QUERY.get(operation.id, ()))
        assert not modelled & unmodelled
        assert documented == modelled | unmodelled, operation.id
        path = operation.template.replace("{owner}/{repo}", "octo/store")
        path = path.replace("{issue_number}", str(number))
        for name in sorted(unmodelled):
            answer = call(operation.method, path, params={name: "x"})
            assert answer.status_code == 422 and NOT_MODELLED in answer.json()["message"]
            assert f"'{name}'" in answer.json()["message"]
            refused += 1
    assert refused == 5


def test_every_documented_field_is_modelled_or_refused(gh: GitHubEmulator, call: Call) -> None:
    refused = 0
    for operation_id in WITH_BODIES:
        operation = operations()[operation_id]
        assert operation.body_schema is not None
        properties = documented_properties(operation.body_schema)
        unmodelled = set(UNMODELLED_FIELDS.get(operation_id, ()))
        modelled = MODELLED_FIELDS.get(operation_id, set(properties) - unmodelled)
        assert set(properties) == modelled | unmodelled and not modelled & unmodelled
        for name in sorted(unmodelled):
            value = next(
                v
                for v in PALETTE
                if v not in (None, []) and validator(properties[name]).is_valid(v)
            )
            path, base = TARGETS[operation_id](gh)
            answer = send(call, operation.method, path, {**base, name: value})
            assert answer.status_code == 422 and NOT_MODELLED in answer.json()["message"]
            refused += 1
            if validator(properties[name]).is_valid(None):  # "nothing assigned" is modelled
                path, base = TARGETS[operation_id](gh)
                assert send(call, operation.method, path, {**base, name: None}).status_code < 300
    assert refused == 11


@pytest.mark.parametrize("operation_id", ["issues/create", "issues/update", "issues/add-labels"])
def test_labels_given_as_objects_with_more_than_a_name(
    gh: GitHubEmulator, call: Call, operation_id: str
) -> None:
    operation = operations()[operation_id]
    path, base = TARGETS[operation_id](gh)
    named = send(call, operation.method, path, {**base, "labels": [{"name": "by-name"}]})
    assert named.status_code < 300
    path, base = TARGETS[operation_id](gh)
    colour = {**base, "labels": [{"name": "x", "color": "ffffff"}]}
    answer = send(call, operation.method, path, colour)
    assert answer.status_code == 422 and NOT_MODELLED in answer.json()["message"]
