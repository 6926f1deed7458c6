"""``wait()`` (issues 11 and 17): the object once the caller's update is applied; a clear error
when it never will be (rejected, untrusted author, object archived), or past the timeout;
outsiders' comments and reactions can neither make a writer wait nor fake a success; polls are
polite (at least a second apart) and cheap (counted requests asserted)."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from gh_store.client import GitHubStore
from gh_store.core.body import MAX_REASON, BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.config import StoreConfig
from gh_store.core.exceptions import (
    GitHubAPIError,
    ObjectNotFound,
    UpdateNotTrusted,
    UpdateRejected,
    WaitTimeout,
)
from gh_store.core.needs import Listing
from gh_store.core.planner import plan_updates
from gh_store.core.processing import process_issue_flow
from gh_store.core.schema import ObjectSchema
from gh_store.core.waiting import PostedUpdate, update_outcome_flow
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator

from .conftest import FAST, MakeStore


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
    with pytest.raises(WaitTimeout, match=r"to object 'cfg' in octo/store is still pending after"):
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
    # the issue, by its known number, and its comments (the creation comment is there: an update
    # posted before a close by hand would be too): conditional GETs over either API (a poll
    # repeated on an unchanged issue costs nothing counted; a GraphQL query would cost a point)
    assert [(r.method, r.path) for r in gh.requests] == [
        ("GET", "/repos/octo/store/issues/1"),
        ("GET", "/repos/octo/store/issues/1/comments"),
    ]
    gh.clear_requests()
    assert writer.wait("cfg").data == {"v": 1}
    assert [r.status for r in gh.requests] == [304, 304]


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


# --- issue 17: only what is true ---------------------------------------------------------------


def action_store(gh: GitHubEmulator, make_store: MakeStore, **kwargs: object) -> GitHubStore:
    """The action's identity, processing over REST whatever API the waiting client uses."""
    return make_store(token=gh.bot_token, config=dataclasses.replace(FAST, api="rest"), **kwargs)


def test_update_names_its_comment(gh: GitHubEmulator, make_store: MakeStore) -> None:
    writer = make_store()
    number = writer.create("cfg", {"v": 1}).meta.issue_number
    result = writer.update("cfg", {"v": 2})
    assert result.data == {"v": 1} and result.posted is not None  # still pending
    comment = gh.comments(number)[-1]
    assert result.posted == PostedUpdate(
        object_id="cfg",
        issue_number=number,
        comment_id=comment["id"],
        url=f"https://github.com/octo/store/issues/{number}#issuecomment-{comment['id']}",
        author="octo",
    )


@pytest.mark.parametrize("shape", ["handle", "object id"])
def test_a_triage_users_update_raises_at_once_and_is_never_reported_applied(
    gh: GitHubEmulator, make_store: MakeStore, shape: str
) -> None:
    make_store().create("cfg", {"v": 1})
    tina = make_store(token=gh.token_for("tina", "triage"))
    result = tina.update("cfg", {"v": 2})  # triage may comment and reopen, never write
    time = FakeTime(tina)
    target = result if shape == "handle" else "cfg"
    with pytest.raises(UpdateNotTrusted, match=r"tina may not write to octo/store") as raised:
        tina.wait(target, timeout=60)
    assert time.sleeps == []  # at once
    assert raised.value.comment_id == result.posted.comment_id  # type: ignore[union-attr]
    assert isinstance(raised.value, UpdateRejected)


