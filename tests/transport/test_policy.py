"""The transport's policy, from a table: every branch of ``decide`` and ``pacing_delay``, with the
message a user sees. Pure: no emulator, no clock."""

from __future__ import annotations

from typing import Any

import pytest

from gh_store.core.exceptions import AuthError, GitHubAPIError, InvalidUpdate, RateLimitError
from gh_store.transport.policy import (
    AUDIENCES,
    MAX_WAIT,
    Attempt,
    Done,
    Fail,
    Retry,
    blocked_error,
    decide,
    github_message,
    lacking_permission,
    pacing_delay,
    reset_wait,
    retry_after,
)

NOW = 1_700_000_000.0


def attempt(status: int, **changes: Any) -> Attempt:
    fields: dict[str, Any] = {
        "method": "GET",
        "path": "/repos/octo/store/issues/1",
        "attempt": 1,
        "max_attempts": 3,
        "status": status,
        "message": "Not Found" if status == 404 else "boom",
        "now": NOW,
        "repo": "octo/store",
        "api_url": "https://api.github.com",
    }
    fields.update(changes)
    return Attempt(**fields)


# --- done, retry, fail ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_success_is_done(status: int) -> None:
    assert decide(attempt(status), 2.0) == Done()


def test_an_expected_status_is_done() -> None:
    assert decide(attempt(404, ok=(404,)), 2.0) == Done()


@pytest.mark.parametrize(
    ("status", "attempt_number", "headers", "wait"),
    [
        (500, 1, {}, 2.0),  # backoff factor * 2**(k-1)
        (502, 2, {}, 4.0),
        (503, 3 - 1, {"retry-after": "7"}, 7.0),  # a 5xx's Retry-After wins over backoff
        (0, 1, {}, 2.0),  # no answer
        (503, 1, {"retry-after": "Wed, 15 Nov 2023 00:00:10 GMT"}, 17_210.0 - 17_200),
    ],
)
def test_server_errors_and_no_answer_are_retried(
    status: int, attempt_number: int, headers: dict[str, str], wait: float
) -> None:
    now = 1_700_006_400.0  # 2023-11-15T00:00:00Z
    decision = decide(attempt(status, attempt=attempt_number, headers=headers, now=now), 2.0)
    assert isinstance(decision, Retry)
    assert decision.wait == pytest.approx(wait)
    assert not decision.rate_limited and not decision.recover  # a GET changes nothing


@pytest.mark.parametrize("status", [0, 500, 503])
def test_a_write_whose_outcome_is_unknown_looks_before_sending_again(status: int) -> None:
    decision = decide(attempt(status, method="POST"), 2.0)
    assert isinstance(decision, Retry) and decision.recover


@pytest.mark.parametrize(
    ("status", "message", "headers", "wait"),
    [
        (429, "slow down", {"retry-after": "30"}, 30.0),
        (403, "You have exceeded a secondary rate limit", {}, 60.0),
        (403, "x", {"retry-after": "5"}, 5.0),
        (
            403,
            "API rate limit exceeded",
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 100)},
            101.0,
        ),
        (429, "slow down", {}, 60.0),
    ],
)
def test_rate_limits_wait_as_github_says(
    status: int, message: str, headers: dict[str, str], wait: float
) -> None:
    decision = decide(attempt(status, message=message, headers=headers), 2.0)
    assert isinstance(decision, Retry) and decision.rate_limited
    assert decision.wait == pytest.approx(wait)


def test_secondary_limit_waits_double_on_each_attempt() -> None:
    waits = [decide(attempt(403, message="secondary rate limit", attempt=k), 2.0) for k in (1, 2)]
    assert [w.wait for w in waits if isinstance(w, Retry)] == [60.0, 120.0]


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (
            500,
            GitHubAPIError,
            "GitHub answered 500 (boom) to GET /repos/octo/store/issues/1, after 3 attempts",
        ),
        (0, GitHubAPIError, "boom to GET /repos/octo/store/issues/1, after 3 attempts"),
        (
            429,
            RateLimitError,
            "GitHub answered 429 (boom) to GET /repos/octo/store/issues/1, after 3 attempts",
        ),
    ],
)
def test_the_last_attempt_fails_with_what_github_said(
    status: int, kind: type[Exception], message: str
) -> None:
    decision = decide(attempt(status, attempt=3), 2.0)
    assert isinstance(decision, Fail) and type(decision.error) is kind
    assert str(decision.error) == message


