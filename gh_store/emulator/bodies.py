"""What a REST request may carry, per operation: body shapes, and what the emulator refuses.

Owns :func:`check_request`, run before every handler. A request body is checked against the
operation's schema the way GitHub's own JSON-schema check does it (``422`` with
``Invalid request.`` and GitHub's wording: ``"title" wasn't supplied.``, ``For 'properties/body',
5 is not a string.``); the schemas below are written from GitHub's OpenAPI description (the tests
hold them to it: ``tests/emulator/test_openapi.py``).

Parameters and fields GitHub documents but the emulator does not model (assignees, milestones,
issue types, ...) are refused with a ``422`` that says so, never silently ignored: a test that
relies on them would otherwise pass against the emulator and fail on GitHub. ``null`` and ``[]``
are accepted where the description allows them, because they ask for what the emulator always
has: nothing assigned. Undocumented fields are ignored, as GitHub ignores them.

Known drift from the description, kept because GitHub itself behaves so (each is tested):

- add and set labels take a bare array of names as well as ``{"labels": [...]}`` (the schema
  allows only the object; the operation's text and PyGithub's recordings use the array);
- set labels takes ``{"labels": []}`` to clear them (the schema says ``minItems: 1``, its text
  says an empty array removes all labels);
- stricter than the schema, where GitHub answers 422 anyway: add labels needs ``labels``; a title
  set to ``null`` or blank is ``Validation Failed``;
- statuses an operation does not document (401 for a bad token, 403 for a used-up rate limit or a
  missing role, 304, 404 for a missing comment, reaction or label): the list, with reasons, is
  ``DRIFT`` in ``tests/emulator/test_openapi.py``.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .errors import ApiError, error_body, invalid_request
from .exchange import Exchange
from .records import REACTION_CONTENTS

__all__ = [
    "BODY_SCHEMAS",
    "UNMODELLED_FIELDS",
    "UNMODELLED_QUERY",
    "body_of",
    "check_request",
    "label_names",
]

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_STRINGS = {"type": "array", "items": _STRING}
_LABEL_OBJECT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": _STRING,
        "description": _NULLABLE_STRING,
        "color": _NULLABLE_STRING,
        "rationale": _STRING,
        "suggest": {"type": "boolean"},
        "confidence": {"enum": ["low", "medium", "high"]},
    },
}
_LABELS = {"type": "array", "items": {"anyOf": [_STRING, _LABEL_OBJECT]}}
_FIELD_VALUES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["field_id", "value"],
        "additionalProperties": False,
        "properties": {
            "field_id": {"type": "integer"},
            "value": {"type": ["string", "number", "array"], "items": _STRING},
        },
    },
}
_ISSUE_FIELDS = {
    "title": {"type": ["string", "integer"]},
    "body": _STRING,
    "assignee": _NULLABLE_STRING,
    "milestone": {"type": ["string", "integer", "null"]},
    "labels": _LABELS,
    "assignees": _STRINGS,
    "issue_field_values": _FIELD_VALUES,
    "type": _NULLABLE_STRING,
}
_ADD_LABELS = {"type": "array", "minItems": 1, "items": _LABELS["items"]}
_BARE_OR_OBJECT = {  # GitHub takes {"labels": [...]} or, as its docs say, the bare array
    "anyOf": [
        {"type": "object", "required": ["labels"], "properties": {"labels": _ADD_LABELS}},
        _ADD_LABELS,
    ]
}
_SET_LABELS_ITEMS = {"anyOf": [_STRING, {"type": "object", "required": ["name"]}]}
_SET_LABELS = {  # an empty list clears, as the description's text says (its schema disagrees)
    "anyOf": [
        {
            "type": "object",
            "required": ["labels"],
            "properties": {"labels": {"type": "array", "items": _SET_LABELS_ITEMS}},
        },
        {"type": "array", "items": _SET_LABELS_ITEMS},
    ]
}
_REACTION = {
    "type": "object",
    "required": ["content"],
    "properties": {"content": {"type": "string", "enum": list(REACTION_CONTENTS)}},
}
_COMMENT = {"type": "object", "required": ["body"], "properties": {"body": _STRING}}

BODY_SCHEMAS: dict[str, dict[str, Any]] = {
    "issues/create": {"type": "object", "required": ["title"], "properties": _ISSUE_FIELDS},
    "issues/update": {
        "type": "object",
        "properties": {
            **_ISSUE_FIELDS,
            "title": {"type": ["string", "integer", "null"]},
            "body": _NULLABLE_STRING,
            "state": {"type": "string", "enum": ["open", "closed"]},
            "state_reason": {"enum": ["completed", "not_planned", "duplicate", "reopened", None]},
            "duplicate_issue_id": {"type": "integer"},
        },
    },
    "issues/create-comment": _COMMENT,
    "issues/update-comment": _COMMENT,
    "reactions/create-for-issue-comment": _REACTION,
    "reactions/create-for-issue": _REACTION,
    "issues/create-label": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": _STRING, "color": _STRING, "description": _STRING},
    },
    "issues/update-label": {
        "type": "object",
        "properties": {"new_name": _STRING, "color": _STRING, "description": _STRING},
    },
    "issues/add-labels": _BARE_OR_OBJECT,
    "issues/set-labels": _SET_LABELS,
    "issues/lock": {
        "type": ["object", "null"],
        "properties": {"lock_reason": {"enum": ["off-topic", "too heated", "resolved", "spam"]}},
    },
    "apps/create-installation-access-token": {
        "type": "object",
        "properties": {
            "repositories": _STRINGS,
            "repository_ids": {"type": "array", "items": {"type": "integer"}},
            "permissions": {
                "type": "object",
                "additionalProperties": {"enum": ["read", "write", "admin"]},
            },
        },
    },
    "repos/create-dispatch-event": {
        "type": "object",
        "required": ["event_type"],
        "properties": {
            "event_type": {"type": "string", "minLength": 1, "maxLength": 100},
            "client_payload": {"type": "object", "maxProperties": 10},
        },
    },
}

# Documented by GitHub, not modelled here: refused (see the module docstring).
UNMODELLED_FIELDS: dict[str, tuple[str, ...]] = {
    "issues/create": ("assignee", "milestone", "assignees", "type", "issue_field_values"),
    "issues/update": (
        "assignee",
        "milestone",
        "assignees",
        "type",
        "issue_field_values",
        "duplicate_issue_id",
    ),
}
UNMODELLED_QUERY: dict[str, tuple[str, ...]] = {
    "issues/list-for-repo": ("milestone", "assignee", "type", "mentioned", "issue_field_values"),
}
_LABEL_LISTS = ("issues/create", "issues/update", "issues/add-labels", "issues/set-labels")
_VALIDATORS = {op: Draft202012Validator(schema) for op, schema in BODY_SCHEMAS.items()}


def check_request(operation: str, request: Exchange) -> None:
    """Raise the ``422`` GitHub (or, for what it does not model, the emulator) would give."""
    for name in UNMODELLED_QUERY.get(operation, ()):
        if name in request.query:
            raise _unmodelled(f"the {name!r} parameter of {operation}")
    validator = _VALIDATORS.get(operation)
    if validator is None:
        return  # GitHub ignores a body sent to an operation that takes none
    body = request.body
    if not request.sent_body:
        body = {}  # no body at all reads as an empty object, so required fields are named
    error = best_match(validator.iter_errors(body))
    if error is not None:
        raise invalid_request(_describe(error))
    if isinstance(body, dict):
        for name in UNMODELLED_FIELDS.get(operation, ()):
            if name in body and body[name] not in (None, []):
                raise _unmodelled(f"the {name!r} field of {operation}")
    if operation in _LABEL_LISTS:
        labels = body.get("labels") if isinstance(body, dict) else body
        for item in labels if isinstance(labels, list) else ():
            if isinstance(item, dict) and set(item) != {"name"}:
                raise _unmodelled(f"labels given as objects with {sorted(item)} in {operation}")
    payload = body.get("client_payload", {}) if isinstance(body, dict) else {}
    if operation == "repos/create-dispatch-event" and len(json.dumps(payload)) >= 65536:
        raise invalid_request("client_payload is too large (it must be less than 64KB).")


def body_of(request: Exchange) -> dict[str, Any]:
    """The JSON object sent (``{}`` when none), once :func:`check_request` has passed it."""
    return request.body if isinstance(request.body, dict) else {}


def label_names(request: Exchange) -> list[str]:
    """The label names of a checked add/set-labels or issue body (strings or ``{"name": ...}``)."""
    body = request.body
    labels = body.get("labels", []) if isinstance(body, dict) else body
    return [item["name"] if isinstance(item, dict) else item for item in labels or []]


def _unmodelled(what: str) -> ApiError:
    message = (
        f"The gh-store GitHub emulator does not model {what}: it refuses the request rather "
        "than answer it differently from GitHub."
    )
    return ApiError(422, error_body(422, message))


def _where(error: ValidationError) -> str:
    parts = ["items" if isinstance(p, int) else f"properties/{p}" for p in error.absolute_path]
    return "/".join(parts) or "body"


def _value(value: Any) -> str:
    return "nil" if value is None else json.dumps(value)  # GitHub's Ruby says nil


_ARTICLE = {"array": "an array", "integer": "an integer", "object": "an object"}


def _describe(error: ValidationError) -> str:
    """GitHub's wording for a body its schema check refuses."""
    rule: Any = error.validator_value
    instance: Any = error.instance
    if error.validator == "required":
        missing = [p for p in rule if p not in instance]
        return f'"{missing[0]}" wasn\'t supplied.'
    where, value = _where(error), _value(instance)
    if error.validator == "type":
        types = rule if isinstance(rule, list) else [rule]
        wanted = " or ".join(_ARTICLE.get(t, f"a {t}") for t in types if t != "null")
        return f"For '{where}', {value} is not {wanted}."
    if error.validator == "enum":
        members = ", ".join(_value(v) for v in rule if v is not None)
        return f"For '{where}', {value} is not a member of [{members}]."
    if error.validator == "anyOf":
        forms = [sub.get("type", "value") for sub in rule]
        wanted = " or ".join(_ARTICLE.get(t, f"a {t}") for t in forms if isinstance(t, str))
        return f"For '{where}', {value} is not {wanted}."
    return f"For '{where}', {error.message}."
