"""``process_issue`` end to end on the emulator: each rule, the marks it places, its requests.

Every test runs over both transports (``api``): the same rules, bodies, marks and reports; only
the requests differ, and each test says what it expects of each.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest

from gh_store.core.body import MAX_BODY_CHARS, BodyMeta, encode_body
from gh_store.core.config import ReactionConfig, StoreConfig
from gh_store.core.exceptions import ObjectNotFound
from gh_store.core.report import ProcessReport
from gh_store.core.schema import ObjectSchema
from gh_store.emulator import GitHubEmulator, RequestInfo
from gh_store.runs import process_issue

from .support import (
    BOT,
    bot_marks,
    by_api,
    chain,
    edit_comment,
    fold,
    pages_to_read,
    reads_and_writes,
    seed_object,
    store_config,
    stored,
    transport_for,
)

CONFIG = store_config()
ISSUE = r"/issues/\d+$"
COMMENTS = r"/issues/\d+/comments$"
GRAPHQL = r"/graphql$"
REACTIONS = r"/comments/\d+/reactions$"
PERMISSION = r"/collaborators/[^/]+/permission$"


def run(
    gh: GitHubEmulator,
    number: int,
    config: StoreConfig = CONFIG,
    schema: ObjectSchema | None = None,
) -> tuple[ProcessReport, int]:
    """One run with the Actions bot's token; returns its report and how many requests it made."""
    gh.clear_requests()
    with transport_for(gh) as transport:
        report = process_issue(transport, config, number, schema=schema)
        assert transport.requests_made == len(gh.requests)
    return report, len(gh.requests)


def cost_bound(updates: int, authors: int) -> int:
    """What a run may cost. REST: N + ceil(N/100) + A + 5 requests. GraphQL: one query per 100
    comments, one mutation request per 50 writes (the last one carries the last look), and the
    A role look-ups over REST (issue 13: N = 1 in at most 3 + A, N = 100 in at most 6 + A)."""
    if by_api(rest=False, graphql=True):
        return math.ceil(max(updates, 1) / 100) + math.ceil((updates + 1) / 50) + authors
    return updates + math.ceil(updates / 100) + authors + 5


def seed_updates(
    gh: GitHubEmulator, number: int, patches: list[Any], user: str = "octo"
) -> list[int]:
    return [gh.seed_comment(number, json.dumps(p), user=user) for p in patches]


# --- the rules ------------------------------------------------------------------------------------


def test_trusted_updates_apply_untrusted_ones_are_marked_and_skipped(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"n": 0})
    owner_id = repo.seed_comment(number, '{"n": 1, "by": "owner"}', user="octo")
    alice_id = repo.seed_comment(number, '{"n": 2, "w": true}', user="alice")
    rita_id = repo.seed_comment(number, '{"n": 666, "evil": true}', user="rita")
    carol_id = repo.seed_comment(number, '{"c": "configured"}', user="carol")
    bot_id = repo.seed_comment(number, '{"b": 1}', user=BOT)
    config = store_config(users=("carol",))

    report, requests = run(repo, number, config)

    assert report.data == {"n": 2, "by": "owner", "w": True, "c": "configured", "b": 1}
    assert [o.comment_id for o in report.applied] == [owner_id, alice_id, carol_id, bot_id]
    assert [(o.comment_id, o.author) for o in report.untrusted] == [(rita_id, "rita")]
    assert (report.version_before, report.version_after, report.changed) == (1, 5, True)
    for applied in (owner_id, alice_id, carol_id, bot_id):
        assert bot_marks(repo, applied) == ["+1"]
    assert bot_marks(repo, rita_id) == ["eyes"]
    assert repo.issue(number)["state"] == "closed"
    assert stored(repo, number).data == report.data
    # alice and rita are looked up once each; the owner, the bot and carol need no request.
    assert repo.count("GET", PERMISSION) == 2
    # REST: issue, comments, 2 roles, the write, 5 marks, a last look; GraphQL: the issue with
    # its comments, 2 roles (REST), one request with the write and the marks and the last look
    assert requests == by_api(rest=1 + 1 + 2 + 1 + 5 + 1, graphql=1 + 2 + 1) <= cost_bound(5, 2)

    again, _ = run(repo, number, config)  # an untrusted update is never applied later
    assert again.outcomes == () and stored(repo, number).data == report.data


