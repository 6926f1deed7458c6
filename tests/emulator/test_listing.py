"""Behaviours the store's reliability relies on (GITHUB-FACTS), over both adapters: label names
in any case, issue sorting and ``since``, comment order and ``since``, ``per_page``/``page``, and
which changes move ``updated_at``."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"
START = 1_700_000_000


def numbers(answer: httpx2.Response) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [item["number"] for item in answer.json()]


def test_labels_are_case_insensitive_everywhere(gh: GitHubEmulator, call: Call) -> None:
    gh.create_label("Stored-Object")
    gh.create_label("UID:Foo")
    made = call("POST", f"{R}/issues", json={"title": "t", "labels": ["stored-object", "uid:foo"]})
    assert sorted(lab["name"] for lab in made.json()["labels"]) == ["Stored-Object", "UID:Foo"]
    other = gh.seed_issue("other", labels=["STORED-OBJECT"])
    assert numbers(call("GET", f"{R}/issues", params={"labels": "stored-OBJECT"})) == [other, 1]
    assert numbers(call("GET", f"{R}/issues", params={"labels": "STORED-object,uid:FOO"})) == [1]
    added = call(
        "POST", f"{R}/issues/{other}/labels", json={"labels": ["Uid:fOO", "stored-object"]}
    )
    assert [lab["name"] for lab in added.json()] == ["Stored-Object", "UID:Foo"]  # no copies
    removed = call("DELETE", f"{R}/issues/{other}/labels/uid%3Afoo")
    assert [lab["name"] for lab in removed.json()] == ["Stored-Object"]
    patched = call("PATCH", f"{R}/issues/{other}", json={"labels": ["STORED-OBJECT", "new"]})
    assert [lab["name"] for lab in patched.json()["labels"]] == ["new", "Stored-Object"]
    assert call("GET", f"{R}/labels/stored-object").json()["name"] == "Stored-Object"
    assert len(call("GET", f"{R}/labels").json()) == 3  # Stored-Object, UID:Foo, new


def test_issue_sort_direction_and_since(gh: GitHubEmulator, call: Call) -> None:
    gh.use_ticking_clock(start=START)
    first = gh.seed_issue("first")  # created :20
    second = gh.seed_issue("second")  # :21
    third = gh.seed_issue("third")  # :22
    gh.seed_comment(first, "bumps first's updated_at")  # :23
    gh.seed_comment(first, "and again")  # :24
    gh.seed_comment(third, "once")  # :25

    def listed(**params: str) -> list[int]:
        return numbers(call("GET", f"{R}/issues", params=params))

    assert listed() == [third, second, first]  # created, newest first
    assert listed(direction="asc") == [first, second, third]
    assert listed(sort="updated") == [third, first, second]
    assert listed(sort="updated", direction="asc") == [second, first, third]
    assert listed(sort="comments") == [first, third, second]
    assert listed(since="2023-11-14T22:13:24Z") == [third, first]  # inclusive
    assert listed(since="2023-11-14T22:13:25Z") == [third]
    assert listed(since="2023-11-14T22:13:26Z") == []
    for bad in ({"sort": "title"}, {"direction": "up"}, {"state": "any"}):
        assert call("GET", f"{R}/issues", params=bad).status_code == 422


def test_comments_ascending_by_id_and_since_on_updated_at(gh: GitHubEmulator, call: Call) -> None:
    gh.use_ticking_clock(start=START)
    number = gh.seed_issue("t")  # :20
    ids = [gh.seed_comment(number, str(n)) for n in range(4)]  # :21 .. :24
    edited = call("PATCH", f"{R}/issues/comments/{ids[0]}", json={"body": "0, edited"})  # :25
    assert edited.json()["updated_at"] == "2023-11-14T22:13:25Z"
    assert edited.json()["created_at"] == "2023-11-14T22:13:21Z"

    def since(stamp: str) -> list[int]:
        answer = call("GET", f"{R}/issues/{number}/comments", params={"since": stamp})
        return [c["id"] for c in answer.json()]

    assert since("2000-01-01T00:00:00Z") == ids  # by id, not by updated_at
    assert since("2023-11-14T22:13:24Z") == [ids[0], ids[3]]  # the edit comes back, inclusive
    assert since("2023-11-14T22:13:25Z") == [ids[0]]
    reacted = call("POST", f"{R}/issues/comments/{ids[1]}/reactions", json={"content": "+1"})
    assert reacted.status_code == 201
    assert since("2023-11-14T22:13:25Z") == [ids[0]]  # a reaction is no update


@pytest.mark.parametrize("per_page", [1, 3, 7, 20, 100])
def test_per_page_and_page_are_an_offset(gh: GitHubEmulator, call: Call, per_page: int) -> None:
    number = gh.seed_issue("t")
    ids = [gh.seed_comment(number, str(n)) for n in range(20)]
    pages = -(-20 // per_page)
    collected: list[int] = []
    for page in range(1, pages + 2):
        answer = call(
            "GET", f"{R}/issues/{number}/comments", params={"per_page": per_page, "page": page}
        )
        chunk = [c["id"] for c in answer.json()]
        assert chunk == ids[(page - 1) * per_page : page * per_page]
        assert ('rel="next"' in answer.headers.get("link", "")) == (page < pages)
        collected += chunk
    assert collected == ids


def test_per_page_is_capped_at_100(gh: GitHubEmulator, call: Call) -> None:
    for n in range(105):
        gh.seed_issue(str(n))
    assert len(call("GET", f"{R}/issues", params={"per_page": 250}).json()) == 100
    assert len(call("GET", f"{R}/issues").json()) == 30
    second = call("GET", f"{R}/issues", params={"per_page": 100, "page": 2}).json()
    assert [i["number"] for i in second] == [5, 4, 3, 2, 1]
