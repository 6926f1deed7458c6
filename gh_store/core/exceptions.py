"""Every error gh-store raises, in one hierarchy.

The library raises; only the outer layers (the CLI and the action's ``run``) turn an
exception into a message and an exit code. Messages never contain a token.

    GitHubStoreError
    ├── ConfigurationError          bad config file, key, value, schema file or input
    ├── InvalidObjectId             an id that cannot name an object (also a ValueError)
    ├── ObjectNotFound              no issue carries the object's label
    ├── ObjectExistsError           create() of an id that exists (also a ValueError)
    ├── DuplicateUIDError           several issues carry one object's label
    ├── InvalidUpdate               an update or object that cannot be stored (size, type, schema)
    ├── CorruptObjectError          an issue body that is neither our format nor the original's
    ├── ConcurrentUpdateError       too many updates pending, or another writer in the way
    │   └── VersionConflict         a guarded update (if_version) found another version
    ├── WaitTimeout                 wait() gave up before the object's updates were decided
    ├── UpdatePending               update(apply=True): posted, not applied yet (wait() for it)
    ├── UpdateRejected              wait(), update(apply=True): the caller's update is not applied
    │   ├── UpdateNotTrusted        its author may not write, so it will never be applied
    │   └── VersionConflict         (also a ConcurrentUpdateError)
    ├── AccessDeniedError           the caller may not do this (no token, untrusted issue author)
    │   └── AuthError               GitHub refused the token or the right (also a GitHubAPIError)
    └── GitHubAPIError              GitHub answered an error, or could not be reached, after retries
        ├── AuthError
        └── RateLimitError          still rate-limited after every retry

The names ``GitHubStoreError``, ``ObjectNotFound``, ``InvalidUpdate``, ``ConcurrentUpdateError``,
``ConfigurationError``, ``DuplicateUIDError`` and ``AccessDeniedError`` are the original
gh-store's public names, kept so its users' ``except`` clauses keep working.
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "AuthError",
    "ConcurrentUpdateError",
    "ConfigurationError",
    "CorruptObjectError",
    "DuplicateUIDError",
    "GitHubAPIError",
    "GitHubStoreError",
    "InvalidObjectId",
    "InvalidUpdate",
    "ObjectExistsError",
    "ObjectNotFound",
    "RateLimitError",
    "UpdateNotTrusted",
    "UpdatePending",
    "UpdateRejected",
    "VersionConflict",
    "WaitTimeout",
]


class GitHubStoreError(Exception):
    """Base of every gh-store error."""


class ConfigurationError(GitHubStoreError):
    """A config file, key or value, a schema file or an input is wrong; the message names it."""


class InvalidObjectId(GitHubStoreError, ValueError):
    """An object id GitHub could not hold as a label (empty, too long, a comma, controls)."""


class ObjectNotFound(GitHubStoreError):
    """No issue holds an object with this id (or no issue has this number)."""


class ObjectExistsError(GitHubStoreError, ValueError):
    """``create`` was asked for an id that is already stored."""


class DuplicateUIDError(GitHubStoreError):
    """More than one issue carries the label of one object id."""


class InvalidUpdate(GitHubStoreError):
    """An update or object that cannot be stored: not a JSON object, too big, schema-invalid."""


class CorruptObjectError(GitHubStoreError):
    """An issue body that neither gh-store format can read (hand-edited, or not a store issue)."""


class ConcurrentUpdateError(GitHubStoreError):
    """Too many updates are pending on the object (``max_concurrent_updates``)."""


class WaitTimeout(GitHubStoreError):
    """``wait`` ran out of time before every update posted to the object was decided."""


class UpdateRejected(GitHubStoreError):
    """The caller's update will never be applied (``wait()``, ``update(..., apply=True)``);
    ``reason`` says why, for people.

    ``comment_id`` and ``url`` name the update's comment, ``issue_number`` its issue.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        comment_id: int = 0,
        url: str = "",
        issue_number: int = 0,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.comment_id = comment_id
        self.url = url
        self.issue_number = issue_number


class UpdateNotTrusted(UpdateRejected):
    """The update's author may not write to the repository: the action marks it untrusted."""


class VersionConflict(UpdateRejected, ConcurrentUpdateError):
    """A guarded update (``if_version``) was rejected: the object had moved on. Read, retry."""


class UpdatePending(GitHubStoreError):
    """``update(apply=True)`` posted the update but could not apply it now: it stays pending
    (``wait()`` for it). ``comment_id`` and ``url`` name its comment, ``issue_number`` its issue."""

    def __init__(self, message: str, *, comment_id: int, url: str, issue_number: int) -> None:
        super().__init__(message)
        self.comment_id = comment_id
        self.url = url
        self.issue_number = issue_number


class AccessDeniedError(GitHubStoreError):
    """The caller may not do this: no token for a write, or an issue opened by an untrusted user."""


class GitHubAPIError(GitHubStoreError):
    """GitHub answered an error (or could not be reached) after the configured retries.

    ``status`` is the last HTTP status (0 when no answer came), ``method`` and ``path`` name the
    request, ``github_message`` is GitHub's own ``message`` field when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        method: str = "",
        path: str = "",
        github_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.path = path
        self.github_message = github_message


class AuthError(GitHubAPIError, AccessDeniedError):
    """GitHub refused the token (401) or the permission (403/404 on a write)."""


class RateLimitError(GitHubAPIError):
    """GitHub's primary or secondary rate limit held through every retry."""
