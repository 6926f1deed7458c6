"""The port: the few operations gh-store needs from GitHub, on plain JSON values.

Both sides import this module: the driver (``gh_store.driver``), which performs the needs flows
yield, and the adapters that implement it (``rest.py`` over ghapi; ``graphql.py`` over GitHub's
GraphQL API, with ``rest.py`` for what GraphQL does not do better). Listings come back whole,
oldest first, each item once; ``Listing.complete`` says whether every page could be read
consistently. Errors are ``gh_store.core.exceptions``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from gh_store.core.needs import CommentVersion, Commit, Listing

__all__ = ["GitHubTransport"]


@runtime_checkable
class GitHubTransport(Protocol):
    """What the store, the processor and the action call; each returns GitHub's JSON."""

    repo: str  # owner/name
    owner: str
    api_url: str
    has_token: bool

    # Read-only: an adapter may count them itself or add up those of the adapters it wraps.
    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far, retries included."""

    @property
    def rate_remaining(self) -> int | None:
        """Requests left this hour, as GitHub last said (None: not yet)."""

    def get_issue(self, number: int, *, with_comments: bool = False) -> dict[str, Any]:
        """A 404 raises ``GitHubAPIError`` with ``status == 404``. ``with_comments``: the
        comments are listed next, so a transport may read them now (``GetIssue``)."""

    def list_issues(
        self, *, labels: Sequence[str], state: str = "all", since: str | None = None
    ) -> Listing:
        """Issues (pull requests too) carrying every one of ``labels``, oldest first."""

    def count_issues(self, *, labels: Sequence[str], state: str = "all") -> int:
        """How many issues (pull requests too) carry every one of ``labels``: one request."""

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> dict[str, Any]:
        """Creates it once, even when GitHub's answer is lost and the request is retried."""

    def update_issue(
        self,
        number: int,
        *,
        body: str | None = None,
        state: str | None = None,
        state_reason: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """One PATCH with only the fields given; returns the issue after it."""

    def list_comments(
        self, number: int, *, since: str | None = None, to_process: bool = False
    ) -> Listing:
        """Ascending by id; ``since`` filters on ``updated_at`` (inclusive). ``to_process``: see
        ``ListComments``."""

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        """Creates it once, even when GitHub's answer is lost and the request is retried."""

    def create_reaction(self, comment_id: int, content: str) -> bool:
        """True if created, False if this identity had already reacted so."""

    def commit(self, commit: Commit) -> dict[str, Any]:
        """One round's writes (see ``Commit``); returns the issue after them."""

    def store_reacted(self, comment_id: int, content: str) -> bool | None:
        """Whether this token placed the reaction; None if that would take a request."""

    def own_login(self) -> str | None:
        """This token's login (asked once); None when GitHub will not say (``OwnLogin``)."""

    def comment_edits(
        self, comment_ids: Sequence[int]
    ) -> Mapping[int, tuple[CommentVersion, ...]] | None:
        """Each comment's versions, newest first (``ListCommentEdits``); None: not readable."""

    def list_reactions(self, comment_id: int, *, content: str | None = None) -> Listing:
        """The comment's reactions (of ``content``), each with its ``user``."""

    def get_permission(self, login: str) -> str:
        """The user's level (none read triage write maintain admin) as
        ``core.trust.permission_from_answer`` reads GitHub's answer; unknown users: none."""

    def dispatch(self, event_type: str, client_payload: Mapping[str, Any]) -> None:
        """A ``repository_dispatch`` event."""

    def close(self) -> None:
        """Release connections."""
