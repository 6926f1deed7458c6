"""The GraphQL documents the store sends: one query shape for reading, one mutation per write.

Pure text. Every document here is validated against GitHub's published schema by the emulator
on every test run, so a misspelt field fails in the tests as it would on GitHub.

- ``ISSUE_QUERY``: an issue with its labels and its newest 100 comments (the prefetch that makes
  the next comment listing free when the pending comments fit);
- ``COMMENTS_QUERY``: 100 comments before a cursor (older ones), for a walk back in time;
- ``COMMENT_EDITS_QUERY``: the edit histories of up to 100 comments by node id, newest version
  first (``diff`` holds a version's whole text), and ``COMMENT_EDITS_PAGE`` for a longer one;
- :func:`mutation_document`: one request's mutations, aliased ``m0``, ``m1``, ... in order; the
  last one can also carry the newest 100 comments as they are after every mutation before it
  ran (GraphQL runs a request's mutations one after the other): the run's "last look".

Every comment carries what the planner reads and ``reactionGroups { viewerHasReacted }``: whether
the token's own identity already placed each reaction, which makes crash repair free.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .graphql_shapes import REACTION_ENUM

__all__ = [
    "COMMENTS_QUERY",
    "COMMENT_EDITS_PAGE",
    "COMMENT_EDITS_QUERY",
    "ISSUE_QUERY",
    "VIEWER_QUERY",
    "Mutation",
    "mutation_document",
    "undo_document",
]

PAGE = 100

# GraphQL refuses a document with an unused fragment: each document appends the ones it uses.
_COMMENT = """
fragment StoreComment on IssueComment {
  id databaseId body url createdAt updatedAt authorAssociation
  author { __typename login }
  reactionGroups { content viewerHasReacted reactors { totalCount } }
}"""
_ISSUE = """
fragment StoreIssue on Issue {
  id databaseId number title body state stateReason url createdAt updatedAt closedAt
  authorAssociation
  author { __typename login }
  labels(first: 100) { nodes { name } }
}"""
_WINDOW = f"""comments(last: {PAGE}) {{
      pageInfo {{ hasPreviousPage startCursor }}
      nodes {{ ...StoreComment }}
    }}"""

#: Who this token is: answered for an installation token too (``GET /user`` is not).
VIEWER_QUERY = "query StoreViewer { viewer { login } }"

ISSUE_QUERY = f"""query StoreIssue($owner: String!, $name: String!, $number: Int!) {{
  repository(owner: $owner, name: $name) {{
    issue(number: $number) {{
      ...StoreIssue
      {_WINDOW}
    }}
  }}
}}
{_ISSUE}{_COMMENT}"""

COMMENTS_QUERY = f"""query StoreComments(
  $owner: String!, $name: String!, $number: Int!, $before: String
) {{
  repository(owner: $owner, name: $name) {{
    issue(number: $number) {{
      comments(last: {PAGE}, before: $before) {{
        pageInfo {{ hasPreviousPage startCursor }}
        nodes {{ ...StoreComment }}
      }}
    }}
  }}
}}
{_COMMENT}"""


_EDITS = f"""userContentEdits(first: {PAGE}, after: $after) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ diff editedAt deletedAt }}
      }}"""

COMMENT_EDITS_QUERY = f"""query StoreCommentEdits($ids: [ID!]!, $after: String) {{
  nodes(ids: $ids) {{
    ... on IssueComment {{
      databaseId
      {_EDITS}
    }}
  }}
}}"""

COMMENT_EDITS_PAGE = f"""query StoreCommentEditsPage($id: ID!, $after: String) {{
  node(id: $id) {{
    ... on IssueComment {{
      databaseId
      {_EDITS}
    }}
  }}
}}"""


@dataclass(frozen=True)
class Mutation:
    """One write of a round: a mark (``subject`` a comment's node id) or the issue's update."""

    kind: str  # "repair", "write" or "mark"
    comment_id: int = 0
    content: str = ""
    subject: str = ""  # the node id the mutation acts on
    body: str | None = None
    state: str | None = None  # "open"/"closed"
    state_reason: str | None = None


def mutation_document(
    mutations: Sequence[Mutation], *, carry_window: bool
) -> tuple[str, dict[str, Any]]:
    """The request carrying ``mutations`` in order; ``carry_window``: the last one brings back
    the issue's newest comments. Returns the document and its variables."""
    fields: list[str] = []
    variables: dict[str, Any] = {}
    declarations: list[str] = []
    for index, mutation in enumerate(mutations):
        alias = f"m{index}"
        last = carry_window and index == len(mutations) - 1
        if mutation.kind == "write":
            fields.extend(_write(alias, mutation, last, variables, declarations))
        else:
            content = REACTION_ENUM[mutation.content]
            subject = json.dumps(mutation.subject)
            selection = "subject { id }"
            if last:
                selection = f"subject {{ id ... on IssueComment {{ issue {{ {_WINDOW} }} }} }}"
            fields.append(
                f"  {alias}: addReaction(input: {{subjectId: {subject}, content: {content}}}) "
                f"{{ {selection} }}"
            )
    header = "mutation StoreCommit" + (f"({', '.join(declarations)})" if declarations else "")
    fragments = [_ISSUE] if any(m.kind == "write" for m in mutations) else []
    if carry_window:
        fragments.append(_COMMENT)
    return "\n".join([header + " {", *fields, "}", *fragments]), variables


def _write(
    alias: str,
    mutation: Mutation,
    last: bool,
    variables: dict[str, Any],
    declarations: list[str],
) -> list[str]:
    """``updateIssue`` (body and state at once), or ``closeIssue`` for a reason other than
    ``completed`` (what closing with ``updateIssue`` records)."""
    subject = json.dumps(mutation.subject)
    selection = f"issue {{ ...StoreIssue {_WINDOW if last else ''} }}"
    inputs = [f"id: {subject}"]
    if mutation.body is not None:
        variables["body"] = mutation.body
        declarations.append("$body: String!")
        inputs.append("body: $body")
    reason = (mutation.state_reason or "completed").upper()
    close_with_reason = mutation.state == "closed" and reason != "COMPLETED"
    if mutation.state is not None and not close_with_reason:
        inputs.append(f"state: {mutation.state.upper()}")
    fields = []
    if mutation.body is not None or not close_with_reason:
        done = "issue { id }" if close_with_reason else selection
        fields.append(f"  {alias}: updateIssue(input: {{{', '.join(inputs)}}}) {{ {done} }}")
    if close_with_reason:
        fields.append(
            f"  {alias}c: closeIssue(input: {{issueId: {subject}, stateReason: {reason}}}) "
            f"{{ {selection} }}"
        )
    return fields


def undo_document(marks: Sequence[Mutation]) -> str:
    """Removes the token's own reactions ``marks`` placed (after a failure part way)."""
    fields = [
        f"  u{index}: removeReaction(input: {{subjectId: {json.dumps(mark.subject)}, "
        f"content: {REACTION_ENUM[mark.content]}}}) {{ subject {{ id }} }}"
        for index, mark in enumerate(marks)
    ]
    return "\n".join(["mutation StoreUndo {", *fields, "}"])
