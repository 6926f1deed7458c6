"""Sending one GraphQL request the way the REST adapter sends one: paced, retried, limits obeyed.

Owns :class:`GraphQLClient` and :class:`GraphQLAnswer`. The decisions are the REST adapter's pure
policy (``policy.py``): the same retries, waits and final errors, from the same headers (GitHub
sends ``x-ratelimit-*`` for the GraphQL budget, resource ``graphql``). What GraphQL adds:

* a used-up primary limit comes as HTTP 200 with an error of type ``RATE_LIMITED`` (or
  ``RATE_LIMIT``): it is waited out like REST's 403 with the limit at 0;
* requests with mutations are writes: paced ``min_write_interval`` apart (GitHub asks for a
  second between mutative requests), and on a secondary-limit answer the sender may shrink what
  it sends (``on_limited``) before it waits and sends again;
* every mutation the store sends can be repeated without harm (a reaction placed twice is one
  reaction, a body written twice is one body), so a request whose answer was lost is sent again
  as it was; nothing needs looking up first.

Other errors in a 200 answer belong to single fields: they are returned for the caller to judge.
An endpoint that answers 404 or 501 has no GraphQL API (:class:`GraphQLUnavailable`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx2

from gh_store.core.config import RateLimitConfig, RetryConfig
from gh_store.core.exceptions import ConfigurationError, GitHubAPIError

from .answers import decode, header_int, no_answer
from .credentials import user_agent
from .pacing import Pacer
from .policy import (
    Attempt,
    Done,
    Fail,
    Retry,
    decide,
    github_message,
)

__all__ = ["GraphQLAnswer", "GraphQLClient", "GraphQLUnavailable", "graphql_url"]

log = logging.getLogger("gh_store.transport")

_PATH = "/graphql"
_LIMITED = ("RATE_LIMITED", "RATE_LIMIT")

#: A request's document and variables.
Payload = tuple[str, Mapping[str, Any]]


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint of a REST API root: ``/graphql`` beside it, and GitHub Enterprise
    Server's ``/api/graphql`` for its ``/api/v3``."""
    root = api_url.rstrip("/")
    if root.endswith("/api/v3"):
        return root[: -len("/v3")] + "/graphql"
    return root + _PATH


