"""The one driver: performs the needs that flows yield (``core/needs.py``) over a transport.

Every decision that needs GitHub's answers is a flow in the pure core; this module is the only
place that turns a need into a call of the transport port. An error the call raises is thrown into
the flow at the point of its need, so the flow handles it as if it had made the call itself.
``drive`` runs a flow to its end; ``Stepper`` performs one need at a time, so several flows
(clients, overlapping runs) can be interleaved in an exact order (the race and torture tests do).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from .core.needs import (
    AddReaction,
    Commit,
    CountIssues,
    CreateComment,
    CreateIssue,
    Dispatch,
    Flow,
    GetIssue,
    GetPermission,
    ListCommentEdits,
    ListComments,
    ListIssues,
    ListReactions,
    Need,
    OwnLogin,
    StoreReacted,
    UpdateIssue,
    run_flow,
)
from .transport.port import GitHubTransport

__all__ = ["Stepper", "drive", "perform"]

T = TypeVar("T")


def perform(need: Need, transport: GitHubTransport) -> Any:
    """Answer one need with one call of the port."""
    match need:
        case GetIssue(number, with_comments):
            return transport.get_issue(number, with_comments=with_comments)
        case ListIssues(labels, state, since):
            return transport.list_issues(labels=labels, state=state, since=since)
        case CountIssues(labels, state):
            return transport.count_issues(labels=labels, state=state)
        case ListComments(number, since, to_process):
            return transport.list_comments(number, since=since, to_process=to_process)
        case GetPermission(login):
            return transport.get_permission(login)
        case ListCommentEdits(comment_ids):
            return transport.comment_edits(comment_ids)
        case ListReactions(comment_id, content):
            return transport.list_reactions(comment_id, content=content)
        case CreateIssue(title, body, labels):
            return transport.create_issue(title=title, body=body, labels=labels)
        case UpdateIssue():
            return transport.update_issue(need.number, **need.fields)
        case CreateComment(number, body):
            return transport.create_comment(number, body)
        case AddReaction(comment_id, content):
            return transport.create_reaction(comment_id, content)
        case Commit():
            return transport.commit(need)
        case StoreReacted(comment_id, content):
            return transport.store_reacted(comment_id, content)
        case OwnLogin():
            return transport.own_login()
        case Dispatch(event_type, client_payload):
            transport.dispatch(event_type, client_payload)
            return None
    raise TypeError(f"not a need: {need!r}")  # pragma: no cover


def drive(flow: Flow[T], transport: GitHubTransport) -> T:
    """Run ``flow`` to its end against ``transport``; return its result."""
    return run_flow(flow, lambda need: perform(need, transport))


class Stepper(Generic[T]):
    """One flow over one transport, advanced a need at a time.

    ``need`` is the request it waits for; once ``done``, ``result`` holds what the flow returned
    or ``error`` what it raised.
    """

    def __init__(self, flow: Flow[T], transport: GitHubTransport) -> None:
        self._flow = flow
        self._transport = transport
        self.need: Need | None = None
        self.done = False
        self.result: T | None = None
        self.error: Exception | None = None
        self._advance(None, None)

    def step(self) -> Need:
        """Perform the pending need and hand its answer (or error) to the flow."""
        if self.done or self.need is None:
            raise RuntimeError("the flow has ended")
        need = self.need
        try:
            answer = perform(need, self._transport)
        except Exception as exc:
            self._advance(None, exc)
        else:
            self._advance(answer, None)
        return need

    def run(self) -> T | None:
        """Step to the end; the result (None if the flow raised: see ``error``)."""
        while not self.done:
            self.step()
        return self.result

    def _advance(self, answer: Any, error: Exception | None) -> None:
        try:
            if error is not None:
                self.need = self._flow.throw(error)
            elif self.need is None:
                self.need = next(self._flow)
            else:
                self.need = self._flow.send(answer)
        except StopIteration as stop:
            self.done, self.need, self.result = True, None, stop.value
        except Exception as exc:
            self.done, self.need, self.error = True, None, exc
