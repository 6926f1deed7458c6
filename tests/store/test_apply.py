"""``update(..., apply=True)`` (issue 17): it returns only an update that was applied, and raises
as ``wait()`` does (the rules of ``core/waiting.py``) for one that was not: rejected with its
reason, untrusted, or still pending. The object is left as it was."""

from __future__ import annotations

import dataclasses
import random

import pytest

from gh_store.core.config import StoreConfig
from gh_store.core.exceptions import (
    AccessDeniedError,
    UpdateNotTrusted,
    UpdatePending,
    UpdateRejected,
)
from gh_store.core.report import ProcessReport
from gh_store.core.schema import ObjectSchema
from gh_store.emulator import GitHubEmulator

from .conftest import FAST, MakeStore

SCHEMA = ObjectSchema({"type": "object", "properties": {"v": {"type": "integer"}}})


def test_an_applied_update_returns_the_object_after_it(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    store = make_store()
    store.create("cfg", {"v": 1})
    obj = store.update("cfg", {"v": 2}, apply=True)
    assert obj.data == {"v": 2} and obj.meta.version == 2 and obj.posted is not None
    assert [r["content"] for r in gh.reactions(obj.posted.comment_id)] == ["+1"]


def test_a_rejected_update_raises_with_the_reason_and_leaves_the_object(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    store = make_store(schema=SCHEMA)
    number = store.create("cfg", {"v": 1}).meta.issue_number
    body = gh.issue(number)["body"]
    with pytest.raises(UpdateRejected, match=r"was rejected: .*does not match the schema") as e:
        store.update("cfg", {"v": "two"}, apply=True)
    assert not isinstance(e.value, UpdateNotTrusted)
    comment = gh.comments(number)[-1]
    assert e.value.comment_id == comment["id"] and e.value.issue_number == number
    assert "'two' is not of type 'integer'" in e.value.reason
    assert [r["content"] for r in gh.reactions(comment["id"])] == ["-1"]
    got = store.get("cfg")
    assert got.data == {"v": 1} and got.meta.version == 1
    # Only the metadata moved on (the decision is recorded), never the data.
    assert body.split("<!--")[0] == gh.issue(number)["body"].split("<!--")[0]


def test_an_untrusted_authors_update_raises_not_trusted(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    """A store trusting maintainers only, used by a writer: its own run may write the issue but
    marks the update eyes; the caller is told it will never be applied."""
    number = make_store().create("cfg", {"v": 1}).meta.issue_number
    config = _trusting("maintain", make_store)
    wendy = make_store(token=gh.token_for("wendy", "write"), config=config)
    with pytest.raises(UpdateNotTrusted, match=r"wendy may not write to octo/store") as e:
        wendy.update("cfg", {"v": 2}, apply=True)
    comment = gh.comments(number)[-1]
    assert comment["body"] == '{\n  "v": 2\n}' and e.value.comment_id == comment["id"]
    assert [r["content"] for r in gh.reactions(comment["id"])] == ["eyes"]
    got = make_store().get("cfg")
    assert got.data == {"v": 1} and got.meta.version == 1


def test_a_triage_user_cannot_apply_and_is_told_so(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    """Triage may comment, never write the body: the run stops at its write, and nothing says
    the update was applied."""
    make_store().create("cfg", {"v": 1})
    tina = make_store(token=gh.token_for("tina", "triage"))
    with pytest.raises(AccessDeniedError, match=r"cannot write issues"):
        tina.update("cfg", {"v": 2}, apply=True)
    assert make_store().get("cfg").data == {"v": 1}


def _trusting(level: str, make_store: MakeStore) -> StoreConfig:
    config = make_store().config
    trust = dataclasses.replace(config.trust, min_permission=level)
    return dataclasses.replace(config, trust=trust)


def test_an_update_another_run_rejected_first_raises(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    """The action processes the issue between the comment and this run: this run decides
    nothing, and the issue's recorded reason is what the caller gets."""
    store = make_store()
    action = make_store(token=gh.bot_token, schema=SCHEMA, config=FAST)
    number = store.create("cfg", {"v": 1}).meta.issue_number
    real = store.process_updates

    def action_first(issue: int) -> object:
        action.process_updates(issue)
        return real(issue)

    store.process_updates = action_first  # type: ignore[method-assign,assignment]
    with pytest.raises(UpdateRejected, match=r"does not match the schema"):
        store.update("cfg", {"v": "x"}, apply=True)
    assert store.get("cfg").data == {"v": 1} and number


def test_an_update_the_run_left_pending_raises_pending(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    """A run that ends before it reaches the update (its comments kept changing while read):
    the update stays pending, and apply=True says so rather than return the object as it was."""
    store = make_store()
    number = store.create("cfg", {"v": 1}).meta.issue_number
    body = gh.issue(number)["body"]

    def a_run_that_left_it(issue: int) -> ProcessReport:
        return ProcessReport("cfg", issue, 1, 1, {"v": 1}, {"v": 1}, left_pending=True)

    store.process_updates = a_run_that_left_it  # type: ignore[method-assign]
    with pytest.raises(UpdatePending, match=r"was posted but not applied: it is still pending"):
        store.update("cfg", {"v": 2}, apply=True)
    assert gh.issue(number)["body"] == body
    # Still pending, so wait("cfg") waits for it (the action applies it meanwhile).
    make_store(token=gh.bot_token).process_updates(number)
    assert store.wait("cfg", timeout=0).data == {"v": 2}


@pytest.mark.parametrize("seed", range(4))
def test_seeded_updates_raise_exactly_when_they_were_not_applied(
    gh: GitHubEmulator, make_store: MakeStore, seed: int
) -> None:
    """Writers, writers the store does not trust, and invalid patches in a seeded mix:
    apply=True returns exactly the applied ones and raises for each other one."""
    rng = random.Random(seed)
    owner = make_store(schema=SCHEMA)
    owner.create("cfg", {"v": 0})
    config = _trusting("maintain", make_store)
    triage = make_store(token=gh.token_for("wendy", "write"), schema=SCHEMA, config=config)
    expected = 0
    for _ in range(6):
        who = rng.choice([owner, triage])
        value: object = rng.choice([1, 2, "bad"])
        if who is owner and value != "bad":
            result = who.update("cfg", {"v": value}, apply=True)
            expected = value  # type: ignore[assignment]
            assert result.data == {"v": expected}
        else:
            wanted = UpdateNotTrusted if who is triage else UpdateRejected
            with pytest.raises(wanted) as raised:
                who.update("cfg", {"v": value}, apply=True)
            if who is owner:
                assert not isinstance(raised.value, UpdateNotTrusted)
        assert owner.get("cfg").data == {"v": expected}
