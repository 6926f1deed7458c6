"""The planner's rules on plain data: ``plan_updates``, with the marks flows it relies on (the
legacy baseline and the crash repair) answered from the comments themselves. No HTTP."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from gh_store.core.body import BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.config import ReactionConfig, StoreConfig
from gh_store.core.constants import MAX_BODY_CHARS
from gh_store.core.exceptions import GitHubAPIError
from gh_store.core.json_text import MAX_DEPTH
from gh_store.core.marks import legacy_baseline, owed_marks
from gh_store.core.needs import (
    GetPermission,
    Listing,
    ListReactions,
    Need,
    OwnLogin,
    StoreReacted,
    run_flow,
)
from gh_store.core.planner import Mark, UpdatePlan, plan_updates
from gh_store.core.schema import ObjectSchema

from .support import BOT, OWNER, chain, comment_dict, fold, iso, issue_dict, store_config

CONFIG = store_config()
PERMISSIONS = {"alice": "write", "rita": "read", "tom": "triage", "mia": "maintain", "ada": "admin"}


def plan(
    issue: dict[str, Any],
    comments: list[dict[str, Any]],
    permissions: dict[str, str] | None = None,
    config: StoreConfig = CONFIG,
    schema: ObjectSchema | None = None,
    marked_by: str = BOT,
) -> UpdatePlan:
    """A round's plan as the run flow makes it; counted reactions were placed by ``marked_by``."""
    roles = dict(PERMISSIONS if permissions is None else permissions)

    def answer(need: Need) -> Any:
        if isinstance(need, ListReactions):
            return Listing(({"user": {"login": marked_by}, "content": need.content},))
        if isinstance(need, OwnLogin):
            return BOT
        if isinstance(need, GetPermission):
            return roles.get(need.login, "none")
        if isinstance(need, StoreReacted):
            return None  # as over REST: who reacted is asked with ListReactions
        raise AssertionError(f"unexpected need {need}")

    meta = decode_body(issue["body"]).meta
    baseline = meta.last_comment_id
    if meta.legacy:
        baseline = run_flow(legacy_baseline(comments, config, OWNER, roles), answer)
    repair = run_flow(owed_marks(meta, comments), answer)
    return plan_updates(
        issue,
        Listing(tuple(comments)),
        roles,
        config,
        owner=OWNER,
        baseline=baseline,
        schema=schema,
        repair=repair,
    )


def statuses(result: UpdatePlan) -> list[tuple[int, str]]:
    return [(o.comment_id, o.status) for o in result.outcomes]


# --- trust ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "permissions", "trust", "expected"),
    [
        (OWNER, {}, {}, "applied"),  # the owner needs no permission lookup
        (BOT, {}, {}, "applied"),  # nor does the workflow's own token
        ("carol", {}, {"users": ("carol",)}, "applied"),  # configured, whatever her role
        ("carol", {"carol": "read"}, {"users": ("carol",)}, "applied"),
        ("carol", {"carol": "read"}, {"users": ("dave",)}, "untrusted"),
        ("carol", {"carol": "read"}, {"users": ("Carol",)}, "applied"),  # logins ignore case
        ("Octo", {}, {}, "applied"),
        ("stranger", {}, {}, "untrusted"),  # no known permission counts as none
        ("rita", {"rita": "none"}, {}, "untrusted"),
        ("rita", {"rita": "read"}, {}, "untrusted"),
        ("tom", {"tom": "triage"}, {}, "untrusted"),
        ("alice", {"alice": "write"}, {}, "applied"),
        ("mia", {"mia": "maintain"}, {}, "applied"),
        ("ada", {"ada": "admin"}, {}, "applied"),
        ("rita", {"rita": "read"}, {"min_permission": "read"}, "applied"),
        ("rita", {"rita": "none"}, {"min_permission": "read"}, "untrusted"),
        ("tom", {"tom": "triage"}, {"min_permission": "triage"}, "applied"),
        ("rita", {"rita": "read"}, {"min_permission": "triage"}, "untrusted"),
        ("alice", {"alice": "write"}, {"min_permission": "maintain"}, "untrusted"),
        ("mia", {"mia": "maintain"}, {"min_permission": "maintain"}, "applied"),
        ("mia", {"mia": "maintain"}, {"min_permission": "admin"}, "untrusted"),
        ("ada", {"ada": "admin"}, {"min_permission": "admin"}, "applied"),
        ("odd", {"odd": "superuser"}, {}, "untrusted"),  # an unknown role is no role
    ],
)
def test_trust_decides_whether_an_update_counts(
    author: str, permissions: dict[str, str], trust: dict[str, Any], expected: str
) -> None:
    result = plan(
        issue_dict({"n": 0}),
        [comment_dict(100, {"n": 1}, author)],
        permissions,
        store_config(**trust),
    )
    assert statuses(result) == [(100, expected)]
    assert result.after.data == ({"n": 1} if expected == "applied" else {"n": 0})
    reaction = {"applied": "+1", "untrusted": "eyes"}[expected]
    assert result.marks == (Mark(100, reaction),)


