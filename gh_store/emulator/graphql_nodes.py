"""The objects GraphQL queries read: the repository, issues, comments, labels, reactions, actors.

Owns :class:`Context` (one request: the state, the caller, the point bill), :class:`QueryRoot`
and the node classes the resolvers return. graphql-core's default resolver reads a field as an
attribute of these objects and calls it with the field's arguments when it is a method, so each
class lists its GraphQL fields as methods or attributes; ``typename`` answers interface and union
types (``Actor``, ``Reactable``). Ids are REST's ``node_id`` values (:func:`~.shapes.node_id`),
so REST and GraphQL name every object alike. Connections page by cursors that name an item's key
(a comment's id), so items deleted or added meanwhile shift nothing, as on GitHub.

What the store does not use is not modelled: a field this module lacks resolves to null (an
error for a non-null field), never to invented data. Callers hold the state's lock.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLError

from .exchange import Exchange
from .ratelimit import Bucket
from .records import Comment, CommentEdit, Issue, Label, Reaction, User
from .shapes import WEB, node_id, parse_node_id, timestamp
from .state import EmulatorState

__all__ = [
    "REACTION_ENUM",
    "ActorNode",
    "CommentNode",
    "Context",
    "IssueNode",
    "QueryRoot",
    "RepositoryNode",
    "github_error",
    "page",
]

#: GraphQL's ``ReactionContent`` for REST's contents, in the order GitHub lists reaction groups.
REACTION_ENUM = {
    "+1": "THUMBS_UP",
    "-1": "THUMBS_DOWN",
    "laugh": "LAUGH",
    "hooray": "HOORAY",
    "confused": "CONFUSED",
    "heart": "HEART",
    "rocket": "ROCKET",
    "eyes": "EYES",
}

T = TypeVar("T")


def github_error(kind: str, message: str) -> GraphQLError:
    """An error GitHub reports with a ``type`` (``NOT_FOUND``, ``FORBIDDEN``, ...)."""
    return GraphQLError(message, extensions={"type": kind})


@dataclass
class Context:
    """One GraphQL request: the state it reads, who asks, and its bill (for ``rateLimit``)."""

    state: EmulatorState
    exchange: Exchange
    viewer: User
    cost: int = 1
    nodes: int = 0
    bucket: Bucket | None = None


# --- connections ----------------------------------------------------------------------------------


def _cursor(key: int) -> str:
    return base64.b64encode(f"cursor:v2:{key}".encode()).decode()


def _key(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        return int(text.removeprefix("cursor:v2:"))
    except ValueError:
        raise github_error(
            "INVALID_CURSOR_ARGUMENTS", f"`{cursor}` does not appear to be a valid cursor."
        ) from None


def page(
    items: Sequence[T],
    key: Callable[[T], int],
    wrap: Callable[[T], Any],
    *,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    **unmodelled: Any,
) -> dict[str, Any]:
    """A connection over ``items`` (ordered by a ``key`` that grows), paged as Relay says:
    ``after``/``before`` cut the window, then ``first`` keeps its start and ``last`` its end."""
    given = {name: value for name, value in unmodelled.items() if value is not None}
    if given:
        raise github_error(
            "UNPROCESSABLE", f"the emulator does not model {', '.join(sorted(given))} here"
        )
    window = list(items)
    if after is not None:
        start = _key(after)
        window = [item for item in window if key(item) > start]
    if before is not None:
        end = _key(before)
        window = [item for item in window if key(item) < end]
    chosen = window
    if first is not None:
        chosen = chosen[:first]
    if last is not None:
        chosen = chosen[max(0, len(chosen) - last) :] if last else []
    keys = [key(item) for item in items]
    if chosen:
        low, high = key(chosen[0]), key(chosen[-1])
        previous, following = any(k < low for k in keys), any(k > high for k in keys)
    else:
        previous = following = False
    edges = [{"cursor": _cursor(key(item)), "node": wrap(item)} for item in chosen]
    return {
        "totalCount": len(items),
        "nodes": [edge["node"] for edge in edges],
        "edges": edges,
        "pageInfo": {
            "hasPreviousPage": previous,
            "hasNextPage": following,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


# --- the nodes ------------------------------------------------------------------------------------


class ActorNode:
    """A ``User`` or ``Bot``; a bot's login lacks REST's ``[bot]`` suffix, as on GitHub."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.typename = "Bot" if user.type == "Bot" else "User"
        self.login = user.login.removesuffix("[bot]") if user.type == "Bot" else user.login
        self.databaseId = user.id
        self.id = node_id("MDQ6VXNlcg" if user.type == "User" else "MDM6Qm90", user.id)
        path = f"/apps/{self.login}" if user.type == "Bot" else f"/{self.login}"
        self.resourcePath = path
        self.url = WEB + path

    def avatarUrl(self, _info: Any, size: int | None = None) -> str:
        suffix = f"&s={size}" if size else ""
        return f"https://avatars.githubusercontent.com/u/{self.user.id}?v=4{suffix}"


