"""Which issue an event asks the action to process, or why it asks for nothing. Pure.

Everything here is decided from the event payload alone, before any request: a comment on a pull
request, a deleted comment or an issue without the store's base label (compared as GitHub compares
labels, without regard to case) ends the run at once. The reasons may quote the payload: the
caller prints them inside a stop-commands block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gh_store.core.constants import DEFAULT_BASE_LABEL, DISPATCH_EVENT
from gh_store.core.naming import has_label

from .inputs import InputError, parse_issue_number

__all__ = ["EventDecision", "decide_event"]

_COMMENT_ACTIONS = ("created", "edited")
_ISSUE_ACTIONS = ("opened", "reopened", "edited", "labeled")


@dataclass(frozen=True)
class EventDecision:
    """An issue to process, every open object (a catch-up run), or why there is nothing to do."""

    issue_number: int | None
    skip_reason: str | None = None
    catch_up: bool = False

    @property
    def is_noop(self) -> bool:
        return self.issue_number is None and not self.catch_up


def decide_event(
    event_name: str,
    payload: Mapping[str, Any],
    *,
    issue_number_input: int | None = None,
    base_label: str = DEFAULT_BASE_LABEL,
) -> EventDecision:
    """The issue to process for this event, a catch-up run, or why nothing is to be done.

    ``InputError`` if a dispatch names an issue that is no issue number.
    """
    action = payload.get("action")
    if event_name == "issue_comment":
        if action not in _COMMENT_ACTIONS:
            return _skip(f"a comment was {action or 'changed'}; only new or edited comments count")
        issue = _mapping(payload.get("issue"))
        if issue.get("pull_request"):
            return _skip("the comment is on a pull request, not on an issue")
        return _from_issue(issue, base_label)
    if event_name == "issues":
        if action not in _ISSUE_ACTIONS:
            return _skip(f"issue events of type {action!r} do not change objects")
        return _from_issue(_mapping(payload.get("issue")), base_label)
    if event_name in ("workflow_dispatch", "schedule"):
        inputs = _mapping(payload.get("inputs"))
        number = issue_number_input or _first_number(inputs, "issue-number", "issue_number")
        return _issue_or_catch_up(number)
    if event_name == "repository_dispatch":
        if action != DISPATCH_EVENT:
            return _skip(f"repository_dispatch of type {action!r}, not {DISPATCH_EVENT!r}")
        client_payload = _mapping(payload.get("client_payload"))
        number = issue_number_input or _first_number(client_payload, "issue_number")
        return _issue_or_catch_up(number)
    return _skip(f"the {event_name!r} event is not one that gh-store handles")


def _from_issue(issue: Mapping[str, Any], base_label: str) -> EventDecision:
    number = parse_issue_number(issue.get("number"))
    if number is None:
        return _skip("the event carries no issue number")
    if not has_label(issue, base_label):
        return _skip(f"issue #{number} lacks the {base_label!r} label: it holds no stored object")
    return EventDecision(number)


def _issue_or_catch_up(number: int | None) -> EventDecision:
    # Without an issue: every open object, each as its own run would (comments posted with a
    # workflow's GITHUB_TOKEN start no workflow; a scheduled catch-up run applies them).
    return EventDecision(number) if number is not None else EventDecision(None, catch_up=True)


def _first_number(source: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        given = source.get(key)
        if given in (None, ""):
            continue
        number = parse_issue_number(given)
        if number is None:
            # Not quoted: the payload is someone else's text, and this message is a command.
            raise InputError(
                [f"`{key}` must be a positive whole number (the event gave {_kind(given)})"]
            )
        return number
    return None


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number out of range" if value > 0 else "a number below 1"
    return f"a {type(value).__name__}"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _skip(reason: str) -> EventDecision:
    return EventDecision(None, reason)
