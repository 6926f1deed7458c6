"""The GraphQL adapter of the port: ``GraphQLTransport``, for what GraphQL does in fewer requests.

A second adapter behind the same port, not a second processor: the core's flows run unchanged.
It answers four operations itself and hands every other one to an inner REST transport
(``GhApiTransport``), whose budget is separate:

* ``get_issue``: one query for the issue and its newest 100 comments. Those are kept (one issue
  at a time) for the next ``list_comments`` of that issue, which then costs nothing when the
  comments it needs are among them;
* ``list_comments``: walks back from the newest comment, 100 a query, until it reaches a comment
  created before ``since`` (or the first one). The comments a run needs, those after its
  watermark and the one that carries the previous run's newest mark, were all created at or
  after ``since``; an older comment edited since (REST's ``since`` lists it) is never one of
  them, so it is not looked for. Cursors name comments, so comments deleted or added while the
  walk goes on shift nothing: every listing is complete;
* ``store_reacted``: free, from ``reactionGroups.viewerHasReacted`` of the comments read;
* ``commit``: one round's writes, many mutations a request (``graphql_commit.py``), whose last
  answer carries the newest comments again: the run's last look costs nothing either.

With ``fallback`` (``store.api: auto``) an API that turns out to have no GraphQL endpoint (GitHub
Enterprise Server without it, the emulator without graphql-core) is used over REST alone.

Listing issues stays on REST: GraphQL saves nothing there (one request per 100 issues either
way) and its ``labels`` filter matches any of the labels, not all. Role look-ups stay on REST:
``GET .../collaborators/{user}/permission`` needs only metadata access, GraphQL's collaborators
field needs push access. Comments are posted over REST (its lost-answer recovery).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2

from gh_store.core.config import GraphQLConfig, RateLimitConfig, RetryConfig
from gh_store.core.exceptions import AuthError, ConfigurationError, GitHubAPIError
from gh_store.core.needs import CommentVersion, Commit, Listing

from .app_auth import auth_for
from .cache import ResponseCache
from .credentials import GitHubApp, check_token
from .graphql_client import GraphQLAnswer, GraphQLClient, GraphQLUnavailable, graphql_url
from .graphql_commit import CommitSender
from .graphql_documents import COMMENTS_QUERY, ISSUE_QUERY, VIEWER_QUERY, Mutation
from .graphql_edits import read_comment_edits
from .graphql_shapes import comment_from_node, issue_from_node, viewer_reactions
from .rest import GhApiTransport

__all__ = ["DEFAULT_MUTATIONS_PER_REQUEST", "GraphQLTransport"]

log = logging.getLogger("gh_store.transport")

#: ``store.graphql.mutations_per_request``'s default.
DEFAULT_MUTATIONS_PER_REQUEST = GraphQLConfig().mutations_per_request
_MAX_PAGES = 1000


@dataclass(frozen=True)
class _Page:
    """Comments read at one moment, oldest first, and whether older ones exist."""

    comments: tuple[dict[str, Any], ...]
    has_previous: bool
    start_cursor: str | None


class GraphQLTransport:
    """The port over GitHub's GraphQL API, and over REST (``GhApiTransport``) for the rest.

    Built like ``GhApiTransport`` (the same arguments, passed to its inner REST transport too);
    GraphQL needs a token. ``url`` is the GraphQL endpoint (default: beside ``api_url``);
    ``mutations_per_request`` the starting chunk of a commit; ``fallback``: use REST alone when
    the API has no GraphQL endpoint (else that is an error).
    """

    def __init__(
        self,
        repo: str,
        token: str | GitHubApp | None,
        *,
        api_url: str | None = None,
        url: str | None = None,
        mutations_per_request: int = DEFAULT_MUTATIONS_PER_REQUEST,
        retries: RetryConfig = RetryConfig(),  # noqa: B008 - frozen, so a shared default is safe
        rate_limit: RateLimitConfig = RateLimitConfig(),  # noqa: B008
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        http_transport: httpx2.BaseTransport | None = None,
        fallback: bool = False,
        cache: ResponseCache | bool = True,  # for the REST reads (transport/cache.py)
        audience: str = "library",  # who reads the errors' advice (policy.AUDIENCES)
    ) -> None:
        checked = token if isinstance(token, GitHubApp) else check_token(token)
        if checked is None:
            raise ConfigurationError(
                "GitHub's GraphQL API needs a token: pass one, or set store.api to rest"
            )
        self._rest = GhApiTransport(
            repo,
            checked,
            api_url=api_url,
            retries=retries,
            rate_limit=rate_limit,
            timeout=timeout,
            http_transport=http_transport,
            sleep=sleep,
            clock=clock,
            wall_clock=wall_clock,
            cache=cache,
            audience=audience,
        )
        self.repo = self._rest.repo
        self.owner = self._rest.owner
        self.api_url = self._rest.api_url
        self.has_token = True
        self._name = self.repo.split("/", 1)[1]
        self._chunk = max(1, mutations_per_request)
        self._fallback = fallback
        self._rest_only = False  # the API turned out to have no GraphQL endpoint
        self._client = GraphQLClient(
            url or graphql_url(self.api_url),
            None if isinstance(checked, GitHubApp) else checked,
            auth=auth_for(checked, self.api_url, self.repo),
            repo=self.repo,
            retries=retries,
            rate_limit=rate_limit,
            timeout=timeout,
            http_transport=http_transport,
            sleep=sleep,
            clock=clock,
            wall_clock=wall_clock,
            audience=audience,
        )
        self._window: tuple[int, _Page] | None = None  # the newest comments of one issue
        self._issue_ids: dict[int, str] = {}  # issue number -> node id
        self._comment_ids: dict[int, str] = {}  # comment id -> node id
        self._reacted: dict[int, frozenset[str]] = {}  # comment id -> this token's reactions
        self._own_login: tuple[str | None] | None = None  # asked once

    @property
    def requests_made(self) -> int:
        return self._rest.requests_made + self._client.requests_made

    @property
    def rate_remaining(self) -> int | None:
        """The smaller of what REST's and GraphQL's budgets have left (None: neither known)."""
        budgets = (self._rest.rate_remaining, self._client.rate_remaining)
        known = [left for left in budgets if left is not None]
        return min(known) if known else None

    @property
    def points_remaining(self) -> int | None:
        """GraphQL points left this hour, as GitHub last said."""
        return self._client.rate_remaining

    def close(self) -> None:
        self._client.close()
        self._rest.close()

    def __enter__(self) -> GraphQLTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraphQLTransport({self.repo!r}, url={self._client.url!r})"

    # --- what GraphQL does better --------------------------------------------------------------

    def get_issue(self, number: int, *, with_comments: bool = False) -> dict[str, Any]:
        if self._rest_only or not with_comments:
            # A client's read: REST's conditional request costs nothing when nothing changed,
            # where a GraphQL query always costs a point.
            self._window = None
            issue = self._rest.get_issue(number)
            self._learn_rest_ids(issues=[issue])
            return issue
        variables = {"owner": self.owner, "name": self._name, "number": int(number)}
        try:
            answer = self._client.send(lambda: (ISSUE_QUERY, variables))
        except GraphQLUnavailable as missing:
            self._without_graphql(missing)
            return self._rest.get_issue(number)
        try:
            node = self._issue_node(answer, number)
        except AuthError:
            raise
        except GitHubAPIError as exc:
            if exc.status != 404:
                raise
            # GraphQL's `issue` is null for a pull request's number too; REST says which it is
            # (a pull request the run then names as such), or answers 404 itself.
            return self._rest.get_issue(number)
        issue = issue_from_node(node)
        self._issue_ids[int(number)] = str(node["id"])
        self._window = (int(number), self._page_of(node.get("comments")))
        return issue

    def list_comments(
        self, number: int, *, since: str | None = None, to_process: bool = False
    ) -> Listing:
        window, self._window = self._window, None
        if self._rest_only or not to_process:
            # A client's read (its history, or a poll): REST's conditional requests make reading
            # again what has not changed free, where a GraphQL query always costs a point.
            listing = self._rest.list_comments(number, since=since)
            self._learn_rest_ids(comments=listing.items)
            return listing
        try:
            page = window[1] if window is not None and window[0] == number else self._page(number)
        except GraphQLUnavailable as missing:
            self._without_graphql(missing)
            return self._rest.list_comments(number, since=since)
        found: dict[int, dict[str, Any]] = {}
        reached = _moment(since) if since is not None else None
        for _ in range(_MAX_PAGES):
            for comment in page.comments:
                found[int(comment["id"])] = comment
            oldest = page.comments[0] if page.comments else None
            if oldest is None or not page.has_previous:
                break
            if reached is not None and _moment(str(oldest["created_at"])) < reached:
                break  # every comment created at or after `since` has been read
            page = self._page(number, page.start_cursor)
        else:
            items = tuple(found[key] for key in sorted(found))
            return Listing(_since(items, reached), complete=False)
        return Listing(_since(tuple(found[key] for key in sorted(found)), reached))

    def store_reacted(self, comment_id: int, content: str) -> bool | None:
        if self._rest_only:
            return None
        placed = self._reacted.get(int(comment_id))
        return None if placed is None else content in placed

    def own_login(self) -> str | None:
        """GraphQL's ``viewer``: unlike REST's ``GET /user`` it answers an installation token."""
        if self._own_login is None:
            login: str | None = None
            if self._rest_only:
                login = self._rest.own_login()
            else:
                try:
                    answer = self._client.send(lambda: (VIEWER_QUERY, {}))
                except GraphQLUnavailable as missing:
                    self._without_graphql(missing)
                    login = self._rest.own_login()
                else:
                    viewer = answer.data.get("viewer")
                    name = viewer.get("login") if isinstance(viewer, dict) else None
                    login = str(name) if name else self._rest.own_login()
            self._own_login = (login,)
        return self._own_login[0]

    def commit(self, commit: Commit) -> dict[str, Any]:
        self._window = None
        if self._rest_only:
            return self._rest.commit(commit)
        number = int(commit.number)
        wanted = [cid for cid, _ in (*commit.repair, *commit.marks)]
        if number not in self._issue_ids or any(c not in self._comment_ids for c in wanted):
            try:
                self._learn_ids(number, wanted)
            except GraphQLUnavailable as missing:
                self._without_graphql(missing)
                return self._rest.commit(commit)
        sender = CommitSender(
            self._client,
            chunk=self._chunk,
            number=number,
            repo=self.repo,
            placed_before=lambda cid, content: content in self._reacted.get(cid, frozenset()),
        )
        outcome = sender.send(self._mutations(commit))
        for comment_id, content in (*commit.repair, *commit.marks):
            if comment_id in self._reacted:
                self._reacted[comment_id] = self._reacted[comment_id] | {content}
        if outcome.window is not None:
            self._window = (number, self._page_of(outcome.window))
        return issue_from_node(outcome.issue) if outcome.issue else {}

    # --- REST does these -------------------------------------------------------------------------

    def list_issues(
        self, *, labels: Sequence[str], state: str = "all", since: str | None = None
    ) -> Listing:
        self._window = None
        listing = self._rest.list_issues(labels=labels, state=state, since=since)
        self._learn_rest_ids(issues=listing.items)
        return listing

    def count_issues(self, *, labels: Sequence[str], state: str = "all") -> int:
        return self._rest.count_issues(labels=labels, state=state)

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> dict[str, Any]:
        self._window = None
        return self._rest.create_issue(title=title, body=body, labels=labels)

    def update_issue(
        self,
        number: int,
        *,
        body: str | None = None,
        state: str | None = None,
        state_reason: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        self._window = None
        return self._rest.update_issue(
            number, body=body, state=state, state_reason=state_reason, labels=labels
        )

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        self._window = None
        return self._rest.create_comment(number, body)

    def create_reaction(self, comment_id: int, content: str) -> bool:
        self._window = None
        created = self._rest.create_reaction(comment_id, content)
        if comment_id in self._reacted:
            self._reacted[comment_id] = self._reacted[comment_id] | {content}
        return created

    def comment_edits(
        self, comment_ids: Sequence[int]
    ) -> dict[int, tuple[CommentVersion, ...]] | None:
        # Node ids come from the history's own listing (REST's node_id is GraphQL's id).
        known = [self._comment_ids[c] for c in dict.fromkeys(comment_ids) if c in self._comment_ids]
        if self._rest_only:
            return None
        try:
            return read_comment_edits(self._client, known)
        except GraphQLUnavailable as missing:
            self._without_graphql(missing)
            return None

    def list_reactions(self, comment_id: int, *, content: str | None = None) -> Listing:
        return self._rest.list_reactions(comment_id, content=content)

    def get_permission(self, login: str) -> str:
        return self._rest.get_permission(login)

    def dispatch(self, event_type: str, client_payload: Mapping[str, Any]) -> None:
        self._rest.dispatch(event_type, client_payload)

    def _without_graphql(self, missing: GraphQLUnavailable) -> None:
        """Go on over REST alone (``fallback``), or say that GraphQL is not there."""
        if not self._fallback:
            raise missing
        log.info("%s has no GraphQL API: using REST alone", self._client.url)
        self._rest_only = True

    # --- reading -------------------------------------------------------------------------------

    def _page(self, number: int, before: str | None = None) -> _Page:
        variables = {
            "owner": self.owner,
            "name": self._name,
            "number": int(number),
            "before": before,
        }
        answer = self._client.send(lambda: (COMMENTS_QUERY, variables))
        return self._page_of(self._issue_node(answer, number).get("comments"))

    def _page_of(self, connection: Mapping[str, Any] | None) -> _Page:
        """The comments of a connection, remembering their ids and this token's reactions."""
        connection = connection or {}
        comments = []
        for node in connection.get("nodes") or []:
            if not node or node.get("databaseId") is None:
                continue
            comment = comment_from_node(node)
            comment_id = int(comment["id"])
            self._comment_ids[comment_id] = str(node["id"])
            self._reacted[comment_id] = viewer_reactions(node)
            comments.append(comment)
        info = connection.get("pageInfo") or {}
        return _Page(tuple(comments), bool(info.get("hasPreviousPage")), info.get("startCursor"))

    def _issue_node(self, answer: GraphQLAnswer, number: int) -> Mapping[str, Any]:
        repository = answer.data.get("repository")
        issue = repository.get("issue") if isinstance(repository, dict) else None
        if isinstance(issue, dict):
            return issue
        error = answer.error_at("repository") or {"message": "no issue in the answer"}
        message = str(error.get("message"))
        if repository is None:
            raise AuthError(
                f"repository {self.repo} was not found by GitHub's GraphQL API ({message}): it "
                "does not exist, or it is private and this token may not read it",
                status=404,
                method="POST",
                path="/graphql",
                github_message=message,
            )
        status = 404 if error.get("type") == "NOT_FOUND" else 0
        raise GitHubAPIError(
            f"issue #{number} of {self.repo} could not be read over GraphQL: {message}",
            status=status,
            method="POST",
            path="/graphql",
            github_message=message,
        )

    def _learn_ids(self, number: int, comment_ids: Sequence[int]) -> None:
        """Read the node ids a commit needs and has not seen (issue first, comments walked)."""
        self.get_issue(number, with_comments=True)
        missing = {c for c in comment_ids if c not in self._comment_ids}
        page = self._window[1] if self._window is not None else None
        self._window = None
        while missing and page is not None and page.has_previous:
            page = self._page(number, page.start_cursor)
            missing -= set(self._comment_ids)

    def _learn_rest_ids(
        self,
        *,
        issues: Sequence[Mapping[str, Any]] = (),
        comments: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """REST's node ids are GraphQL's: what REST read, a commit need not look up."""
        for issue in issues:
            if issue.get("node_id") and issue.get("number") is not None:
                self._issue_ids[int(issue["number"])] = str(issue["node_id"])
        for comment in comments:
            if comment.get("node_id") and comment.get("id") is not None:
                self._comment_ids[int(comment["id"])] = str(comment["node_id"])

    def _mutations(self, commit: Commit) -> list[Mutation]:
        def mark(kind: str, comment_id: int, content: str) -> Mutation:
            # A comment never read here has no node id: it was deleted, pass it over.
            subject = self._comment_ids.get(comment_id, "")
            return Mutation(kind, comment_id, content, subject)

        mutations = [mark("repair", cid, content) for cid, content in commit.repair]
        if commit.body is not None or commit.state is not None:
            mutations.append(
                Mutation(
                    "write",
                    subject=self._issue_ids[int(commit.number)],
                    body=commit.body,
                    state=commit.state,
                    state_reason=commit.state_reason,
                )
            )
        mutations.extend(mark("mark", cid, content) for cid, content in commit.marks)
        return [m for m in mutations if m.kind == "write" or m.subject]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _since(items: tuple[dict[str, Any], ...], since: datetime | None) -> tuple[dict[str, Any], ...]:
    """REST's ``since``: comments updated at or after it."""
    if since is None:
        return items
    return tuple(c for c in items if _moment(str(c["updated_at"])) >= since)
