"""Checking what a transport is given before it sends anything: repository, token, API URL,
and a GitHub App's credentials (:class:`GitHubApp`), with the installation token minted from them.

A token is never part of a message: a bad one is described by position and character only, and a
token passed where the repository belongs is recognised and not echoed.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from gh_store.core.constants import DEFAULT_API_URL
from gh_store.core.exceptions import AuthError, ConfigurationError

from .app_key import AppKey

__all__ = [
    "GitHubApp",
    "check_repository",
    "check_token",
    "looks_like_token",
    "resolve_api_url",
    "user_agent",
]

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "v1.")


def resolve_api_url(api_url: str | None = None) -> str:
    """The API base URL: the argument, else ``$GITHUB_API_URL``, else api.github.com."""
    return (api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


def user_agent() -> str:
    """``gh-store/<version>``, sent with every request: GitHub asks each request to name the
    application that sends it, so a repository's owner (and GitHub's support) can tell ours."""
    from gh_store import __version__

    return f"gh-store/{__version__}"


def looks_like_token(value: object) -> bool:
    """Whether ``value`` is probably a token (so it must not be shown)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text.startswith(_TOKEN_PREFIXES) or (
        "/" not in text and len(text) >= 30 and text.isalnum()
    )


def check_repository(repo: object) -> str:
    """``repo`` if it reads as ``owner/name``; else a ``ConfigurationError`` saying so."""
    if isinstance(repo, str) and _REPO.match(repo.strip()):
        return repo.strip()
    if looks_like_token(repo):
        raise ConfigurationError(
            "the repository must be given as owner/name, but the value given looks like a token "
            "(not shown); pass the token and the repository in that order, or by name: "
            "GitHubStore(token=..., repo='owner/name')"
        )
    shown = repr(repo)[:80]
    raise ConfigurationError(f"the repository must be given as owner/name, got {shown}")


def check_token(token: object) -> str | None:
    """The token without surrounding whitespace (None for no token), if it can be sent.

    A token travels in an HTTP header, which holds visible ASCII only: a character pasted with it
    (a zero-width space, a non-breaking space) would otherwise fail deep inside the HTTP library.
    """
    if token is None:
        return None
    if not isinstance(token, str):
        raise ConfigurationError(f"the token must be a string, not {type(token).__name__}")
    text = token.strip()
    if not text:
        return None
    for position, char in enumerate(text, start=1):
        if not (33 <= ord(char) <= 126):
            raise ConfigurationError(
                f"the token holds a character that cannot be sent to GitHub (U+{ord(char):04X} "
                f"at position {position} of {len(text)}); it was probably copied along with the "
                "token: copy the token again (the token is not shown)"
            )
    return text


_CLIENT_ID = re.compile(r"^Iv[0-9A-Za-z.]{1,40}$")
#: How long before its expiry an installation token is replaced: a request that starts with a
#: token about to lapse should not meet a 401 in the middle of a run.
REFRESH_EARLY = 300.0
#: GitHub refuses a JWT whose ``iat`` is in its future: issue it this much in the past.
JWT_BACKDATE = 60
#: GitHub refuses a JWT valid for more than ten minutes.
JWT_LIFETIME = 600