def test_untrusted_plus_one_on_a_pending_update_does_not_suppress_it(
    repo: GitHubEmulator,
) -> None:
    number = seed_object(repo, {"n": 0})
    (update_id,) = seed_updates(repo, number, [{"n": 1}])
    with transport_for(repo, repo.token_for("rita", permission=None)) as rita:
        assert rita.create_reaction(update_id, "+1")

    report, _ = run(repo, number)

    assert [o.comment_id for o in report.applied] == [update_id]
    assert stored(repo, number).data == {"n": 1}
    assert bot_marks(repo, update_id) == ["+1"]


def test_untrusted_issue_author_is_refused_without_writing(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"n": 0}, author="rita")
    seed_updates(repo, number, [{"n": 1}])

    report, _ = run(repo, number)

    assert report.refused is not None and "rita" in report.refused
    # Nothing of an outsider's body is reported: it is not the store's object.
    assert report.outcomes == () and report.data is None and not report.changed
    assert stored(repo, number).data == {"n": 0}
    assert reads_and_writes(repo) == (2, 0)  # issue, rita's permission


def test_chat_between_updates_is_passed_over_without_a_mark(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    first = repo.seed_comment(number, '{"a": 1}')
    chat = repo.seed_comment(number, "Thanks! Could we also set b?", user="rita")
    second = repo.seed_comment(number, '{"b": 2}', user="alice")

    report, _ = run(repo, number)

    assert stored(repo, number).data == {"a": 1, "b": 2}
    assert [o.comment_id for o in report.outcomes] == [first, second]
    assert repo.reactions(chat) == []
    # A chat comment needs no permission lookup: only alice was asked about.
    assert repo.count("GET", PERMISSION) == 1


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ('{"a": 1,', "not valid JSON"),
        ('[{"a": 1}]', "not an array"),
        ('"a"', "not a string"),
        ("7", "not a number"),
        ("[" * 65 + "]" * 65, "deeper than 64"),
        ('{"_data": [1], "_meta": {"client_version": "0.11.3"}}', "_data must be a JSON object"),
    ],
)
def test_broken_update_is_rejected_with_its_reason(
    repo: GitHubEmulator, text: str, reason_part: str
) -> None:
    number = seed_object(repo, {"keep": 1})
    before = repo.seed_comment(number, '{"a": 1}')
    broken = repo.seed_comment(number, text, user="alice")
    after = repo.seed_comment(number, '{"b": 2}')

    report, _ = run(repo, number)

    assert stored(repo, number).data == {"keep": 1, "a": 1, "b": 2}
    (rejected,) = report.rejected
    assert rejected.comment_id == broken and reason_part in (rejected.reason or "")
    assert [o.comment_id for o in report.applied] == [before, after]
    assert bot_marks(repo, broken) == ["-1"]
    assert bot_marks(repo, before) == bot_marks(repo, after) == ["+1"]


def test_schema_rejection(repo: GitHubEmulator) -> None:
    schema = ObjectSchema(
        {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}
    )
    number = seed_object(repo, {"count": 0})
    ids = seed_updates(repo, number, [{"count": 1}, {"count": "two", "x": 1}, {"count": 3}])

    report, _ = run(repo, number, schema=schema)

    assert stored(repo, number).data == {"count": 3}
    (rejected,) = report.rejected
    assert rejected.comment_id == ids[1] and "schema" in (rejected.reason or "")
    assert [bot_marks(repo, i) for i in ids] == [["+1"], ["-1"], ["+1"]]


def test_overflow_is_rejected_and_a_later_small_update_applies(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"big": "x" * 40_000})
    ids = seed_updates(repo, number, [{"more": "y" * 30_000}, {"small": 1}])

    report, _ = run(repo, number)

    assert [(o.comment_id, o.status) for o in report.outcomes] == [
        (ids[0], "rejected"),
        (ids[1], "applied"),
    ]
    assert "65,536" in (report.rejected[0].reason or "")
    assert stored(repo, number).data == {"big": "x" * 40_000, "small": 1}
    assert [bot_marks(repo, i) for i in ids] == [["-1"], ["+1"]]


def test_an_update_just_under_the_limit_is_written(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"big": "x" * 40_000})
    (update_id,) = seed_updates(repo, number, [{"more": "y" * 25_000}])

    report, _ = run(repo, number)

    assert [o.comment_id for o in report.applied] == [update_id]
    body = repo.issue(number)["body"]
    assert 65_000 < len(body) <= MAX_BODY_CHARS


