"""Abuse by people who may comment but not write, and identifiers with awkward characters.

Against the emulator, as GitHub enforces permissions: ``mallory`` has read access (anyone on a
public repository can comment and react), ``alice`` write, ``carol`` maintain. Each test names
the threat from ``docs/security.md`` it covers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from gh_store.client import GitHubStore
from gh_store.core.body import BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.constants import ACTIONS_BOT
from gh_store.core.exceptions import AccessDeniedError, ObjectExistsError
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue
from gh_store.transport.rest import GhApiTransport

from ._bodies import FAKE_META
from ._runner import run_action
from ._support import make_transport, quiet_config

CONFIG = quiet_config()


@pytest.fixture
def repo(gh: GitHubEmulator) -> GitHubEmulator:
    gh.set_permission("alice", "write")
    gh.set_permission("carol", "maintain")
    gh.set_permission("mallory", "read")
    return gh


@pytest.fixture
def store(repo: GitHubEmulator) -> Iterator[GitHubStore]:
    with GitHubStore(repo.owner_token, repo.repo, config=CONFIG, **repo.client_options()) as client:
        yield client


@pytest.fixture
def bot(repo: GitHubEmulator) -> Iterator[GhApiTransport]:
    with make_transport(repo) as transport:
        yield transport


def _as(gh: GitHubEmulator, login: str) -> GhApiTransport:
    return make_transport(gh, gh.token_for(login, permission=None))


def _writes(gh: GitHubEmulator, since: int = 0) -> list[str]:
    return [f"{r.method} {r.path}" for r in gh.requests[since:] if r.mutates]


def _send(gh: GitHubEmulator, login: str, method: str, path: str, body: Any = None) -> int:
    """A raw request as ``login`` (the transport has no comment edit: the store never edits)."""
    options = gh.client_options()
    with httpx2.Client(base_url=options["api_url"], transport=options["http_transport"]) as http:
        answer = http.request(
            method,
            f"/repos/{gh.repo}{path}",
            json=body,
            headers={"Authorization": f"token {gh.token_for(login, permission=None)}"},
        )
    return answer.status_code


def _reactions(gh: GitHubEmulator, comment_id: int) -> list[tuple[str, str]]:
    return sorted((r["user"]["login"], r["content"]) for r in gh.reactions(comment_id))


# --- updates, reactions and edits from people who may not write --------------------------------


def test_untrusted_updates_are_marked_and_never_applied_even_after_a_grant(
    repo: GitHubEmulator, store: GitHubStore, bot: GhApiTransport
) -> None:
    number = store.create("thing", {"n": 0}).meta.issue_number
    with _as(repo, "mallory") as mallory:
        hostile = mallory.create_comment(number, '{"n": 666, "admin": true}')["id"]
    repo.clear_requests()

    report = process_issue(bot, CONFIG, number)

    assert [o.comment_id for o in report.untrusted] == [hostile] and report.applied == ()
    assert report.data == {"n": 0}
    assert _reactions(repo, hostile) == [(ACTIONS_BOT, "eyes")]
    assert repo.count("GET", r"/collaborators/mallory/permission$") == 1

    # Being granted write later does not revive an update decided as untrusted.
    repo.set_permission("mallory", "write")
    with _as(repo, "alice") as alice:
        alice.create_comment(number, '{"m": 1}')
    report = process_issue(bot, CONFIG, number)
    assert report.data == {"n": 0, "m": 1}
    assert store.get("thing").data == {"n": 0, "m": 1}


def test_reactions_from_anyone_decide_nothing(
    repo: GitHubEmulator, store: GitHubStore, bot: GhApiTransport
) -> None:
    number = store.create("thing", {"n": 0}).meta.issue_number
    with _as(repo, "alice") as alice:
        broken = alice.create_comment(number, '{"n": ')["id"]
        assert process_issue(bot, CONFIG, number).rejected[0].comment_id == broken
        pending = alice.create_comment(number, '{"n": 1}')["id"]
    with _as(repo, "mallory") as mallory:
        for comment_id in (pending, broken):
            assert mallory.create_reaction(comment_id, "+1")
        mallory.create_reaction(pending, "-1")
    before = len(repo.requests)

    report = process_issue(bot, CONFIG, number)

    assert [o.comment_id for o in report.applied] == [pending] and report.rejected == ()
    assert report.data == {"n": 1} and report.version_after == 2
    assert _reactions(repo, pending) == [(ACTIONS_BOT, "+1"), ("mallory", "+1"), ("mallory", "-1")]
    assert _reactions(repo, broken) == [(ACTIONS_BOT, "-1"), ("mallory", "+1")]
    assert len(_writes(repo, before)) == 2  # the body, and one mark
    history = store.get_object_history("thing")
    assert [(u.comment_id, u.changes) for u in history] == [(pending, {"n": 1})]
    assert store.verify_history("thing").ok


def test_others_comments_cannot_be_edited_and_edits_of_applied_updates_change_nothing(
    repo: GitHubEmulator, store: GitHubStore, bot: GhApiTransport
) -> None:
    number = store.create("thing", {"n": 0}).meta.issue_number
    with _as(repo, "alice") as alice:
        update = alice.create_comment(number, '{"n": 1}')["id"]
    process_issue(bot, CONFIG, number)

    path = f"/issues/comments/{update}"
    assert _send(repo, "mallory", "PATCH", path, {"body": '{"n": 666}'}) == 403
    assert _send(repo, "mallory", "DELETE", path) == 403
    assert repo.comments(number)[1]["body"] == '{"n": 1}'  # after the creation comment

    # The owner can edit it (GitHub allows writers to): the object does not follow, the history
    # check notices.
    assert _send(repo, "octo", "PATCH", path, {"body": '{"n": 999}'}) == 200
    before = len(repo.requests)
    report = process_issue(bot, CONFIG, number)  # what the issue_comment.edited event runs
    assert report.outcomes == () and report.data == {"n": 1}
    assert _writes(repo, before) == []
    check = store.verify_history("thing")
    assert not check.ok and check.problems


def test_issue_opened_by_an_untrusted_user_is_refused_even_once_labelled(
    repo: GitHubEmulator, bot: GhApiTransport
) -> None:
    fake = encode_body(IssueBody({"admin": True}, BodyMeta()))
    labels = [CONFIG.base_label, f"{CONFIG.uid_prefix}config"]
    with _as(repo, "mallory") as mallory:
        issue = mallory.create_issue(title="Stored Object: config", body=fake, labels=labels)
    number = int(issue["number"])
    assert repo.issue(number)["labels"] == []  # GitHub drops labels from non-pushers

    # Its `issues.opened` event carries no base label: the action ends before any request.
    repo.clear_requests()
    opened = {"action": "opened", "issue": repo.issue(number), "sender": {"login": "mallory"}}
    result = run_action(repo, "issues", opened)
    assert result.exit_code == 0 and repo.requests == []

    # A maintainer labels it by mistake; updates arrive from the attacker and from the owner.
    with _as(repo, "carol") as carol:
        carol.update_issue(number, labels=labels)
    with _as(repo, "mallory") as mallory:
        mallory.create_comment(number, '{"admin": "yes"}')
    repo.seed_comment(number, '{"n": 1}', user="octo")
    before = len(repo.requests)

    report = process_issue(bot, CONFIG, number)

    assert report.refused and "mallory" in report.refused
    assert report.outcomes == () and report.version_after == report.version_before
    assert _writes(repo, before) == []
    assert repo.issue(number)["body"] == fake


def test_readers_refuse_an_outsiders_issue_that_a_maintainer_labelled(
    repo: GitHubEmulator, store: GitHubStore
) -> None:
    # An outsider (no access but a public repository's implicit read) can still edit the body
    # of the issue it opened: it is not the store's object. Readers ask the permission API, as
    # the processor does: neither goes by `author_association`.
    store.create("real", {"n": 1})
    fake = encode_body(IssueBody({"admin": True}, BodyMeta()))
    labels = [CONFIG.base_label, f"{CONFIG.uid_prefix}config"]
    with _as(repo, "eve") as eve:
        number = int(eve.create_issue(title="x", body=fake, labels=labels)["number"])
    with _as(repo, "carol") as carol:
        carol.update_issue(number, labels=labels)

    with pytest.raises(AccessDeniedError, match="eve"):
        store.get("config")
    assert [obj.meta.object_id for obj in store.list_all()] == ["real"]


def test_comment_impersonating_the_metadata_block_is_never_read_as_metadata(
    repo: GitHubEmulator, store: GitHubStore, bot: GhApiTransport
) -> None:
    number = store.create("thing", {"n": 0}).meta.issue_number
    with _as(repo, "mallory") as mallory:
        mallory.create_comment(number, FAKE_META)
    with _as(repo, "alice") as alice:
        chat = alice.create_comment(number, FAKE_META)["id"]
        keyed = alice.create_comment(number, json.dumps({FAKE_META: "a key, nothing more"}))["id"]
        trailing = alice.create_comment(number, '{"n": 5}\n' + FAKE_META)["id"]

    report = process_issue(bot, CONFIG, number)

    assert [(o.comment_id, o.status) for o in report.outcomes] == [
        (keyed, "applied"),
        (trailing, "rejected"),
    ]
    assert chat not in {o.comment_id for o in report.outcomes}
    stored = decode_body(repo.issue(number)["body"])
    assert stored.data == {"n": 0, FAKE_META: "a key, nothing more"}
    assert stored.meta.version == 2 and stored.meta.last_comment_id == trailing

    # The fake last_comment_id (999999999999) was not taken: a later update still applies.
    repo.seed_comment(number, '{"n": 1}', user="octo")
    assert process_issue(bot, CONFIG, number).data["n"] == 1


def test_chat_spam_costs_reads_only(
    repo: GitHubEmulator, store: GitHubStore, bot: GhApiTransport
) -> None:
    """120 chat comments from an outsider: no permission look-ups, no marks, no write."""
    number = store.create("thing", {"n": 0}).meta.issue_number
    for index in range(120):
        repo.seed_comment(number, f"spam {index} ::error::x {FAKE_META}", user="mallory")
    repo.clear_requests()

    report = process_issue(bot, CONFIG, number)

    assert report.outcomes == () and report.data == {"n": 0}
    assert _writes(repo) == []
    assert [r.path.rsplit("/", 1)[-1] for r in repo.requests] == [
        str(number),
        "comments",
        "comments",
    ]


# --- identifiers -----------------------------------------------------------------------------

ODD_IDS = [
    "ünïcødé",
    "with space inside",
    "a:b",
    "a/b",
    "a%2Fb",
    "#42",
    "100%",
    "🚀 rocket",
    "\u202eevil",
    "e\u0301",
    "x" * 46,  # with "UID:" exactly 50 characters: GitHub's longest label
]


@pytest.mark.parametrize("object_id", ODD_IDS)
def test_odd_object_ids_work_through_create_get_update_and_process(
    repo: GitHubEmulator, store: GitHubStore, bot: GhApiTransport, object_id: str
) -> None:
    repo.clear_requests()
    created = store.create(object_id, {"id": object_id, "n": 0})
    assert len(repo.requests) == 5  # look-up, create, look-up again, creation comment, close
    assert created.meta.label == f"{CONFIG.uid_prefix}{object_id}"

    store.update(object_id, {"n": 1})
    report = process_issue(bot, CONFIG, created.meta.issue_number)
    assert report.object_id == object_id and len(report.applied) == 1

    repo.clear_requests()
    got = store.get(object_id)
    assert len(repo.requests) == 1
    assert got.data == {"id": object_id, "n": 1} and got.meta.version == 2


def test_similar_odd_ids_stay_distinct_objects(store: GitHubStore) -> None:
    ids = ["a/b", "a%2Fb", "a b", "a  b", "e\u0301", "\u00e9"]
    for object_id in ids:
        store.create(object_id, {"id": object_id})
    assert {object_id: store.get(object_id).data["id"] for object_id in ids} == {
        object_id: object_id for object_id in ids
    }


def test_ids_differing_only_in_case_are_one_object(store: GitHubStore) -> None:
    """GitHub's label names are case-insensitive: ``UID:Config`` and ``UID:config`` are one."""
    store.create("Config", {"v": 1})
    with pytest.raises(ObjectExistsError):
        store.create("config", {"v": 2})
    assert store.get("config").data == {"v": 1}


