"""When to retry, how long to wait, and what to tell the user: the transport's policy, pure.

``decide`` takes one attempt's outcome (the request, its attempt number, the status or "no answer",
the headers and GitHub's message) and returns what to do: :class:`Done`, :class:`Retry` after a
wait, or :class:`Fail` with the exception to raise. ``pacing_delay`` says how long to hold a request
back before sending it. Neither reads a clock, sleeps or sends anything: the REST adapter does,
so every branch here is tested from a table (``tests/transport/test_policy.py``).

The rules (GitHub's documented behaviour, see ../shared/GITHUB-FACTS.md):

* 2xx, statuses the caller expects (a 404 meaning "none"), and ``304 Not Modified`` to a
  conditional GET (the adapter answers from its stored copy, ``cache.py``) are done.
* No answer, or 5xx: retry after ``Retry-After`` or exponential backoff. A write's outcome is then
  unknown: before sending it again, look whether it happened (``recover``).
* 429, or 403 saying "rate limit" (or with the limit at 0, or a ``Retry-After``): wait as GitHub
  says (``Retry-After``, else the primary reset, else a minute doubling), then retry.
* A wait longer than ``MAX_WAIT`` is not waited: the run fails and says when to try again.
* Anything else (400, 401, 403, 404, 409, 422) is final and mapped to our exceptions, each with a
  message that says what failed and what to do. No message ever holds the token.

What to do depends on who reads the message, the ``audience`` (:data:`AUDIENCES`): the action's
user fixes a workflow's ``permissions:``; the command line's user passes another ``--token``; a
library's user may be either. ``lacking_permission`` says it for each, in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from gh_store.core.exceptions import AuthError, GitHubAPIError, InvalidUpdate, RateLimitError

__all__ = [
    "AUDIENCES",
    "MAX_WAIT",
    "SECONDARY_WAIT",
    "Attempt",
    "Decision",
    "Done",
    "Fail",
    "Retry",
    "blocked_error",
    "decide",
    "github_message",
    "lacking_permission",
    "no_answer",
    "pacing_delay",
    "reset_wait",
    "retry_after",
]

#: Longer than this, a job should fail and say when to retry, not sit idle.
MAX_WAIT = 900.0
#: GitHub: without ``retry-after``, wait at least a minute after a secondary limit, then back off.
SECONDARY_WAIT = 60.0
_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_MAXIMUM = re.compile(r"maximum is (\d+)")

#: Who reads the messages: a program using the library, the action's workflow, the command line.
AUDIENCES = ("library", "action", "cli")


@dataclass(frozen=True)
class Attempt:
    """One attempt's outcome, and what the policy needs to know about the request."""

    method: str
    path: str
    attempt: int  # 1-based
    max_attempts: int
    status: int  # 0: no answer came
    headers: Mapping[str, str] = field(default_factory=dict)
    message: str = ""  # GitHub's message, or what went wrong when no answer came
    body: Any = None  # the decoded answer (a 422's ``errors`` name the field)
    sent: Mapping[str, Any] | None = None  # the JSON the request carried
    ok: Sequence[int] = ()  # statuses the caller takes as an answer
    now: float = 0.0  # epoch seconds, for reset times and Retry-After dates
    repo: str = ""
    api_url: str = ""
    has_token: bool = True
    conditional: bool = False  # a stored answer went with the request: a 304 confirms it
    audience: str = "library"  # who reads the message (AUDIENCES)

    @property
    def write(self) -> bool:
        return self.method in _WRITES

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Done:
    pass


@dataclass(frozen=True)
class Retry:
    wait: float
    reason: str  # for the log: what GitHub said
    recover: bool = False  # a write may have happened: look before sending it again
    rate_limited: bool = False


@dataclass(frozen=True)
class Fail:
    error: Exception


Decision = Done | Retry | Fail