def test_untrusted_update_is_reported_with_author_and_reason() -> None:
    result = plan(issue_dict({}), [comment_dict(100, {"n": 1}, "rita")])
    (outcome,) = result.outcomes
    assert (outcome.author, outcome.status) == ("rita", "untrusted")
    assert outcome.reason is not None and "rita" in outcome.reason
    assert outcome.url.endswith("#issuecomment-100")


# --- chat and broken updates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["thanks, looks good!", "", "   ", "+1", "LGTM {maybe}", "```python\nprint(1)\n```"],
)
def test_chat_between_updates_gets_no_mark_and_no_outcome(text: str) -> None:
    comments = [
        comment_dict(100, {"a": 1}),
        comment_dict(101, text, "rita"),
        comment_dict(102, {"b": 2}),
    ]
    result = plan(issue_dict({}), comments)
    assert statuses(result) == [(100, "applied"), (102, "applied")]
    assert [m.comment_id for m in result.marks] == [100, 102]
    assert result.after.data == {"a": 1, "b": 2}


def test_trailing_chat_is_passed_over_for_good() -> None:
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "thanks!")]
    result = plan(issue_dict({}), comments)
    assert result.after.meta.last_comment_id == 101
    comments[0] = comment_dict(100, {"a": 1}, reactions={"+1": 1})  # the run placed its mark
    again = plan(issue_dict(result.after.data, result.after.meta, state="closed"), comments)
    assert (again.outcomes, again.needs_write) == ((), False)


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ('{"a": 1', "not valid JSON"),
        ('{"a": NaN}', "not valid JSON"),
        ("[1, 2]", "not an array"),
        ("[", "not valid JSON"),
        ('"a string"', "not a string"),
        ("42", "not a number"),
        ("true", "not a boolean"),
        ("null", "not null"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"deeper than {MAX_DEPTH}"),
        ('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), f"deeper than {MAX_DEPTH}"),
        ('{"_data": [1], "_meta": {"client_version": "0.11.3"}}', "_data must be a JSON object"),
        ('{"_data": "x", "_meta": {}, "type": null}', "_data must be a JSON object"),
        ('```json\n{"a": \n```', "not valid JSON"),
    ],
)
def test_broken_update_is_rejected_and_changes_nothing(text: str, reason_part: str) -> None:
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, text), comment_dict(102, {"b": 2})]
    result = plan(issue_dict({"keep": True}), comments)
    assert statuses(result) == [(100, "applied"), (101, "rejected"), (102, "applied")]
    reason = result.outcomes[1].reason
    assert reason is not None and reason_part in reason
    assert result.after.data == {"keep": True, "a": 1, "b": 2}
    assert result.marks == (Mark(100, "+1"), Mark(101, "-1"), Mark(102, "+1"))
    assert (result.after.meta.version, result.after.meta.applied_count) == (3, 2)


def test_nesting_at_the_limit_is_an_update() -> None:
    deepest = '{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    result = plan(issue_dict({}), [comment_dict(100, deepest)])
    assert statuses(result) == [(100, "applied")]


def test_fenced_json_is_an_update() -> None:
    result = plan(issue_dict({}), [comment_dict(100, '```json\n{"a": 1}\n```')])
    assert result.after.data == {"a": 1}


# --- schema, size, atomicity ----------------------------------------------------------------------