def test_an_update_the_action_marked_untrusted_raises(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    make_store().create("cfg", {"v": 1})
    tina = make_store(token=gh.token_for("tina", "triage"))
    posted = tina.update("cfg", {"v": 2}).posted
    assert posted is not None
    action_store(gh, make_store).process_updates(posted.issue_number)
    assert [r["content"] for r in gh.reactions(posted.comment_id)] == ["eyes"]
    with pytest.raises(UpdateNotTrusted):
        tina.wait(posted)


SCHEMA = ObjectSchema({"type": "object", "properties": {"v": {"type": "integer"}}})


def test_a_rejected_update_raises_with_the_reason(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    posted = writer.update("cfg", {"v": "two"}).posted
    assert posted is not None
    action_store(gh, make_store, schema=SCHEMA).process_updates(posted.issue_number)
    with pytest.raises(UpdateRejected, match=r"does not match the schema: .*'two' is not of type"):
        writer.wait(posted)
    assert writer.get("cfg").data == {"v": 1}


def test_a_rejection_replaced_by_a_later_run_is_read_from_the_stores_marks_not_anyones(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer, other = make_store(), make_store(token=gh.token_for("wendy", "write"))
    writer.create("cfg", {"v": 1})
    action = action_store(gh, make_store, schema=SCHEMA)
    posted = writer.update("cfg", {"v": "two"}).posted
    assert posted is not None
    action.process_updates(posted.issue_number)
    other.update("cfg", {"v": 3})
    action.process_updates(posted.issue_number)  # the metadata now records only wendy's mark
    gh.set_permission("rita", "read")
    gh.add_reaction(posted.comment_id, "rita", "+1")  # an outsider's "applied"
    with pytest.raises(UpdateRejected, match=r"summary of the gh-store workflow run"):
        writer.wait(posted)


def test_an_applied_update_whose_marks_were_replaced_ignores_an_outsiders_minus_one(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer, other = make_store(), make_store(token=gh.token_for("wendy", "write"))
    writer.create("cfg", {"v": 1})
    action = action_store(gh, make_store)
    posted = writer.update("cfg", {"w": 2}).posted
    assert posted is not None
    action.process_updates(posted.issue_number)
    other.update("cfg", {"v": 3})
    action.process_updates(posted.issue_number)
    gh.set_permission("rita", "read")
    gh.add_reaction(posted.comment_id, "rita", "-1")
    gh.add_reaction(posted.comment_id, "rita", "eyes")
    assert writer.wait(posted).data == {"v": 3, "w": 2}


def test_an_outsiders_reaction_and_look_alike_comment_do_not_end_a_pending_wait(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    posted = writer.update("cfg", {"v": 2}).posted
    assert posted is not None
    gh.set_permission("rita", "read")
    gh.add_reaction(posted.comment_id, "rita", "+1")
    gh.seed_comment(posted.issue_number, '{"v": 2}', user="rita")
    time = FakeTime(writer)
    with pytest.raises(WaitTimeout):
        writer.wait(posted, timeout=20)
    assert sum(time.sleeps) == pytest.approx(20)


def test_an_update_pending_on_a_closed_issue_is_waited_for(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer = make_store()
    number = writer.create("cfg", {"v": 1}).meta.issue_number
    result = writer.update("cfg", {"v": 2})
    make_store().transport.update_issue(number, state="closed")  # by hand, before any run
    FakeTime(writer)  # no real sleeps
    with pytest.raises(WaitTimeout, match="still pending"):
        writer.wait(result, timeout=10)
    # the older call shape from another client, which posted nothing: not settled either
    with pytest.raises(WaitTimeout, match="still has pending updates"):
        make_store().wait("cfg", timeout=0)
    action_store(gh, make_store).process_updates(number)
    assert writer.wait(result).data == {"v": 2}


@pytest.mark.parametrize("shape", ["handle", "object id", "another client"])
def test_an_object_archived_and_re_created_while_waiting_raises_object_not_found(
    gh: GitHubEmulator, make_store: MakeStore, shape: str
) -> None:
    writer, rival = make_store(), make_store()
    writer.create("cfg", {"v": 1})
    result = writer.update("cfg", {"v": 2})
    waiter = make_store() if shape == "another client" else writer
    time = FakeTime(waiter)

    def archive_and_re_create() -> None:
        if len(time.sleeps) == 1:
            rival.delete("cfg")
            rival.create("cfg", {"v": 2, "someone": "else"})

    time.on_sleep = archive_and_re_create
    target = result if shape == "handle" else "cfg"
    with pytest.raises(ObjectNotFound, match=r"archived or deleted while waiting"):
        waiter.wait(target, timeout=60)


def test_a_run_that_died_between_its_write_and_its_marks_counts_as_applied(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    posted = writer.update("cfg", {"v": 2}).posted
    assert posted is not None
    gh.inject(500, method="POST", path=r"/reactions$", times=10)
    with pytest.raises(GitHubAPIError):
        action_store(gh, make_store).process_updates(posted.issue_number)
    gh.clear_faults()
    assert gh.reactions(posted.comment_id) == []
    assert writer.wait(posted).data == {"v": 2}


@pytest.mark.parametrize("interval", [0, 0.001, 0.5])
def test_polls_are_at_least_a_second_apart(
    gh: GitHubEmulator, make_store: MakeStore, interval: float
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    writer.update("cfg", {"v": 2})
    time = FakeTime(writer)
    gh.clear_requests()
    with pytest.raises(WaitTimeout):
        writer.wait("cfg", timeout=10, interval=interval)
    assert time.sleeps[:-1] == [1.0, 1.5, 2.25, 3.375]
    assert len(gh.requests) == len(time.sleeps) + 1  # one conditional read a poll


@pytest.mark.parametrize(
    ("timeout", "interval", "message"),
    [
        (60, -1, "interval must be a finite number of seconds, 0 or more"),
        (60, float("nan"), "interval must be a finite"),
        (60, float("inf"), "interval must be a finite"),
        (-1, 2, "timeout must be a finite number of seconds, 0 or more"),
        (float("nan"), 2, "timeout must be a finite"),
        (float("inf"), 2, "timeout must be a finite"),
        ("60", 2, "timeout must be a number of seconds"),
        (60, True, "interval must be a number of seconds"),
    ],
)
def test_bad_timeouts_and_intervals_are_refused_before_any_request(
    gh: GitHubEmulator, make_store: MakeStore, timeout: object, interval: object, message: str
) -> None:
    writer = make_store()
    writer.create("cfg", {"v": 1})
    time = FakeTime(writer)
    gh.clear_requests()
    with pytest.raises(ValueError, match=message):
        writer.wait("cfg", timeout=timeout, interval=interval)  # type: ignore[arg-type]
    assert gh.requests == [] and time.sleeps == []


@pytest.mark.parametrize("writer_login", ["octo", "wendy"])
def test_a_wait_that_sees_its_update_applied_costs_at_most_three_counted_requests(
    gh: GitHubEmulator, make_store: MakeStore, writer_login: str
) -> None:
    make_store().create("cfg", {"v": 1})
    token = gh.owner_token if writer_login == "octo" else gh.token_for(writer_login, "write")
    writer = make_store(token=token)
    result = writer.update("cfg", {"v": 2})
    action = action_store(gh, make_store)
    time = FakeTime(writer)
    polls: list[int] = []

    def the_action_runs_after_five_polls() -> None:
        polls.append(1)
        if len(polls) == 5:
            action.process_updates(result.meta.issue_number)

    time.on_sleep = the_action_runs_after_five_polls
    gh.clear_requests()
    assert writer.wait(result, timeout=120).data == {"v": 2}
    mine = [r for r in gh.requests if r.user == writer_login]
    counted = [(r.method, r.path) for r in mine if r.status != 304]
    assert [r.status for r in mine].count(304) == 4  # the polls before the action ran: free
    issue = f"/repos/octo/store/issues/{result.meta.issue_number}"
    permission = f"/repos/octo/store/collaborators/{writer_login}/permission"
    expected = [
        ("GET", issue),
        *([("GET", permission)] if writer_login != "octo" else []),
        ("GET", issue),
    ]
    assert counted == expected  # the writer's own role asked once: is it a writer?


@pytest.mark.parametrize("seed", range(6))
def test_seeded_schedules_of_runs_writers_and_outsiders_never_give_a_false_outcome(
    gh: GitHubEmulator, make_store: MakeStore, seed: int
) -> None:
    """Two processors, another writer and an outsider interleaved one request at a time with the
    caller's polls: a poll says applied only for an update that was, rejected only for one that
    was, and the serial end gives the one true outcome."""
    rng = random.Random(seed)
    writer = make_store()
    other = make_store(token=gh.token_for("wendy", "write"))
    number = writer.create("cfg", {"v": 0}).meta.issue_number
    action = make_store(token=gh.bot_token, schema=SCHEMA)
    gh.set_permission("rita", "read")
    valid = rng.random() < 0.6
    posted = writer.update("cfg", {"mine": seed} if valid else {"v": "bad"}).posted
    assert posted is not None

    def run() -> Stepper[object]:
        owner = action.transport.owner
        flow = process_issue_flow(number, action.config, owner, schema=SCHEMA)
        return Stepper(flow, action.transport)  # type: ignore[arg-type]

    def check(poll: Stepper[object]) -> None:
        if poll.error is not None:
            assert isinstance(poll.error, UpdateRejected) and not valid, poll.error
            assert not isinstance(poll.error, UpdateNotTrusted)
        elif poll.result is not None:
            assert valid and poll.result.data["mine"] == seed  # type: ignore[attr-defined]

    runs: list[Stepper[object]] = []
    poll: Stepper[object] | None = None
    for _ in range(150):
        roll = rng.random()
        if roll < 0.12:
            content = rng.choice(["+1", "-1", "eyes"])
            gh.add_reaction(posted.comment_id, "rita", content)
        elif roll < 0.18:
            gh.seed_comment(number, rng.choice(['{"mine": -1}', '{"v": "x"}', "ok"]), user="rita")
        elif roll < 0.26:
            other.update("cfg", {"v": rng.choice([1, 2, "no"])})
        elif roll < 0.34 and len(runs) < 2:
            runs.append(run())
        elif roll < 0.7 and runs:
            stepper = rng.choice(runs)
            stepper.step()
            if stepper.done:
                runs.remove(stepper)
        else:
            if poll is None:
                flow = update_outcome_flow(writer._scope, posted)
                poll = Stepper(flow, writer.transport)  # type: ignore[arg-type]
            if not poll.done:
                poll.step()
            if poll.done:
                check(poll)
                poll = None
    for stepper in runs:
        stepper.run()
    run().run()
    FakeTime(writer)
    if valid:
        assert writer.wait(posted, timeout=0).data["mine"] == seed
    else:
        # the reason is recorded until a later run decides other updates
        with pytest.raises(UpdateRejected, match=r"does not match the schema|summary of the"):
            writer.wait(posted, timeout=0)


def test_an_update_whose_comment_was_deleted_before_any_run_raises(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    writer, other = make_store(), make_store(token=gh.token_for("wendy", "write"))
    writer.create("cfg", {"v": 1})
    posted = writer.update("cfg", {"w": 2}).posted
    assert posted is not None
    gh.delete_comment(posted.comment_id)  # a maintainer tidies up
    other.update("cfg", {"v": 3})
    action_store(gh, make_store).process_updates(posted.issue_number)
    with pytest.raises(UpdateRejected, match="its comment was deleted before it was applied"):
        writer.wait(posted)


@pytest.mark.parametrize("seed", range(20))
def test_recorded_reasons_are_bounded_and_cannot_close_the_metadata_comment(seed: int) -> None:
    """A rejection's reason may quote anything a writer sent; the body keeps at most 300
    characters of it, and no text ends the hidden metadata early."""
    rng = random.Random(seed)
    alphabet = ["-->", "<!--", "<", ">", "`", "\n", '"', "\\", "é", "x", " "]
    bad = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 2000)))
    schema = ObjectSchema({"properties": {"v": {"const": "ok"}}})
    issue = {
        "number": 1,
        "state": "open",
        "labels": [],
        "body": encode_body(IssueBody({}, BodyMeta())),
    }
    comment = {
        "id": 2_000_000_001,
        "body": json.dumps({"v": bad}),
        "user": {"login": "octo"},
        "created_at": "2024-01-01T00:00:00Z",
    }
    plan = plan_updates(
        issue, Listing((comment,)), {}, StoreConfig(), owner="octo", baseline=0, schema=schema
    )
    assert [o.status for o in plan.outcomes] == ["rejected"]
    assert plan.body_text is not None
    assert plan.body_text.count("-->") == 1 and plan.body_text.count("<!--") == 1
    meta = decode_body(plan.body_text).meta
    ((cid, reason),) = meta.reasons
    assert cid == 2_000_000_001 and len(reason) <= MAX_REASON
    assert reason.startswith("the result does not match the schema")
