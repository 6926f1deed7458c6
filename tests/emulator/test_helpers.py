"""The facade's direct helpers, the clock and organization members (both adapters)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.emulator.errors import ApiError

from .adapters import emulator

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"
START = 1_700_000_000  # 2023-11-14T22:13:20Z


def stamp(seconds_after_start: int) -> str:
    return f"2023-11-14T22:13:{20 + seconds_after_start:02d}Z"


def test_edit_and_delete_comment(gh: GitHubEmulator, call: Call) -> None:
    gh.use_ticking_clock(start=START)
    number = gh.seed_issue("t")  # 20
    cid = gh.seed_comment(number, "one", user="eve")  # 21
    other = gh.seed_comment(number, "two")  # 22
    gh.edit_comment(cid, "one, edited")  # 23
    got = call("GET", f"{R}/issues/comments/{cid}").json()
    assert (got["body"], got["created_at"], got["updated_at"]) == (
        "one, edited",
        stamp(1),
        stamp(3),
    )
    gh.delete_comment(cid)
    assert [c["id"] for c in gh.comments(number)] == [other]
    assert gh.issue(number)["comments"] == 1
    with pytest.raises(ApiError) as missing:
        gh.edit_comment(cid, "gone")
    assert missing.value.status == 404
    assert gh.requests[:-1] == []  # only the one GET above is recorded


def test_add_reaction_changes_no_updated_at(gh: GitHubEmulator, call: Call) -> None:
    gh.use_ticking_clock(start=START)
    number = gh.seed_issue("t")
    cid = gh.seed_comment(number, "c")
    before = (gh.issue(number)["updated_at"], gh.comments(number)[0]["updated_at"])
    first = gh.add_reaction(cid, "mallory", "+1")
    assert gh.add_reaction(cid, "mallory", "+1") == first  # one per user and content
    through_api = call("POST", f"{R}/issues/comments/{cid}/reactions", json={"content": "eyes"})
    assert through_api.status_code == 201
    assert (gh.issue(number)["updated_at"], gh.comments(number)[0]["updated_at"]) == before
    assert [(r["user"]["login"], r["content"]) for r in gh.reactions(cid)] == [
        ("mallory", "+1"),
        ("octo", "eyes"),
    ]
    with pytest.raises(ApiError):
        gh.add_reaction(cid, "mallory", "thumbs-up")


def test_labels_in_any_case(gh: GitHubEmulator, call: Call) -> None:
    label_id = gh.create_label("Stored-Object")
    with pytest.raises(ApiError) as taken:
        gh.create_label("stored-object")
    assert taken.value.status == 422
    number = gh.seed_issue("t")
    assert gh.set_labels(number, ["STORED-OBJECT", "uid:Foo"]) == ["Stored-Object", "uid:Foo"]
    labels = call("GET", f"{R}/issues/{number}/labels").json()
    assert [(lab["id"] == label_id, lab["name"]) for lab in labels] == [
        (True, "Stored-Object"),
        (False, "uid:Foo"),
    ]
    assert gh.set_labels(number, []) == []


def test_advance_clock_moves_stamps_and_refills_rate_limits(gh: GitHubEmulator, call: Call) -> None:
    gh.use_ticking_clock(start=START)
    number = gh.seed_issue("t")
    gh.advance_clock(100)
    cid = gh.seed_comment(number, "later")
    assert gh.comments(number)[0]["created_at"] == "2023-11-14T22:15:01Z"
    gh.set_rate_limit(gh.owner_token, 0)
    assert call("GET", f"{R}/issues/comments/{cid}").status_code == 403
    gh.advance_clock(3600)  # the hourly window ends
    answer = call("GET", f"{R}/issues/comments/{cid}")
    assert answer.status_code == 200 and answer.headers["x-ratelimit-remaining"] == "4999"
    with pytest.raises(ValueError):
        gh.advance_clock(-1)


def test_system_clock_can_be_advanced_too(gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t")
    created = gh.issue(number)["created_at"]
    gh.advance_clock(2 * 86400)
    gh.seed_comment(number, "two days later")
    assert gh.issue(number)["updated_at"][:10] > created[:10]


@pytest.mark.parametrize(("public", "association"), [(False, "CONTRIBUTOR"), (True, "MEMBER")])
def test_org_member_with_team_access(
    gh: GitHubEmulator, call: Call, public: bool, association: str
) -> None:
    """GitHub shows MEMBER only for public membership; the permission API sees the team grant."""
    token = gh.add_org_member("tina", permission="write", public=public)
    made = call("POST", f"{R}/issues", token=token, json={"title": "t", "labels": ["kept"]})
    assert made.status_code == 201
    assert made.json()["author_association"] == association
    assert [lab["name"] for lab in made.json()["labels"]] == ["kept"]  # write: labels kept
    comment = call("POST", f"{R}/issues/1/comments", token=token, json={"body": "c"})
    assert comment.json()["author_association"] == association
    permission = call("GET", f"{R}/collaborators/tina/permission").json()
    assert (permission["permission"], permission["role_name"]) == ("write", "write")
    assert permission["user"]["permissions"]["push"] is True


def test_associations_say_nothing_about_permission(gh: GitHubEmulator, call: Call) -> None:
    reader = gh.token_for("rita", "read")  # a read-only collaborator
    both = gh.add_org_member("bo", permission="admin", public=False)
    gh.set_permission("bo", "triage")  # and a direct collaborator: that shows
    stranger = gh.token_for("sam", None)
    number = gh.seed_issue("t")
    seen = {}
    for login, token in (("rita", reader), ("bo", both), ("sam", stranger)):
        posted = call("POST", f"{R}/issues/{number}/comments", token=token, json={"body": "x"})
        role = call("GET", f"{R}/collaborators/{login}/permission").json()["role_name"]
        seen[login] = (posted.json()["author_association"], role)
    assert seen == {
        "rita": ("COLLABORATOR", "read"),
        "bo": ("COLLABORATOR", "admin"),  # the higher of team and direct grants
        "sam": ("NONE", "read"),  # public repository: implicit read
    }


def test_org_membership_survives_a_state_file(tmp_path: Path, adapter: str) -> None:
    path = tmp_path / "state.json"
    with emulator(adapter, state_file=path) as gh:
        gh.add_org_member("tina", permission="maintain")
        number = gh.seed_issue("t", user="tina")
    with emulator(adapter, state_file=path) as again:
        assert again.issue(number)["author_association"] == "CONTRIBUTOR"
        with again.state.lock:
            assert again.state.permission_of("tina") == "maintain"
