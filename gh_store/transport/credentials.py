"""Checking what a transport is given before it sends anything: repository, token, API URL.

A token is never part of a message: a bad one is described by position and character only, and a
token passed where the repository belongs is recognised and not echoed.
"""

from __future__ import annotations

import os
import re

from gh_store.core.constants import DEFAULT_API_URL
from gh_store.core.exceptions import ConfigurationError

__all__ = [
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
