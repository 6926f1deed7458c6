"""GitHub-shaped error answers.

Owns :class:`ApiError`, the one exception the emulator's state and endpoints raise to answer a
request with an error, and the builders of GitHub's error bodies (copied from recorded
api.github.com exchanges in ``tests/fixtures``). Every body carries ``message``,
``documentation_url`` and ``status`` like GitHub's today.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DOCS",
    "SECONDARY_RATE_LIMIT_MESSAGE",
    "ApiError",
    "bad_credentials",
    "error_body",
    "fault_error",
    "forbidden",
    "gone",
    "invalid_request",
    "not_found",
    "primary_rate_limited",
    "requires_authentication",
    "secondary_rate_limited",
    "validation_failed",
]

DOCS = "https://docs.github.com/rest"
SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID "
    "0000:0000:0000000:0000000:00000000."
)
_STATUS_MESSAGES = {
    400: "Problems parsing JSON",
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: (
        "We couldn't respond to your request in time. Sorry about that. Please try "
        "resubmitting your request and contact us if the problem persists."
    ),
}


def error_body(
    status: int, message: str, documentation_url: str = DOCS, **extra: Any
) -> dict[str, Any]:
    """GitHub's error JSON: message, optional extra keys (``errors``), documentation_url, status as
    a string."""
    body: dict[str, Any] = {"message": message, **extra}
    body["documentation_url"] = documentation_url
    body["status"] = str(status)
    return body


class ApiError(Exception):
    """An error answer: HTTP ``status``, JSON ``body`` and extra response ``headers``."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, error_body(404, "Not Found"))


def gone() -> ApiError:
    """410 for an issue that was deleted (its number is never given again)."""
    return ApiError(
        410,
        error_body(
            410, "This issue was deleted", "https://docs.github.com/rest/issues/issues#get-an-issue"
        ),
    )


def bad_credentials() -> ApiError:
    return ApiError(401, error_body(401, "Bad credentials"))


def requires_authentication() -> ApiError:
    return ApiError(401, error_body(401, "Requires authentication"))


def forbidden(is_bot: bool, message: str | None = None) -> ApiError:
    """403 for a caller who may see but not change something.

    GitHub answers an integration (``GITHUB_TOKEN``) with "Resource not accessible by integration";
    for a
    personal token the wording varies by endpoint, and we use the one GitHub gives for repository
    settings.
    """
    if message is None:
        message = (
            "Resource not accessible by integration"
            if is_bot
            else "Must have admin rights to Repository."
        )
    return ApiError(403, error_body(403, message))


def validation_failed(
    resource: str,
    field: str,
    code: str,
    message: str | None = None,
    documentation_url: str = DOCS,
) -> ApiError:
    """422 ``Validation Failed`` with one entry in ``errors`` (code ``custom`` carries a
    ``message``)."""
    entry: dict[str, Any] = {"resource": resource, "code": code, "field": field}
    if message is not None:
        entry["message"] = message
    return ApiError(422, error_body(422, "Validation Failed", documentation_url, errors=[entry]))


def invalid_request(detail: str, documentation_url: str = DOCS) -> ApiError:
    """422 for a request that fails GitHub's JSON-schema check (e.g. a missing required field)."""
    return ApiError(422, error_body(422, f"Invalid request.\n\n{detail}", documentation_url))


def primary_rate_limited(user_id: int | None, headers: dict[str, str]) -> ApiError:
    who = f"user ID {user_id}" if user_id is not None else "127.0.0.1"
    message = (
        f"API rate limit exceeded for {who}. (But here's the good news: Authenticated "
        "requests get a higher rate limit. Check out the documentation for more details.)"
        if user_id is None
        else f"API rate limit exceeded for {who}."
    )
    body = error_body(
        403,
        message,
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
    )
    return ApiError(403, body, headers)


def secondary_rate_limited(retry_after: int | None) -> ApiError:
    body = error_body(
        403,
        SECONDARY_RATE_LIMIT_MESSAGE,
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    )
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return ApiError(403, body, headers)


def fault_error(status: int, retry_after: int | None) -> ApiError:
    """The answer for an injected fault of ``status`` (see :mod:`gh_store.emulator.faults`)."""
    if status == 403:
        return secondary_rate_limited(retry_after)
    if status == 429:
        body = error_body(
            429,
            SECONDARY_RATE_LIMIT_MESSAGE,
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        )
        return ApiError(
            429, body, {"retry-after": str(retry_after if retry_after is not None else 1)}
        )
    if status == 422:
        return validation_failed("Issue", "body", "invalid")
    if status == 404:
        return not_found()
    if status == 401:
        return bad_credentials()
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return ApiError(
        status, error_body(status, _STATUS_MESSAGES.get(status, "Server Error")), headers
    )