def test_a_wait_longer_than_the_limit_fails_and_says_when_to_retry() -> None:
    decision = decide(attempt(403, message="rate limit", headers={"retry-after": "1000"}), 2.0)
    assert isinstance(decision, Fail) and isinstance(decision.error, RateLimitError)
    assert str(decision.error) == (
        "GitHub answered 403 (rate limit) to GET /repos/octo/store/issues/1; it may be retried "
        f"at 22:30:00 UTC (in 1000 s), later than the {MAX_WAIT:.0f} s this waits: try again then"
    )


@pytest.mark.parametrize(
    ("status", "method", "path", "has_token", "kind", "message"),
    [
        (401, "GET", "/repos/octo/store/issues/1", True, AuthError,
         "GitHub rejected the token (401 boom) for GET /repos/octo/store/issues/1: check that it "
         "is valid, not expired, and meant for https://api.github.com"),
        (401, "GET", "/repos/octo/store/issues/1", False, AuthError,
         "GitHub requires a token (401 boom) for GET /repos/octo/store/issues/1"),
        (403, "PATCH", "/repos/octo/store/issues/1", True, AuthError,
         "GitHub answered 403 (boom) to PATCH /repos/octo/store/issues/1: the token cannot write "
         "issues in octo/store: give the workflow `permissions: issues: write`"),
        (404, "POST", "/repos/octo/store/issues/1/comments", True, AuthError,
         "GitHub answered 404 (Not Found) to POST /repos/octo/store/issues/1/comments: it does "
         "not exist, or the token cannot write issues in octo/store: give the workflow "
         "`permissions: issues: write`"),
        (403, "POST", "/repos/octo/store/dispatches", True, AuthError,
         "GitHub answered 403 (boom) to POST /repos/octo/store/dispatches: the token cannot send "
         "repository_dispatch events in octo/store: give the workflow "
         "`permissions: contents: write`"),
        (403, "GET", "/repos/octo/store/collaborators/x/permission", False, AuthError,
         "GitHub answered 403 (boom) to GET /repos/octo/store/collaborators/x/permission: this "
         "needs a token that can read collaborators' permissions in octo/store (`metadata: read`)"),
        (403, "GET", "/repos/octo/store", True, AuthError,
         "GitHub answered 403 (boom) to GET /repos/octo/store: the token cannot read the "
         "repository in octo/store: give the workflow `permissions: contents: read`"),
        (403, "GET", "/repos/octo/store/issues", True, AuthError,
         "GitHub answered 403 (boom) to GET /repos/octo/store/issues: the token cannot read "
         "issues in octo/store: give the workflow `permissions: issues: read`"),
        (404, "GET", "/repos/octo/store/issues/1", True, GitHubAPIError,
         "GitHub answered 404 (Not Found) to GET /repos/octo/store/issues/1"),
        (400, "PATCH", "/repos/octo/store/issues/1", True, GitHubAPIError,
         "GitHub answered 400 (boom) to PATCH /repos/octo/store/issues/1"),
        (409, "PUT", "/repos/octo/store/x", True, GitHubAPIError,
         "GitHub answered 409 (boom) to PUT /repos/octo/store/x"),
    ],
)  # fmt: skip
def test_final_answers_map_to_our_errors_with_the_fix(
    status: int, method: str, path: str, has_token: bool, kind: type[Exception], message: str
) -> None:
    decision = decide(
        attempt(status, method=method, path=path, has_token=has_token, audience="action"), 2.0
    )
    assert isinstance(decision, Fail) and type(decision.error) is kind
    assert str(decision.error) == message


@pytest.mark.parametrize(
    ("audience", "has_token", "fix"),
    [
        ("cli", True,
         "the token (--token, GH_TOKEN or GITHUB_TOKEN) cannot write issues in octo/store: use a "
         "token whose user may write issues there (a fine-grained token also needs the "
         "repository and the permission granted to it)"),
        ("cli", False,
         "this needs a token that can write issues in octo/store: pass --token, or set GH_TOKEN "
         "or GITHUB_TOKEN"),
        ("library", True,
         "the token cannot write issues in octo/store: use a token whose user may write issues "
         "there (in a workflow, give the job `permissions: issues: write`)"),
        ("action", True,
         "the token cannot write issues in octo/store: give the workflow "
         "`permissions: issues: write`"),
    ],
)  # fmt: skip
def test_a_refused_write_names_the_fix_its_reader_can_make(
    audience: str, has_token: bool, fix: str
) -> None:
    decision = decide(
        attempt(403, method="PATCH", has_token=has_token, audience=audience, message="no"), 2.0
    )
    assert isinstance(decision, Fail)
    assert str(decision.error) == (
        f"GitHub answered 403 (no) to PATCH /repos/octo/store/issues/1: {fix}"
    )


