"""Conditional GETs: the answers a transport keeps so that asking again costs no rate limit.

GitHub does not count a ``304 Not Modified`` against the primary rate limit. The REST adapter
(``rest.py``) sends through :class:`ConditionalGets`, which sends a GET answered before with that
answer's validator and, on 304, gives back the stored body and the headers callers read (``Link``
for paging) under the 304's own (fresh rate-limit headers). Nothing is ever served without asking
GitHub first, so a change is seen at once: this is a validator cache, never a freshness cache.

* A key is the full URL with its query and the identity of the token: a hash, never the token, so
  two tokens never share answers (GitHub's ETags are per token anyway).
* Only a ``200`` with an ``ETag`` or ``Last-Modified`` is kept; a 404 or 410 drops the copy (a
  cached "not found" is how other clients came to miss created things).
* ``If-None-Match`` when there is an ETag, else ``If-Modified-Since``: never both. RFC 9110 tells a
  server to ignore the date when it has the tag, and where GitHub does not, a date hides changes
  (a listing's ``Last-Modified`` need not move when an item is deleted; dates have whole seconds;
  GitHub has answered 304 to a date for changed resources: hub4j/github-api#669).

:class:`MemoryCache` (the default, per transport) and :class:`DiskCache` (``cache_dir=``: across
runs of a script) are both bounded in bytes and drop the least recently used answers first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx2  # ghapi's HTTP layer: a 304 comes out of it as an HTTPStatusError

__all__ = [
    "ConditionalGets",
    "DiskCache",
    "MemoryCache",
    "ResponseCache",
    "StoredAnswer",
    "from_store",
    "token_identity",
]

log = logging.getLogger("gh_store.transport")

#: The headers kept with an answer: its validators, and what callers read from a 304's answer.
KEPT_HEADERS = ("etag", "last-modified", "link")
_FORMAT = "gh-store response cache 1"
_SUFFIX = ".json"
_FROM_STORE = "gh_store.from_store"
_BODY_HEADERS = frozenset(
    {"content-length", "content-encoding", "content-type", "transfer-encoding"}
)
_STALE_TEMP = 3600.0  # seconds after which a temporary file is a crashed writer's leftover


def token_identity(token: str | None) -> str:
    """Who answers are kept for: a hash of the token (GitHub's answers depend on who asks)."""
    if not token:
        return "anonymous"
    return hashlib.sha256(b"gh-store token identity\0" + token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    """A 200 answer to a GET: its kept headers (lower-case names) and its body as sent."""

    headers: Mapping[str, str]
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content) + sum(len(k) + len(v) for k, v in self.headers.items())

    def validators(self) -> dict[str, str]:
        """The conditional headers that ask GitHub whether this answer is still current."""
        if self.headers.get("etag"):
            return {"If-None-Match": self.headers["etag"]}
        if self.headers.get("last-modified"):
            return {"If-Modified-Since": self.headers["last-modified"]}
        return {}

    def confirmed(self, not_modified: Mapping[str, str]) -> dict[str, str]:
        """The headers of the answer a 304 confirms: the kept ones under the 304's own, but for
        those that describe the 304's empty body (its length, encoding, type)."""
        fresh = {k.lower(): v for k, v in not_modified.items() if k.lower() not in _BODY_HEADERS}
        return {**self.headers, **fresh}


class ResponseCache(Protocol):
    """Where answers are kept, by key. Failing to keep or to read one is never an error."""

    def lookup(self, key: str) -> StoredAnswer | None: ...

    def keep(self, key: str, answer: StoredAnswer) -> None: ...

    def forget(self, key: str) -> None: ...


class MemoryCache:
    """Answers in this process, at most ``max_bytes`` of them (least recently used go first)."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[str, StoredAnswer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # a transport is used from one thread, a cache maybe not

    def __len__(self) -> int:
        return len(self._answers)

    def lookup(self, key: str) -> StoredAnswer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def keep(self, key: str, answer: StoredAnswer) -> None:
        with self._lock:
            self._drop(key)
            if answer.size > self.max_bytes:
                return
            self._answers[key] = answer
            self._bytes += answer.size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._answers)))

    def forget(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: str) -> None:
        old = self._answers.pop(key, None)
        if old is not None:
            self._bytes -= old.size


class DiskCache:
    """Answers in ``directory``, one file each, kept across processes.

    Files are created readable by their owner only and replaced whole (written aside, then
    renamed), so a reader sees a whole answer or none. A file that is not this user's, is open to
    others, does not parse, or holds another key is ignored: a planted answer must never stand in
    for GitHub's. Past ``max_bytes`` the least recently used files are removed.
    """

    def __init__(self, directory: Path | str, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._bytes: int | None = None  # this process's running total; recounted when over

    def lookup(self, key: str) -> StoredAnswer | None:
        path = self._path(key)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as file:
                if not _private_file(os.fstat(file.fileno()), self.max_bytes):
                    log.debug("response cache: ignoring %s (not private to this user)", path)
                    return None
                record = json.loads(file.read())
            answer = _answer_from(record, key)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            answer = None
        if answer is None:
            log.debug("response cache: ignoring %s (unreadable, or another key)", path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return answer

    def keep(self, key: str, answer: StoredAnswer) -> None:
        try:
            text = answer.content.decode("utf-8")
        except UnicodeDecodeError:
            return  # GitHub's JSON is UTF-8; anything else is not worth keeping
        record = {"format": _FORMAT, "key": key, "headers": dict(answer.headers), "content": text}
        data = json.dumps(record).encode()
        if len(data) > self.max_bytes:
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")  # mode 0600
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                os.replace(temp, self._path(key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as exc:
            log.warning("response cache: cannot write in %s (%s)", self.directory, exc)
            return
        if self._bytes is None:
            self._bytes = self._usage()
        else:
            self._bytes += len(data)
        if self._bytes > self.max_bytes:
            self._bytes = self._evict()

    def forget(self, key: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self._path(key))

    def _path(self, key: str) -> Path:
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + _SUFFIX)

    def _files(self) -> list[tuple[float, int, Path]]:
        """(last used, size, path) of this cache's files, and of leftover temporary files."""
        found: list[tuple[float, int, Path]] = []
        with contextlib.suppress(OSError), os.scandir(self.directory) as entries:
            for entry in entries:
                ours = entry.name.endswith(_SUFFIX) or entry.name.startswith(".tmp-")
                with contextlib.suppress(OSError):
                    if ours and entry.is_file(follow_symlinks=False):
                        info = entry.stat(follow_symlinks=False)
                        found.append((info.st_mtime, info.st_size, Path(entry.path)))
        return found

    def _usage(self) -> int:
        return sum(size for _, size, _ in self._files())

    def _evict(self) -> int:
        """Remove the least recently used files until at most 3/4 of the bound is used; remove
        temporary files left by a writer that crashed (a recent one is being written)."""
        files = self._files()
        total = sum(size for _, size, _ in files)
        target, stale = self.max_bytes * 3 // 4, time.time() - _STALE_TEMP
        for used, size, path in sorted(files):
            temporary = path.name.startswith(".tmp-")
            if (temporary and used < stale) or (not temporary and total > target):
                with contextlib.suppress(OSError):
                    path.unlink()
                    total -= size
        return total


class ConditionalGets:
    """ghapi's sync transport with every GET made conditional: what ``GhApiTransport`` sends
    through (``request``, ``close``).

    ``cache``: where answers are kept; True for a :class:`MemoryCache` of its own, False for none.
    On a 304 to a request that carried a stored answer's validator, ``request`` returns that
    answer, confirmed: status 304, its body, and :func:`from_store` true.
    """

    def __init__(self, http: Any, cache: ResponseCache | bool, token: str | None) -> None:
        self.http = http
        self.cache: ResponseCache | None = (
            MemoryCache() if cache is True else None if cache is False else cache
        )
        self._identity = token_identity(token)

    def close(self) -> None:
        self.http.close()

    def key(self, url: str) -> str:
        return f"{self._identity} {url}"

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        raw: bool = True,
    ) -> Any:
        """Send as ghapi does (error statuses raise ``httpx2.HTTPStatusError``)."""
        if method != "GET" or self.cache is None:
            return self.http.request(
                method, url, headers=headers, params=params, json=json, raw=raw
            )
        # Answers are kept under the URL as sent, its query included.
        url = str(self.http.client.build_request(method, url, params=params).url)
        key = self.key(url)
        stored = self.cache.lookup(key)
        sent = {**headers, **stored.validators()} if stored is not None else headers
        try:
            answer = self.http.request(method, url, headers=sent, raw=True)
        except httpx2.HTTPStatusError as exc:
            status = exc.response.status_code
            if status in (404, 410):
                self.cache.forget(key)  # never answer "not found" from a copy
            if status != 304 or stored is None:
                raise
            return httpx2.Response(
                304,
                headers=stored.confirmed(exc.response.headers),
                content=stored.content,
                request=exc.response.request,
                extensions={_FROM_STORE: True},
            )
        if answer.status_code == 200:
            kept = {name: answer.headers[name] for name in KEPT_HEADERS if name in answer.headers}
            if "etag" in kept or "last-modified" in kept:
                self.cache.keep(key, StoredAnswer(kept, answer.content))
        return answer


def from_store(answer: object) -> bool:
    """Whether ``answer`` is a stored answer that a 304 confirmed (see :class:`ConditionalGets`)."""
    return isinstance(answer, httpx2.Response) and bool(answer.extensions.get(_FROM_STORE))


def _private_file(info: os.stat_result, max_bytes: int) -> bool:
    getuid = getattr(os, "getuid", None)
    mine = getuid is None or info.st_uid == getuid()
    return (
        stat.S_ISREG(info.st_mode)
        and mine
        and not info.st_mode & 0o077
        and info.st_size <= max_bytes
    )


def _answer_from(record: Any, key: str) -> StoredAnswer | None:
    if not isinstance(record, dict) or record.get("format") != _FORMAT or record.get("key") != key:
        return None
    headers = record["headers"]
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        return None
    content = record["content"]
    if not isinstance(content, str):
        return None
    return StoredAnswer({k: v for k, v in headers.items() if k in KEPT_HEADERS}, content.encode())
