"""One round's writes over GraphQL: few requests, and every partial outcome a crash could leave.

Owns :class:`CommitSender`. A ``Commit`` (``core/needs.py``) is a sequence: the previous run's
marks (repairs), the one write of body and state, this round's marks. Over GraphQL the sequence
goes out in requests of up to ``chunk`` mutations, which GitHub runs one after the other, at least
``min_write_interval`` apart (the client paces them); the request that holds the last mutation
also brings back the issue's newest comments, the run's last look. A secondary-limit answer
halves the chunk before the request is sent again.

Mutations in one request are not atomic: each may fail alone while the ones after it still run.
A crash between REST requests leaves a prefix of the sequence done; so must every failure here:

* when a mutation fails, the marks after it in the same request that landed are removed again
  (unless the token's identity had placed them before the run read the comments), then the
  error is raised as a crash would be: the next run repairs what is missing, as it does after a
  crash (``core/marks.py``);
* the write never shares a request with a repair before it: a repair that failed while the
  write landed could not be undone (the write drops the owed marks from the metadata);
* a mark whose comment was deleted meanwhile (``NOT_FOUND``) is passed over, as over REST.

Two cases are not a prefix. When removing the landed marks fails too, the error is still raised
and the log says which marks stayed; the next run decides those comments again. And a reaction
belongs to an identity, not to a run: if a run overlapping this one, with the same token, placed
the same mark after this run read the comments and before its request, the removal takes that
mark away too (its body records it; only its newest recorded mark is checked by later runs).
Both need a mutation to fail alone, which GitHub's answers make rare.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gh_store.core.exceptions import AuthError, GitHubAPIError, InvalidUpdate

from .graphql_client import GraphQLAnswer, GraphQLClient
from .graphql_documents import Mutation, mutation_document, undo_document
from .policy import lacking_permission

__all__ = ["CommitOutcome", "CommitSender"]

log = logging.getLogger("gh_store.transport")


@dataclass(frozen=True)
class CommitOutcome:
    """The issue after the write (None without one) and the newest comments after the last
    mutation (None when its answer could not carry them)."""

    issue: Mapping[str, Any] | None
    window: Mapping[str, Any] | None


class CommitSender:
    """Sends one commit's mutations over ``client``; ``placed_before(comment_id, content)``
    says whether the token's identity had placed that reaction when the comments were read."""

    def __init__(
        self,
        client: GraphQLClient,
        *,
        chunk: int,
        number: int,
        repo: str,
        placed_before: Callable[[int, str], bool],
    ) -> None:
        self._client = client
        self._chunk = max(1, chunk)
        self._number = number
        self._repo = repo
        self._placed_before = placed_before

    def send(self, mutations: Sequence[Mutation]) -> CommitOutcome:
        issue: Mapping[str, Any] | None = None
        window: Mapping[str, Any] | None = None
        write_at = next((i for i, m in enumerate(mutations) if m.kind == "write"), None)
        position = 0
        while position < len(mutations):
            end = position

            def build(start: int = position) -> tuple[str, Mapping[str, Any]]:
                nonlocal end
                end = min(start + self._chunk, len(mutations))
                if write_at is not None and start < write_at:
                    end = min(end, write_at)  # repairs go before the write, never with it
                carry = end == len(mutations)
                return mutation_document(mutations[start:end], carry_window=carry)

            answer = self._client.send(build, write=True, on_limited=self._halve)
            sent = mutations[position:end]
            self._check(answer, sent)
            for index, mutation in enumerate(sent):
                payload = _payload(answer, index)
                if mutation.kind == "write" and payload is not None:
                    issue = payload.get("issue")
            if end == len(mutations):
                window = _window(_payload(answer, len(sent) - 1), sent[-1])
            position = end
        return CommitOutcome(issue, window)

    def _halve(self) -> None:
        self._chunk = max(1, self._chunk // 2)
        log.warning("GraphQL: a secondary rate limit; %d mutations per request now", self._chunk)

    def _check(self, answer: GraphQLAnswer, sent: Sequence[Mutation]) -> None:
        """Raise as a crash would at the first failed mutation, undoing later landed marks."""
        failed: tuple[int, Mapping[str, Any]] | None = None
        landed: list[Mutation] = []
        for index, mutation in enumerate(sent):
            error = answer.error_at(f"m{index}") or answer.error_at(f"m{index}c")
            ok = error is None and _payload(answer, index) is not None
            if failed is None:
                if ok:
                    continue
                if mutation.kind != "write" and error and error.get("type") == "NOT_FOUND":
                    continue  # the comment was deleted after it was decided: nothing to mark
                failed = (index, error or {"message": "no answer for this mutation"})
            elif ok and mutation.kind != "write":
                landed.append(mutation)
        if failed is None:
            return
        index, error = failed
        undo = [m for m in landed if not self._placed_before(m.comment_id, m.content)]
        if undo:
            self._undo(undo)
        raise self._error(sent[index], error)

    def _undo(self, marks: Sequence[Mutation]) -> None:
        document = undo_document(marks)
        try:
            answer = self._client.send(lambda: (document, {}), write=True)
        except GitHubAPIError as exc:
            log.error(
                "issue #%d: marks placed after a failed write could not be removed (%s): %s",
                self._number,
                exc,
                ", ".join(f"{m.content} on {m.comment_id}" for m in marks),
            )
            return
        if answer.errors:
            log.error(
                "issue #%d: removing marks placed after a failed write: %s",
                self._number,
                "; ".join(str(e.get("message")) for e in answer.errors),
            )

    def _error(self, mutation: Mutation, error: Mapping[str, Any]) -> Exception:
        kind = str(error.get("type") or "")
        message = str(error.get("message") or "no message")
        what = (
            f"writing issue #{self._number}"
            if mutation.kind == "write"
            else f"placing {mutation.content} on comment {mutation.comment_id}"
        )
        text = f"GitHub's GraphQL API failed {what} ({kind or 'error'}: {message})"
        if kind == "FORBIDDEN":
            lacks = lacking_permission(
                "write issues", "issues: write", self._repo, self._client.audience
            )
            return AuthError(
                f"{text}: {lacks}",
                status=403,
                method="POST",
                path="/graphql",
                github_message=message,
            )
        if kind == "UNPROCESSABLE" and "too long" in message:
            return InvalidUpdate(f"{text} (POST /graphql)")
        status = 404 if kind == "NOT_FOUND" else 0
        return GitHubAPIError(
            text, status=status, method="POST", path="/graphql", github_message=message
        )


def _payload(answer: GraphQLAnswer, index: int) -> Mapping[str, Any] | None:
    """The answer of the ``index``-th mutation (of its last field, for a close with a reason)."""
    for key in (f"m{index}c", f"m{index}"):
        value = answer.data.get(key)
        if isinstance(value, dict):
            return value
    return None


def _window(payload: Mapping[str, Any] | None, mutation: Mutation) -> Mapping[str, Any] | None:
    if payload is None:
        return None
    if mutation.kind == "write":
        issue = payload.get("issue") or {}
    else:
        issue = (payload.get("subject") or {}).get("issue") or {}
    comments = issue.get("comments")
    return comments if isinstance(comments, dict) else None