SCHEMA = ObjectSchema(
    {
        "type": "object",
        "properties": {"count": {"type": "integer", "minimum": 0}, "name": {"type": "string"}},
        "required": ["count"],
    }
)


def test_schema_rejection_leaves_the_object_unchanged_and_says_why() -> None:
    comments = [
        comment_dict(100, {"count": 1}),
        comment_dict(101, {"count": -5}),
        comment_dict(102, {"count": None}),  # deletes a required key
        comment_dict(103, {"count": 2, "name": "ok"}),
    ]
    result = plan(issue_dict({"count": 0}), comments, schema=SCHEMA)
    assert statuses(result) == [
        (100, "applied"),
        (101, "rejected"),
        (102, "rejected"),
        (103, "applied"),
    ]
    reasons = [o.reason or "" for o in result.outcomes]
    assert "schema" in reasons[1] and "minimum" in reasons[1]
    assert "schema" in reasons[2] and "count" in reasons[2]
    assert result.after.data == {"count": 2, "name": "ok"}


def test_an_update_applies_whole_or_not_at_all() -> None:
    # Valid keys beside an invalid one: none of them may land.
    result = plan(
        issue_dict({"count": 1, "name": "before"}),
        [comment_dict(100, {"name": "after", "extra": [1], "count": "many"})],
        schema=SCHEMA,
    )
    assert statuses(result) == [(100, "rejected")]
    assert result.after.data == {"count": 1, "name": "before"}
    assert result.after.meta.version == 1 and result.after.meta.applied_count == 0


def test_overflow_is_rejected_and_later_small_updates_still_apply() -> None:
    base = {"big": "x" * 40_000}
    comments = [
        comment_dict(100, {"more": "y" * 30_000}),  # the body would pass 65,536 characters
        comment_dict(101, {"small": 1}),
    ]
    result = plan(issue_dict(base), comments)
    assert statuses(result) == [(100, "rejected"), (101, "applied")]
    reason = result.outcomes[0].reason or ""
    assert "65,536" in reason
    assert result.after.data == {**base, "small": 1}
    assert result.body_text is not None and len(result.body_text) <= MAX_BODY_CHARS


def _plan_with_padding(size: int, pending: int) -> UpdatePlan:
    comments = [comment_dict(2_000_000_000 + i, {f"k{i}": i}) for i in range(pending)]
    comments.append(comment_dict(2_000_000_900, {"pad": "p" * size}))
    return plan(issue_dict({}, state="closed"), comments)


@pytest.mark.parametrize("pending", [0, 40])
def test_only_an_update_that_would_not_fit_is_rejected(pending: int) -> None:
    """The limit is GitHub's 65,536 characters for the body this run writes, marks included."""
    low, high = 60_000, MAX_BODY_CHARS  # low fits, high cannot
    assert _plan_with_padding(low, pending).outcomes[-1].status == "applied"
    assert _plan_with_padding(high, pending).outcomes[-1].status == "rejected"
    while high - low > 1:
        middle = (low + high) // 2
        if _plan_with_padding(middle, pending).outcomes[-1].status == "applied":
            low = middle
        else:
            high = middle
    body = _plan_with_padding(low, pending).body_text
    assert body is not None
    # Largest accepted update: its body fits, and wastes only a few characters: the metadata is
    # sized at its longest (counters of 10 and 13 digits), so the object keeps fitting as it grows.
    slack = 24
    assert MAX_BODY_CHARS - slack <= len(body) <= MAX_BODY_CHARS


# --- order and what is already decided ------------------------------------------------------------


def test_updates_apply_in_comment_id_order_whatever_the_listing_order() -> None:
    patches: list[dict[str, Any]] = [{"a": 1, "b": 1}, {"a": 2}, {"a": 3, "b": None}]
    comments = [comment_dict(100 + i, p, second=59 - i) for i, p in enumerate(patches)]
    result = plan(issue_dict({"b": 0}), list(reversed(comments)))
    assert result.after.data == fold({"b": 0}, patches) == {"a": 3}
    assert [o.comment_id for o in result.outcomes] == [100, 101, 102]
    assert [m.comment_id for m in result.marks] == [100, 101, 102]