class _Reactable:
    """What issues and comments share: reaction groups."""

    reactions_of: list[Reaction]

    def __init__(self, context: Context) -> None:
        self.context = context

    def reactionGroups(self, _info: Any) -> list[dict[str, Any]]:
        viewer = self.context.viewer.login.lower()
        state = self.context.state
        groups = []
        for content, enum in REACTION_ENUM.items():
            chosen = [reaction for reaction in self.reactions_of if reaction.content == content]

            def reactors(
                _info: Any, chosen: list[Reaction] = chosen, **arguments: Any
            ) -> dict[str, Any]:
                return page(chosen, _reaction_key, lambda one: _reactor(state, one), **arguments)

            groups.append(
                {
                    "content": enum,
                    "createdAt": timestamp(chosen[0].created_at) if chosen else None,
                    "viewerHasReacted": any(r.user.lower() == viewer for r in chosen),
                    "reactors": reactors,
                    "users": reactors,
                    "subject": self,
                }
            )
        return groups

    def viewerCanReact(self, _info: Any) -> bool:
        return True


def _reaction_key(reaction: Reaction) -> int:
    return reaction.id


def _reactor(state: EmulatorState, reaction: Reaction) -> ActorNode:
    return ActorNode(state.user(reaction.user))


class CommentNode(_Reactable):
    typename = "IssueComment"

    def __init__(self, context: Context, comment: Comment) -> None:
        super().__init__(context)
        state = context.state
        self.comment = comment
        self.reactions_of = comment.reactions
        self.id = node_id("IC", comment.id)
        self.databaseId = comment.id
        self.body = comment.body
        self.author = ActorNode(state.user(comment.user))
        self.authorAssociation = state.author_association(comment.user)
        self.createdAt = timestamp(comment.created_at)
        self.updatedAt = timestamp(comment.updated_at)
        self.url = (
            f"{WEB}/{state.owner}/{state.name}/issues/{comment.issue_number}"
            f"#issuecomment-{comment.id}"
        )
        self.viewerDidAuthor = comment.user.lower() == context.viewer.login.lower()
        self.includesCreatedEdit = bool(comment.edits)
        self.lastEditedAt = timestamp(comment.edits[-1].edited_at) if comment.edits else None

    def issue(self, _info: Any) -> IssueNode:
        return IssueNode(self.context, self.context.state.issue(self.comment.issue_number))

    def userContentEdits(self, _info: Any, **arguments: Any) -> dict[str, Any]:
        """The comment's versions, newest first as on GitHub; ``diff`` is the whole text."""
        edits = self.comment.edits
        position = {edit.id: len(edits) - index for index, edit in enumerate(edits)}
        return page(
            list(reversed(edits)),
            lambda edit: position[edit.id],
            lambda edit: _edit_node(self.context.state, edit),
            **arguments,
        )


def _edit_node(state: EmulatorState, edit: CommentEdit) -> dict[str, Any]:
    deleter = ActorNode(state.user(edit.deleted_by)) if edit.deleted_by else None
    return {
        "id": node_id("UCE", edit.id),
        "diff": edit.body,
        "editedAt": timestamp(edit.edited_at),
        "createdAt": timestamp(edit.edited_at),
        "updatedAt": timestamp(edit.deleted_at or edit.edited_at),
        "deletedAt": timestamp(edit.deleted_at),
        "deletedBy": deleter,
        "editor": ActorNode(state.user(edit.editor)),
    }


