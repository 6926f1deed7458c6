"""No duplicate after a lost create answer; pacing keeps the hourly budget and write spacing."""

from __future__ import annotations

import pytest

from gh_store.core.config import RateLimitConfig
from gh_store.core.needs import Listing
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

from .conftest import FakeTime, MakeTransport

LABELS = ["stored-object", "UID:a"]


# --- no duplicates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", [{"status": 502}, {"status": None, "drop": True}], ids=["502", "drop"]
)
def test_create_issue_whose_answer_is_lost_exists_once(
    fault: dict[str, object], store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime
) -> None:
    gh.inject(method="POST", path=r"/issues$", after=True, **fault)  # type: ignore[arg-type]
    issue = store.create_issue(title="UID:a", body="{}", labels=LABELS)
    issues = [r for r in gh.requests if r.method == "POST"]
    assert len(issues) == 1  # found, not re-sent
    assert fake_time.sleeps == [1.0]
    assert [i["number"] for i in store.list_issues(labels=[])] == [issue["number"]]


def test_create_issue_not_made_is_sent_again(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime
) -> None:
    gh.inject(status=503, method="POST", path=r"/issues$")
    issue = store.create_issue(title="UID:a", body="{}", labels=LABELS)
    assert gh.count("POST", r"/issues$") == 2
    assert [i["number"] for i in store.list_issues(labels=LABELS)] == [issue["number"]]


def test_create_issue_ignores_an_older_issue_with_the_same_title(
    store: GhApiTransport,
    gh: GitHubEmulator,
    fake_time: FakeTime,
) -> None:
    old = gh.seed_issue("UID:a", "{}", LABELS, state="closed")
    fake_time.wall_shift = 120
    gh.inject(status=502, method="POST", path=r"/issues$")  # not created
    issue = store.create_issue(title="UID:a", body="{}", labels=LABELS)
    assert issue["number"] != old and gh.count("POST", r"/issues$") == 2


@pytest.mark.parametrize(
    "fault", [{"status": 500}, {"status": None, "drop": True}], ids=["500", "drop"]
)
def test_create_comment_whose_answer_is_lost_exists_once(
    fault: dict[str, object], store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "", [])
    gh.seed_comment(number, "other")
    gh.inject(method="POST", path=r"/comments$", after=True, **fault)  # type: ignore[arg-type]
    comment = store.create_comment(number, '{"b": 2}')
    assert [c["body"] for c in gh.comments(number)] == ["other", '{"b": 2}']
    assert comment["id"] == gh.comments(number)[1]["id"]
    assert gh.count("POST", r"/comments$") == 1
    lookup = next(r for r in gh.requests if r.method == "GET")
    assert "since" in lookup.query


def test_create_comment_does_not_take_an_older_identical_comment(
    store: GhApiTransport,
    gh: GitHubEmulator,
    fake_time: FakeTime,
) -> None:
    number = gh.seed_issue("t", "", [])
    older = gh.seed_comment(number, "same")
    fake_time.wall_shift = 120
    gh.inject(status=502, method="POST", path=r"/comments$")  # not created
    comment = store.create_comment(number, "same")
    assert comment["id"] != older and len(gh.comments(number)) == 2


# --- pacing ------------------------------------------------------------------------------------


def test_hourly_budget_waits_for_the_oldest_request_to_leave_the_window(
    make: MakeTransport, gh: GitHubEmulator, fake_time: FakeTime
) -> None:
    # Without the cache: a 304 uses no budget (tests/transport/test_conditional_gets.py).
    store = make(
        rate_limit=RateLimitConfig(max_requests_per_hour=3, min_write_interval=0), cache=False
    )
    for step in (0.0, 10.0, 20.0):
        fake_time.now = 1_000.0 + step
        store.get_permission("octo")
    assert fake_time.sleeps == []
    store.get_permission("octo")  # the 4th: the first (t=1000) leaves the hour at 4600
    assert fake_time.sleeps == [3580.0]
    store.get_permission("octo")  # the 5th: the second (t=1010) leaves at 4610
    assert fake_time.sleeps == [3580.0, 10.0]
    assert gh.count() == 5


