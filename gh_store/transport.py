"""The one seam between gh-store and GitHub's REST API.

Owns :class:`GitHubTransport`, the few operations the store, the processor and the action
need, and :class:`GhApiTransport`, its only implementation, over ghapi. Everything about talking to
GitHub lives here: retries with backoff, rate limits (primary, secondary, and our own pacing),
paging, no duplicates when a create's answer is lost, and turning error answers into
:mod:`gh_store.core.exceptions`. Values in and out are plain JSON dicts and lists.

Requests go through ghapi's own sync transport with ``raw=True``: ``GhApi.__call__`` decodes the
body into fastcore ``AttrDict``/``L`` and hides the status (201 vs 200 matters for reactions), while
the raw ``httpx2.Response`` gives status, headers and plain JSON. Error answers come out of ghapi as
``httpx2.HTTPStatusError`` (not ghapi's ``APIError``: only its generated endpoints convert), and
connection failures as ``httpx2.RequestError``.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import httpx2  # ghapi's HTTP layer: its exceptions, and a client that keeps connections open
from ghapi.core import GhApi  # never ghapi.all: importing it sets GITHUB_REPOSITORY

from gh_store.core.config import RateLimitConfig, RetryConfig
from gh_store.core.exceptions import (
    AccessDeniedError,
    AuthError,
    GitHubAPIError,
    InvalidUpdate,
    RateLimitError,
)

__all__ = ["DEFAULT_API_URL", "GhApiTransport", "GitHubTransport", "resolve_api_url"]

log = logging.getLogger("gh_store.transport")

DEFAULT_API_URL = "https://api.github.com"
_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_MAX_WAIT = 900.0  # longer than this, a job should fail and say when to retry, not sit idle
_SECONDARY_WAIT = 60.0  # GitHub: without retry-after, wait at least a minute, then back off
_SKEW = 10.0  # tolerated clock difference with GitHub when matching a lost create
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_MAXIMUM = re.compile(r"maximum is (\d+)")
_wall_clock = time.time  # epoch seconds, for GitHub's reset times and created_at (tests move it)


def resolve_api_url(api_url: str | None = None) -> str:
    """The API base URL: the argument, else ``$GITHUB_API_URL``, else api.github.com."""
    return (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


class GitHubTransport(Protocol):
    """The operations the store needs, on plain JSON values as GitHub returns them."""

    repo: str
    owner: str
    api_url: str
    has_token: bool

    def get_repo(self) -> dict[str, Any]: ...
    def get_issue(self, number: int) -> dict[str, Any]:
        """A 404 raises ``GitHubAPIError`` with ``status == 404``."""

    def list_issues(
        self, *, labels: Sequence[str], state: str = "all", since: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Issues carrying every one of ``labels`` (pull requests too), fetched page by page."""

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
        title: str | None = None,
    ) -> dict[str, Any]:
        """One PATCH with only the fields given."""

    def add_labels(self, number: int, labels: Sequence[str]) -> None: ...
    def remove_label(self, number: int, name: str) -> None:
        """A label that is not on the issue is no error."""

    def list_comments(self, number: int, *, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Ascending by id, page by page; ``since`` filters on ``updated_at``."""

    def get_comment(self, comment_id: int) -> dict[str, Any]: ...
    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        """Creates it once, even when GitHub's answer is lost and the request is retried."""

    def create_reaction(self, comment_id: int, content: str) -> bool:
        """True if created, False if this user had already reacted so."""

    def list_reactions(
        self, comment_id: int, *, content: str | None = None
    ) -> Iterator[dict[str, Any]]: ...
    def get_permission(self, login: str) -> str:
        """GitHub's ``role_name`` (none read triage write maintain admin); unknown users: none."""

    def dispatch(self, event_type: str, client_payload: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    body: Any


class GhApiTransport:
    """:class:`GitHubTransport` over ghapi, with retries, rate-limit handling and pacing.

    ``sleep`` and ``clock`` (monotonic seconds) are injectable so tests run instantly and can assert
    every wait. ``requests_made`` counts HTTP requests sent, retries and lookups included.
    Call :meth:`close` (or use it as a context manager) to release its connections.
    """

    def __init__(
        self,
        repo: str,
        token: str | None = None,
        *,
        api_url: str | None = None,
        retries: RetryConfig = RetryConfig(),  # noqa: B008 - frozen, so a shared default is safe
        rate_limit: RateLimitConfig = RateLimitConfig(),  # noqa: B008
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
    ) -> None:
        if not isinstance(repo, str) or not _REPO.match(repo):
            raise ValueError(f"repository must be given as owner/name, got {repo!r}")
        self.repo = repo
        self.owner = repo.split("/")[0]
        self.api_url = resolve_api_url(api_url)
        self.has_token = bool(token)
        self.requests_made = 0
        self._retries = retries
        self._rate = rate_limit
        self._sleep = sleep
        self._clock = clock
        self._base = f"/repos/{repo}"
        # authenticate=False without a token: otherwise ghapi would pick up $GITHUB_TOKEN itself.
        api = GhApi(  # type: ignore[no-untyped-call]
            token=token or None,
            authenticate=bool(token),
            gh_host=self.api_url,
            timeout=timeout,
            sync=True,
        )
        transport = api.transport
        # ghapi retries failed connects itself, with time.sleep: the loop here owns every retry.
        transport.retries = 0
        # Without a client of its own it builds one (about 35 ms) per request.
        transport.client = httpx2.Client(timeout=timeout, follow_redirects=True)
        self._transport: Any = transport
        self._sent: deque[float] = deque(maxlen=max(rate_limit.max_requests_per_hour, 1))
        self._last_write: float | None = None
        self._blocked_until: float | None = None  # clock() time when the primary limit resets

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> GhApiTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GhApiTransport({self.repo!r}, api_url={self.api_url!r}, token={self.has_token})"

    # --- the operations ------------------------------------------------------------------------

    def get_repo(self) -> dict[str, Any]:
        return self._object("GET", self._base)

    def get_issue(self, number: int) -> dict[str, Any]:
        return self._object("GET", f"{self._base}/issues/{int(number)}")

    def list_issues(
        self, *, labels: Sequence[str], state: str = "all", since: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Issues (pull requests too, as GitHub lists them) carrying every one of ``labels``."""
        query: dict[str, Any] = {"state": state}
        if labels:
            query["labels"] = ",".join(labels)
        if since is not None:
            query["since"] = since
        return self._pages(f"{self._base}/issues", query)

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> dict[str, Any]:
        started = _wall_clock()

        def already_created() -> dict[str, Any] | None:
            for issue in self.list_issues(labels=labels, since=_iso(started - _SKEW)):
                if issue.get("title") == title and _created_since(issue, started):
                    return issue
            return None

        data = {"title": title, "body": body, "labels": list(labels)}
        return self._object("POST", f"{self._base}/issues", data=data, recover=already_created)

    def update_issue(
        self,
        number: int,
        *,
        body: str | None = None,
        state: str | None = None,
        state_reason: str | None = None,
        labels: Sequence[str] | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        fields = {"body": body, "state": state, "state_reason": state_reason, "title": title}
        data: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        if labels is not None:
            data["labels"] = list(labels)
        return self._object("PATCH", f"{self._base}/issues/{int(number)}", data=data)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        self._call(
            "POST", f"{self._base}/issues/{int(number)}/labels", data={"labels": list(labels)}
        )

    def remove_label(self, number: int, name: str) -> None:
        # 404 means the label is not on the issue: the state asked for already holds.
        path = f"{self._base}/issues/{int(number)}/labels/{quote(name, safe='')}"
        self._call("DELETE", path, ok=(404,))

    def list_comments(self, number: int, *, since: str | None = None) -> Iterator[dict[str, Any]]:
        query = {} if since is None else {"since": since}
        return self._pages(f"{self._base}/issues/{int(number)}/comments", query)

    def get_comment(self, comment_id: int) -> dict[str, Any]:
        return self._object("GET", f"{self._base}/issues/comments/{int(comment_id)}")

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        started = _wall_clock()

        def already_created() -> dict[str, Any] | None:
            for comment in self.list_comments(number, since=_iso(started - _SKEW)):
                if comment.get("body") == body and _created_since(comment, started):
                    return comment
            return None

        path = f"{self._base}/issues/{int(number)}/comments"
        return self._object("POST", path, data={"body": body}, recover=already_created)

    def create_reaction(self, comment_id: int, content: str) -> bool:
        path = f"{self._base}/issues/comments/{int(comment_id)}/reactions"
        return self._call("POST", path, data={"content": content}).status == 201

    def list_reactions(
        self, comment_id: int, *, content: str | None = None
    ) -> Iterator[dict[str, Any]]:
        query = {} if content is None else {"content": content}
        return self._pages(f"{self._base}/issues/comments/{int(comment_id)}/reactions", query)

    def get_permission(self, login: str) -> str:
        path = f"{self._base}/collaborators/{quote(login, safe='')}/permission"
        response = self._call("GET", path, ok=(404,))
        if response.status == 404:  # unknown user, or one without any access
            return "none"
        body = response.body
        return str(body.get("role_name") or body.get("permission") or "none")

    def dispatch(self, event_type: str, client_payload: dict[str, Any]) -> None:
        data = {"event_type": event_type, "client_payload": client_payload}
        self._call("POST", f"{self._base}/dispatches", data=data)

    # --- requests, retries, pacing -------------------------------------------------------------

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body: dict[str, Any] = self._call(method, path, **kwargs).body
        return body

    def _pages(self, path: str, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        target: str | None = path
        params: dict[str, Any] | None = {**query, "per_page": 100}
        while target is not None:
            response = self._call("GET", target, query=params)
            yield from response.body
            match = _NEXT.search(response.headers.get("link") or "")
            target, params = (match.group(1), None) if match else (None, None)

    def _call(
        self,
        method: str,
        target: str,
        *,
        query: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (),
        recover: Callable[[], dict[str, Any] | None] | None = None,
    ) -> _Response:
        """Send one request, retrying what may succeed later; map what will not to our errors.

        ``recover`` runs before re-sending after a failure whose outcome is unknown (5xx, no
        answer): a create that did happen is returned instead of being made twice.
        """
        url = target if target.startswith(("http://", "https://")) else self.api_url + target
        path = urlsplit(url).path
        request = f"{method} {path}"
        write = method in _WRITES
        if write and not self.has_token:
            raise AccessDeniedError(
                f"writing to {self.repo} needs a token ({request}): pass one, "
                "e.g. the workflow's `secrets.GITHUB_TOKEN`"
            )
        attempts = max(1, self._retries.max_attempts)
        outcome_unknown = False
        for attempt in range(1, attempts + 1):
            if outcome_unknown and recover is not None:
                found = recover()
                if found is not None:
                    log.info("%s had succeeded before its answer was lost", request)
                    return _Response(201, {}, found)
            self._pace(write, method, path)
            answer = self._send(method, url, path, query, data)
            body: Any = None
            if isinstance(answer, httpx2.RequestError):
                status, message = 0, f"no answer from GitHub ({_describe(answer)})"
                headers: Mapping[str, str] = {}
            else:
                status, headers = answer.status_code, answer.headers
                body = _decode(answer)
                self._note_primary_limit(headers)
                if status < 300 or status in ok:
                    return _Response(status, headers, body)
                message = _github_message(body)
            limited = status == 429 or (status == 403 and _is_rate_limit(message, headers))
            if status == 0 or status >= 500:
                outcome_unknown = outcome_unknown or write  # the write may have happened
                wait = _retry_after(headers.get("retry-after"))
                if wait is None:
                    wait = self._retries.backoff_factor * 2.0 ** (attempt - 1)
            elif limited:
                wait = _rate_limit_wait(headers, attempt)
            else:
                raise self._error(method, path, status, message, body, data)
            said = f"GitHub answered {status} ({message})" if status else message
            github = message if status else None
            if attempt == attempts:
                raise (RateLimitError if limited else GitHubAPIError)(
                    f"{said} to {request}, after {attempts} attempts",
                    status=status, method=method, path=path, github_message=github,
                )  # fmt: skip
            if wait > _MAX_WAIT:
                raise RateLimitError(
                    f"{said} to {request}; it may be retried {_when(wait)}, "
                    f"later than the {_MAX_WAIT:.0f} s this waits: try again then",
                    status=status, method=method, path=path, github_message=github,
                )  # fmt: skip
            log.warning(
                "%s: %s; retry %d of %d in %.1f s", request, said, attempt + 1, attempts, wait
            )
            if limited:
                self._blocked_until = None  # this wait covers the reset
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        url: str,
        path: str,
        query: dict[str, Any] | None,
        data: dict[str, Any] | None,
    ) -> httpx2.Response | httpx2.RequestError:
        now = self._clock()
        if self._rate.max_requests_per_hour:
            self._sent.append(now)
        if method in _WRITES:
            self._last_write = now
        self.requests_made += 1
        started = time.perf_counter()
        answer: httpx2.Response | httpx2.RequestError
        try:
            answer = self._transport.request(
                method, url, headers=_HEADERS, params=query, json=data, raw=True
            )
        except httpx2.HTTPStatusError as exc:
            answer = exc.response
        except httpx2.RequestError as exc:
            answer = exc
        status = _describe(answer) if isinstance(answer, Exception) else answer.status_code
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("%s %s -> %s in %.0f ms", method, path, status, elapsed)
        return answer

    def _pace(self, write: bool, method: str, path: str) -> None:
        """Wait until a request may go: primary-limit reset, hourly budget, write spacing."""
        now = self._clock()
        deadline = now
        if self._blocked_until is not None:
            wait = self._blocked_until - now
            if wait > _MAX_WAIT:
                raise RateLimitError(
                    f"GitHub's rate limit is used up for this token; it resets {_when(wait)}, "
                    f"longer than the {_MAX_WAIT:.0f} s this waits ({method} {path} not sent)",
                    status=0,
                    method=method,
                    path=path,
                )
            deadline = max(deadline, self._blocked_until)
            self._blocked_until = None
        limit = self._rate.max_requests_per_hour
        if limit and len(self._sent) >= limit:
            # The deque holds the last `limit` send times: its oldest must leave the hour first.
            deadline = max(deadline, self._sent[0] + 3600.0)
        if write and self._last_write is not None:
            deadline = max(deadline, self._last_write + self._rate.min_write_interval)
        if deadline > now:
            log.info("pacing: waiting %.1f s before %s %s", deadline - now, method, path)
            self._sleep(deadline - now)

    def _note_primary_limit(self, headers: Mapping[str, str]) -> None:
        wait = _reset_wait(headers)
        if wait is not None:
            self._blocked_until = self._clock() + wait

    def _error(
        self,
        method: str,
        path: str,
        status: int,
        message: str,
        body: Any,
        data: dict[str, Any] | None,
    ) -> Exception:
        """The exception for an answer that retrying cannot change."""
        request = f"{method} {path}"

        def error(kind: type[GitHubAPIError], text: str) -> GitHubAPIError:
            return kind(text, status=status, method=method, path=path, github_message=message)

        if status == 401:
            if self.has_token:
                return error(
                    AuthError,
                    f"GitHub rejected the token (401 {message}) for {request}: "
                    f"check that it is valid, not expired, and meant for {self.api_url}",
                )
            return error(AuthError, f"GitHub requires a token (401 {message}) for {request}")
        write = method in _WRITES
        if status == 403 or (status == 404 and write):
            what, scope = _permission_needed(path, write)
            doubt = "it does not exist, or " if status == 404 else ""
            lacks = (
                f"the token cannot {what} in {self.repo}: give the workflow `permissions: {scope}`"
            )
            if not self.has_token:
                lacks = f"this needs a token that can {what} in {self.repo} (`{scope}`)"
            return error(
                AuthError, f"GitHub answered {status} ({message}) to {request}: {doubt}{lacks}"
            )
        if status == 422:
            too_long = _too_long(body, data)
            if too_long:
                return InvalidUpdate(f"{too_long} ({request})")
        return error(GitHubAPIError, f"GitHub answered {status} ({message}) to {request}")


# --- pure helpers ------------------------------------------------------------------------------


def _decode(response: httpx2.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _github_message(body: Any) -> str:
    """GitHub's ``message``, with the ``errors`` details a 422 carries."""
    if not isinstance(body, dict):
        return str(body or "no message")[:200]
    message = str(body.get("message") or "no message")
    details = [
        str(e.get("message") or f"{e.get('field')} {e.get('code')}")
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return "; ".join([message, *details])


def _is_rate_limit(message: str, headers: Mapping[str, str]) -> bool:
    return (
        "rate limit" in message.lower()
        or headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in headers
    )


def _rate_limit_wait(headers: Mapping[str, str], attempt: int) -> float:
    retry_after = _retry_after(headers.get("retry-after"))
    if retry_after is not None:
        return retry_after
    reset = _reset_wait(headers)
    if reset is not None:
        return reset
    return _SECONDARY_WAIT * 2.0 ** (attempt - 1)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        return max(0.0, parsedate_to_datetime(value).timestamp() - _wall_clock())
    except (TypeError, ValueError):
        return None


def _reset_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until the primary limit resets, when this answer used it up."""
    if headers.get("x-ratelimit-remaining") != "0":
        return None
    try:
        reset = float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    return max(0.0, reset - _wall_clock()) + 1.0  # the reset second itself may still be limited


def _too_long(body: Any, data: dict[str, Any] | None) -> str | None:
    """For a 422 "is too long": which field, its size and GitHub's limit."""
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        text = str(error.get("message") or "") if isinstance(error, dict) else str(error)
        if "too long" not in text:
            continue
        field = str(error.get("field") or "body") if isinstance(error, dict) else "body"
        value = (data or {}).get(field)
        size = f"{len(value):,} characters" if isinstance(value, str) else "too many characters"
        match = _MAXIMUM.search(text)
        limit = f"{int(match.group(1)):,}" if match else "65,536"
        return f"the {field} has {size}, more than the {limit} GitHub allows"
    return None


def _permission_needed(path: str, write: bool) -> tuple[str, str]:
    """What the token could not do, and the workflow permission that allows it."""
    if path.endswith("/dispatches"):
        return "send repository_dispatch events", "contents: write"
    if "/issues" in path:
        return ("write issues", "issues: write") if write else ("read issues", "issues: read")
    if "/collaborators/" in path:
        return "read collaborators' permissions", "metadata: read"
    return ("write", "contents: write") if write else ("read the repository", "contents: read")


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _created_since(item: dict[str, Any], started: float) -> bool:
    try:
        created = datetime.fromisoformat(str(item["created_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return False
    return created.timestamp() >= started - _SKEW


def _when(wait: float) -> str:
    at = datetime.fromtimestamp(_wall_clock() + wait, UTC).strftime("%H:%M:%S UTC")
    return f"at {at} (in {wait:.0f} s)"
