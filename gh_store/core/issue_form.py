"""Objects created from the web UI with an issue form (``examples/ISSUE_TEMPLATE/new-object.yml``).

GitHub renders a submitted form as Markdown: one ``### <field label>`` heading per field, then the
value (``_No response_`` when left empty; a field with ``render: json`` inside a fenced block).
The form gives the issue the base label; the object id and the data are two of its fields. The
action's ``issues.opened`` run finds such an issue (the base label, no id label, a form body) and
turns it into an object the way ``create`` does: the id must be free (also from a rival created at
the same moment: the older issue wins, the newer is archived), the data a storable JSON object that
matches the schema, the opener a user who may write. It then writes the body in the store's
format, adds the id's label, records the creation comment and closes the issue. A form that cannot
become an object is refused with the reason, and the issue is left as it was, for its author to
edit. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .body import BodyMeta, IssueBody, body_fits, encode_body
from .config import StoreConfig
from .constants import ARCHIVED_LABEL
from .exceptions import InvalidUpdate, ObjectExistsError
from .json_text import JSONProblem, loads_strict
from .naming import label_names, object_label, same_label
from .needs import CreateComment, Flow, Listing, ListIssues, UpdateIssue
from .objects import is_live_object
from .schema import ObjectSchema
from .update_comment import encode_initial_state

__all__ = ["DATA_FIELD", "ID_FIELD", "adopt_form_flow", "form_fields", "parse_form"]

#: The labels of the form's two fields (the form's YAML uses the same words).
ID_FIELD = "Object id"
DATA_FIELD = "Data (JSON)"

_NO_RESPONSE = "_No response_"
_HEADING = re.compile(r"^### (?P<label>.+?)[ \t]*$", re.MULTILINE)
_FENCED = re.compile(
    r"\A(?P<fence>`{3,})[ \t]*(?:json)?[ \t]*\n(?P<inner>.*)\n(?P=fence)\Z", re.DOTALL
)


def form_fields(body: str | None) -> dict[str, str] | None:
    """The form's fields (label -> value) if ``body`` is this form's output, else None."""
    text = (body or "").replace("\r\n", "\n")
    headings = list(_HEADING.finditer(text))
    fields: dict[str, str] = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        label = heading.group("label")
        if label in fields:
            return None  # a field twice is not GitHub's rendering of a form
        fields[label] = text[heading.end() : end].strip()
    if ID_FIELD not in fields or DATA_FIELD not in fields:
        return None
    return fields


def parse_form(fields: Mapping[str, str], config: StoreConfig) -> tuple[str, dict[str, Any]]:
    """(object id, data) from the form's fields; ``InvalidUpdate`` (or ``InvalidObjectId``) says
    what is wrong."""
    object_id = fields[ID_FIELD].strip()
    if object_id in ("", _NO_RESPONSE):
        raise InvalidUpdate(f"the form's {ID_FIELD!r} field is empty")
    object_label(config, object_id)  # InvalidObjectId names the problem
    raw = fields[DATA_FIELD].strip()
    fenced = _FENCED.match(raw)
    text = fenced.group("inner") if fenced else raw
    if text.strip() in ("", _NO_RESPONSE):
        raise InvalidUpdate(f"the form's {DATA_FIELD!r} field is empty: give a JSON object")
    try:
        data = loads_strict(text)
    except JSONProblem as exc:
        raise InvalidUpdate(f"the form's {DATA_FIELD!r} field is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidUpdate(f"the form's {DATA_FIELD!r} field must be a JSON object")
    problem = body_fits(data)
    if problem is not None:
        raise InvalidUpdate(problem)
    return object_id, data


def adopt_form_flow(
    issue: Mapping[str, Any],
    fields: Mapping[str, str],
    config: StoreConfig,
    schema: ObjectSchema | None,
) -> Flow[Mapping[str, Any]]:
    """Make the form issue ``issue`` an object (see the module); returns the issue as closed.

    The opener's trust is the caller's check, made before this.
    """
    number = int(issue["number"])
    try:
        object_id, data = parse_form(fields, config)
        if schema is not None:
            schema.check(data)
    except InvalidUpdate as exc:
        raise InvalidUpdate(f"issue #{number} cannot become an object: {exc}") from None
    label = object_label(config, object_id)
    if (yield from _live(config, object_id)):
        raise ObjectExistsError(
            f"issue #{number} asks to create object {object_id!r}, which already exists"
        )
    labels = [n for n in label_names(issue.get("labels") or []) if not same_label(n, label)]
    body = encode_body(IssueBody(data=data, meta=BodyMeta()))
    adopted: Mapping[str, Any] = yield UpdateIssue(number, body=body, labels=(*labels, label))
    rivals = yield from _live(config, object_id)
    if any(int(rival["number"]) < number for rival in rivals):
        # Created meanwhile by someone else: the older issue wins, as between two creates.
        kept = [n for n in labels if not same_label(n, config.base_label)]
        yield UpdateIssue(
            number,
            labels=(*kept, label, ARCHIVED_LABEL),
            state="closed",
            state_reason="not_planned",
        )
        raise ObjectExistsError(
            f"object {object_id!r} was created by someone else while issue #{number} was being "
            "made an object; the issue was archived"
        )
    yield CreateComment(number, encode_initial_state(data))
    closed: Mapping[str, Any] = yield UpdateIssue(number, state="closed", state_reason="completed")
    return closed or adopted


def _live(config: StoreConfig, object_id: str) -> Flow[list[Mapping[str, Any]]]:
    listing: Listing = yield ListIssues((config.base_label, object_label(config, object_id)), "all")
    return [issue for issue in listing.items if is_live_object(issue, object_id, config)]