def test_no_hourly_budget_means_no_waits(
    store: GhApiTransport, gh: GitHubEmulator, fake_time: FakeTime
) -> None:
    for _ in range(20):
        store.get_permission("octo")
    assert fake_time.sleeps == []


def test_writes_are_spaced(make: MakeTransport, gh: GitHubEmulator, fake_time: FakeTime) -> None:
    store = make(rate_limit=RateLimitConfig(max_requests_per_hour=0, min_write_interval=1.0))
    number = gh.seed_issue("t", "", [])
    store.create_comment(number, "one")
    store.get_issue(number)  # reads are not spaced
    assert fake_time.sleeps == []
    store.create_comment(number, "two")
    assert fake_time.sleeps == [1.0]
    fake_time.now += 0.25
    store.create_reaction(gh.seed_comment(number, "c"), "+1")
    assert fake_time.sleeps == [1.0, 0.75]
    fake_time.now += 5
    store.update_issue(number, body="b")
    assert fake_time.sleeps == [1.0, 0.75]


def test_create_comment_does_not_take_an_old_comment_edited_to_the_same_body(
    store: GhApiTransport, gh: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `since` filters on updated_at, so an old comment edited just now comes back from the lookup.
    number = gh.seed_issue("t", "", [])
    edited = {"id": 1, "body": "same", "created_at": "2001-01-01T00:00:00Z"}
    monkeypatch.setattr(store, "list_comments", lambda number, since=None: Listing((edited,)))
    gh.inject(status=502, method="POST", path=r"/comments$")  # not created
    comment = store.create_comment(number, "same")
    assert comment["id"] != 1 and gh.count("POST", r"/comments$") == 2


# --- a lost create is matched to this token's own comment only (issue 9.8) -------------------


@pytest.mark.parametrize("token", ["owner", "bot"])
def test_a_lost_comment_is_not_confused_with_an_outsiders_identical_one(
    make: MakeTransport, gh: GitHubEmulator, token: str
) -> None:
    number = gh.seed_issue("t", "", [])
    gh.set_permission("mallory", "read")
    # Mallory posts the same text just before our answer is lost (a 502 that did not act).
    outsiders = gh.seed_comment(number, '{"v": 2}', user="mallory")
    gh.inject(status=502, method="POST", path=r"/comments$")
    store = make(token=gh.owner_token if token == "owner" else gh.bot_token)

    comment = store.create_comment(number, '{"v": 2}')

    assert comment["id"] != outsiders
    expected = "octo" if token == "owner" else "github-actions[bot]"
    assert comment["user"]["login"] == expected
    authors = [c["user"]["login"] for c in gh.comments(number)]
    assert authors == ["mallory", expected]
    assert gh.count("POST", r"/comments$") == 2


def test_a_lost_comment_that_was_made_is_adopted_once(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "", [])
    gh.inject(status=502, method="POST", path=r"/comments$", after=True)  # made, answer lost
    comment = store.create_comment(number, '{"v": 3}')
    assert [c["id"] for c in gh.comments(number)] == [comment["id"]]
    assert gh.count("GET", r"^/user$") == 1  # who this token is: asked only on this path


def test_a_lost_comment_asks_who_this_token_is_only_about_a_look_alike(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "", [])
    gh.set_permission("mallory", "read")
    gh.seed_comment(number, "chat", user="mallory")  # in the window, but not our text
    gh.inject(status=502, method="POST", path=r"/comments$")  # not made, answer lost
    store.create_comment(number, '{"v": 3}')
    assert gh.count("GET", r"^/user$") == 0  # nothing looked like ours: no one to ask about
    assert gh.count("POST", r"/comments$") == 2
