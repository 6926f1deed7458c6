"""Issue 9.11: whether an issue's opener is trusted comes from the permission API, for readers as
for the processor; ``author_association`` decides nothing, in either direction.

A read-only collaborator shows as ``COLLABORATOR``, and an organization member with write access
through a team but private membership as ``CONTRIBUTOR`` (or ``NONE``): only the permission API
tells them apart. The owner, the Actions bot and configured users need no request; anyone else one
request, once per client.
"""

from __future__ import annotations

import dataclasses
import logging

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import AccessDeniedError
from gh_store.core.trust import permission_from_answer
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import _Response

from .conftest import FAST, MakeStore

PERMISSION = r"/collaborators/[^/]+/permission$"


def _object_opened_by(gh: GitHubEmulator, make_store: MakeStore, login: str, role: str) -> int:
    """An object whose issue ``login`` opened; a maintainer adds the labels if it cannot."""
    token = gh.owner_token if login == "octo" else gh.token_for(login, permission=role)
    created = make_store(token=token).create("thing", {"by": login})
    return created.meta.issue_number


@pytest.mark.parametrize("role", ["write", "maintain", "admin"])
def test_an_object_a_writer_created_is_read_with_one_lookup_per_client(
    gh: GitHubEmulator, make_store: MakeStore, role: str
) -> None:
    _object_opened_by(gh, make_store, "alice", role)
    reader = make_store()
    gh.clear_requests()
    assert reader.get("thing").data == {"by": "alice"}
    assert gh.count("GET", PERMISSION) == 1
    reader.get("thing")
    list(reader.list_all())
    assert gh.count("GET", PERMISSION) == 1  # cached per client