def test_an_object_read_by_another_case_reports_its_stored_id(store: GitHubStore) -> None:
    store.create("Config", {"v": 1})
    got = store.get("config")
    assert (got.meta.object_id, got.meta.label) == ("Config", "UID:Config")


@pytest.mark.parametrize("object_id", ["x" * 47, "a,b", " padded", "tab\there", ""])
def test_ids_github_cannot_label_are_refused_before_any_request(
    repo: GitHubEmulator, store: GitHubStore, object_id: str
) -> None:
    repo.clear_requests()
    with pytest.raises(ValueError):
        store.create(object_id, {"n": 0})
    assert repo.requests == []


def test_extra_labels_with_odd_characters(repo: GitHubEmulator, store: GitHubStore) -> None:
    extra = "needs: review/🚀 #1 %"
    created = store.create("labelled", {"n": 0}, extra_labels=[extra])
    names = {label["name"] for label in repo.issue(created.meta.issue_number)["labels"]}
    assert names == {CONFIG.base_label, f"{CONFIG.uid_prefix}labelled", extra}
    assert store.get("labelled").data == {"n": 0}


# --- workflow loops with a PAT or App token ----------------------------------------------------


def test_events_caused_by_our_own_writes_lead_to_runs_that_write_nothing(
    repo: GitHubEmulator, store: GitHubStore
) -> None:
    """With a PAT (here the owner's token) the run's own writes start workflows again.

    The body write fires ``issues.edited`` and ``issues.closed``; reactions fire nothing. Each of
    those runs must make no write, so the loop ends after one round.
    """
    number = store.create("thing", {"n": 0}).meta.issue_number
    comment = repo.seed_comment(number, '{"n": 1}', user="alice")
    repo.set_permission("alice", "write")
    issue = repo.issue(number)
    created = {
        "action": "created",
        "issue": issue,
        "comment": next(c for c in repo.comments(number) if c["id"] == comment),
        "sender": {"login": "alice"},
    }
    first = run_action(repo, "issue_comment", created, token=repo.owner_token)
    assert first.exit_code == 0 and decode_body(repo.issue(number)["body"]).data == {"n": 1}

    after = repo.issue(number)
    for action in ("edited", "closed"):
        repo.clear_requests()
        payload = {"action": action, "issue": after, "sender": {"login": "octo"}}
        if action == "edited":
            payload["changes"] = {"body": {"from": issue["body"]}}
        result = run_action(repo, "issues", payload, token=repo.owner_token)
        assert result.exit_code == 0
        assert _writes(repo) == [], f"issues.{action} run wrote: {_writes(repo)}"
        # edited: over GraphQL (the action's default) one query, the issue with its comments,
        # which say that this token placed the newest recorded mark; closed: not an event that
        # is processed.
        assert len(repo.requests) == (1 if action == "edited" else 0)
    assert repo.issue(number)["updated_at"] == after["updated_at"]
