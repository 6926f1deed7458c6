"""GraphQL's answers in the shapes the core reads: REST's issue and comment JSON, and back.

Pure. The core was written against REST's JSON, so the GraphQL adapter hands it the same fields:
an issue's ``number``, ``state`` (``open``/``closed``), ``state_reason``, ``body`` (None when
empty, as REST gives it), ``labels`` (``[{name}]``), ``user`` (``{login, type}``), ``html_url``,
``created_at``, ``updated_at``; a comment's ``id`` (GraphQL's ``databaseId``: REST's ids), ``body``,
``user``, ``html_url``, ``created_at``, ``updated_at`` and the ``reactions`` rollup
(``{"+1": n, ...}``). Two differences need care: a bot's GraphQL login lacks REST's ``[bot]``
suffix (``github-actions``, not ``github-actions[bot]``), and a deleted account is no author at
all (REST names it ``ghost``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "CONTENTS",
    "REACTION_ENUM",
    "comment_from_node",
    "issue_from_node",
    "user_from_actor",
    "viewer_reactions",
]

#: GraphQL's ``ReactionContent`` for each REST reaction content.
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
#: REST's content for each GraphQL ``ReactionContent``.
CONTENTS = {enum: content for content, enum in REACTION_ENUM.items()}


def user_from_actor(actor: Mapping[str, Any] | None) -> dict[str, Any]:
    """REST's ``user`` for a GraphQL ``Actor`` (``{__typename, login}``)."""
    if not actor:
        return {"login": "ghost", "type": "User"}
    login = str(actor.get("login") or "ghost")
    if actor.get("__typename") == "Bot":
        return {"login": f"{login}[bot]", "type": "Bot"}
    return {"login": login, "type": "User"}


def issue_from_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """REST's issue JSON (the fields the store reads) for a GraphQL ``Issue``."""
    labels = (node.get("labels") or {}).get("nodes") or []
    reason = node.get("stateReason")
    return {
        "id": node.get("databaseId"),
        "node_id": node.get("id"),
        "number": node.get("number"),
        "title": node.get("title"),
        "body": node.get("body") or None,
        "state": str(node.get("state") or "").lower(),
        "state_reason": str(reason).lower() if reason else None,
        "labels": [{"name": label.get("name")} for label in labels if label],
        "user": user_from_actor(node.get("author")),
        "author_association": node.get("authorAssociation"),
        "html_url": node.get("url"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "closed_at": node.get("closedAt"),
    }


def comment_from_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """REST's comment JSON (the fields the store reads) for a GraphQL ``IssueComment``."""
    rollup: dict[str, Any] = {"total_count": 0}
    for group in node.get("reactionGroups") or []:
        content = CONTENTS.get(str(group.get("content")))
        if content is None:
            continue
        count = int((group.get("reactors") or {}).get("totalCount") or 0)
        rollup[content] = count
        rollup["total_count"] += count
    return {
        "id": node.get("databaseId"),
        "node_id": node.get("id"),
        "body": node.get("body"),
        "user": user_from_actor(node.get("author")),
        "author_association": node.get("authorAssociation"),
        "html_url": node.get("url"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "reactions": rollup,
    }


def viewer_reactions(node: Mapping[str, Any]) -> frozenset[str]:
    """The REST contents the token's own identity has reacted with on ``node``."""
    return frozenset(
        CONTENTS[str(group.get("content"))]
        for group in node.get("reactionGroups") or []
        if group.get("viewerHasReacted") and str(group.get("content")) in CONTENTS
    )