def test_edits_and_reactions_on_decided_comments_change_nothing() -> None:
    meta = BodyMeta(version=3, last_comment_id=102, since=iso(10), applied_count=2)
    comments = [
        comment_dict(100, {"a": "edited later"}, reactions={"+1": 1, "-1": 4}),
        comment_dict(101, {"b": "edited"}, "rita", reactions={"eyes": 2}),
        comment_dict(102, "now chat", reactions={"heart": 1}),
    ]
    result = plan(issue_dict({"a": 1}, meta, state="closed"), comments)
    assert (result.outcomes, result.marks, result.repair_marks) == ((), (), ())
    assert not result.needs_write
    assert result.after == result.before


def test_a_plus_one_from_anyone_on_a_pending_update_does_not_decide_it() -> None:
    meta = BodyMeta(last_comment_id=99)
    comments = [comment_dict(100, {"a": 1}, reactions={"+1": 3})]
    result = plan(issue_dict({}, meta), comments)
    assert statuses(result) == [(100, "applied")]


# --- the original gh-store's format ---------------------------------------------------------------


def _envelope(data: Any, kind: str | None = None) -> str:
    meta = {"client_version": "0.11.3", "timestamp": "2024-01-01T00:00:00+00:00"}
    return json.dumps({"_data": data, "_meta": {**meta, "update_mode": "append"}, "type": kind})


def test_legacy_body_starts_after_the_newest_processed_comment() -> None:
    issue = issue_dict(body=json.dumps({"name": "old", "n": 1}, indent=2), state="closed")
    comments = [
        comment_dict(100, _envelope({"name": "old"}, "initial_state"), reactions={"+1": 1}),
        comment_dict(101, _envelope({"n": 2}), reactions={"+1": 1}),
        comment_dict(102, _envelope({"skipped": True}), "rita"),  # below the baseline
        comment_dict(103, _envelope({"n": 1}), reactions={"+1": 1}),
        comment_dict(104, _envelope({"n": 5})),
        comment_dict(105, {"plain": True}),
    ]
    result = plan(issue, comments)
    assert statuses(result) == [(104, "applied"), (105, "applied")]
    assert result.after.data == {"name": "old", "n": 5, "plain": True}
    assert result.body_text is not None and decode_body(result.body_text) == result.after
    assert result.after.meta.last_comment_id == 105


def test_legacy_body_with_nothing_pending_is_rewritten_in_our_format() -> None:
    issue = issue_dict(body=json.dumps({"n": 1}), state="closed")
    comments = [comment_dict(100, _envelope({"n": 1}, "initial_state"), reactions={"+1": 1})]
    result = plan(issue, comments)
    assert result.outcomes == ()
    assert result.body_text is not None
    body = decode_body(result.body_text)
    assert (body.data, body.meta.legacy, body.meta.last_comment_id) == ({"n": 1}, False, 100)


def test_original_envelope_is_an_update_of_its_data() -> None:
    comments = [
        comment_dict(100, _envelope({"n": 2, "_meta": None})),
        comment_dict(101, _envelope({"copy": True}, "initial_state")),  # a creation record
    ]
    result = plan(issue_dict({"n": 1}), comments)
    assert statuses(result) == [(100, "applied")]
    assert result.after.data == {"n": 2}
    assert result.after.meta.last_comment_id == 101


# --- crash repair ---------------------------------------------------------------------------------


def _after_a_run(marks: tuple[tuple[int, str], ...]) -> BodyMeta:
    return BodyMeta(version=2, last_comment_id=101, since=iso(0), applied_count=1, marks=marks)


MARKS = ((100, "+1"), (101, "-1"))


def test_missing_newest_mark_repairs_all_marks_of_the_last_run() -> None:
    comments = [comment_dict(100, {"a": 1}, reactions={"+1": 1}), comment_dict(101, "{")]
    result = plan(issue_dict({"a": 1}, _after_a_run(MARKS), state="closed"), comments)
    assert result.repair_marks == (Mark(100, "+1"), Mark(101, "-1"))
    assert result.marks == ()


def test_placed_newest_mark_needs_no_repair() -> None:
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "{", reactions={"-1": 1})]
    result = plan(issue_dict({"a": 1}, _after_a_run(MARKS), state="closed"), comments)
    assert result.repair_marks == ()
    assert not result.needs_write