class IssueNode(_Reactable):
    typename = "Issue"

    def __init__(self, context: Context, issue: Issue) -> None:
        super().__init__(context)
        state = context.state
        self.issue = issue
        self.reactions_of = issue.reactions
        self.id = node_id("I", issue.id)
        self.databaseId = issue.id
        self.number = issue.number
        self.title = issue.title
        self.body = issue.body or ""  # GraphQL's body is never null
        self.state = issue.state.upper()
        self.stateReason = issue.state_reason.upper() if issue.state_reason else None
        self.createdAt = timestamp(issue.created_at)
        self.updatedAt = timestamp(issue.updated_at)
        self.closedAt = timestamp(issue.closed_at)
        self.closed = issue.state == "closed"
        self.locked = issue.locked
        self.url = f"{WEB}/{state.owner}/{state.name}/issues/{issue.number}"
        self.author = ActorNode(state.user(issue.user))
        self.authorAssociation = state.author_association(issue.user)

    def labels(self, _info: Any, orderBy: Any = None, **arguments: Any) -> dict[str, Any]:
        order = orderBy or {"field": "CREATED_AT", "direction": "ASC"}  # GitHub's default
        labels = self.context.state.issue_labels(self.issue)
        if order.get("field") == "NAME":
            ordered = sorted(labels, key=lambda label: label.name.lower())
        else:  # CREATED_AT: labels are numbered as they are created
            ordered = sorted(labels, key=lambda label: label.id)
        if order.get("direction") == "DESC":
            ordered.reverse()
        position = {label.id: index for index, label in enumerate(ordered)}
        return page(ordered, lambda label: position[label.id], _label, **arguments)

    def comments(self, _info: Any, orderBy: Any = None, **arguments: Any) -> dict[str, Any]:
        context = self.context
        return page(
            context.state.comments_of(self.issue.number),
            lambda comment: comment.id,
            lambda comment: CommentNode(context, comment),
            orderBy=orderBy,
            **arguments,
        )


def _label(label: Label) -> dict[str, Any]:
    return {
        "id": node_id("LA", label.id),
        "name": label.name,
        "color": label.color,
        "description": label.description,
        "isDefault": label.default,
    }


class RepositoryNode:
    typename = "Repository"

    def __init__(self, context: Context) -> None:
        state = context.state
        self.context = context
        self.id = node_id("R", state.repo_id)
        self.databaseId = state.repo_id
        self.name = state.name
        self.nameWithOwner = f"{state.owner}/{state.name}"
        self.isPrivate = state.private
        self.url = f"{WEB}/{state.owner}/{state.name}"

    def issue(self, _info: Any, number: int) -> IssueNode:
        found = self.context.state.issues.get(number)
        if found is None or found.pull_request:
            raise github_error(
                "NOT_FOUND", f"Could not resolve to an Issue with the number of {number}."
            )
        return IssueNode(self.context, found)


class QueryRoot:
    def __init__(self, context: Context) -> None:
        self.context = context

    def repository(
        self, _info: Any, owner: str, name: str, followRenames: bool | None = None
    ) -> RepositoryNode:
        state = self.context.state
        same = owner.lower() == state.owner.lower() and name.lower() == state.name.lower()
        if not same or state.permission_of(self.context.viewer.login) == "none":
            # A private repository is hidden from whoever may not read it, as in REST.
            raise github_error(
                "NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'."
            )
        return RepositoryNode(self.context)

    def viewer(self, _info: Any) -> ActorNode:
        return ActorNode(self.context.viewer)

    def nodes(self, _info: Any, ids: list[str]) -> list[CommentNode | GraphQLError]:
        """Issue comments by id (the only kind modelled here). One that is gone is null in the
        list, with a ``NOT_FOUND`` error naming its id, as on GitHub."""
        if len(ids) > 100:
            raise github_error(
                "EXCESSIVE_PAGINATION",
                f"You may not request more than 100 node IDs; you requested {len(ids)}.",
            )
        return [self._comment(one) for one in ids]

    def node(self, _info: Any, **arguments: str) -> CommentNode:
        found = self._comment(arguments["id"])
        if isinstance(found, GraphQLError):
            raise found
        return found

    def _comment(self, global_id: str) -> CommentNode | GraphQLError:
        parsed = parse_node_id(global_id)
        state = self.context.state
        comment = state.comments.get(parsed[1]) if parsed and parsed[0] == "IC" else None
        if comment is None or state.permission_of(self.context.viewer.login) == "none":
            return github_error(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{global_id}'"
            )
        return CommentNode(self.context, comment)

    def rateLimit(self, _info: Any, dryRun: bool | None = None) -> dict[str, Any] | None:
        bucket = self.context.bucket
        if bucket is None:
            return None
        return {
            "cost": self.context.cost,
            "limit": bucket.limit,
            "nodeCount": self.context.nodes,
            "remaining": bucket.remaining,
            "resetAt": timestamp(bucket.reset),
            "used": bucket.used,
        }
