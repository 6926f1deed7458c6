"""Property-based tests of the pure planner over hostile comment bodies.

Three runs of ``plan_updates`` over one issue (a first run that sees some comments, a second that
sees them all, a third that must find nothing left to do) are checked against the oracle in
``_support``: the object equals the trusted, usable updates folded in order with
``apply_merge_patch``; the body written always decodes back to the planned object; nothing raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gh_store.core.body import BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.config import TrustConfig
from gh_store.core.needs import Listing
from gh_store.core.planner import UpdatePlan, plan_updates
from gh_store.core.update_comment import CommentKind, parse_update_comment

from ._bodies import PERMISSIONS, TRUSTED, authored_comments, comment_bodies, json_objects
from ._support import OWNER, expected_patch, fold_trusted, quiet_config

CONFIG = quiet_config(trust=TrustConfig(users=("trent",)))
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _issue(body: str, state: str = "open") -> dict[str, Any]:
    return {
        "number": 7,
        "state": state,
        "user": {"login": OWNER},
        "labels": [{"name": CONFIG.base_label}, {"name": f"{CONFIG.uid_prefix}thing"}],
        "body": body,
        "html_url": "https://github.com/octo/store/issues/7",
    }


def _comments(authored: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": 1_000 + index,
            "body": body,
            "user": {"login": author},
            "created_at": f"2024-01-01T00:{index // 60:02d}:{index % 60:02d}Z",
            "html_url": f"https://github.com/octo/store/issues/7#issuecomment-{1_000 + index}",
            "reactions": {"total_count": 0},
        }
        for index, (author, body) in enumerate(authored)
    ]


def _plan(issue: Mapping[str, Any], comments: Sequence[Mapping[str, Any]]) -> UpdatePlan:
    baseline = decode_body(issue["body"]).meta.last_comment_id
    return plan_updates(
        issue, Listing(tuple(comments)), PERMISSIONS, CONFIG, owner=OWNER, baseline=baseline
    )


def _after_write(issue: dict[str, Any], plan: UpdatePlan) -> dict[str, Any]:
    """The issue as GitHub holds it once the plan's one write is done."""
    written = dict(issue)
    if plan.body_text is not None:
        written["body"] = plan.body_text
    if plan.state is not None:
        written["state"] = plan.state
    return written


def _check_written_body(plan: UpdatePlan) -> None:
    if plan.body_text is None:
        return
    assert len(plan.body_text) <= 65_536
    assert len(plan.body_text.encode("utf-8")) <= 262_144
    decoded = decode_body(plan.body_text)
    assert decoded.data == plan.after.data
    assert decoded.meta == plan.after.meta


@SETTINGS
@given(initial=json_objects, authored=authored_comments(), split=st.integers(0, 8))
def test_object_follows_exactly_the_trusted_usable_updates(
    initial: dict[str, Any], authored: list[tuple[str, str]], split: int
) -> None:
    expected, applied_count, clear = fold_trusted(
        initial, [(author in TRUSTED, body) for author, body in authored]
    )
    assume(clear)  # an update whose fit depends on metadata size is left to the unit tests
    comments = _comments(authored)
    issue = _issue(encode_body(IssueBody(initial, BodyMeta())))

    first = _plan(issue, comments[:split])
    _check_written_body(first)
    issue = _after_write(issue, first)
    second = _plan(issue, comments)
    _check_written_body(second)
    issue = _after_write(issue, second)
    third = _plan(issue, comments)

    assert second.after.data == expected
    assert second.after.meta.version == 1 + applied_count
    assert second.after.meta.applied_count == applied_count
    # Nothing is left for a rerun: no decision is taken twice, the object stays as it is.
    assert third.outcomes == ()
    assert third.after.data == expected

    outcomes = [*first.outcomes, *second.outcomes]
    assert {o.status for o in outcomes} <= {"applied", "rejected", "untrusted"}
    decided = [o.comment_id for o in outcomes]
    assert second.after.meta.last_comment_id >= max(decided, default=0)
    assert decided == sorted(set(decided)), "each comment is decided once, in order"
    applied = [o.comment_id for o in outcomes if o.status == "applied"]
    assert len(applied) == applied_count
    for outcome in outcomes:
        comment = comments[outcome.comment_id - 1_000]
        author = comment["user"]["login"]
        assert outcome.author == author
        if author not in TRUSTED:
            assert outcome.status == "untrusted"
        elif outcome.status == "applied":
            assert expected_patch(comment["body"]) is not None
    for plan in (first, second):
        assert [m.comment_id for m in plan.marks] == [o.comment_id for o in plan.outcomes]


@SETTINGS
@given(authored=authored_comments())
def test_plain_chat_is_never_marked(authored: list[tuple[str, str]]) -> None:
    """A comment with no JSON in it gets no reaction and no line in the report."""
    comments = _comments(authored)
    plan = _plan(_issue(encode_body(IssueBody({"a": 1}, BodyMeta()))), comments)
    marked = {o.comment_id for o in plan.outcomes}
    for comment in comments:
        text = comment["body"].strip()
        if not any(c in text for c in "[]{}") and not _parses(text):
            assert comment["id"] not in marked


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


@SETTINGS
@given(data=json_objects, last=st.integers(0, 10**12), count=st.integers(0, 10**6))
def test_issue_body_round_trips(data: dict[str, Any], last: int, count: int) -> None:
    meta = BodyMeta(
        version=count + 1,
        last_comment_id=last,
        since="2024-01-01T00:00:00Z",
        applied_count=count,
        marks=((last, "+1"),),
    )
    try:
        text = encode_body(IssueBody(data, meta))
        text.encode("utf-8")
    except (ValueError, UnicodeEncodeError):  # lone surrogates: never stored, see below
        assume(False)
    decoded = decode_body(text)
    assert decoded.data == data
    assert decoded.meta == meta


@SETTINGS
@given(body=comment_bodies)
def test_classifier_never_raises_and_agrees_with_the_oracle(body: str) -> None:
    parsed = parse_update_comment(body)
    patch = expected_patch(body)
    if patch is not None:
        assert parsed.kind is CommentKind.UPDATE
        assert parsed.patch == patch
    else:
        assert parsed.kind is not CommentKind.UPDATE or _unstorable(parsed.patch)


def _unstorable(patch: Any) -> bool:
    try:
        json.dumps(patch, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return True
    return False
