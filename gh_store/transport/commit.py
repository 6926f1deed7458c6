"""One round's writes in order, over the port's single operations (what REST does for ``Commit``).

The order is what keeps a crash repairable (``core/needs.py``, ``Commit``): the previous run's
marks, then the one write of body and state, then this round's marks. A mark on a comment deleted
since it was decided is passed over (404); any other failure raises, as a crash would.
"""

from __future__ import annotations

from typing import Any, Protocol

from gh_store.core.exceptions import GitHubAPIError
from gh_store.core.needs import Commit

__all__ = ["commit_in_order"]


class _Writer(Protocol):
    def update_issue(
        self,
        number: int,
        *,
        body: str | None = None,
        state: str | None = None,
        state_reason: str | None = None,
    ) -> dict[str, Any]: ...

    def create_reaction(self, comment_id: int, content: str) -> bool: ...


def commit_in_order(writer: _Writer, commit: Commit) -> dict[str, Any]:
    """Perform ``commit`` one request at a time; the issue after the write ({} if none)."""
    for comment_id, content in commit.repair:
        _mark(writer, comment_id, content)
    if commit.body is not None or commit.state is not None:
        issue = writer.update_issue(
            commit.number, body=commit.body, state=commit.state, state_reason=commit.state_reason
        )
    else:
        issue = {}
    for comment_id, content in commit.marks:
        _mark(writer, comment_id, content)
    return issue


def _mark(writer: _Writer, comment_id: int, content: str) -> None:
    try:
        writer.create_reaction(comment_id, content)
    except GitHubAPIError as exc:
        if exc.status != 404:
            raise
        # The comment was deleted after it was decided: nothing left to mark.