@pytest.mark.parametrize("placer", ["rita", "stranger"])
def test_an_outsiders_reaction_where_the_newest_mark_belongs_does_not_hide_a_crash(
    placer: str,
) -> None:
    # The run died before its marks; then someone without write access added the same reaction.
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "{", reactions={"-1": 1})]
    result = plan(
        issue_dict({"a": 1}, _after_a_run(MARKS), state="closed"), comments, marked_by=placer
    )
    assert result.repair_marks == (Mark(100, "+1"), Mark(101, "-1"))


@pytest.mark.parametrize("placer", [OWNER, "alice"])
def test_a_maintainers_reaction_where_the_newest_mark_belongs_does_not_hide_a_crash(
    placer: str,
) -> None:
    # The run died before its marks; then a trusted user added the same reaction by hand. Only
    # the store's own identity places marks: the crashed run's marks are still owed.
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "{", reactions={"-1": 1})]
    result = plan(
        issue_dict({"a": 1}, _after_a_run(MARKS), state="closed"), comments, marked_by=placer
    )
    assert result.repair_marks == (Mark(100, "+1"), Mark(101, "-1"))


THREE = ((100, "+1"), (101, "-1"), (102, "eyes"))


def _owed(on_comment: dict[int, str | None], listed: tuple[int, ...] = ()) -> tuple[Any, list[int]]:
    """What ``owed_marks`` finds for a run that recorded ``THREE``, and whom it asked.

    ``on_comment`` says who placed each unlisted comment's mark (None: nobody; absent: the
    comment is deleted, so asking answers 404); ``listed`` comments come with the listing."""
    asked: list[int] = []

    def answer(need: Need) -> Any:
        if isinstance(need, ListReactions):
            asked.append(need.comment_id)
            if need.comment_id not in on_comment:
                raise GitHubAPIError("Not Found", status=404)
            placer = on_comment[need.comment_id]
            return Listing(() if placer is None else ({"user": {"login": placer}},))
        if isinstance(need, OwnLogin):
            return BOT
        raise AssertionError(f"unexpected need {need}")

    meta = _after_a_run(THREE)
    comments = [comment_dict(cid, "{}") for cid in listed]
    return run_flow(owed_marks(meta, comments), answer), asked


def test_a_deleted_newest_comment_hands_the_decision_to_the_next_older_mark() -> None:
    # 102 (the newest recorded mark's comment) is gone: not listed though listed from its time.
    assert _owed({101: BOT}) == ((), [101])  # the older mark is there: the run finished
    repaired = tuple(Mark(cid, content) for cid, content in THREE)
    assert _owed({101: None}) == (repaired, [101])  # it is not: the run died, all owed again
    assert _owed({101: "rita"}) == (repaired, [101])  # an outsider's reaction proves nothing
    assert _owed({101: OWNER}) == (repaired, [101])  # nor does a maintainer's


def test_deleted_comments_are_passed_over_until_one_decides() -> None:
    assert _owed({100: BOT}) == ((), [101, 100])
    repaired = tuple(Mark(cid, content) for cid, content in THREE)
    assert _owed({100: None}) == (repaired, [101, 100])
    assert _owed({}) == ((), [101, 100])  # every marked comment gone: nothing left to mark


def test_a_listed_newest_mark_is_the_only_one_looked_at() -> None:
    comments = [comment_dict(102, "{}", reactions={"eyes": 1})]
    listing_answers: list[Need] = []

    def answer(need: Need) -> Any:
        listing_answers.append(need)
        if isinstance(need, ListReactions):
            return Listing(({"user": {"login": BOT}},))
        if isinstance(need, StoreReacted):
            return None
        if isinstance(need, OwnLogin):
            return BOT
        raise AssertionError(f"unexpected need {need}")

    flow = owed_marks(_after_a_run(THREE), comments)
    assert run_flow(flow, answer) == ()
    assert listing_answers == [StoreReacted(102, "eyes"), ListReactions(102, "eyes"), OwnLogin()]