class GitHubApp:
    """A GitHub App's credentials: its id (or client id), private key and, optionally, the
    installation to act as (else the one installed on the store's repository).

    It keeps the installation token GitHub mints from them (an hour's life) and what GitHub said
    with it; ``transport/app_auth.py`` sends the requests. The key is read and checked here, when
    the App is given, and is never shown (``repr`` hides it). Times are GitHub's: the skew of this
    machine's clock is learnt from each answer's ``Date``.
    """

    def __init__(
        self,
        app_id: int | str,
        private_key: str | bytes | AppKey,
        installation_id: int | str | None = None,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = _check_app_id(app_id)
        self.key = private_key if isinstance(private_key, AppKey) else AppKey(private_key)
        self.installation_id = _check_installation_id(installation_id)
        self.bot_login: str | None = None
        self.tokens_minted = 0
        #: Called with each installation token minted (the action masks it in the log).
        self.on_token: Callable[[str], None] | None = None
        self._wall_clock = wall_clock
        self._skew = 0.0
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self._permissions: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"GitHubApp(app_id={self.app_id!r}, installation_id={self.installation_id!r})"

    @property
    def skew(self) -> float:
        """How far GitHub's clock is ahead of this machine's, as its last answer said."""
        return self._skew

    def github_now(self) -> float:
        """GitHub's time, as far as its answers have told it."""
        return self._wall_clock() + self._skew

    def learn_clock(self, date_header: str | None) -> None:
        """Take GitHub's time from an answer's ``Date`` header (ignored when unreadable)."""
        if not date_header:
            return
        try:
            told = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        with self._lock:
            self._skew = told - self._wall_clock()

    def jwt(self) -> str:
        """A JWT for the App's own endpoints, dated on GitHub's clock."""
        now = int(self.github_now())
        return self.key.jwt(self.app_id, now - JWT_BACKDATE, now - JWT_BACKDATE + JWT_LIFETIME)

    def token(self) -> str | None:
        """The installation token while it has more than :data:`REFRESH_EARLY` to live."""
        with self._lock:
            if self._token is not None and self.github_now() < self._expires - REFRESH_EARLY:
                return self._token
            return None

    def forget(self, token: str) -> None:
        """GitHub refused ``token`` (revoked, expired early): the next request mints another."""
        with self._lock:
            if self._token == token:
                self._token = None

    def took_installation(self, body: Any) -> int:
        """The installation GitHub described (``GET .../installation``): its id, and the bot
        login the App writes as (``<app-slug>[bot]``)."""
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise AuthError("GitHub's answer about the App's installation has no id")
        slug = body.get("app_slug")
        with self._lock:
            self.installation_id = int(body["id"])
            if isinstance(slug, str) and slug:
                self.bot_login = f"{slug}[bot]"
        return self.installation_id

    def took_token(self, body: Any) -> str:
        """Keep the installation token GitHub minted (``token``, ``expires_at``)."""
        token = body.get("token") if isinstance(body, dict) else None
        expires = body.get("expires_at") if isinstance(body, dict) else None
        try:
            until = datetime.fromisoformat(str(expires).replace("Z", "+00:00")).timestamp()
        except ValueError:
            until = None
        if not isinstance(token, str) or check_token(token) is None or until is None:
            raise AuthError("GitHub's answer to the installation token request holds no token")
        permissions = body.get("permissions")
        with self._lock:
            self._token, self._expires = token.strip(), until
            if isinstance(permissions, dict):
                self._permissions = {str(k): str(v) for k, v in permissions.items()}
            self.tokens_minted += 1
        if self.on_token is not None:
            self.on_token(token.strip())
        return token.strip()

    def own_role(self) -> str:
        """The role the App's installation token has on issues (GitHub's permission API does not
        answer for a bot, so the store asks its token instead): ``write`` or ``read``."""
        with self._lock:
            return "write" if self._permissions.get("issues") == "write" else "read"


def _check_app_id(app_id: object) -> int | str:
    if isinstance(app_id, bool):
        raise ConfigurationError("the GitHub App id must be a number, like 123456")
    if isinstance(app_id, int) and app_id > 0:
        return app_id
    if isinstance(app_id, str):
        text = app_id.strip()
        if text.isascii() and text.isdigit() and 0 < len(text) <= 20 and int(text) > 0:
            return int(text)
        if _CLIENT_ID.match(text):
            return text  # a client id: GitHub takes it as the JWT's issuer too
    if looks_like_token(app_id):
        raise ConfigurationError(
            "the GitHub App id looks like a token or a key (not shown); give the App's numeric "
            "id from its settings page"
        )
    shown = repr(app_id)[:40]
    raise ConfigurationError(
        f"the GitHub App id must be the App's number (or its client id, Iv...), got {shown}"
    )


def _check_installation_id(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        text = value.strip()
        if len(text) <= 20 and int(text) > 0:
            return int(text)
    shown = "(not shown)" if looks_like_token(value) else repr(value)[:40]
    raise ConfigurationError(f"the GitHub App installation id must be a number, got {shown}")