def test_updates_apply_in_id_order(repo: GitHubEmulator) -> None:
    patches: list[dict[str, Any]] = [{"a": 1}, {"a": 2}, {"a": 3, "b": None}]
    number = seed_object(repo, {"b": 0})
    seed_updates(repo, number, patches)

    report, _ = run(repo, number)

    assert stored(repo, number).data == fold({"b": 0}, patches) == {"a": 3}
    assert report.data == {"a": 3}


def test_metadata_records_what_was_applied(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {}, BodyMeta(version=3, applied_count=2))
    ids = seed_updates(repo, number, [{"a": 1}, "[1]", {"b": 2}])
    chat = repo.seed_comment(number, "done?")

    run(repo, number)

    meta = stored(repo, number).meta
    comments = {c["id"]: c for c in repo.comments(number)}
    assert (meta.version, meta.applied_count, meta.last_comment_id) == (5, 4, chat)
    assert meta.history_hash == chain([(i, comments[i]["body"]) for i in (ids[0], ids[2])])
    assert meta.since == comments[ids[2]]["created_at"]
    assert meta.marks == ((ids[0], "+1"), (ids[1], "-1"), (ids[2], "+1"))


def test_edits_and_reactions_after_the_run_change_nothing(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    ids = seed_updates(repo, number, [{"a": 1}, {"b": 2}], user="alice")
    run(repo, number)
    body = repo.issue(number)["body"]

    alice = repo.token_for("alice")
    edit_comment(repo, alice, ids[0], '{"a": "rewritten"}')
    edit_comment(repo, alice, ids[1], "never mind")
    with transport_for(repo, repo.token_for("rita", permission=None)) as rita:
        rita.create_reaction(ids[0], "-1")
        rita.create_reaction(ids[1], "eyes")

    report, requests = run(repo, number)

    assert report.outcomes == () and not report.changed
    assert repo.issue(number)["body"] == body
    # REST: issue, comments, who placed the newest recorded mark (rita's -1 sits beside it,
    # but only the bot's +1 counts) and who the token is; GraphQL: the issue with its comments,
    # which say that the token placed its +1 itself. No write, no marks.
    assert requests == by_api(rest=4, graphql=1)
    assert reads_and_writes(repo) == (requests, 0)


def test_reactions_follow_the_configured_contents(repo: GitHubEmulator) -> None:
    config = dataclasses.replace(CONFIG, reactions=ReactionConfig("rocket", "confused", "laugh"))
    number = seed_object(repo, {})
    applied = repo.seed_comment(number, '{"a": 1}')
    rejected = repo.seed_comment(number, "{", user="alice")
    untrusted = repo.seed_comment(number, '{"a": 2}', user="rita")

    report, _ = run(repo, number, config)

    expected = {applied: "rocket", rejected: "confused", untrusted: "laugh"}
    by_status = {"applied": "rocket", "rejected": "confused", "untrusted": "laugh"}
    assert {o.comment_id: by_status[o.status] for o in report.outcomes} == expected
    for comment_id, content in expected.items():
        assert bot_marks(repo, comment_id) == [content]


def test_legacy_object_is_processed_and_migrated(repo: GitHubEmulator) -> None:
    number = repo.seed_issue(
        "Stored Object: x", json.dumps({"n": 1}, indent=2), ["stored-object", "UID:x"]
    )
    envelope = {"_meta": {"client_version": "0.11.3", "update_mode": "append"}}
    initial = repo.seed_comment(
        number, json.dumps({**envelope, "_data": {"n": 1}, "type": "initial_state"})
    )
    done = repo.seed_comment(number, json.dumps({**envelope, "_data": {"n": 1}, "type": None}))
    # The original gh-store marked comments with the token that processed them.
    with transport_for(repo, repo.owner_token) as owner:
        owner.create_reaction(initial, "+1")
        owner.create_reaction(done, "+1")
    pending = repo.seed_comment(number, json.dumps({**envelope, "_data": {"m": 2}, "type": None}))

    report, _ = run(repo, number)

    assert [o.comment_id for o in report.applied] == [pending]
    body = stored(repo, number)
    assert body.data == {"n": 1, "m": 2}
    assert (body.meta.legacy, body.meta.last_comment_id) == (False, pending)
    again, requests = run(repo, number)
    # REST: issue, comments, who placed the newest mark, who the token is; GraphQL: the issue
    # with its comments
    assert (again.outcomes, requests) == ((), by_api(rest=4, graphql=1))


def test_legacy_migration_ignores_an_outsiders_plus_one_on_a_pending_update(
    repo: GitHubEmulator,
) -> None:
    # The original took anyone's +1 as "processed"; the first run here asks who placed it.
    number = repo.seed_issue(
        "Stored Object: x", json.dumps({"n": 1}, indent=2), ["stored-object", "UID:x"]
    )
    done = repo.seed_comment(number, json.dumps({"n": 1}))
    with transport_for(repo, repo.owner_token) as owner:
        owner.create_reaction(done, "+1")
    pending = repo.seed_comment(number, json.dumps({"m": 2}), user="alice")
    later = repo.seed_comment(number, json.dumps({"k": 3}), user="alice")
    with transport_for(repo, repo.token_for("mallory", permission="read")) as mallory:
        mallory.create_reaction(pending, "+1")
        mallory.create_reaction(later, "+1")

    report, requests = run(repo, number)

    assert [o.comment_id for o in report.applied] == [pending, later]
    assert stored(repo, number).data == {"n": 1, "m": 2, "k": 3}
    # issue, comments, then for `later`, `pending`, `done` (newest first) one reactions listing
    # each and mallory's permission once, alice's permission, the write, 2 marks, a last look;
    # over GraphQL the issue brings its comments, and one request writes, marks and looks
    assert requests == by_api(rest=1 + 1 + 3 + 1 + 1 + 1 + 2 + 1, graphql=1 + 3 + 1 + 1 + 1)


def test_comment_arriving_during_the_run_is_processed_by_it(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    seed_updates(repo, number, [{"a": 1}])
    late: list[int] = []

    def comment_while_writing(request: RequestInfo) -> None:
        # Someone comments just before the first write arrives: after the run read the comments.
        writes = request.method == "PATCH" or "updateIssue" in str(request.body)
        if writes and not late:
            late.append(repo.seed_comment(number, '{"b": 2}', user="alice"))

    repo.add_hook(comment_while_writing)
    with transport_for(repo) as transport:
        report = process_issue(transport, CONFIG, number)

    assert report.rounds == 2
    assert [o.comment_id for o in report.applied][-1] == late[0]
    assert stored(repo, number).data == {"a": 1, "b": 2}
    assert bot_marks(repo, late[0]) == ["+1"]


# --- what a run costs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("updates", "authors"),
    [(1, 0), (1, 1), (10, 0), (10, 3), (100, 0), (100, 2), (250, 0), (250, 5)],
)
def test_cost_bound(repo: GitHubEmulator, updates: int, authors: int) -> None:
    writers = [f"writer{i}" for i in range(authors)]
    for login in writers:
        repo.set_permission(login, "write")
    number = seed_object(repo, {})
    patches: list[dict[str, Any]] = [{f"k{i}": i} for i in range(updates)]
    authors_cycle = writers or ["octo"]
    for i, patch in enumerate(patches):
        repo.seed_comment(number, json.dumps(patch), user=authors_cycle[i % len(authors_cycle)])

    report, requests = run(repo, number)

    assert len(report.applied) == updates
    assert stored(repo, number).data == fold({}, patches)
    pages = pages_to_read(updates)
    assert pages == math.ceil(
        updates / 100
    )  # the overlap of the skip-proof walk costs nothing here
    assert repo.count("GET", PERMISSION) == authors
    if by_api(rest=True, graphql=False):
        assert repo.count("GET", COMMENTS) == pages + 1  # the listing, then one last look
        assert repo.count("PATCH", ISSUE) == 1
        assert repo.count("POST", REACTIONS) == updates
        assert requests == 1 + pages + authors + 1 + updates + 1
    else:
        # the issue with its newest 100 comments, older ones 100 a query; the write and the
        # marks 50 a request, the last of which brings back the last look
        reads, writes = reads_and_writes(repo)
        assert (reads - authors, writes) == (pages, math.ceil((updates + 1) / 50))
        assert repo.count(None, r"/comments|/issues/") == 0  # no REST read of issue or comments
    assert requests <= cost_bound(updates, authors)


def test_250_pending_updates_span_pages(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"list": []})
    patches: list[dict[str, Any]] = [{"last": i, f"k{i % 7}": i} for i in range(250)]
    ids = seed_updates(repo, number, patches)

    report, _ = run(repo, number)

    listing = [r for r in repo.requests if r.method == "GET" and r.path.endswith("/comments")]
    reads, writes = reads_and_writes(repo)
    # REST: 3 pages and the last look; GraphQL: 3 queries, 6 requests of writes
    assert by_api(rest=(len(listing), writes), graphql=(reads, writes)) == by_api(
        rest=(3 + 1, 1 + 250), graphql=(3, 6)
    )
    assert stored(repo, number).data == fold({"list": []}, patches)
    assert [o.comment_id for o in report.applied] == ids
    assert all(bot_marks(repo, i) == ["+1"] for i in ids)
    assert stored(repo, number).meta.version == 251


