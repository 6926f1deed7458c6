"""PyGithub (the original gh-store's client) against the emulator, over HTTP only: PyGithub
brings its own HTTP stack (requests), which the in-process transport cannot serve."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Auth, Github, GithubException

from gh_store.emulator import GitHubEmulator


@pytest.fixture
def gh() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(repo="octo/store") as emulator:
        yield emulator


def client(gh: GitHubEmulator, token: str) -> Github:
    return Github(
        base_url=gh.url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


@pytest.fixture
def github(gh: GitHubEmulator) -> Github:
    return client(gh, gh.owner_token)


def test_repo_issues_labels(github: Github, gh: GitHubEmulator) -> None:
    repo = github.get_repo("octo/store")
    assert repo.full_name == "octo/store" and repo.owner.login == "octo"
    label = repo.create_label("stored-object", "00ff00", "objects")
    assert repo.get_label("stored-object").description == "objects"
    issue = repo.create_issue(title="UID:a", body="{}", labels=["stored-object", "UID:a"])
    assert {lab.name for lab in issue.labels} == {"stored-object", "UID:a"}
    issue.edit(body='{"x": 1}', state="closed")
    assert issue.state == "closed" and issue.body == '{"x": 1}'
    assert repo.get_issue(issue.number).closed_by is not None
    issue.remove_from_labels("UID:a")
    assert [lab.name for lab in issue.get_labels()] == [label.name]
    issue.add_to_labels("again")
    issue.set_labels("stored-object")
    assert [lab.name for lab in repo.get_issue(issue.number).labels] == ["stored-object"]
    with pytest.raises(GithubException) as raised:
        repo.get_issue(999)
    assert raised.value.status == 404


def test_get_issues_pages_through_all(github: Github, gh: GitHubEmulator) -> None:
    for n in range(75):
        gh.seed_issue(
            f"UID:{n}", "{}", ["stored-object", f"UID:{n}"], state="closed" if n % 2 else "open"
        )
    gh.seed_issue("other", "", ["other"])
    repo = github.get_repo("octo/store")
    found = list(repo.get_issues(labels=["stored-object"], state="all"))
    assert len(found) == 75 and len({i.number for i in found}) == 75
    assert len(list(repo.get_issues(labels=["stored-object"]))) == 38  # default state=open
    assert gh.count("GET", r"/issues$") >= 3 + 1  # 30 per page: three pages for 75


def test_comments_and_reactions(github: Github, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "")
    repo = github.get_repo("octo/store")
    issue = repo.get_issue(number)
    comment = issue.create_comment("hello")
    reaction = comment.create_reaction("rocket")
    assert reaction.content == "rocket" and reaction.user.login == "octo"
    assert [r.content for r in comment.get_reactions()] == ["rocket"]
    assert comment.delete_reaction(reaction.id) is True
    assert list(comment.get_reactions()) == []
    comment.edit("edited")
    assert issue.get_comment(comment.id).body == "edited"
    for n in range(40):
        gh.seed_comment(number, f"c{n}")
    assert len(list(issue.get_comments())) == 41
    assert issue.create_reaction("heart").content == "heart"
    comment.delete()
    assert len(list(issue.get_comments())) == 40


def test_collaborator_permission(github: Github, gh: GitHubEmulator) -> None:
    gh.token_for("alice", permission="maintain")
    gh.token_for("bob", permission="none")
    repo = github.get_repo("octo/store")
    assert repo.get_collaborator_permission("alice") == "write"
    assert repo.get_collaborator_permission("bob") == "read"  # public repo: implicit read
    assert repo.get_collaborator_permission("octo") == "admin"


def test_outsider_labels_dropped_through_pygithub(gh: GitHubEmulator) -> None:
    mallory = client(gh, gh.token_for("mallory", permission="read"))
    issue = mallory.get_repo("octo/store").create_issue(title="x", labels=["stored-object"])
    assert issue.labels == []
    assert issue.user.login == "mallory"