def test_objects_of_the_owner_the_bot_and_configured_users_need_no_lookup(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    make_store().create("by-owner", {})
    make_store(token=gh.bot_token).create("by-bot", {})
    carol = gh.token_for("carol", permission="write")
    configured = dataclasses.replace(FAST, trust=dataclasses.replace(FAST.trust, users=("Carol",)))
    make_store(token=carol, config=configured).create("by-carol", {})
    gh.clear_requests()
    found = {o.meta.object_id for o in make_store(config=configured).list_all()}
    assert found == {"by-owner", "by-bot", "by-carol"}
    assert gh.count("GET", PERMISSION) == 0


@pytest.mark.parametrize("role", ["read", "triage"])
def test_a_read_only_collaborators_labelled_issue_is_refused_by_every_reader(
    gh: GitHubEmulator, make_store: MakeStore, role: str
) -> None:
    # COLLABORATOR by association, yet no write access: not the store's object.
    rita = gh.token_for("rita", permission=role)
    with GitHubStore(rita, gh.repo, config=FAST, **gh.client_options()) as as_rita:
        number = int(
            as_rita.transport.create_issue(title="Stored Object: thing", body="{}", labels=[])[
                "number"
            ]
        )
    make_store().transport.update_issue(number, labels=["stored-object", "UID:thing"])
    assert gh.issue(number)["author_association"] == "COLLABORATOR"
    reader = make_store()
    with pytest.raises(AccessDeniedError, match="rita"):
        reader.get("thing")
    assert list(reader.list_all()) == []
    assert reader.snapshot()["objects"] == {}
    assert reader.process_updates(number).refused is not None


def test_a_create_whose_labels_github_dropped_fails_clearly(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    # Without push access, GitHub silently drops the labels of a new issue.
    tom = make_store(token=gh.token_for("tom", permission="triage"))
    with pytest.raises(AccessDeniedError, match="dropped the labels"):
        tom.create("thing", {"v": 1})
    (issue,) = make_store().transport.list_issues(labels=[])
    assert issue["state"] == "closed" and issue["labels"] == []


# --- organization members whose membership is private (issue 9.11) ---------------------------


def test_a_private_org_member_with_write_through_a_team_is_trusted_everywhere(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    # GitHub shows such a member as CONTRIBUTOR, although the permission API says write.
    pat = gh.add_org_member("pat", permission="write", public=False)
    as_pat = make_store(token=pat)
    number = as_pat.create("thing", {"v": 1}).meta.issue_number
    assert gh.issue(number)["author_association"] == "CONTRIBUTOR"
    as_pat.update("thing", {"v": 2})
    assert gh.comments(number)[-1]["author_association"] == "CONTRIBUTOR"

    owner = make_store()
    assert owner.get("thing").data == {"v": 1}  # readers accept her object
    report = owner.process_updates(number)  # the processor applies her update
    assert [o.author for o in report.applied] == ["pat"]
    assert [o.meta.object_id for o in owner.list_all()] == ["thing"]


@pytest.mark.parametrize("public", [True, False])
def test_an_org_member_with_only_read_access_is_trusted_nowhere(
    gh: GitHubEmulator, make_store: MakeStore, public: bool
) -> None:
    # MEMBER (public membership) by association, yet only read access: not trusted either.
    reader = gh.add_org_member("mo", permission="read", public=public)
    number = make_store().create("thing", {"v": 1}).meta.issue_number
    make_store(token=reader).transport.create_comment(number, '{"v": 666}')
    make_store().transport.update_issue(number, state="open")
    expected = "MEMBER" if public else "CONTRIBUTOR"
    assert gh.comments(number)[-1]["author_association"] == expected
    report = make_store().process_updates(number)
    assert [(o.author, o.status) for o in report.outcomes] == [("mo", "untrusted")]
    assert make_store().get("thing").data == {"v": 1}


# --- issue 17: custom repository roles; trust reads `permission`, never `role_name` alone ------

#: (role_name, the base role it inherits, trusted with the default min_permission "write")
CUSTOM_ROLES = [
    ("deployer", "write", True),
    ("release-manager", "maintain", True),
    ("helper", "triage", False),
    ("auditor", "read", False),
]


@pytest.mark.parametrize(("role_name", "inherits", "is_trusted"), CUSTOM_ROLES)
def test_the_processor_trusts_a_custom_role_by_the_permission_it_inherits(
    gh: GitHubEmulator, make_store: MakeStore, role_name: str, inherits: str, is_trusted: bool
) -> None:
    number = make_store().create("cfg", {"v": 1}).meta.issue_number
    gh.set_custom_role("dana", role_name, inherits)
    assert make_store().transport.get_permission("dana") == inherits
    comment = gh.seed_comment(number, '{"v": 2}', user="dana")
    make_store().transport.update_issue(number, state="open")
    report = make_store(token=gh.bot_token).process_updates(number)
    assert [o.status for o in report.outcomes] == ["applied" if is_trusted else "untrusted"]
    assert [r["content"] for r in gh.reactions(comment)] == ["+1" if is_trusted else "eyes"]


@pytest.mark.parametrize(("role_name", "inherits"), [("deployer", "write"), ("rm", "maintain")])
def test_readers_trust_an_object_a_custom_role_writer_created(
    gh: GitHubEmulator, make_store: MakeStore, role_name: str, inherits: str
) -> None:
    token = gh.token_for("dana", permission=None)
    gh.set_custom_role("dana", role_name, inherits)
    make_store(token=token).create("thing", {"by": "dana"})
    reader = make_store()
    assert reader.get("thing").data == {"by": "dana"}
    assert [o.meta.object_id for o in reader.list_all()] == ["thing"]


def test_a_custom_role_writers_update_is_waited_for_not_refused(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    make_store().create("cfg", {"v": 1})
    token = gh.token_for("dana", permission=None)
    gh.set_custom_role("dana", "deployer", "write")
    dana = make_store(token=token)
    result = dana.update("cfg", {"v": 2})
    make_store(token=gh.bot_token).process_updates(result.meta.issue_number)
    assert dana.wait(result).data == {"v": 2}


def test_a_custom_role_with_read_cannot_make_its_issue_an_object(
    gh: GitHubEmulator, make_store: MakeStore
) -> None:
    token = gh.token_for("dana", permission=None)
    gh.set_custom_role("dana", "auditor", "read")
    with pytest.raises(AccessDeniedError):
        make_store(token=token).create("thing", {"by": "dana"})


def _answer(permission: object, role_name: object = None, **flags: object) -> dict[str, object]:
    answer: dict[str, object] = {"permission": permission, "role_name": role_name}
    if flags:
        answer["user"] = {"login": "dana", "permissions": flags}
    return answer


WRITE_FLAGS = {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True}


@pytest.mark.parametrize(
    ("answer", "level", "doubt"),
    [
        (_answer("write", "deployer", **WRITE_FLAGS), "write", None),
        (_answer("write", "deployer"), "write", None),  # no flags: permission alone
        (_answer("write", "maintain"), "maintain", None),  # a standard role_name agreeing
        (_answer("read", "triage"), "triage", None),
        (_answer("read", "admin"), "read", None),  # role_name never lifts permission
        (_answer("read", "deployer", **{**WRITE_FLAGS, "push": False}), "triage", None),
        (_answer("admin", "admin", admin=True, push=True, pull=True), "admin", None),
        (_answer("none", "none"), "none", None),
        (_answer("read", "read", admin=True), "read", "disagree"),  # contradicts: the lower
        (_answer("write", "write", pull=True), "read", "disagree"),
        (_answer("write", "write", push="yes", pull=True), "read", "disagree"),
        (_answer("superuser", "superuser", admin=True), "none", "'superuser' is not one"),
        (_answer(None, "write"), "none", "None is not one"),  # role_name alone counts for nothing
        ({"role_name": "admin"}, "none", "None is not one"),
        (_answer(["write"], "write"), "none", "['write'] is not one"),
        (_answer("x" * 10_000), "none", "'" + "x" * 40 + "' is not one"),
        ("write", "none", "not a JSON object"),
        (None, "none", "not a JSON object"),
        (_answer("write", "write", other=True), "write", None),  # unknown flags: as if missing
    ],
)
def test_a_permission_answer_is_read_from_permission_and_its_flags_failing_closed(
    answer: object, level: str, doubt: str | None
) -> None:
    read, why = permission_from_answer(answer)
    assert read == level
    if doubt is None:
        assert why is None
    else:
        assert why is not None and doubt in why and len(why) < 200


def test_a_permission_answer_gh_store_cannot_read_is_no_access_with_a_warning(
    gh: GitHubEmulator, make_store: MakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A strange GitHub (a future permission name): the look-up fails closed and says why."""
    rest = make_store(config=dataclasses.replace(FAST, api="rest")).transport
    strange = {"permission": "superwrite", "role_name": "superwrite", "user": {"login": "dana"}}
    rest._call = lambda *args, **kwargs: _Response(200, {}, strange)  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="gh_store.transport"):
        assert rest.get_permission("dana") == "none"
    assert caplog.messages == [
        "GitHub's permission answer for dana: its permission 'superwrite' is not one gh-store "
        "knows; treated as 'none'"
    ]