def test_300_applied_comments_do_not_make_the_next_run_dearer(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    seed_updates(repo, number, [{f"k{i}": i} for i in range(300)])
    _, first = run(repo, number)
    assert first == by_api(rest=1 + pages_to_read(300) + 1 + 300 + 1, graphql=3 + 7)
    assert first <= cost_bound(300, 0)
    (pending,) = seed_updates(repo, number, [{"last": True}])

    report, requests = run(repo, number)

    assert [o.comment_id for o in report.applied] == [pending]
    assert stored(repo, number).meta.applied_count == 301
    # REST: issue, one page of comments since the last mark, who placed the last run's newest
    # mark, who the token is, the write, one mark, one last look. GraphQL: the issue with its
    # newest comments (they reach back to the last mark, and say who placed it), then one
    # request of writes.
    assert requests == by_api(rest=7, graphql=2) <= cost_bound(1, 0)


def test_a_run_with_nothing_pending_only_reads(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {})
    seed_updates(repo, number, [{"a": 1}])
    run(repo, number)

    report, requests = run(repo, number)

    assert report.outcomes == ()
    # REST: issue, comments, who placed the newest recorded mark, who the token is; GraphQL:
    # the issue with its comments and the token's own reactions on them
    assert requests == by_api(rest=4, graphql=1)
    assert reads_and_writes(repo) == (requests, 0)


def test_open_issue_with_nothing_pending_is_only_closed(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"a": 1})
    body = repo.issue(number)["body"]

    report, requests = run(repo, number)

    assert report.outcomes == ()
    (write,) = [r for r in repo.requests if r.mutates]
    if by_api(rest=True, graphql=False):
        assert write.body == {"state": "closed", "state_reason": "completed"}
    else:  # the state alone, and no mark
        assert "updateIssue(input: {id: " in write.body["query"] and "state: CLOSED" in str(
            write.body
        )
        assert "addReaction" not in write.body["query"] and "body" not in write.body["variables"]
    assert repo.issue(number)["state"] == "closed" and repo.issue(number)["body"] == body
    assert repo.issue(number)["state_reason"] == "completed"
    # REST: issue, comments, the close, the last look; GraphQL: the issue with its comments,
    # the close that brings back the last look
    assert requests == by_api(rest=4, graphql=2)


