"""Error answers map to gh-store's exceptions, with messages that help; a token never leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from gh_store.core.exceptions import (
    AccessDeniedError,
    AuthError,
    GitHubAPIError,
    GitHubStoreError,
    InvalidUpdate,
)
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

from .conftest import FakeTime, MakeTransport

BAD_TOKEN = "ghp_RECOGNISABLE0SECRET0TOKEN0000000000"


def test_bad_token_is_auth_error(make: MakeTransport, gh: GitHubEmulator) -> None:
    store = make(token=BAD_TOKEN)
    with pytest.raises(AuthError) as caught:
        store.get_permission("octo")
    assert isinstance(caught.value, GitHubAPIError) and caught.value.status == 401
    assert str(caught.value).startswith("GitHub rejected the token (401 Bad credentials)")
    assert gh.count() == 1


def test_read_only_user_editing_an_issue_names_the_permission(
    make: MakeTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "b", [])
    reader = make(token=gh.token_for("reader", permission="read"))
    with pytest.raises(AuthError) as caught:
        reader.update_issue(number, body="mine now")
    assert caught.value.status == 403
    assert "the token cannot write issues in octo/store" in str(caught.value)
    assert "`permissions: issues: write`" in str(caught.value)
    assert f"PATCH /repos/octo/store/issues/{number}" in str(caught.value)
    assert gh.count() == 1


def test_bot_without_contents_write_cannot_dispatch(
    make: MakeTransport, gh: GitHubEmulator
) -> None:
    gh.set_permission("github-actions[bot]", "read")
    bot = make(token=gh.bot_token)
    with pytest.raises(AuthError, match="`permissions: contents: write`") as caught:
        bot.dispatch("go", {})
    assert "Resource not accessible by integration" in str(caught.value)


def test_write_404_is_auth_error_read_404_is_not(store: GhApiTransport, gh: GitHubEmulator) -> None:
    with pytest.raises(AuthError, match="issues: write") as caught:
        store.create_comment(12345, "x")
    assert caught.value.status == 404
    with pytest.raises(GitHubAPIError) as read:
        store.get_issue(12345)
    assert read.value.status == 404 and not isinstance(read.value, AuthError)


def test_too_long_comment_is_invalid_update_with_its_size(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "", [])
    with pytest.raises(InvalidUpdate) as caught:
        store.create_comment(number, "x" * 65_537)
    assert "65,537 characters" in str(caught.value) and "65,536" in str(caught.value)
    assert gh.count() == 1 and gh.comments(number) == []


def test_other_422_is_api_error(store: GhApiTransport, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "", [])
    with pytest.raises(GitHubAPIError) as caught:
        store.update_issue(number, state="sleeping")
    assert caught.value.status == 422 and not isinstance(caught.value, InvalidUpdate)


def test_write_without_token_is_refused_before_any_request(
    make: MakeTransport, gh: GitHubEmulator
) -> None:
    anonymous = make(token=None)
    number = gh.seed_issue("t", "", [])
    writes: list[Callable[[], object]] = [
        lambda: anonymous.create_issue(title="t", body="b", labels=[]),
        lambda: anonymous.update_issue(number, body="b"),
        lambda: anonymous.create_comment(number, "c"),
        lambda: anonymous.create_reaction(1, "+1"),
        lambda: anonymous.dispatch("e", {}),
    ]
    for write in writes:
        with pytest.raises(AccessDeniedError) as caught:
            write()
        assert type(caught.value) is AccessDeniedError
        assert str(caught.value).startswith("writing to octo/store needs a token")
    assert gh.requests == [] and anonymous.requests_made == 0


def test_the_token_never_appears_in_errors_or_logs(
    make: MakeTransport,
    gh: GitHubEmulator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    fake_time: FakeTime,
) -> None:
    number = gh.seed_issue("t", "", [])
    good = gh.token_for("writer", permission="write")
    reader_token = gh.token_for("reader", permission="read")
    messages: list[str] = []

    def failing(call: Callable[[], object]) -> None:
        with pytest.raises(GitHubStoreError) as caught:
            call()
        messages.append(f"{caught.value} {caught.value!r} {caught.value.__cause__!r}")

    with caplog.at_level(logging.DEBUG):  # every logger, ghapi's and httpx2's too
        bad = make(token=BAD_TOKEN)
        failing(lambda: bad.get_issue(number))  # 401
        failing(lambda: bad.create_comment(number, "x"))
        writer = make(token=good)
        failing(lambda: writer.get_issue(999))  # 404 read
        failing(lambda: writer.create_comment(999, "x"))  # 404 write
        failing(lambda: writer.create_comment(number, "x" * 70_000))  # 422 too long
        gh.inject(status=503, method="GET", times=3)
        failing(lambda: writer.get_issue(number))  # 5xx after retries
        gh.inject(status=None, drop=True, method="GET", times=3)
        failing(lambda: writer.get_issue(number))  # no answer after retries
        gh.inject(status=429, method="GET", retry_after=1, times=3)
        failing(lambda: writer.get_issue(number))  # rate limited after retries
        gh.inject(status=403, method="GET", retry_after=1000)
        failing(lambda: writer.get_issue(number))  # wait > 900 s
        failing(lambda: make(token=reader_token).dispatch("e", {}))  # 403 permission
        gh.set_rate_limit(good, 0)
        failing(lambda: writer.get_issue(number))  # primary limit, reset in an hour
        fake_time.wall_shift = 3590
        failing(lambda: writer.get_issue(number))  # primary limit, retried, then given up
    assert len(messages) == 12
    for token in (BAD_TOKEN, good, reader_token):
        assert all(token not in m for m in messages)
        assert token not in caplog.text
    assert "GitHub answered 503" in caplog.text  # the logs were captured