class GraphQLUnavailable(ConfigurationError):
    """The API has no GraphQL endpoint where it was looked for (404 or 501).

    A setting to change (``store.api``), not an answer about the thing asked for: it is no
    ``GitHubAPIError``, whose 404 a flow reads as "that issue does not exist".
    """

    def __init__(self, message: str, *, status: int, github_message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.github_message = github_message


@dataclass(frozen=True)
class GraphQLAnswer:
    """``data`` and the field ``errors`` of one answer (GitHub's shape: type, path, message)."""

    data: Mapping[str, Any]
    errors: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    def error_at(self, key: str) -> Mapping[str, Any] | None:
        """The first error whose path starts at the top-level field ``key``."""
        for error in self.errors:
            path = error.get("path") or []
            if path and path[0] == key:
                return error
        return None


class GraphQLClient:
    """Sends GraphQL requests to ``url`` with ``token``; counts them and tracks the budget."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        repo: str,
        retries: RetryConfig = RetryConfig(),  # noqa: B008 - frozen, so a shared default is safe
        rate_limit: RateLimitConfig = RateLimitConfig(),  # noqa: B008
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        http_transport: httpx2.BaseTransport | None = None,
        auth: httpx2.Auth | None = None,
        audience: str = "library",  # who reads the errors' advice (policy.AUDIENCES)
    ) -> None:
        self.url = url
        self.repo = repo
        self.audience = audience
        self.requests_made = 0
        self._remaining: int | None = None
        self._reset: float | None = None  # epoch seconds when GitHub refills the points
        self._retries = retries
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._headers = {"Accept": "application/json", "User-Agent": user_agent()}
        if token is not None:
            self._headers["Authorization"] = f"bearer {token}"
        # ``auth``: a GitHub App's (then ``token`` is None), which sets the header itself.
        self._http = httpx2.Client(timeout=timeout, transport=http_transport, auth=auth)
        self._pacer = Pacer(rate_limit, clock=clock, sleep=sleep)

    @property
    def rate_remaining(self) -> int | None:
        """Points left this hour, as GitHub last said (None: not said, or refilled since)."""
        if self._reset is not None and self._wall_clock() >= self._reset:
            return None
        return self._remaining

    def close(self) -> None:
        self._http.close()

    def send(
        self,
        build: Callable[[], Payload],
        *,
        write: bool = False,
        on_limited: Callable[[], None] | None = None,
    ) -> GraphQLAnswer:
        """Send ``build()``'s request as the policy says; ``on_limited`` is called on a
        secondary-limit answer to a write, before the request is built and sent again."""
        method = "POST"
        attempts = max(1, self._retries.max_attempts)
        for attempt in range(1, attempts + 1):
            query, variables = build()
            self._pacer.wait_turn(write=write, method=method, path=_PATH)
            status, headers, body, message = self._post(query, variables, write)
            if status in (404, 501):
                raise GraphQLUnavailable(
                    f"there is no GraphQL API at {self.url} ({status}: {message}): this GitHub "
                    "has no GraphQL endpoint; set api: rest (the action's api input, or "
                    "store.api in the config), or api: auto to fall back to REST by itself",
                    status=status,
                    github_message=message,
                )
            limited_in_body = status == 200 and _limited(body)
            if limited_in_body:
                status, message = 403, f"rate limit exceeded ({_first_message(body)})"
            decision = decide(
                Attempt(
                    method=method,
                    path=_PATH,
                    attempt=attempt,
                    max_attempts=attempts,
                    status=status,
                    headers=headers,
                    message=message,
                    body=body,
                    now=self._wall_clock(),
                    repo=self.repo,
                    api_url=self.url,
                    audience=self.audience,
                ),
                self._retries.backoff_factor,
            )
            if isinstance(decision, Done):
                return _answer(body)
            if isinstance(decision, Fail):
                raise decision.error
            assert isinstance(decision, Retry)
            log.warning(
                "POST %s: %s; retry %d of %d in %.1f s",
                _PATH,
                decision.reason,
                attempt + 1,
                attempts,
                decision.wait,
            )
            if decision.rate_limited:
                self._pacer.reset_waited_for()
                if write and on_limited is not None:
                    on_limited()
            self._sleep(decision.wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(
        self, query: str, variables: Mapping[str, Any], write: bool
    ) -> tuple[int, Mapping[str, str], Any, str]:
        """One request: status (0: no answer), headers, decoded body, GitHub's message."""
        self._pacer.sent(self._clock(), write=write)
        self.requests_made += 1
        started = time.perf_counter()
        payload = {"query": query, "variables": dict(variables)}
        try:
            response = self._http.post(self.url, json=payload, headers=self._headers)
        except httpx2.RequestError as exc:
            log.debug("POST %s -> %s", _PATH, no_answer(exc))
            return 0, {}, None, no_answer(exc)
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("POST %s -> %s in %.0f ms", _PATH, response.status_code, elapsed)
        body = decode(response)
        headers = response.headers
        self._remaining = header_int(headers.get("x-ratelimit-remaining"), self._remaining)
        reset = header_int(headers.get("x-ratelimit-reset"), None)
        self._reset = float(reset) if reset is not None else self._reset
        self._pacer.answered(headers, self._wall_clock())
        return response.status_code, headers, body, github_message(body)


def _limited(body: Any) -> bool:
    errors = body.get("errors") if isinstance(body, dict) else None
    return any(isinstance(e, dict) and e.get("type") in _LIMITED for e in errors or [])


def _first_message(body: Any) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return "no message"


def _answer(body: Any) -> GraphQLAnswer:
    if not isinstance(body, dict):
        raise GitHubAPIError(
            f"GitHub's GraphQL API answered something that is not JSON: {str(body)[:200]}",
            status=0,
            method="POST",
            path=_PATH,
        )
    errors = tuple(e for e in body.get("errors") or [] if isinstance(e, dict))
    data = body.get("data")
    if not isinstance(data, dict):
        # The whole request failed (a malformed query, a limit): nothing ran.
        message = "; ".join(str(e.get("message")) for e in errors) or "no data"
        raise GitHubAPIError(
            f"GitHub's GraphQL API refused the request: {message}",
            status=0,
            method="POST",
            path=_PATH,
            github_message=message,
        )
    return GraphQLAnswer(data, errors)