def decide(a: Attempt, backoff_factor: float) -> Decision:
    """What to do after attempt ``a``; ``backoff_factor`` seconds: attempt k waits f*2**(k-1)."""
    if 0 < a.status < 300 or a.status in a.ok or (a.status == 304 and a.conditional):
        return Done()
    limited = a.status == 429 or (a.status == 403 and _is_rate_limit(a.message, a.headers))
    if a.status == 0 or a.status >= 500:
        wait = retry_after(a.headers.get("retry-after"), a.now)
        if wait is None:
            wait = backoff_factor * 2.0 ** (a.attempt - 1)
    elif limited:
        wait = _rate_limit_wait(a.headers, a.attempt, a.now)
    else:
        return Fail(_final_error(a))
    said = f"GitHub answered {a.status} ({a.message})" if a.status else a.message
    github = a.message if a.status else None
    kind = RateLimitError if limited else GitHubAPIError
    if a.attempt >= a.max_attempts:
        text = f"{said} to {a.request}, after {a.max_attempts} attempts"
        return Fail(_api_error(kind, text, a, github))
    if wait > MAX_WAIT:
        text = (
            f"{said} to {a.request}; it may be retried {_when(wait, a.now)}, later than the "
            f"{MAX_WAIT:.0f} s this waits: try again then"
        )
        return Fail(_api_error(RateLimitError, text, a, github))
    recover = a.write and (a.status == 0 or a.status >= 500)
    return Retry(wait, said, recover=recover, rate_limited=limited)


def pacing_delay(
    now: float,
    *,
    write: bool,
    sent: Sequence[float],
    max_per_hour: int,
    last_write: float | None,
    min_write_interval: float,
    blocked_until: float | None,
) -> float:
    """Seconds to hold a request back: primary-limit reset, hourly budget, spacing of writes.

    ``sent`` holds the send times of the last ``max_per_hour`` requests, oldest first.
    """
    deadline = now
    if blocked_until is not None:
        deadline = max(deadline, blocked_until)
    if max_per_hour and len(sent) >= max_per_hour:
        # The oldest of the last `max_per_hour` requests must leave the hour first.
        deadline = max(deadline, sent[-max_per_hour] + 3600.0)
    if write and last_write is not None:
        deadline = max(deadline, last_write + min_write_interval)
    return max(0.0, deadline - now)


