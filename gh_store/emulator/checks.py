"""GitHub's checks on values, after a request body has the right shape.

Owns the limits (body 65,536 characters, title 256, label name 50, label description 100) and the
``422 Validation Failed`` answers GitHub gives when one is broken. The shape of a body (types,
required fields, enums) is checked earlier, against the operation's schema, by :mod:`.bodies`.
"""

from __future__ import annotations

import string

from .errors import validation_failed

__all__ = [
    "MAX_BODY",
    "MAX_LABEL",
    "MAX_LABEL_DESCRIPTION",
    "MAX_TITLE",
    "check_body",
    "check_color",
    "check_label_description",
    "check_label_name",
    "check_title",
]

MAX_BODY = 65536
MAX_TITLE = 256
MAX_LABEL = 50
MAX_LABEL_DESCRIPTION = 100
_LABEL_DOCS = "https://docs.github.com/rest/issues/labels#create-a-label"
_HEX = set(string.hexdigits)


def check_body(body: str | None, resource: str) -> str | None:
    if body is not None and len(body) > MAX_BODY:
        raise validation_failed(
            resource, "body", "custom", f"body is too long (maximum is {MAX_BODY} characters)"
        )
    return body


def check_title(title: str | int | None) -> str:
    """A title as GitHub stores it: integers become text, blank ones are refused."""
    if title is None or not str(title).strip():
        raise validation_failed("Issue", "title", "missing_field")
    text = str(title)
    if len(text) > MAX_TITLE:
        raise validation_failed(
            "Issue", "title", "custom", f"title is too long (maximum is {MAX_TITLE} characters)"
        )
    return text


def check_label_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise validation_failed("Label", "name", "missing_field", documentation_url=_LABEL_DOCS)
    if len(name) > MAX_LABEL:
        raise validation_failed(
            "Label",
            "name",
            "custom",
            f"name is too long (maximum is {MAX_LABEL} characters)",
            _LABEL_DOCS,
        )
    return name


def check_color(color: str) -> str:
    """Six hex digits; a leading ``#`` is tolerated, as GitHub does."""
    color = color.removeprefix("#")
    if len(color) != 6 or not set(color) <= _HEX:
        raise validation_failed("Label", "color", "invalid", documentation_url=_LABEL_DOCS)
    return color


def check_label_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_LABEL_DESCRIPTION:
        raise validation_failed(
            "Label",
            "description",
            "custom",
            f"description is too long (maximum is {MAX_LABEL_DESCRIPTION} characters)",
            _LABEL_DOCS,
        )
    return description