def test_repair_marks_stay_apart_from_this_runs_marks() -> None:
    """The executor places repairs before the write; the body keeps this run's marks only."""
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "{"), comment_dict(102, {"b": 2})]
    result = plan(issue_dict({"a": 1}, _after_a_run(MARKS), state="closed"), comments)
    assert result.repair_marks == (Mark(100, "+1"), Mark(101, "-1"))
    assert result.marks == (Mark(102, "+1"),)
    assert result.after.meta.marks == ((102, "+1"),)


# --- metadata -------------------------------------------------------------------------------------


def test_metadata_advances_with_each_applied_update() -> None:
    meta = BodyMeta(version=4, last_comment_id=90, since=iso(1), applied_count=3)
    comments = [
        comment_dict(100, {"a": 1}, second=20),
        comment_dict(101, "{oops", second=21),
        comment_dict(102, {"b": 2}, "rita", second=22),
        comment_dict(103, {"c": 3}, "alice", second=23),
        comment_dict(104, "thanks", second=24),
    ]
    result = plan(issue_dict({}, meta), comments)
    after = result.after.meta
    assert after.version == 4 + 2
    assert after.applied_count == 3 + 2
    assert after.last_comment_id == 104  # the trailing chat is decided too
    assert after.since == iso(23)  # the newest marked comment, so a repair can see its mark
    applied = [(100, comments[0]["body"]), (103, comments[3]["body"])]
    assert after.history_hash == chain(applied)
    assert after.marks == ((100, "+1"), (101, "-1"), (102, "eyes"), (103, "+1"))
    assert result.body_text is not None and decode_body(result.body_text) == result.after
    assert result.state == "closed"


def test_history_hash_continues_from_the_stored_one() -> None:
    meta = BodyMeta(last_comment_id=90, history_hash=chain([(90, "{}")]), applied_count=1)
    comments = [comment_dict(100, {"a": 1})]
    result = plan(issue_dict({}, meta), comments)
    assert result.after.meta.history_hash == chain([(90, "{}"), (100, comments[0]["body"])])


@pytest.mark.parametrize(
    ("processed", "rejected", "untrusted"), [("+1", "-1", "eyes"), ("rocket", "confused", "laugh")]
)
def test_marks_use_the_configured_reactions(processed: str, rejected: str, untrusted: str) -> None:
    config = dataclasses.replace(CONFIG, reactions=ReactionConfig(processed, rejected, untrusted))
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "[]"), comment_dict(102, {}, "rita")]
    result = plan(issue_dict({}), comments, config=config)
    assert result.marks == (Mark(100, processed), Mark(101, rejected), Mark(102, untrusted))


# --- when to write --------------------------------------------------------------------------------


def test_chat_only_on_a_closed_issue_is_not_written() -> None:
    meta = BodyMeta(version=2, last_comment_id=100, since=iso(0), applied_count=1)
    comments = [comment_dict(101, "nice"), comment_dict(102, "indeed", "rita")]
    result = plan(issue_dict({"a": 1}, meta, state="closed"), comments)
    assert (result.body_text, result.state, result.needs_write) == (None, None, False)


def test_open_issue_with_nothing_pending_is_only_closed() -> None:
    meta = BodyMeta(version=2, last_comment_id=100, since=iso(0), applied_count=1)
    result = plan(issue_dict({"a": 1}, meta), [comment_dict(100, {"a": 1})])
    assert (result.body_text, result.state) == (None, "closed")
    assert result.outcomes == ()


def test_closed_issue_with_updates_is_written_and_stays_closed() -> None:
    result = plan(issue_dict({}, state="closed"), [comment_dict(100, {"a": 1})])
    assert result.body_text is not None
    assert result.state == "closed"


# --- outsiders cannot jam an object ---------------------------------------------------------------


def _near_full(room: int) -> dict[str, Any]:
    """An object whose body leaves about ``room`` characters free."""
    body = encode_body(IssueBody({"pad": ""}, BodyMeta(version=9, last_comment_id=10**9)))
    return {"pad": "x" * (MAX_BODY_CHARS - len(body) - room)}