def test_only_the_action_is_told_about_workflow_permissions_alone() -> None:
    for audience in AUDIENCES:
        text = lacking_permission("write issues", "issues: write", "o/r", audience)
        assert ("give the workflow" in text) == (audience == "action")
        assert ("--token" in text) == (audience == "cli")


def test_a_body_too_long_is_an_invalid_update_with_its_size() -> None:
    too_long = "body is too long (maximum is 65536 characters)"
    body = {"message": "Validation Failed", "errors": [{"field": "body", "message": too_long}]}
    decision = decide(attempt(422, method="PATCH", body=body, sent={"body": "x" * 70_000}), 2.0)
    assert isinstance(decision, Fail) and isinstance(decision.error, InvalidUpdate)
    assert str(decision.error) == (
        "the body has 70,000 characters, more than the 65,536 GitHub allows "
        "(PATCH /repos/octo/store/issues/1)"
    )


def test_another_422_is_an_api_error() -> None:
    body = {"message": "Validation Failed", "errors": [{"field": "state", "code": "invalid"}]}
    decision = decide(attempt(422, method="PATCH", body=body, message=github_message(body)), 2.0)
    assert isinstance(decision, Fail) and type(decision.error) is GitHubAPIError
    assert "Validation Failed; state invalid" in str(decision.error)


def test_no_error_message_holds_a_token() -> None:
    token = "ghp_" + "x" * 36
    for status in (0, 400, 401, 403, 404, 409, 422, 429, 500):
        for method in ("GET", "POST"):
            decision = decide(attempt(status, method=method, attempt=3), 2.0)
            if isinstance(decision, Fail):
                assert token not in str(decision.error)


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "Bad"}, "Bad"),
        ({"message": "V", "errors": [{"message": "m"}, {"field": "f", "code": "c"}]}, "V; m; f c"),
        ("plain text\nanswer", "plain text answer"),
        (None, "no message"),
        ({}, "no message"),
    ],
)
def test_github_message(body: Any, message: str) -> None:
    assert github_message(body) == message


def test_retry_after_forms() -> None:
    assert retry_after(None, NOW) is None
    assert retry_after("12", NOW) == 12.0
    assert retry_after("-5", NOW) == 0.0
    assert retry_after("not a date", NOW) is None


def test_reset_wait_only_when_the_limit_is_used_up() -> None:
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 10)}
    assert reset_wait(reset, NOW) == 11.0
    assert reset_wait({"x-ratelimit-remaining": "3", "x-ratelimit-reset": "1"}, NOW) is None
    assert reset_wait({"x-ratelimit-remaining": "0"}, NOW) is None


# --- pacing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "write", "sent", "per_hour", "last_write", "interval", "blocked", "delay"),
    [
        (100.0, False, [], 0, None, 1.0, None, 0.0),  # nothing holds a read back
        (100.0, True, [], 0, 99.5, 1.0, None, 0.5),  # writes a second apart
        (100.0, False, [], 0, 99.5, 1.0, None, 0.0),  # reads are not spaced
        (100.0, True, [], 0, 90.0, 1.0, None, 0.0),
        (100.0, False, [10.0, 20.0, 30.0], 3, None, 1.0, None, 3_510.0),  # the hourly budget
        (100.0, False, [10.0, 20.0], 3, None, 1.0, None, 0.0),
        (100.0, False, [], 0, None, 1.0, 160.0, 60.0),  # the primary limit's reset
    ],
)
def test_pacing_delay(
    now: float,
    write: bool,
    sent: list[float],
    per_hour: int,
    last_write: float | None,
    interval: float,
    blocked: float | None,
    delay: float,
) -> None:
    assert pacing_delay(
        now,
        write=write,
        sent=sent,
        max_per_hour=per_hour,
        last_write=last_write,
        min_write_interval=interval,
        blocked_until=blocked,
    ) == pytest.approx(delay)


def test_a_reset_too_far_away_is_an_error_before_sending() -> None:
    assert blocked_error(None, NOW, "GET", "/x") is None
    assert blocked_error(NOW + MAX_WAIT, NOW, "GET", "/x") is None
    error = blocked_error(NOW + 3_000, NOW, "GET", "/x")
    assert isinstance(error, RateLimitError)
    assert "(GET /x not sent)" in str(error) and "in 3000 s" in str(error)
