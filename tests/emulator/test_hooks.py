"""Hooks: a test's code run between two requests of the code under test (both adapters)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2

from gh_store.emulator import GitHubEmulator, RequestInfo

Call = Callable[..., httpx2.Response]
R = "/repos/octo/store"


def test_a_deletion_between_two_pages_shifts_the_second(gh: GitHubEmulator, call: Call) -> None:
    """What issue 9's paging tests need: the world changes while a client pages."""
    number = gh.seed_issue("t")
    ids = [gh.seed_comment(number, str(n), user="eve") for n in range(6)]
    seen: list[RequestInfo] = []

    def delete_first_comment(info: RequestInfo) -> None:
        seen.append(info)
        if info.query.get("page") == "2":
            gh.delete_comment(ids[0])

    gh.add_hook(delete_first_comment, method="GET", path=r"/comments$")
    first = call("GET", f"{R}/issues/{number}/comments", params={"per_page": 3})
    second = call("GET", f"{R}/issues/{number}/comments", params={"per_page": 3, "page": 2})
    assert [c["id"] for c in first.json()] == ids[:3]
    assert [c["id"] for c in second.json()] == ids[4:]  # ids[3] slid onto page 1: skipped
    assert [(i.method, i.path, i.query, i.user) for i in seen] == [
        ("GET", f"{R}/issues/{number}/comments", {"per_page": "3"}, "octo"),
        ("GET", f"{R}/issues/{number}/comments", {"per_page": "3", "page": "2"}, "octo"),
    ]


def test_filters_order_and_remove(gh: GitHubEmulator, call: Call) -> None:
    calls: list[str] = []
    every = gh.add_hook(lambda info: calls.append(f"every {info.method}"))
    posts = gh.add_hook(lambda info: calls.append(f"post {info.body}"), method="post")
    gh.add_hook(lambda info: calls.append("labels"), path=r"/labels")
    call("POST", f"{R}/issues", json={"title": "t"})
    call("GET", f"{R}/labels")
    posts.remove()
    posts.remove()  # harmless
    call("POST", f"{R}/issues", json={"title": "u"})
    every.remove()
    call("GET", f"{R}/issues")
    assert calls == [
        "every POST",
        "post {'title': 't'}",
        "every GET",
        "labels",
        "every POST",
    ]


def test_hooks_run_before_the_request_and_outside_the_lock(gh: GitHubEmulator, call: Call) -> None:
    number = gh.seed_issue("t")
    cid = gh.seed_comment(number, "original", user="eve")

    def meddle(info: RequestInfo) -> None:
        # Another thread must be able to take the state lock while the hook runs.
        other = threading.Thread(target=gh.edit_comment, args=(cid, "edited by a hook"))
        other.start()
        other.join(timeout=5)
        assert not other.is_alive(), "the hook ran under the state lock"
        gh.add_reaction(cid, "mallory", "+1")
        gh.create_label("Stored-Object")
        gh.set_labels(number, ["stored-object"])

    hook = gh.add_hook(meddle, method="GET", path=rf"/issues/comments/{cid}$")
    answer = call("GET", f"{R}/issues/comments/{cid}").json()
    hook.remove()
    assert answer["body"] == "edited by a hook"
    assert answer["reactions"]["+1"] == 1
    assert [lab["name"] for lab in gh.issue(number)["labels"]] == ["Stored-Object"]
    assert [r.status for r in gh.requests] == [200]  # the hook's helpers are not recorded


def test_a_hook_that_sends_requests_sees_them_too(gh: GitHubEmulator, call: Call) -> None:
    paths: list[str] = []

    def count_and_call(info: RequestInfo) -> None:
        paths.append(info.path)
        if info.path.endswith("/issues"):
            call("GET", f"{R}/labels")  # handled before the outer request, hooks and all

    gh.add_hook(count_and_call)
    assert call("GET", f"{R}/issues").status_code == 200
    assert paths == [f"{R}/issues", f"{R}/labels"]
    assert [r.path for r in gh.requests] == [f"{R}/labels", f"{R}/issues"]
