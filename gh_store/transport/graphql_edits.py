"""Comments' edit histories over GraphQL (``IssueComment.userContentEdits``), for the history read.

GitHub keeps every version of an edited comment: the text as created, then the whole text after
each edit (each ``UserContentEdit``'s ``diff``), newest first; a version deleted from the history
keeps its times and loses its text (``diff`` null, ``deletedAt`` set). REST has none of it. One
query reads the histories of up to 100 comments (``nodes``); a history longer than a page is
followed by its cursor, up to ``MAX_PAGES`` pages a comment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gh_store.core.needs import CommentVersion

from .graphql_client import GraphQLClient
from .graphql_documents import COMMENT_EDITS_PAGE, COMMENT_EDITS_QUERY

__all__ = ["MAX_PAGES", "read_comment_edits"]

MAX_PAGES = 20  # 2,000 versions of one comment: past that, its history is not taken as whole
_IDS_PER_QUERY = 100  # GitHub's limit on nodes(ids:)


def read_comment_edits(
    client: GraphQLClient, node_ids: Sequence[str]
) -> dict[int, tuple[CommentVersion, ...]]:
    """Comment id -> its versions, newest first, for each comment GitHub still has and whose
    history could be read whole (a missing one is left out: its applied text is not known)."""
    found: dict[int, tuple[CommentVersion, ...]] = {}
    for start in range(0, len(node_ids), _IDS_PER_QUERY):
        chunk = list(node_ids[start : start + _IDS_PER_QUERY])
        answer = client.send(_payload(COMMENT_EDITS_QUERY, {"ids": chunk}))
        nodes = answer.data.get("nodes") or []
        for node_id, node in zip(chunk, nodes, strict=False):
            if not isinstance(node, Mapping) or node.get("databaseId") is None:
                continue  # deleted meanwhile (null, with a NOT_FOUND error)
            versions = _versions(client, node_id, node)
            if versions is not None:
                found[int(node["databaseId"])] = versions
    return found


def _payload(document: str, variables: dict[str, Any]) -> Callable[[], tuple[str, dict[str, Any]]]:
    return lambda: (document, variables)


def _versions(
    client: GraphQLClient, node_id: str, node: Mapping[str, Any]
) -> tuple[CommentVersion, ...] | None:
    versions: list[CommentVersion] = []
    for _ in range(MAX_PAGES):
        connection = node.get("userContentEdits")
        if not isinstance(connection, Mapping):
            return None
        for edit in connection.get("nodes") or []:
            if isinstance(edit, Mapping):
                text = edit.get("diff")
                versions.append(
                    CommentVersion(
                        text if isinstance(text, str) and not edit.get("deletedAt") else None,
                        str(edit.get("editedAt") or ""),
                    )
                )
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return tuple(versions)
        variables = {"id": node_id, "after": info.get("endCursor")}
        answer = client.send(_payload(COMMENT_EDITS_PAGE, variables))
        following = answer.data.get("node")
        if not isinstance(following, Mapping):
            return None
        node = following
    return None
