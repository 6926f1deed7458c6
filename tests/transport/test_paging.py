"""The skip-proof page walk, from tables and against a model of GitHub's numbered pages.

The model is a list sorted by key that a hostile actor changes between any two page fetches
(deleting, inserting, appending, at any position). The property: every item that was in the list
from the first fetch to the last is read, whatever the changes and wherever they fall; an item is
read at most once; and a walk that gives up (``complete=False``) still holds a consistent prefix.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gh_store.transport.paging import PageWalk, page_for


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (-5, (1, 100)),
        (0, (1, 100)),
        (50, (1, 100)),
        (98, (2, 98)),
        (99, (2, 99)),  # per_page 100 would stop at 99: the next page starting at 99 reads on
        (197, (3, 98)),
        (199, (3, 99)),
        (1_000, (11, 100)),
    ],
)
def test_page_for_holds_the_anchor_and_reaches_furthest(
    anchor: int, expected: tuple[int, int]
) -> None:
    page, per_page = page_for(anchor)
    assert (page, per_page) == expected
    start, end = (page - 1) * per_page, page * per_page - 1
    assert start <= max(anchor, 0) < end
    assert 1 <= per_page <= 100


@given(st.integers(min_value=0, max_value=50_000))
def test_page_for_always_holds_the_anchor_and_moves_on(anchor: int) -> None:
    page, per_page = page_for(anchor)
    assert (page - 1) * per_page <= anchor < page * per_page - 1
    assert per_page >= 50


class Numbered:
    """A listing with GitHub's page semantics over a list of ``{"id": n}``."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = sorted(ids)
        self.fetches = 0

    def fetch(self, page: int, per_page: int) -> tuple[list[dict[str, Any]], bool]:
        self.fetches += 1
        start = (page - 1) * per_page
        chunk = self.ids[start : start + per_page]
        return [{"id": i} for i in chunk], start + per_page < len(self.ids)


def walk(listing: Numbered, between: Callable[[int], None] | None = None) -> PageWalk:
    pages = PageWalk(lambda item: int(item["id"]))
    while (request := pages.next_page()) is not None:
        items, has_next = listing.fetch(*request)
        pages.receive(items, has_next)
        if between is not None:
            between(listing.fetches)
    return pages


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 250, 1_000])
def test_a_quiet_listing_is_read_whole_once(size: int) -> None:
    listing = Numbered(list(range(10, 10 + 3 * size, 3)))
    pages = walk(listing)
    assert [item["id"] for item in pages.items] == listing.ids
    assert pages.complete and pages.rereads == 0


def test_a_delete_before_the_boundary_does_not_skip_the_next_item() -> None:
    # The naive walk's failure: page 2 read after one item of page 1 was deleted misses the item
    # that moved from page 2 to page 1.
    listing = Numbered(list(range(250)))
    pages = walk(listing, lambda fetches: listing.ids.remove(5) if fetches == 1 else None)
    assert [item["id"] for item in pages.items] == list(range(250))  # 5 was read before it went
    assert pages.rereads == 1


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(min_value=0, max_value=420),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    intensity=st.sampled_from([1, 2, 5, 30]),
)
def test_no_item_present_throughout_is_missed_whatever_changes_between_pages(
    size: int, seed: int, intensity: int
) -> None:
    rng = random.Random(seed)
    listing = Numbered(list(range(0, 2 * size, 2)))  # even ids; odd ones can be inserted later
    next_new = 2 * size + 1
    removed: set[int] = set()

    def meddle(_: int) -> None:
        nonlocal next_new
        for _ in range(rng.randint(0, intensity)):
            action = rng.choice(("delete", "insert", "append"))
            if action == "delete" and listing.ids:
                victim = listing.ids.pop(rng.randrange(len(listing.ids)))
                removed.add(victim)
            elif action == "insert" and listing.ids:
                # An old comment edited into a `since` window: its id is old.
                listing.ids.append(rng.randrange(0, max(1, listing.ids[-1])) | 1)
                listing.ids = sorted(set(listing.ids))
            else:
                listing.ids.append(next_new)
                next_new += 2

    original = set(range(0, 2 * size, 2))
    pages = walk(listing, meddle)
    read = [item["id"] for item in pages.items]
    assert read == sorted(set(read))  # each once, in order
    newest = max(read, default=-1)
    survivors = {i for i in original - removed if pages.complete or i <= newest}
    assert survivors <= set(read)


def test_a_listing_that_never_stops_changing_ends_incomplete_with_a_consistent_prefix() -> None:
    pages = PageWalk(lambda item: int(item["id"]), max_rereads=3)
    pages.receive([{"id": i} for i in range(100)], has_next=True)
    # Every later page starts past the newest item read: something may have been skipped.
    while (request := pages.next_page()) is not None:
        assert request[0] > 1 or request == (1, 100)
        if request == (1, 100):
            break  # reading from the start again always continues: not what this test wants
        pages.receive([{"id": 1_000 + i} for i in range(request[1])], has_next=True)
    assert pages.done and not pages.complete and pages.rereads == 4
    assert [item["id"] for item in pages.items] == list(range(100))
