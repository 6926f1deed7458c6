"""``wait()`` (issue 11): the object once every update posted so far is decided; a clear error
past the timeout; outsiders' pending comments cannot make a writer wait."""

from __future__ import annotations

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import WaitTimeout
from gh_store.emulator import GitHubEmulator

from .conftest import MakeStore


class FakeTime:
    """The store's clock and sleep: sleeping moves the clock, and may let the action run."""

    def __init__(self, store: GitHubStore) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.on_sleep = lambda: None
        store._clock = lambda: self.now
        store._sleep = self.sleep

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.on_sleep()


def test_wait_returns_the_object_once_the_action_has_applied_the_update(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer, action = make_store(), make_store(token=gh.bot_token)
    number = writer.create("cfg", {"v": 1}).meta.issue_number
    writer.update("cfg", {"v": 2})
    time = FakeTime(writer)
    polls = []

    def the_action_runs_after_two_polls() -> None:
        polls.append(1)
        if len(polls) == 2:
            action.process_updates(number)

    time.on_sleep = the_action_runs_after_two_polls
    obj = writer.wait("cfg", timeout=60)
    assert obj.data == {"v": 2} and obj.meta.version == 2
    assert time.sleeps == [2.0, 3.0]  # then it backs off, up to 15 s between polls


def test_wait_times_out_with_the_object_and_the_time_waited(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    writer.update("cfg", {"v": 2})
    time = FakeTime(writer)
    with pytest.raises(WaitTimeout, match=r"object 'cfg' in octo/store still has 1 pending update"):
        writer.wait("cfg", timeout=30)
    assert sum(time.sleeps) == pytest.approx(30)
    assert max(time.sleeps) <= 15


def test_an_outsiders_pending_comment_does_not_make_a_writer_wait(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer = make_store()
    number = writer.create("cfg", {"v": 1}).meta.issue_number
    gh.set_permission("rita", "read")
    gh.seed_comment(number, '{"v": 666}', user="rita")
    writer.transport.update_issue(number, state="open")
    time = FakeTime(writer)
    assert writer.wait("cfg", timeout=30).data == {"v": 1}
    assert time.sleeps == []


def test_a_closed_object_returns_at_once_for_one_read(
    gh: GitHubEmulator, make_store: MakeStore, api: str
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    gh.clear_requests()
    assert writer.wait("cfg").data == {"v": 1}
    # the issue, by its known number: a conditional GET over either API (a poll repeated on an
    # unchanged issue costs nothing counted; a GraphQL query would cost a point every time)
    assert [(r.method, r.path) for r in gh.requests] == [("GET", "/repos/octo/store/issues/1")]
    gh.clear_requests()
    assert writer.wait("cfg").data == {"v": 1}
    assert [r.status for r in gh.requests] == [304]


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
def test_the_cli_update_waits(
    gh: GitHubEmulator, make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gh_store import cli

    make_store().create("cfg", {"v": 1})
    waited = []

    def wait(self: GitHubStore, object_id: str, timeout: float = 60.0, **_: object) -> object:
        waited.append((object_id, timeout))
        return self.get(object_id)

    monkeypatch.setattr(GitHubStore, "wait", wait)
    argv = ["update", "cfg", '{"v": 2}', "--wait", "--timeout", "5", "--repo", gh.repo]
    assert cli.main([*argv, "--api-url", gh.url, "--token", gh.owner_token]) == 0
    assert waited == [("cfg", 5.0)]
