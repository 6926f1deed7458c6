"""ghapi (``ghapi.core`` only) against the emulator: every endpoint, and error statuses.

Over both adapters: ghapi's own ``GhSyncTransport``, as shipped, with its ``client`` an
``httpx2.Client`` (over a socket, or over ``gh.http_transport()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from fasttransport.errors import APIError
from ghapi.core import GhApi, GhSyncTransport

from gh_store.emulator import GitHubEmulator

from .adapters import client_for

R = "/repos/octo/store"


def ghapi_for(gh: GitHubEmulator, adapter: str, token: str) -> GhApi:
    api = GhApi(owner="octo", repo="store", token=token, gh_host=gh.url, sync=True)
    assert isinstance(api.transport, GhSyncTransport)
    api.transport.client = client_for(gh, adapter)
    return api


@pytest.fixture
def api(gh: GitHubEmulator, adapter: str) -> GhApi:
    return ghapi_for(gh, adapter, gh.owner_token)


def status_of(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    try:
        fn(*args, **kwargs)
    except Exception as error:  # ghapi raises one APIError for every status >= 300
        return int(error.status_code)  # type: ignore[attr-defined]
    return 200


def test_issue_lifecycle(api: GhApi, gh: GitHubEmulator) -> None:
    issue = api.issues.create(title="UID:one", body='{"a": 1}', labels=["stored-object", "UID:one"])
    assert issue.number == 1 and issue.state == "open" and issue.comments == 0
    assert {label.name for label in issue.labels} == {"stored-object", "UID:one"}
    assert issue.html_url == "https://github.com/octo/store/issues/1"
    assert issue.user.login == "octo" and issue.author_association == "OWNER"
    fetched = api.issues.get(1)
    assert fetched.body == '{"a": 1}'

    closed = api.issues.update(1, state="closed", body='{"a": 2}')
    assert closed.state == "closed" and closed.state_reason == "completed"
    assert closed.closed_at is not None and closed.closed_by.login == "octo"
    reopened = api.issues.update(1, state="open")
    assert reopened.state == "open" and reopened.closed_at is None
    assert reopened.state_reason == "reopened" and reopened.closed_by is None
    relabeled = api.issues.update(1, labels=["only"], title="renamed")
    assert [label.name for label in relabeled.labels] == ["only"]
    assert relabeled.title == "renamed"
    assert status_of(api.issues.get, 2) == 404
    assert status_of(api.issues.create, body="no title") == 422
    assert gh.issue(1)["title"] == "renamed"


def test_list_issues_filters_and_state(api: GhApi, gh: GitHubEmulator) -> None:
    a = gh.seed_issue("a", "", ["stored-object", "UID:a"])
    b = gh.seed_issue("b", "", ["stored-object", "UID:b"], state="closed")
    gh.seed_issue("c", "", ["other"])
    assert [i.number for i in api.issues.list_for_repo(labels="stored-object")] == [a]
    listed = api.issues.list_for_repo(labels="stored-object", state="all")
    assert [i.number for i in listed] == [b, a]  # created desc by default
    assert [
        i.number for i in api.issues.list_for_repo(labels="stored-object,UID:b", state="all")
    ] == [b]
    assert [i.number for i in api.issues.list_for_repo(state="closed")] == [b]
    ascending = api.issues.list_for_repo(state="all", direction="asc")
    assert [i.number for i in ascending] == [1, 2, 3]
    assert api.issues.list_for_repo(state="all", since="2999-01-01T00:00:00Z") == []
    assert len(api.issues.list_for_repo(state="all", since="2000-01-01T00:00:00Z")) == 3
    assert len(api.issues.list_for_repo(state="all", per_page=2, page=2)) == 1


def test_labels(api: GhApi, gh: GitHubEmulator) -> None:
    created = api.issues.create_label(name="UID:foo", color="663399", description="d")
    assert created.name == "UID:foo" and created.color == "663399"
    assert api.issues.get_label("UID:foo").id == created.id
    assert status_of(api.issues.create_label, name="uid:FOO", color="ffffff") == 422
    assert status_of(api.issues.create_label, name="x" * 51, color="ffffff") == 422
    assert status_of(api.issues.get_label, "nope") == 404
    assert [lab.name for lab in api.issues.list_labels_for_repo()] == ["UID:foo"]
    updated = api.issues.update_label("UID:foo", new_name="UID:bar", color="BADA55")
    assert updated.name == "UID:bar"

    number = gh.seed_issue("t", "")
    added = api.issues.add_labels(number, labels=["Foo", "bAr"])
    assert {lab.name for lab in added} == {"bAr", "Foo"}
    assert api.issues.get_label("Foo").color == "ededed"
    assert [lab.name for lab in api.issues.set_labels(number, labels=["UID:bar"])] == ["UID:bar"]
    assert [lab.name for lab in api.issues.list_labels_on_issue(number)] == ["UID:bar"]
    assert list(api.issues.remove_label(number, "UID:bar")) == []
    assert status_of(api.issues.remove_label, number, "UID:bar") == 404
    api.issues.add_labels(number, labels=["Foo"])
    api.issues.remove_all_labels(number)
    assert gh.issue(number)["labels"] == []
    api.issues.delete_label("Foo")
    assert status_of(api.issues.get_label, "Foo") == 404


def test_comments(api: GhApi, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "")
    other = gh.seed_issue("u", "")
    first = api.issues.create_comment(number, body="one")
    between = api.issues.create_comment(other, body="elsewhere")
    second = api.issues.create_comment(number, body="two")
    assert first.id < between.id < second.id
    assert first.html_url.endswith(f"/issues/{number}#issuecomment-{first.id}")
    assert [c.body for c in api.issues.list_comments(number)] == ["one", "two"]
    assert api.issues.get_comment(first.id).body == "one"
    edited = api.issues.update_comment(first.id, body="one!")
    assert edited.body == "one!"
    assert api.issues.get(number).comments == 2
    assert len(api.issues.list_comments(number, since="2000-01-01T00:00:00Z")) == 2
    assert list(api.issues.list_comments(number, since="2999-01-01T00:00:00Z")) == []
    assert len(api.issues.list_comments_for_repo()) == 3
    api.issues.delete_comment(second.id)
    assert status_of(api.issues.get_comment, second.id) == 404
    assert status_of(api.issues.create_comment, number, body="x" * 65537) == 422
    assert status_of(api.issues.create_comment, 99, body="x") == 404


def test_reactions(api: GhApi, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "")
    cid = gh.seed_comment(number, "c")
    made = api.reactions.create_for_issue_comment(cid, content="+1")
    again = api.reactions.create_for_issue_comment(cid, content="+1")
    assert made.id == again.id
    assert gh.count("POST", r"/reactions$") == 2
    assert [r.status for r in gh.requests if r.path.endswith("/reactions")] == [201, 200]
    api.reactions.create_for_issue_comment(cid, content="rocket")
    assert len(api.reactions.list_for_issue_comment(cid)) == 2
    assert [r.content for r in api.reactions.list_for_issue_comment(cid, content="rocket")] == [
        "rocket"
    ]
    assert api.issues.get_comment(cid).reactions["+1"] == 1
    assert status_of(api.reactions.create_for_issue_comment, cid, content="nope") == 422
    api.reactions.delete_for_issue_comment(cid, made.id)
    assert [r["content"] for r in gh.reactions(cid)] == ["rocket"]
    issue_reaction = api.reactions.create_for_issue(number, content="eyes")
    assert issue_reaction.content == "eyes"
    assert api.issues.get(number).reactions.total_count == 1


def test_repo_user_permission_rate_limit_dispatch(api: GhApi, gh: GitHubEmulator) -> None:
    gh.token_for("alice", permission="triage")
    perm = api.repos.get_collaborator_permission_level("alice")
    assert (perm.permission, perm.role_name, perm.user.login) == ("read", "triage", "alice")
    assert status_of(api.repos.get_collaborator_permission_level, "ghost") == 404
    assert api.users.get_authenticated().login == "octo"
    repo = api.repos.get()
    assert repo.full_name == "octo/store" and repo.permissions.admin is True
    assert repo.private is False and repo.default_branch == "main"
    limits = api.rate_limit.get()
    assert limits.resources.core.limit == 5000
    api.repos.create_dispatch_event(event_type="gh-store", client_payload={"n": 1})
    assert gh.dispatches == [{"event_type": "gh-store", "client_payload": {"n": 1}}]
    assert status_of(api.repos.create_dispatch_event, client_payload={}) == 422


def test_bot_token(gh: GitHubEmulator, adapter: str) -> None:
    bot = ghapi_for(gh, adapter, gh.bot_token)
    assert status_of(bot.users.get_authenticated) == 403
    issue = bot.issues.create(title="by bot", labels=["kept"])
    assert issue.user.login == "github-actions[bot]" and issue.user.type == "Bot"
    assert [lab.name for lab in issue.labels] == ["kept"]
    assert bot.recv_hdrs["x-ratelimit-limit"] == "1000"


def test_unknown_route_is_githubs_404(api: GhApi) -> None:
    # ghapi's raw call path raises the transport's HTTPStatusError rather than APIError
    try:
        api("/repos/octo/store/contents/CODEOWNERS")
    except Exception as error:
        response = error.response  # type: ignore[attr-defined]
        assert response.status_code == 404
        assert response.json() == {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest",
            "status": "404",
        }
    else:
        pytest.fail("expected a 404")


def test_a_dropped_answer_reaches_ghapi_as_httpx2_raises_it(api: GhApi, gh: GitHubEmulator) -> None:
    """ghapi retries only failed connects; a drop after the request was sent surfaces as the
    same ``httpx2.RemoteProtocolError`` (wrapped in ghapi's APIError, retryable) over a socket
    and in-process."""
    gh.inject(status=None, drop=True, after=True, method="POST")
    with pytest.raises(APIError) as raised:
        api.issues.create(title="written, answer lost")
    assert type(raised.value.raw) is httpx2.RemoteProtocolError
    assert raised.value.retryable is True
    assert [i["title"] for i in (gh.issue(1),)] == ["written, answer lost"]
    assert [r.status for r in gh.requests] == [0]