def reset_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds until the primary limit resets, when this answer used it up."""
    if headers.get("x-ratelimit-remaining") != "0":
        return None
    try:
        reset = float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    return max(0.0, reset - now) + 1.0  # the reset second itself may still be limited


def retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds (both its forms), or None."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def no_answer(error: BaseException) -> str:
    """What to say when no answer came (a refused, dropped or timed-out connection)."""
    text, kind = str(error), type(error).__name__
    return f"no answer from GitHub ({kind}: {text})" if text else f"no answer from GitHub ({kind})"


def github_message(body: Any) -> str:
    """GitHub's ``message``, with the ``errors`` details a 422 carries."""
    if not isinstance(body, dict):
        return " ".join(str(body or "no message").split())[:200]
    message = str(body.get("message") or "no message")
    details = [
        str(e.get("message") or f"{e.get('field')} {e.get('code')}")
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return "; ".join([message, *details])[:500]


def _api_error(
    kind: type[GitHubAPIError], text: str, a: Attempt, github: str | None
) -> GitHubAPIError:
    return kind(text, status=a.status, method=a.method, path=a.path, github_message=github)


# --- the final errors ---------------------------------------------------------------------------


def _final_error(a: Attempt) -> Exception:
    """The exception for an answer that retrying cannot change."""

    def error(kind: type[GitHubAPIError], text: str) -> GitHubAPIError:
        return kind(text, status=a.status, method=a.method, path=a.path, github_message=a.message)

    if a.status == 401:
        if a.has_token:
            return error(
                AuthError,
                f"GitHub rejected the token (401 {a.message}) for {a.request}: check that it is "
                f"valid, not expired, and meant for {a.api_url}",
            )
        return error(AuthError, f"GitHub requires a token (401 {a.message}) for {a.request}")
    if a.status == 403 or (a.status == 404 and a.write):
        what, scope = _permission_needed(a.path, a.write)
        doubt = "it does not exist, or " if a.status == 404 else ""
        lacks = lacking_permission(what, scope, a.repo, a.audience, has_token=a.has_token)
        return error(
            AuthError, f"GitHub answered {a.status} ({a.message}) to {a.request}: {doubt}{lacks}"
        )
    if a.status == 422:
        too_long = _too_long(a.body, a.sent)
        if too_long:
            return InvalidUpdate(f"{too_long} ({a.request})")
    return error(GitHubAPIError, f"GitHub answered {a.status} ({a.message}) to {a.request}")


def _is_rate_limit(message: str, headers: Mapping[str, str]) -> bool:
    return (
        "rate limit" in message.lower()
        or headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in headers
    )


def _rate_limit_wait(headers: Mapping[str, str], attempt: int, now: float) -> float:
    wait = retry_after(headers.get("retry-after"), now)
    if wait is not None:
        return wait
    reset = reset_wait(headers, now)
    if reset is not None:
        return reset
    return SECONDARY_WAIT * 2.0 ** (attempt - 1)


def _too_long(body: Any, sent: Mapping[str, Any] | None) -> str | None:
    """For a 422 "is too long": which field, its size and GitHub's limit."""
    errors = body.get("errors") if isinstance(body, dict) else None
    for entry in errors or []:
        text = str(entry.get("message") or "") if isinstance(entry, dict) else str(entry)
        if "too long" not in text:
            continue
        name = str(entry.get("field") or "body") if isinstance(entry, dict) else "body"
        value = (sent or {}).get(name)
        size = f"{len(value):,} characters" if isinstance(value, str) else "too many characters"
        match = _MAXIMUM.search(text)
        limit = f"{int(match.group(1)):,}" if match else "65,536"
        return f"the {name} has {size}, more than the {limit} GitHub allows"
    return None


def lacking_permission(
    what: str, scope: str, repo: str, audience: str, *, has_token: bool = True
) -> str:
    """That the token cannot do ``what`` (workflow permission ``scope``), and the fix for
    ``audience``: a workflow's ``permissions:``, a token with access, or either."""
    if audience == "cli":
        if not has_token:
            return (
                f"this needs a token that can {what} in {repo}: pass --token, or set GH_TOKEN "
                "or GITHUB_TOKEN"
            )
        return (
            f"the token (--token, GH_TOKEN or GITHUB_TOKEN) cannot {what} in {repo}: use a "
            f"token whose user may {what} there (a fine-grained token also needs the "
            "repository and the permission granted to it)"
        )
    if not has_token:
        return f"this needs a token that can {what} in {repo} (`{scope}`)"
    if audience == "action":
        return f"the token cannot {what} in {repo}: give the workflow `permissions: {scope}`"
    return (
        f"the token cannot {what} in {repo}: use a token whose user may {what} there (in a "
        f"workflow, give the job `permissions: {scope}`)"
    )


def _permission_needed(path: str, write: bool) -> tuple[str, str]:
    """What the token could not do, and the workflow permission that allows it."""
    if path.endswith("/dispatches"):
        return "send repository_dispatch events", "contents: write"
    if "/issues" in path:
        return ("write issues", "issues: write") if write else ("read issues", "issues: read")
    if "/collaborators/" in path:
        return "read collaborators' permissions", "metadata: read"
    return ("write", "contents: write") if write else ("read the repository", "contents: read")


def _when(wait: float, now: float) -> str:
    at = datetime.fromtimestamp(now + wait, UTC).strftime("%H:%M:%S UTC")
    return f"at {at} (in {wait:.0f} s)"


def blocked_error(
    blocked_until: float | None, now: float, method: str, path: str
) -> Exception | None:
    """The error for a request held back by a primary-limit reset too far away, or None."""
    if blocked_until is None or blocked_until - now <= MAX_WAIT:
        return None
    wait = blocked_until - now
    return RateLimitError(
        f"GitHub's rate limit is used up for this token; it resets {_when(wait, now)}, "
        f"longer than the {MAX_WAIT:.0f} s this waits ({method} {path} not sent)",
        status=0,
        method=method,
        path=path,
    )
