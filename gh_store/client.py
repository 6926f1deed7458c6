"""``GitHubStore``: the client that creates, reads, updates, lists and archives stored objects.

Each object is one issue labelled with the base label and ``<uid_prefix><id>``; it is found by
listing issues with both labels (``state=all``, never search). The decisions live in the pure core
as flows (``core/objects.py``, ``core/processing.py``, ``core/history.py``); this class checks its
arguments, drives the flows over its transport and keeps two small caches: the issue number of
each object it has seen, and the role of each login it has looked up.

Updates are merge-patch comments applied later by the action (or inline with ``apply=True``:
comments a workflow posts with ``GITHUB_TOKEN`` start no workflow, so nothing else would apply
them; ``dispatch=True`` sends the ``repository_dispatch`` the action listens to instead).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .client_lifecycle import LifecycleMethods
from .configure import app_credentials, setup
from .core.body import check_storable
from .core.config import StoreConfig
from .core.constants import ARCHIVED_LABEL, MAX_LABEL
from .core.exceptions import (
    AccessDeniedError,
    ConcurrentUpdateError,
    ConfigurationError,
    InvalidUpdate,
    ObjectNotFound,
    UpdateRejected,
)
from .core.history import HistoryCheck, HistoryReading, history_flow
from .core.naming import object_label, same_label
from .core.needs import Flow
from .core.objects import (
    Scope,
    archive_flow,
    create_flow,
    find_issue_flow,
    get_flow,
    list_flow,
    pending_count_flow,
    read_object_flow,
    update_flow,
)
from .core.report import ProcessReport
from .core.schema import ObjectSchema
from .core.types import StoredObject, Update
from .core.update_comment import encode_update_comment
from .core.waiting import (
    PostedUpdate,
    UpdatedObject,
    applied_now_flow,
    posted_update,
    settled_flow,
    update_outcome_flow,
)
from .driver import drive
from .polling import Deadline, checked_wait
from .runs import CatchUpReport, process_all, process_issue
from .transport.credentials import check_repository, looks_like_token

if TYPE_CHECKING:
    import httpx2

    from .transport.credentials import GitHubApp
    from .transport.port import GitHubTransport

__all__ = ["GitHubStore"]

log = logging.getLogger("gh_store.store")


T = TypeVar("T")


class GitHubStore(LifecycleMethods):
    """JSON objects kept in the issues of ``repo`` (``owner/name``).

    The original gh-store's order, ``GitHubStore(token, repo, config_path)``; everything else is
    keyword-only. ``token`` may be ``None`` for reading a public repository; every write then
    raises ``AccessDeniedError`` before any request. ``config`` wins over ``config_path``
    (default ``~/.config/gh-store/config.yml``, the defaults when missing); relative paths are read
    from ``base_dir``, else ``$GITHUB_WORKSPACE``, else the current directory. ``transport``
    replaces the REST transport (tests, other clients). No request is made here.

    Reads are conditional requests: an answer GitHub confirms unchanged (``304``) costs no rate
    limit. Answers are kept in memory, or with ``cache_dir`` in that directory, so later runs of a
    script share them; ``cache=False`` keeps none.

    As a GitHub App: ``app_id`` and ``private_key`` (the PEM text), and ``installation_id`` when
    the App's installation on ``repo`` should not be looked up; or ``token=GitHubApp(...)``. The
    installation token is minted with the first request and renewed before its hour ends.
    """

    def __init__(
        self,
        token: str | GitHubApp | None = None,
        repo: str | None = None,
        config_path: Path | str | None = None,
        *,
        config: StoreConfig | None = None,
        api_url: str | None = None,
        schema: ObjectSchema | Path | str | None = None,
        base_dir: Path | str | None = None,
        transport: GitHubTransport | None = None,
        http_transport: httpx2.BaseTransport | None = None,
        max_concurrent_updates: int | None = None,
        cache: bool = True,
        cache_dir: Path | str | None = None,
        app_id: int | str | None = None,
        private_key: str | bytes | None = None,
        installation_id: int | str | None = None,
    ) -> None:
        token, repo = _arguments_in_order(token, repo)
        app = app_credentials(app_id, private_key, installation_id)
        if app is not None:
            if token is not None:
                raise ConfigurationError("give a token or a GitHub App's credentials, not both")
            token = app
        if max_concurrent_updates is not None and max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1 (or None for no limit)")
        built = setup(
            repo=repo,
            token=token,
            config=config,
            config_path=config_path,
            schema=schema,
            api_url=api_url,
            base_dir=base_dir,
            transport=transport,
            http_transport=http_transport,
            cache=cache,
            cache_dir=cache_dir,
        )
        self.config: StoreConfig = built.config
        self.schema: ObjectSchema | None = built.schema
        self.transport: GitHubTransport = built.transport
        self.repo: str = self.transport.repo
        self.max_concurrent_updates = max_concurrent_updates
        self._owns_transport = transport is None
        self._issue_numbers: dict[str, int] = {}
        self._roles: dict[str, str] = {}
        self._posted: dict[str, PostedUpdate] = {}  # the newest update posted to each object
        self._clock: Callable[[], float] = time.monotonic
        self._sleep: Callable[[float], None] = time.sleep
        self._scope = Scope(self.repo, self.config, self._roles)

    # --- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the HTTP connections of the transport this store built."""
        if self._owns_transport:
            self.transport.close()

    def __enter__(self) -> GitHubStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GitHubStore({self.repo!r})"

    # --- objects -------------------------------------------------------------------------------

    def create(
        self, object_id: str, data: dict[str, Any], extra_labels: Sequence[str] | None = None
    ) -> StoredObject:
        """Store a new object; ``ObjectExistsError`` if ``object_id`` is taken. Four requests."""
        object_label(self.config, object_id)
        extra = _checked_extra_labels(extra_labels, self.config)
        check_storable(data, f"object {object_id!r}")
        if self.schema is not None:
            self.schema.check(data)
        self._require_token(f"create {object_id!r}")
        obj = self._drive(create_flow(self._scope, object_id, data, extra))
        self._issue_numbers[object_id] = obj.meta.issue_number
        log.info("created %s as issue #%d", object_id, obj.meta.issue_number)
        return obj

    def get(self, object_id: str) -> StoredObject:
        """The object as it is now (pending updates not applied). One request."""
        object_label(self.config, object_id)
        obj = self._drive(get_flow(self._scope, object_id))
        self._issue_numbers[object_id] = obj.meta.issue_number
        return obj

    def update(
        self,
        object_id: str,
        changes: Mapping[str, Any],
        *,
        apply: bool = False,
        dispatch: bool = False,
        if_version: int | None = None,
    ) -> UpdatedObject:
        """Post ``changes`` (a JSON Merge Patch) as an update and mark the object pending.

        Returns the object as it is with the update still pending, or after processing with
        ``apply=True``: then, as ``wait()``, ``UpdateRejected`` (with the reason) or
        ``UpdateNotTrusted`` if the update was not applied and never will be (``VersionConflict``
        when its ``if_version`` guard failed), ``UpdatePending`` if it was not applied yet (the
        object is left as it is either way). ``posted`` names the update's comment (issue
        number, comment id and URL, author) for ``wait()``. ``dispatch=True`` asks the action
        to process it (``repository_dispatch``). ``if_version=N``: the update applies only if
        the object is still at version N when it is processed, else it is rejected.
        """
        object_label(self.config, object_id)
        text = encode_update_comment(changes, if_version=if_version)
        if apply and dispatch:
            raise ValueError("update(): pass apply=True or dispatch=True, not both")
        self._require_token(f"update {object_id!r}")
        known = self._issue_numbers.get(object_id)
        if self.max_concurrent_updates is not None:
            issue = self._drive(find_issue_flow(self._scope, object_id))
            known = int(issue["number"])
            pending = self._drive(pending_count_flow(self._scope, issue))
            if pending >= self.max_concurrent_updates:
                raise ConcurrentUpdateError(
                    f"object {object_id!r} already has {pending} pending updates "
                    f"(max_concurrent_updates={self.max_concurrent_updates}); "
                    "wait for them to be processed"
                )
        self._issue_numbers.pop(object_id, None)
        flow = update_flow(self._scope, object_id, text, known, dispatch=dispatch)
        issue, comment = self._drive(flow)
        number = int(issue["number"])
        self._issue_numbers[object_id] = number
        posted = posted_update(object_id, number, comment)
        self._posted[object_id] = posted
        log.info("posted an update to %s: %s", object_id, posted.url)
        if apply:
            try:
                report = self.process_updates(number)
                obj = self._drive(applied_now_flow(self._scope, posted, report))
            except (UpdateRejected, ObjectNotFound):
                self._forget(posted)  # settled for good: a later wait("id") need not ask again
                raise
            self._forget(posted)
        else:
            obj = self._drive(read_object_flow(self._scope, issue, object_id))
        return UpdatedObject(meta=obj.meta, data=obj.data, posted=posted)

    def wait(
        self,
        target: str | PostedUpdate | UpdatedObject,
        timeout: float = 60.0,
        *,
        interval: float = 2.0,
    ) -> UpdatedObject:
        """The object once the caller's update has been applied (by the action), with
        ``posted`` naming that update (None when there was none to wait for).

        ``target`` is what ``update()`` returned (or its ``posted``): the wait is for that
        update's comment, on that issue. ``UpdateRejected`` if the action rejected it (with its
        reason), ``UpdateNotTrusted`` at once if its author may not write (it will never be
        applied), ``ObjectNotFound`` if the object is archived or deleted meanwhile (even if its
        id is stored again), ``WaitTimeout`` past ``timeout`` seconds.

        ``target`` may be an object id: then the newest update this client posted to it (not
        yet waited for); if none, until no update from a user who may write is pending (others'
        updates are never applied: they neither make the caller wait nor count as a success).

        Polls the issue with conditional reads (an unchanged issue costs nothing counted), first
        every ``interval`` seconds (at least one), then less often, up to every 15 s.
        """
        timeout, interval = checked_wait(timeout, interval)
        deadline = Deadline(self._clock, timeout, interval, self._sleep)
        if isinstance(target, UpdatedObject):
            if target.posted is None:
                return self._wait_settled(target.meta.object_id, deadline)
            target = target.posted
        if isinstance(target, PostedUpdate):
            return self._wait_for(target, deadline)
        object_label(self.config, target)
        newest = self._posted.get(target)
        if newest is None:
            return self._wait_settled(target, deadline)
        return self._wait_for(newest, deadline)

    def _wait_for(self, posted: PostedUpdate, deadline: Deadline) -> UpdatedObject:
        try:
            while True:
                obj = self._drive(update_outcome_flow(self._scope, posted))
                if obj is not None:
                    self._forget(posted)
                    return UpdatedObject(meta=obj.meta, data=obj.data, posted=posted)
                deadline.pause(
                    f"update {posted.url or posted.comment_id} to object {posted.object_id!r} "
                    f"in {self.repo} is still pending"
                )
        except (UpdateRejected, ObjectNotFound):
            self._forget(posted)  # settled for good: a later wait("id") need not ask again
            raise

    def _forget(self, posted: PostedUpdate) -> None:
        if self._posted.get(posted.object_id) == posted:
            del self._posted[posted.object_id]

    def _wait_settled(self, object_id: str, deadline: Deadline) -> UpdatedObject:
        object_label(self.config, object_id)
        pinned: int | None = None
        while True:
            known = self._issue_numbers.get(object_id)
            pinned, obj = self._drive(settled_flow(self._scope, object_id, pinned, known))
            self._issue_numbers[object_id] = pinned
            if obj is not None:
                return UpdatedObject(meta=obj.meta, data=obj.data)
            deadline.pause(f"object {object_id!r} in {self.repo} still has pending updates")

    def process_updates(self, issue_number: int) -> ProcessReport:
        """Apply every pending update on issue ``issue_number`` (what the action does)."""
        self._require_token(f"process issue #{issue_number}")
        return process_issue(self.transport, self.config, issue_number, schema=self.schema)

    def process_all(self, *, budget: int | None = None) -> CatchUpReport:
        """Apply the pending updates of every open object, oldest first (a catch-up run).

        Stops before the rate limit runs out (or after about ``budget`` requests) and says what
        it left for next time.
        """
        self._require_token("process every open object")
        return process_all(self.transport, self.config, schema=self.schema, budget=budget)

    def delete(self, object_id: str) -> None:
        """Archive the object: its issue loses the base label, gains ``archived``, is closed.

        The issue and its history stay; ``get`` no longer finds the object and the id is free.
        """
        object_label(self.config, object_id)
        self._require_token(f"delete {object_id!r}")
        number = self._drive(archive_flow(self._scope, object_id))
        self._issue_numbers.pop(object_id, None)
        log.info("archived %s (issue #%s)", object_id, number)

    def list_all(self) -> Iterator[StoredObject]:
        """Every stored object, by pages of 100; unreadable issues are skipped with a warning."""
        return self._listing(since=None)

    def list_updated_since(self, timestamp: datetime) -> Iterator[StoredObject]:
        """Objects whose issue changed at or after ``timestamp`` (naive means UTC)."""
        return self._listing(since=_iso(timestamp))

    def get_object_history(self, object_id: str) -> list[Update]:
        """Every applied update of the object, oldest first."""
        return list(self._history(object_id).updates)

    def verify_history(self, object_id: str) -> HistoryCheck:
        """Whether the object's applied updates are intact (not edited or deleted since)."""
        return self._history(object_id).check

    def snapshot(
        self, since: datetime | None = None, *, previous: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Every object (or those changed since ``since``) as one JSON-ready document.

        Given ``previous``, a snapshot of this repository, only what changed since it is read
        (a count and one listing) and merged into it.
        """
        from .snapshot import take_snapshot

        return take_snapshot(self.transport, self._scope, previous, since=since)

    # --- helpers -------------------------------------------------------------------------------

    def _drive(self, flow: Flow[T]) -> T:
        return drive(flow, self.transport)

    def _require_token(self, action: str) -> None:
        # Checked here as well as in the transport: a write may begin with reads.
        if not self.transport.has_token:
            raise AccessDeniedError(
                f"cannot {action} in {self.repo} without a token: pass token=... "
                "(in a workflow, `secrets.GITHUB_TOKEN` with `permissions: issues: write`)"
            )

    def _history(self, object_id: str) -> HistoryReading:
        object_label(self.config, object_id)
        issue = self._drive(find_issue_flow(self._scope, object_id))
        return self._drive(history_flow(issue, self.config, self.transport.owner, self._roles))

    def _listing(self, since: str | None) -> Iterator[StoredObject]:
        found = self._drive(list_flow(self._scope, since))
        for number, reason in found.skipped:
            log.warning("issue #%s skipped: %s", number, reason)
        if not found.complete:
            log.warning("the issue list kept changing while it was read: it may be incomplete")
        return iter(found.objects)


def _arguments_in_order(token: Any, repo: Any) -> tuple[Any, str]:
    """(token, repo), accepting gh-store 1.0's ``GitHubStore(repo, token)`` with a warning."""
    if repo is None and isinstance(token, str) and "/" in token and not looks_like_token(token):
        raise ConfigurationError(
            "GitHubStore needs a repository: GitHubStore(token, 'owner/name') "
            "(or token=None to read a public repository)"
        )
    if (
        isinstance(token, str)
        and isinstance(repo, str)
        and not looks_like_token(token)
        and "/" in token
        and "/" not in repo
    ):
        warnings.warn(
            "GitHubStore(repo, token) is gh-store 1.0's order; the original's, and this "
            "version's, is GitHubStore(token, repo)",
            DeprecationWarning,
            stacklevel=3,
        )
        token, repo = repo, token
    if repo is None:
        raise ConfigurationError("GitHubStore needs a repository: GitHubStore(token, 'owner/name')")
    return token, check_repository(repo)


def _checked_extra_labels(extra: Sequence[str] | str | None, config: StoreConfig) -> list[str]:
    if extra is None:
        return []
    names = [extra] if isinstance(extra, str) else list(extra)  # the original took one string
    for name in names:
        if not isinstance(name, str) or not name or "," in name or len(name) > MAX_LABEL:
            raise InvalidUpdate(
                f"label {name!r} is not usable: labels have 1 to {MAX_LABEL} characters, no commas"
            )
        if same_label(name, ARCHIVED_LABEL):
            raise InvalidUpdate(f"the {ARCHIVED_LABEL!r} label marks deleted objects")
        if same_label(name[: len(config.uid_prefix)], config.uid_prefix):
            raise InvalidUpdate(f"extra labels must not start with {config.uid_prefix!r}")
    return names


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
