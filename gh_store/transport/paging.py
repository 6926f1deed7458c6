"""Reading a numbered-page listing that others change meanwhile, without skipping an item.

GitHub pages issue comments (and issues) by number: page ``q`` of ``per_page`` ``p`` is the items at
positions ``(q-1)*p`` ... ``q*p-1`` at the moment it is read. An item deleted before the current
position while a listing is read shifts every later item back by one, and the item that stood at
the page boundary is then on no page read: followed naively, "next" skips it. (Created items come
last and shift nothing; an old comment edited into a ``since`` window is inserted, and shows up
twice at worst.)

:class:`PageWalk` never follows "next" blindly. Items are sorted by a key that only grows
(comment ids; issue numbers with ``sort=created&direction=asc``), and every page after the first is
chosen (varying ``per_page``) to start at or before the newest item already read, its *anchor*. One
answer is one consistent moment, so a page that holds an already-read item continues the listing
with no gap: every item between the anchor and the page's last one is on it. A page that does not
reach back to a read item may hide a gap: it is read again further back (1, 2, 4 ... positions),
and as a last resort from the first page, which has nothing before it. When the listing keeps
changing under it past ``max_rereads``, the walk stops with ``complete=False`` and what it holds is
still a consistent beginning: every item up to the newest it holds that existed throughout.

Pure: it says which page to fetch next and takes the answers; the REST adapter fetches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["PageWalk", "page_for"]

MAX_PER_PAGE = 100
_MIN_PER_PAGE = 50  # smaller pages would cost more requests than they save


def page_for(anchor: int) -> tuple[int, int]:
    """``(page, per_page)`` whose page holds position ``anchor`` and reaches furthest past it."""
    if anchor < 0:
        return 1, MAX_PER_PAGE
    best: tuple[int, int, int] | None = None  # (end, per_page, page)
    for per_page in range(MAX_PER_PAGE, 0, -1):
        page = anchor // per_page + 1
        end = page * per_page - 1
        if end > anchor and (best is None or end > best[0]):
            best = (end, per_page, page)
        if per_page <= _MIN_PER_PAGE and best is not None:
            break
    assert best is not None  # per_page 1 always reaches past the anchor
    return best[2], best[1]


class PageWalk:
    """One listing, read page by page: ``next_page()``, fetch it, ``receive()`` the answer.

    ``key`` gives each item's sort key (strictly growing along the listing).
    """

    def __init__(
        self,
        key: Callable[[Mapping[str, Any]], int],
        *,
        max_rereads: int = 8,
        max_pages: int = 1000,
    ) -> None:
        self._key = key
        self._max_rereads = max_rereads
        self._max_pages = max_pages
        self._items: dict[int, Mapping[str, Any]] = {}
        self._newest: int | None = None  # the largest key read
        self._anchor = -1  # a position at or before the newest item read, as last seen
        self._back = 0  # how far the last re-read stepped back
        self._request = page_for(-1)
        self.rereads = 0
        self.pages = 0
        self.done = False
        self.complete = True

    @property
    def items(self) -> list[Mapping[str, Any]]:
        """The items read, in key order, each once."""
        return [self._items[key] for key in sorted(self._items)]

    def next_page(self) -> tuple[int, int] | None:
        """The ``(page, per_page)`` to fetch next, or None when the walk is over."""
        return None if self.done else self._request

    def receive(self, items: Sequence[Mapping[str, Any]], has_next: bool) -> None:
        """Take the answer to the page ``next_page()`` named; ``has_next``: GitHub's "next" link."""
        page, per_page = self._request
        offset = (page - 1) * per_page
        self.pages += 1
        keys = [self._key(item) for item in items]
        continues = offset == 0 or (
            bool(keys) and self._newest is not None and keys[0] <= self._newest
        )
        if self._newest is None or continues:
            for key, item in zip(keys, items, strict=True):
                if self._newest is None or key > self._newest:
                    self._items[key] = item
            if keys:
                self._newest = max(keys) if self._newest is None else max(self._newest, *keys)
            if not has_next:
                self.done = True
                return
            self._back = 0
            self._anchor = offset + len(items) - 1
        else:
            # Items before this page were deleted since the last one: it may start past an item
            # never read. Read again, further back each time.
            self.rereads += 1
            if self.rereads > self._max_rereads:
                self.done, self.complete = True, False
                return
            self._back = max(1, 2 * self._back)
            self._anchor = min(self._anchor, offset - 1) - self._back
        if self.pages >= self._max_pages:
            self.done, self.complete = True, False
            return
        self._request = page_for(self._anchor)