def test_chat_only_on_a_closed_issue_writes_nothing(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"a": 1}, state="closed")
    repo.seed_comment(number, "is this thing on?", user="rita")

    report, _ = run(repo, number)

    assert report.outcomes == ()
    assert reads_and_writes(repo) == by_api(rest=(2, 0), graphql=(1, 0))


def test_body_written_is_exactly_what_the_plan_encodes(repo: GitHubEmulator) -> None:
    number = seed_object(repo, {"x": [1, 2]})
    seed_updates(repo, number, [{"x": [3]}])

    run(repo, number)

    body = stored(repo, number)
    assert repo.issue(number)["body"] == encode_body(body)
    assert body.data == {"x": [3]}


# --- numbers that are not objects --------------------------------------------------------------


def test_a_pull_requests_number_is_named_as_one_and_left_alone(repo: GitHubEmulator) -> None:
    """REST shows a pull request as an issue with a `pull_request` key; GraphQL's `issue` does
    not resolve it at all. Either way the run says what the number is and writes nothing."""
    number = repo.seed_issue("Fix a typo", "diff", ["stored-object", "UID:x"], pull_request=True)
    with pytest.raises(ObjectNotFound, match=f"#{number} is a pull request"):
        run(repo, number)
    assert not any(r.mutates for r in repo.requests)
    # over GraphQL: the query, then REST's answer says what the number is
    assert len(repo.requests) == by_api(rest=1, graphql=2)


def test_a_number_that_is_nothing_is_named_as_missing(repo: GitHubEmulator) -> None:
    with pytest.raises(ObjectNotFound, match="#99 does not exist"):
        run(repo, 99)