@pytest.mark.parametrize("outsiders", [1, 80, 400])
def test_outsiders_comments_never_make_the_body_too_big_to_write(outsiders: int) -> None:
    base = _near_full(room=120)
    comments = [comment_dict(2_000_000_000 + i, {"spam": i}, "rita") for i in range(outsiders)]
    comments.append(comment_dict(2_000_009_999, {"small": 1}, "alice"))  # fits
    comments.append(comment_dict(2_000_010_000, {"big": "y" * 500}, "alice"))  # cannot fit
    meta = BodyMeta(version=9, last_comment_id=1_999_999_999, since=iso(0))
    result = plan(issue_dict(base, meta), comments)
    statuses_seen = [o.status for o in result.outcomes]
    assert statuses_seen == ["untrusted"] * outsiders + ["applied", "rejected"]
    assert result.after.data == {**base, "small": 1}
    assert result.body_text is not None
    assert len(result.body_text) <= MAX_BODY_CHARS
    # Every decision is marked; the metadata records the applied one, and outsiders' as they fit.
    assert {m.comment_id for m in result.marks} == {o.comment_id for o in result.outcomes}
    recorded = dict(result.after.meta.marks)
    assert recorded[2_000_009_999] == "+1"
    # Marks placed last are the recorded ones: a crash can only leave unrecorded ones unplaced.
    placed_last = [(m.comment_id, m.content) for m in result.marks[-len(recorded) :]]
    assert placed_last == list(result.after.meta.marks)


def test_the_applied_marks_room_is_reserved_so_a_trusted_update_is_never_jammed() -> None:
    base = _near_full(room=100)
    comments = [comment_dict(2_000_000_000 + i, {"spam": "z" * 50}, "rita") for i in range(50)]
    comments.append(comment_dict(2_000_000_500, {"k": 1}, "alice"))
    result = plan(issue_dict(base, BodyMeta(version=9, last_comment_id=10**9)), comments)
    assert result.outcomes[-1].status == "applied"
    assert (2_000_000_500, "+1") in result.after.meta.marks


# --- a listing that could not be read whole ----------------------------------------------------


@pytest.mark.parametrize(("state", "expected"), [("open", None), ("closed", "open")])
def test_an_incomplete_listing_decides_what_it_holds_and_leaves_the_issue_open(
    state: str, expected: str | None
) -> None:
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, {"b": 2})]
    result = plan_updates(
        issue_dict({}, state=state),
        Listing(tuple(comments), complete=False),
        PERMISSIONS,
        CONFIG,
        owner=OWNER,
        baseline=0,
    )
    assert result.after.data == {"a": 1, "b": 2}
    assert result.after.meta.last_comment_id == 101
    assert (result.state, result.complete) == (expected, False)


def test_a_comment_listed_twice_is_decided_once() -> None:
    twice = comment_dict(100, {"n": 1})
    result = plan(issue_dict({"n": 0}), [twice, comment_dict(101, {"m": 1}), twice])
    assert statuses(result) == [(100, "applied"), (101, "applied")]
    assert result.after.meta.version == 3


def test_a_transport_that_knows_the_store_reacted_saves_the_look_at_who_did() -> None:
    # GraphQL says whether this token reacted (viewerHasReacted) with the comments, for free.
    meta = _after_a_run(MARKS)
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "{", reactions={"-1": 1})]
    asked: list[Need] = []

    def answer(need: Need) -> Any:
        asked.append(need)
        if isinstance(need, StoreReacted):
            return True
        raise AssertionError(f"unexpected need {need}")

    assert run_flow(owed_marks(meta, comments), answer) == ()
    assert asked == [StoreReacted(101, "-1")]


def test_a_transport_that_knows_the_store_did_not_react_is_believed() -> None:
    # viewerHasReacted False: someone else's reaction (a maintainer's) fills the count, and the
    # crashed run's marks are owed, with no look at who reacted.
    meta = _after_a_run(MARKS)
    comments = [comment_dict(100, {"a": 1}), comment_dict(101, "{", reactions={"-1": 1})]
    asked: list[Need] = []

    def answer(need: Need) -> Any:
        asked.append(need)
        if isinstance(need, StoreReacted):
            return False
        raise AssertionError(f"unexpected need {need}")

    assert run_flow(owed_marks(meta, comments), answer) == (Mark(100, "+1"), Mark(101, "-1"))
    assert asked == [StoreReacted(101, "-1")]
