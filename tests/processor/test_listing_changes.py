"""Issue 9.1: the comment list changes while a run pages through it; nothing is lost or doubled.

GitHub pages comments by number, so a comment deleted before the page being read shifts every
later one back (the naive "next" skips one), and an old comment edited into the ``since`` window is
inserted (the naive walk reads one twice). Here an outsider deletes, edits or creates comments
between every two page requests of every comment listing of a run, at the first, middle or last
position, over 1, 2 and 3 pages. Then a quiet run; the object must be the serial fold of the
trusted updates, each applied once, and every decided comment must carry its one mark.

Over GraphQL (``api``) comments are paged by cursors, which name a comment rather than a
position: there the outsider acts before every GraphQL request of the run but the first (the
further pages, and the requests that write and take the last look).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue

from .support import (
    bot_marks,
    by_api,
    chain,
    fold,
    seed_object,
    store_config,
    stored,
    transport_for,
)

CONFIG = store_config()
COMMENTS = "/comments"


class Scene:
    """An object with decided history, and 1 to 3 pages of pending comments from three people."""

    def __init__(self, gh: GitHubEmulator, pages: int) -> None:
        self.gh = gh
        gh.use_ticking_clock(start=1_700_000_000)
        gh.set_permission("alice", "write")
        self.rita = gh.token_for("rita", permission="read")
        self.number = seed_object(gh, {"n": 0})
        self.trusted: list[tuple[int, dict[str, Any]]] = []
        self.untrusted: list[int] = []
        self.rita_old: list[int] = []
        self.rita_pending: list[int] = []
        for i in range(12):  # decided by a first, quiet run
            self._comment("rita", f"old chat {i}", old=True)
        self._trusted("octo", {"old": True})
        self._run()
        pending = pages * 100 - 40  # 1, 2 or 3 pages
        # Trusted updates around every page boundary (the window opens on the newest decided
        # comment, so pending comment i sits at position i + 1): a skip there would lose one.
        boundaries = {b + d for b in (99, 199) for d in range(-3, 4)}
        for i in range(pending):
            if i % 23 == 5 or i in boundaries:
                self._trusted("alice" if i % 2 else "octo", {"n": i, f"k{i % 4}": i})
            elif i % 17 == 3:
                self.untrusted.append(self._comment("rita", json.dumps({"n": -i})))
            else:
                self._comment("rita", f"chat {i}")

    def _comment(self, login: str, text: str, *, old: bool = False) -> int:
        comment_id = self.gh.seed_comment(self.number, text, user=login)
        if login == "rita":
            (self.rita_old if old else self.rita_pending).append(comment_id)
        return comment_id

    def _trusted(self, login: str, patch: dict[str, Any]) -> None:
        self.trusted.append(
            (self.gh.seed_comment(self.number, json.dumps(patch), user=login), patch)
        )

    def _run(self) -> None:
        with transport_for(self.gh, max_attempts=2) as client:
            process_issue(client, CONFIG, self.number)

    def run_while(self, action: str, position: str) -> int:
        """A run during which ``action`` hits ``position`` before every page but the first."""
        counter = itertools.count()

        def meddle() -> None:
            n = next(counter)
            if action == "delete":
                victims = [c for c in self.rita_pending if c not in self.deleted]
                if victims:
                    victim = _at(victims, position)
                    self.gh_call("DELETE", f"/issues/comments/{victim}")
                    self.deleted.add(victim)
            elif action == "edit":
                # An old, decided comment edited now re-enters the `since` window.
                target = _at(self.rita_old, position)
                self.gh_call("PATCH", f"/issues/comments/{target}", {"body": f"edited {n}"})
            else:
                patch = {"late": n}
                comment = self.gh.seed_comment(self.number, json.dumps(patch), user="alice")
                self.trusted.append((comment, patch))

        self.deleted: set[int] = set()
        pages = itertools.count()

        def before_each_page_but_the_first(_: object) -> None:
            if next(pages):
                meddle()

        method, path = by_api(rest=("GET", COMMENTS + "$"), graphql=("POST", "/graphql$"))
        hook = self.gh.add_hook(before_each_page_but_the_first, method=method, path=path)
        try:
            self._run()
        finally:
            hook.remove()
        return next(pages)

    def gh_call(self, method: str, path: str, body: Any = None) -> None:
        options = self.gh.client_options()
        with httpx2.Client(
            base_url=options["api_url"], transport=options["http_transport"]
        ) as client:
            answer = client.request(
                method,
                f"/repos/{self.gh.repo}{path}",
                json=body,
                headers={"Authorization": f"token {self.rita}"},
            )
            assert answer.status_code < 300, answer.text

    def assert_converged(self) -> None:
        gh, number = self.gh, self.number
        body = stored(gh, number)
        ordered = sorted(self.trusted)
        assert body.data == fold({"n": 0}, [patch for _, patch in ordered])
        assert (body.meta.version, body.meta.applied_count) == (1 + len(ordered), len(ordered))
        texts = {c["id"]: c["body"] for c in gh.comments(number)}
        assert body.meta.history_hash == chain((i, texts[i]) for i, _ in ordered)
        for comment_id, _ in ordered:
            assert bot_marks(gh, comment_id) == ["+1"], comment_id
        for comment_id in self.untrusted:
            if comment_id in texts:
                assert bot_marks(gh, comment_id) == ["eyes"], comment_id
        for comment_id in self.rita_pending:
            if comment_id in texts and comment_id not in self.untrusted:
                assert bot_marks(gh, comment_id) == [], comment_id


def _at(ids: list[int], position: str) -> int:
    return {"first": ids[0], "middle": ids[len(ids) // 2], "last": ids[-1]}[position]


@pytest.mark.parametrize("pages", [1, 2, 3])
@pytest.mark.parametrize("position", ["first", "middle", "last"])
@pytest.mark.parametrize("action", ["delete", "edit", "create"])
def test_changes_between_pages_lose_and_double_nothing(
    gh: GitHubEmulator, action: str, position: str, pages: int
) -> None:
    scene = Scene(gh, pages)
    listed = scene.run_while(action, position)
    assert listed >= pages + 1  # the listing (and the last look) really was disturbed
    scene._run()  # the run the workflow queues next, undisturbed
    scene.assert_converged()
