"""The REST adapter of the port: ``GhApiTransport``, over ghapi's own sync transport.

It keeps only the operations and the mechanics of sending: the policy (retry, wait, fail, what to
say) is ``policy.py`` and the skip-proof paging ``paging.py``, both pure.

Requests go through ``ghapi.core.GhSyncTransport`` (ghapi as shipped, built directly: a whole
``GhApi`` generates ~1,000 endpoint functions the store never calls) with ``raw=True``, which gives
status, headers and plain JSON (ghapi's decoded ``AttrDict``/``L`` and its hidden status do not
serve: 201 vs 200 matters for reactions). Error answers come out of it as
``httpx2.HTTPStatusError`` and connection failures as ``httpx2.RequestError``. ``http_transport``
replaces the network under httpx2 (the emulator's in-process transport, in tests). GETs go out
conditional, and a 304 brings back the answer GitHub confirmed (``cache.py``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx2  # ghapi's HTTP layer: its exceptions, and a client that keeps connections open
from ghapi.core import GhSyncTransport  # never ghapi.all: importing it sets GITHUB_REPOSITORY

from gh_store.core.config import RateLimitConfig, RetryConfig
from gh_store.core.exceptions import AccessDeniedError, AuthError, GitHubAPIError
from gh_store.core.needs import Commit, Listing
from gh_store.core.trust import permission_from_answer

from .answers import decode, header_int, header_time
from .app_auth import auth_for
from .cache import ConditionalGets, ResponseCache, from_store
from .commit import commit_in_order
from .credentials import GitHubApp, check_repository, check_token, resolve_api_url, user_agent
from .pacing import Pacer
from .paging import PageWalk
from .policy import (
    Attempt,
    Done,
    Fail,
    Retry,
    decide,
    github_message,
    no_answer,
)
from .recovery import listed_since, made_by_this_request

__all__ = ["GhApiTransport"]

log = logging.getLogger("gh_store.transport")

_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_LAST_PAGE = re.compile(r'<[^>]*[?&]page=(\d{1,9})(?:&[^>]*)?>;\s*rel="last"')
_UNKNOWN = object()


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    body: Any


class GhApiTransport:
    """The port over GitHub's REST API, with retries, rate-limit handling and pacing.

    ``sleep``, ``clock`` (monotonic seconds) and ``wall_clock`` (epoch seconds) are injectable so
    tests run instantly and can assert every wait. ``requests_made`` counts HTTP requests sent,
    retries, look-ups and 304s included (not a GitHub App's token requests: ``app.tokens_minted``
    counts those). ``token`` may be a :class:`~.credentials.GitHubApp`, whose installation token
    is minted and renewed as requests need it (``app_auth.py``). Call :meth:`close` (or use it as
    a context manager).
    """

    def __init__(
        self,
        repo: str,
        token: str | GitHubApp | None = None,
        *,
        api_url: str | None = None,
        retries: RetryConfig = RetryConfig(),  # noqa: B008 - frozen, so a shared default is safe
        rate_limit: RateLimitConfig = RateLimitConfig(),  # noqa: B008
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        http_transport: httpx2.BaseTransport | None = None,
        cache: ResponseCache | bool = True,  # GET answers kept; True: in memory; False: none
        audience: str = "library",  # who reads the errors' advice (policy.AUDIENCES)
    ) -> None:
        self.repo = check_repository(repo)
        self.audience = audience
        self.owner = self.repo.split("/")[0]
        self.api_url = resolve_api_url(api_url)
        self.app = token if isinstance(token, GitHubApp) else None
        token = None if self.app is not None else check_token(token)
        self.has_token = token is not None or self.app is not None
        self.requests_made = 0
        self.rate_remaining: int | None = None
        self._retries = retries
        self._sleep, self._clock, self._wall_clock = sleep, clock, wall_clock
        self._base = f"/repos/{self.repo}"
        headers = {"User-Agent": user_agent()}
        if token:
            headers["Authorization"] = f"token {token}"
        http = GhSyncTransport(timeout=timeout, base_headers=headers)  # type: ignore[no-untyped-call]
        # ghapi would retry failed connects itself, with time.sleep: the policy owns every retry.
        http.retries = 0
        # Without a client of its own it builds one (about 35 ms) per request.
        http.client = httpx2.Client(
            timeout=timeout,
            follow_redirects=True,
            transport=http_transport,
            auth=auth_for(self.app, self.api_url, self.repo),
        )
        # An App's answers are kept for the App, whichever of its hourly tokens asked.
        identity = f"GitHub App {self.app.app_id} on {self.repo}" if self.app else token
        self._http: Any = ConditionalGets(http, cache, identity)
        self._pacer = Pacer(rate_limit, clock=clock, sleep=sleep)
        self._own_login: Any = _UNKNOWN

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GhApiTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GhApiTransport({self.repo!r}, api_url={self.api_url!r}, token={self.has_token})"

    # --- the operations ------------------------------------------------------------------------

    def get_issue(self, number: int, *, with_comments: bool = False) -> dict[str, Any]:
        # REST lists the comments in requests of their own, whatever with_comments says.
        return self._object("GET", f"{self._base}/issues/{int(number)}")

    def list_issues(
        self, *, labels: Sequence[str], state: str = "all", since: str | None = None
    ) -> Listing:
        query: dict[str, Any] = {"state": state, "sort": "created", "direction": "asc"}
        if labels:
            query["labels"] = ",".join(labels)
        if since is not None:
            query["since"] = since
        try:
            return self._walk(f"{self._base}/issues", query, key=lambda issue: int(issue["number"]))
        except GitHubAPIError as exc:
            if exc.status != 404:
                raise
            # GitHub hides a private repository behind a 404 from anyone who may not read it.
            fix = "pass a token" if not self.has_token else "check the token's access"
            raise AuthError(
                f"repository {self.repo} was not found at {self.api_url}: it does not exist, or "
                f"it is private and this caller may not read it ({fix})",
                status=404,
                method=exc.method,
                path=exc.path,
                github_message=exc.github_message,
            ) from None

    def count_issues(self, *, labels: Sequence[str], state: str = "all") -> int:
        # One item a page: the "last" page's number is the count (no Link: it fits one page).
        query: dict[str, Any] = {"state": state, "per_page": 1, "page": 1}
        if labels:
            query["labels"] = ",".join(labels)
        response = self._call("GET", f"{self._base}/issues", query=query)
        last = _LAST_PAGE.search(response.headers.get("link") or "")
        if last is not None:
            return int(last.group(1))
        return len(response.body) if isinstance(response.body, list) else 0

    def create_issue(self, *, title: str, body: str, labels: Sequence[str]) -> dict[str, Any]:
        started = self._wall_clock()

        def already_created() -> dict[str, Any] | None:
            expected = {"title": title, "body": body}
            for issue in self.list_issues(labels=labels, since=listed_since(started)):
                if made_by_this_request(issue, expected, started=started, own_login=self.own_login):
                    return dict(issue)
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
    ) -> dict[str, Any]:
        fields = {"body": body, "state": state, "state_reason": state_reason}
        data: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        if labels is not None:
            data["labels"] = list(labels)
        return self._object("PATCH", f"{self._base}/issues/{int(number)}", data=data)

    def list_comments(
        self, number: int, *, since: str | None = None, to_process: bool = False
    ) -> Listing:
        query = {} if since is None else {"since": since}
        path = f"{self._base}/issues/{int(number)}/comments"
        return self._walk(path, query, key=lambda comment: int(comment["id"]))

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        started = self._wall_clock()

        def already_created() -> dict[str, Any] | None:
            # Only a comment this token wrote: an identical one from anyone else is not ours.
            for comment in self.list_comments(number, since=listed_since(started)):
                mine = made_by_this_request(
                    comment, {"body": body}, started=started, own_login=self.own_login
                )
                if mine:
                    return dict(comment)
            return None

        path = f"{self._base}/issues/{int(number)}/comments"
        return self._object("POST", path, data={"body": body}, recover=already_created)

    def create_reaction(self, comment_id: int, content: str) -> bool:
        path = f"{self._base}/issues/comments/{int(comment_id)}/reactions"
        return self._call("POST", path, data={"content": content}).status == 201

    def commit(self, commit: Commit) -> dict[str, Any]:
        return commit_in_order(self, commit)

    def store_reacted(self, comment_id: int, content: str) -> bool | None:
        return None  # REST can tell only by listing who reacted: the flow does that if needed

    def comment_edits(self, comment_ids: Sequence[int]) -> None:
        return None  # REST keeps only a comment's newest text

    def list_reactions(self, comment_id: int, *, content: str | None = None) -> Listing:
        query = {} if content is None else {"content": content}
        path = f"{self._base}/issues/comments/{int(comment_id)}/reactions"
        return self._follow(path, query)

    def get_permission(self, login: str) -> str:
        own = self.app.bot_login if self.app is not None else None
        if own is not None and login.casefold() == own.casefold():
            # GitHub's permission API knows no bot; the App's token says what it may do.
            return self.app.own_role()  # type: ignore[union-attr]
        path = f"{self._base}/collaborators/{quote(login, safe='')}/permission"
        response = self._call("GET", path, ok=(404,))
        if response.status == 404:  # unknown user, or one without any access
            return "none"
        level, doubt = permission_from_answer(response.body)
        if doubt is not None:
            log.warning("GitHub's permission answer for %s: %s; treated as %r", login, doubt, level)
        return level

    def dispatch(self, event_type: str, client_payload: Mapping[str, Any]) -> None:
        data = {"event_type": event_type, "client_payload": dict(client_payload)}
        self._call("POST", f"{self._base}/dispatches", data=data)

    # --- who this token is (only a lost create asks) -------------------------------------------

    def own_login(self) -> str | None:
        """The token's login, or None for an app's installation token (which GitHub does not
        let ask ``GET /user``; its writes appear as a ``[bot]`` account). A GitHub App's is its
        bot login, learnt when its token was minted."""
        if self.app is not None and self.app.bot_login is not None:
            return self.app.bot_login
        if self._own_login is _UNKNOWN:
            answer = self._call("GET", "/user", ok=(403, 404))
            body = answer.body if isinstance(answer.body, dict) else {}
            self._own_login = (
                str(body["login"]) if answer.status == 200 and "login" in body else None
            )
        return self._own_login  # type: ignore[no-any-return]

    # --- listings ------------------------------------------------------------------------------

    def _walk(self, path: str, query: dict[str, Any], key: Callable[[Any], int]) -> Listing:
        walk = PageWalk(key)
        served_at = None
        while (request := walk.next_page()) is not None:
            page, per_page = request
            response = self._call("GET", path, query={**query, "page": page, "per_page": per_page})
            if walk.pages == 0:
                served_at = header_time(response.headers.get("date"))
            items = response.body if isinstance(response.body, list) else []
            # GitHub sends a "next" link whenever a later page holds items, and no Link header at
            # all for a listing that fits one page.
            walk.receive(items, bool(_NEXT.search(response.headers.get("link") or "")))
        if not walk.complete:
            log.warning(
                "GET %s kept changing while it was read (%d pages, %d re-read); only its first "
                "%d items were taken",
                path,
                walk.pages,
                walk.rereads,
                len(walk.items),
            )
        return Listing(tuple(walk.items), walk.complete, served_at)

    def _follow(self, path: str, query: dict[str, Any]) -> Listing:
        """A short listing (a comment's reactions), following GitHub's "next" links."""
        found: dict[Any, Mapping[str, Any]] = {}
        target: str | None = path
        params: dict[str, Any] | None = {**query, "per_page": 100}
        while target is not None:
            response = self._call("GET", target, query=params)
            for item in response.body if isinstance(response.body, list) else []:
                found.setdefault(item.get("id"), item)
            match = _NEXT.search(response.headers.get("link") or "")
            target, params = (match.group(1), None) if match else (None, None)
        return Listing(tuple(found.values()))

    # --- requests ------------------------------------------------------------------------------

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = self._call(method, path, **kwargs).body
        return body if isinstance(body, dict) else {}

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
        """Send one request as the policy says; ``recover`` finds a lost create before resending."""
        url = target if target.startswith(("http://", "https://")) else self.api_url + target
        path = httpx2.URL(url).path
        write = method in _WRITES
        if write and not self.has_token:
            raise AccessDeniedError(
                f"writing to {self.repo} needs a token ({method} {path}): pass one, "
                "e.g. the workflow's `secrets.GITHUB_TOKEN`"
            )
        attempts = max(1, self._retries.max_attempts)
        look_first = False
        for attempt in range(1, attempts + 1):
            if look_first and recover is not None:
                found = recover()
                if found is not None:
                    log.info("%s %s had succeeded before its answer was lost", method, path)
                    return _Response(201, {}, found)
            self._pacer.wait_turn(write=write, method=method, path=path)
            answer = self._send(method, url, path, query, data)
            headers: Mapping[str, str] = {}
            if isinstance(answer, httpx2.RequestError):
                status, body, message = 0, None, no_answer(answer)
            else:
                status, headers = answer.status_code, answer.headers
                body = decode(answer)
                message = github_message(body)
                self.rate_remaining = header_int(
                    headers.get("x-ratelimit-remaining"), self.rate_remaining
                )
                self._pacer.answered(headers, self._wall_clock())
            decision = decide(
                Attempt(
                    method=method,
                    path=path,
                    attempt=attempt,
                    max_attempts=attempts,
                    status=status,
                    headers=headers,
                    message=message,
                    body=body,
                    sent=data,
                    ok=ok,
                    now=self._wall_clock(),
                    repo=self.repo,
                    api_url=self.api_url,
                    has_token=self.has_token,
                    audience=self.audience,
                    conditional=from_store(answer),
                ),
                self._retries.backoff_factor,
            )
            if isinstance(decision, Done):
                return _Response(status, headers, body)
            if isinstance(decision, Fail):
                raise decision.error
            assert isinstance(decision, Retry)
            look_first = look_first or decision.recover
            log.warning(
                "%s %s: %s; retry %d of %d in %.1f s",
                method,
                path,
                decision.reason,
                attempt + 1,
                attempts,
                decision.wait,
            )
            if decision.rate_limited:
                self._pacer.reset_waited_for()
            self._sleep(decision.wait)
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
        self.requests_made += 1
        started = time.perf_counter()
        answer: httpx2.Response | httpx2.RequestError
        try:
            answer = self._http.request(
                method, url, headers=_HEADERS, params=query, json=data, raw=True
            )
        except httpx2.HTTPStatusError as exc:
            answer = exc.response
        except httpx2.RequestError as exc:
            answer = exc
        status = no_answer(answer) if isinstance(answer, Exception) else answer.status_code
        self._pacer.sent(now, write=method in _WRITES, counted=status != 304)
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("%s %s -> %s in %.0f ms", method, path, status, elapsed)
        return answer
