"""Authenticating as a GitHub App's installation: the requests that mint its token, as an
``httpx2.Auth`` both adapters' HTTP clients carry.

Before a request goes out without a fresh token (none yet, or one that lapses within
``REFRESH_EARLY``), the flow signs a JWT as the App and, once per process, asks which
installation serves the repository (``GET /repos/{owner}/{repo}/installation``, or ``GET
/app/installations/{id}`` for a given one: either tells the App's slug, hence its bot login),
then ``POST /app/installations/{id}/access_tokens`` for a token limited to the repository. A
request answered 401 gets a new token and goes once more (a token revoked or lapsed early).

GitHub refuses a JWT issued in its future, so the JWT is dated on GitHub's clock as its answers'
``Date`` tells it (``GitHubApp.learn_clock``); the first JWT of a process whose machine clock is
off is refused once, and signed again from the ``Date`` of that refusal. A refusal that is
transient (5xx, a rate limit) is handed back as the answer to the caller's request, so the
transport's policy waits and retries it as any other; any other refusal is an ``AuthError``
that says what to fix, without the key or a token in it.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx2

from gh_store.core.exceptions import AuthError

from .answers import decode
from .credentials import GitHubApp
from .policy import github_message

__all__ = ["AppAuth", "auth_for"]

_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
_Flow = Generator[httpx2.Request, httpx2.Response, Any]


def auth_for(token: str | GitHubApp | None, api_url: str, repo: str) -> AppAuth | None:
    """The auth an HTTP client needs for ``token``: an App's flow, or none (a plain token goes
    in a header)."""
    return AppAuth(token, api_url, repo) if isinstance(token, GitHubApp) else None


class AppAuth(httpx2.Auth):
    requires_response_body = True  # the minting answers are read inside the flow

    def __init__(self, app: GitHubApp, api_url: str, repo: str) -> None:
        self.app = app
        self.api_url = api_url.rstrip("/")
        self.repo = repo

    def auth_flow(self, request: httpx2.Request) -> _Flow:
        for attempt in (1, 2):
            token = self.app.token()
            if token is None:
                token = yield from self._mint()
                if token is None:
                    return  # a transient refusal: the caller's policy sees it and retries
            request.headers["Authorization"] = f"token {token}"
            response = yield request
            self.app.learn_clock(response.headers.get("date"))
            if response.status_code != 401 or attempt == 2:
                return
            self.app.forget(token)

    def _mint(self) -> _Flow:
        """A fresh installation token, or None when GitHub's refusal is worth a retry."""
        if self.app.installation_id is None or self.app.bot_login is None:
            path = (
                f"/repos/{self.repo}/installation"
                if self.app.installation_id is None
                else f"/app/installations/{self.app.installation_id}"
            )
            response = yield from self._as_app("GET", path)
            if _transient(response):
                return None
            if response.status_code != 200:
                raise self._refused(response, "GET", path)
            self.app.took_installation(decode(response))
        path = f"/app/installations/{self.app.installation_id}/access_tokens"
        scope = {"repositories": [self.repo.split("/", 1)[1]]}
        response = yield from self._as_app("POST", path, scope)
        if _transient(response):
            return None
        if response.status_code != 201:
            raise self._refused(response, "POST", path)
        return self.app.took_token(decode(response))

    def _as_app(self, method: str, path: str, data: Any = None) -> _Flow:
        """One request signed as the App; a 401 that taught GitHub's clock is signed again."""
        for attempt in (1, 2):
            before = self.app.skew
            request = httpx2.Request(
                method,
                self.api_url + path,
                headers={**_HEADERS, "Authorization": f"Bearer {self.app.jwt()}"},
                json=data,
            )
            response = yield request
            self.app.learn_clock(response.headers.get("date"))
            skewed = abs(self.app.skew - before) >= 1.0  # the JWT was dated on a wrong clock
            if response.status_code != 401 or attempt == 2 or not skewed:
                return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _refused(self, response: httpx2.Response, method: str, path: str) -> AuthError:
        status = response.status_code
        said = (github_message(decode(response)) or "")[:200]
        app, installation = self.app.app_id, self.app.installation_id
        if status == 401:
            why = (
                f"GitHub refused the GitHub App's credentials (App {app}): the private key is "
                "not this App's or was revoked, the App id is wrong, or this machine's clock is "
                "far off"
            )
        elif status == 404 and path.endswith("/installation"):
            why = (
                f"the GitHub App {app} is not installed on {self.repo} (or the installation "
                "cannot see it): install the App on the repository, from the App's settings"
            )
        elif status == 404:
            why = (
                f"installation {installation} of the GitHub App {app} was not found: check the "
                f"installation id, or leave it out to use the App's installation on {self.repo}"
            )
        elif status == 422:
            why = (
                f"the GitHub App's installation {installation} cannot reach {self.repo}: add "
                "the repository to the installation's repositories"
            )
        else:
            why = (
                f"GitHub refused to give the GitHub App {app} an installation token (HTTP "
                f"{status}): the App may be suspended, or its installation lacks access"
            )
        message = f"{why} (HTTP {status} on {method} {path})"
        message = f"{message}; GitHub said: {said}" if said else message
        # Always 401, whatever GitHub answered the App: the flows read a 404 as "that issue or
        # comment is gone", which the request that needed the token would not have said.
        return AuthError(message, status=401, method=method, path=path, github_message=said)


def _transient(response: httpx2.Response) -> bool:
    if response.status_code >= 500 or response.status_code == 429:
        return True
    limited = response.headers.get("x-ratelimit-remaining") == "0"
    return response.status_code == 403 and (limited or "retry-after" in response.headers)
