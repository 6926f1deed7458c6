"""``GitHubStore``: the client that creates, reads, updates, lists and archives stored objects.

Each object is one issue labelled with the base label and ``<uid_prefix><id>``; it is found by
listing issues with both labels (``state=all``, never search). Request costs, which the tests
assert: ``create`` 3 (look-up, create, close), ``get`` 1, ``update`` 2 once the object's issue
number is known (comment, reopen) and 3 the first time, ``delete`` 2.

Updates are merge-patch comments applied later by the action (or inline with ``apply=True``:
comments a workflow posts with ``GITHUB_TOKEN`` start no workflow, so nothing else would apply
them; ``dispatch=True`` sends the ``repository_dispatch`` the action listens to instead).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .body import BodyMeta, IssueBody, check_body_size, decode_body, encode_body
from .config import StoreConfig, load_config
from .exceptions import (
    AccessDeniedError,
    AuthError,
    ConcurrentUpdateError,
    CorruptObjectError,
    DuplicateUIDError,
    GitHubAPIError,
    InvalidUpdate,
    ObjectExistsError,
    ObjectNotFound,
)
from .executor import process_issue
from .history import HistoryCheck, check_history, read_history
from .naming import ARCHIVED_LABEL, MAX_LABEL, issue_title, object_id_from_labels, object_label
from .processor import ProcessReport, legacy_marked_comments, opener_may_be_trusted
from .schema import ObjectSchema
from .types import ObjectMeta, StoredObject, Update, parse_github_time
from .update_comment import CommentKind, encode_update_comment, parse_update_comment

if TYPE_CHECKING:
    from ..transport import GitHubTransport

__all__ = ["DISPATCH_EVENT", "GitHubStore"]

#: The ``repository_dispatch`` event type the action processes an object on.
DISPATCH_EVENT = "gh-store-update"

log = logging.getLogger("gh_store.store")


class GitHubStore:
    """JSON objects kept in the issues of ``repo`` (``owner/name``).

    ``token`` may be ``None`` for reading a public repository; every write then raises
    ``AccessDeniedError`` before any request. ``config`` wins over ``config_path`` (default
    ``~/.config/gh-store/config.yml``, defaults when missing). ``transport`` replaces the ghapi
    transport (tests, other clients). No request is made here.
    """

    def __init__(
        self,
        repo: str,
        token: str | None = None,
        config_path: Path | None = None,
        *,
        config: StoreConfig | None = None,
        api_url: str | None = None,
        schema: ObjectSchema | Path | None = None,
        transport: GitHubTransport | None = None,
        max_concurrent_updates: int | None = None,
    ) -> None:
        self.config = config if config is not None else load_config(config_path)
        if isinstance(schema, Path):
            schema = ObjectSchema.from_file(schema)
        elif schema is None and self.config.schema is not None:
            schema = ObjectSchema.from_file(self.config.schema)
        self.schema: ObjectSchema | None = schema
        if max_concurrent_updates is not None and max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1 (or None for no limit)")
        self.max_concurrent_updates = max_concurrent_updates
        # A library sets its logger's level from the config but leaves handlers to the program.
        logging.getLogger("gh_store").setLevel(self.config.log.level)
        self._owns_transport = transport is None
        if transport is None:
            from ..transport import GhApiTransport  # ghapi costs ~0.4 s: built once, here

            transport = GhApiTransport(
                repo,
                token,
                api_url=api_url,
                retries=self.config.retries,
                rate_limit=self.config.rate_limit,
            )
        self.transport: GitHubTransport = transport
        self.repo = transport.repo
        self._issue_numbers: dict[str, int] = {}

    # --- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the HTTP connections of the transport this store built."""
        close = getattr(self.transport, "close", None)
        if self._owns_transport and callable(close):
            close()

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
        """Store a new object; ``ObjectExistsError`` if ``object_id`` is taken."""
        labels = [*self._labels(object_id), *_checked_extra_labels(extra_labels)]
        if any(name.startswith(self.config.uid_prefix) for name in labels[2:]):
            raise ValueError(f"extra labels must not start with {self.config.uid_prefix!r}")
        if not isinstance(data, dict):
            raise InvalidUpdate(
                f"an object must be a JSON object (a dict), not {type(data).__name__}"
            )
        if self.schema is not None:
            self.schema.check(data)
        try:
            body = encode_body(IssueBody(data=data, meta=BodyMeta()))
        except (TypeError, ValueError) as exc:
            raise InvalidUpdate(f"the object is not JSON: {exc}") from None
        check_body_size(body, f"object {object_id!r}")
        self._require_token(f"create {object_id!r}")
        if self._find_issues(object_id):
            raise ObjectExistsError(f"object {object_id!r} already exists in {self.repo}")
        issue = self.transport.create_issue(
            title=issue_title(object_id), body=body, labels=list(dict.fromkeys(labels))
        )
        number = int(issue["number"])
        self._issue_numbers[object_id] = number
        # Closed means stable: an open issue has pending updates.
        closed = self.transport.update_issue(number, state="closed", state_reason="completed")
        log.info("created %s as issue #%d", object_id, number)
        return self._object(closed, object_id)

    def get(self, object_id: str) -> StoredObject:
        """The object as it is now (pending updates not applied). One request."""
        return self._object(self._find_issue(object_id), object_id)

    def update(
        self,
        object_id: str,
        changes: Mapping[str, Any],
        *,
        apply: bool = False,
        dispatch: bool = False,
    ) -> StoredObject:
        """Post ``changes`` (a JSON Merge Patch) as an update and mark the object pending.

        Returns the object as it is with the update still pending, or after processing with
        ``apply=True``. ``dispatch=True`` asks the action to process it (``repository_dispatch``).
        """
        self._labels(object_id)
        text = encode_update_comment(changes)
        if apply and dispatch:
            raise ValueError("update(): pass apply=True or dispatch=True, not both")
        self._require_token(f"update {object_id!r}")
        if self.max_concurrent_updates is not None:
            issue = self._find_issue(object_id)
            pending = self._count_pending(issue)
            if pending >= self.max_concurrent_updates:
                raise ConcurrentUpdateError(
                    f"object {object_id!r} already has {pending} pending updates "
                    f"(max_concurrent_updates={self.max_concurrent_updates}); "
                    "wait for them to be processed"
                )
        number = self._issue_number(object_id)
        self.transport.create_comment(number, text)
        issue = self.transport.update_issue(number, state="open")
        if apply:
            return self._object_from_report(self.process_updates(number), object_id)
        if dispatch:
            payload = {"issue_number": number, "object_id": object_id}
            self.transport.dispatch(DISPATCH_EVENT, payload)
        return self._object(issue, object_id)

    def process_updates(self, issue_number: int) -> ProcessReport:
        """Apply every pending update on issue ``issue_number`` (what the action does)."""
        self._require_token(f"process issue #{issue_number}")
        return process_issue(self.transport, self.config, issue_number, schema=self.schema)

    def delete(self, object_id: str) -> None:
        """Archive the object: its issue loses the base label, gains ``archived``, is closed.

        The issue and its history stay; ``get`` no longer finds the object and the id is free.
        """
        self._labels(object_id)
        self._require_token(f"delete {object_id!r}")
        issue = self._find_issue(object_id)
        labels = [
            name
            for name in _label_names(issue)
            if name not in (self.config.base_label, ARCHIVED_LABEL)
        ]
        self.transport.update_issue(
            int(issue["number"]),
            labels=[*labels, ARCHIVED_LABEL],
            state="closed",
            state_reason="not_planned",
        )
        self._issue_numbers.pop(object_id, None)
        log.info("archived %s (issue #%s)", object_id, issue["number"])

    def list_all(self) -> Iterator[StoredObject]:
        """Every stored object, by pages of 100; unreadable issues are skipped with a warning."""
        return self._listing(since=None)

    def list_updated_since(self, timestamp: datetime) -> Iterator[StoredObject]:
        """Objects whose issue changed at or after ``timestamp`` (naive means UTC)."""
        return self._listing(since=_iso(timestamp))

    def get_object_history(self, object_id: str) -> list[Update]:
        """Every applied update of the object, oldest first."""
        issue = self._find_issue(object_id)
        return list(read_history(self.transport, self.config, issue))

    def verify_history(self, object_id: str) -> HistoryCheck:
        """Whether the object's applied updates are intact (not edited or deleted since)."""
        issue = self._find_issue(object_id)
        return check_history(self.transport, self.config, issue)

    def snapshot(self, since: datetime | None = None) -> dict[str, Any]:
        """Every object (or those changed since ``since``) as one JSON-ready document."""
        from ..snapshot import build_snapshot

        return build_snapshot(self, since)

    # --- helpers -------------------------------------------------------------------------------

    def _labels(self, object_id: str) -> list[str]:
        return [self.config.base_label, object_label(self.config, object_id)]

    def _require_token(self, action: str) -> None:
        # Checked here as well as in the transport: a write may begin with reads.
        if not self.transport.has_token:
            raise AccessDeniedError(
                f"cannot {action} in {self.repo} without a token: pass token=... "
                "(in a workflow, `secrets.GITHUB_TOKEN` with `permissions: issues: write`)"
            )

    def _find_issues(self, object_id: str) -> list[dict[str, Any]]:
        found = [
            issue
            for issue in self._list_issues(self._labels(object_id))
            if not issue.get("pull_request")
        ]
        if len(found) == 1:
            self._issue_numbers[object_id] = int(found[0]["number"])
        return found

    def _list_issues(self, labels: list[str], since: str | None = None) -> Iterator[dict[str, Any]]:
        try:
            yield from self.transport.list_issues(labels=labels, state="all", since=since)
        except GitHubAPIError as exc:
            if exc.status != 404:
                raise
            # GitHub hides a private repository behind a 404 from anyone who may not read it.
            fix = "pass a token" if not self.transport.has_token else "check the token's access"
            raise AuthError(
                f"repository {self.repo} was not found at {self.transport.api_url}: it does not "
                f"exist, or it is private and this caller may not read it ({fix})",
                status=404,
                method=exc.method,
                path=exc.path,
                github_message=exc.github_message,
            ) from None

    def _find_issue(self, object_id: str) -> dict[str, Any]:
        found = self._find_issues(object_id)
        if not found:
            raise ObjectNotFound(f"no object {object_id!r} in {self.repo}")
        if len(found) > 1:
            numbers = ", ".join(f"#{issue['number']}" for issue in found)
            raise DuplicateUIDError(
                f"object {object_id!r} is held by several issues ({numbers}); archive all but one"
            )
        return found[0]

    def _issue_number(self, object_id: str) -> int:
        number = self._issue_numbers.get(object_id)
        if number is None:
            number = int(self._find_issue(object_id)["number"])
        return number

    def _count_pending(self, issue: Mapping[str, Any]) -> int:
        if issue.get("state") != "open":
            return 0  # closed means every update was processed
        meta = decode_body(issue.get("body")).meta
        comments = list(self.transport.list_comments(int(issue["number"]), since=meta.since))
        baseline = meta.last_comment_id
        if meta.legacy:  # the original's record: the newest comment carrying its processed mark
            baseline = max(legacy_marked_comments(comments, self.config), default=0)
        return sum(
            1
            for c in comments
            if int(c["id"]) > baseline
            and parse_update_comment(c.get("body")).kind is not CommentKind.CHAT
        )

    def _listing(self, since: str | None) -> Iterator[StoredObject]:
        base = self.config.base_label
        for issue in self._list_issues([base], since):
            if issue.get("pull_request") or ARCHIVED_LABEL in _label_names(issue):
                continue
            object_id = object_id_from_labels(self.config, issue.get("labels", []))
            if object_id is None:
                log.warning(
                    "issue #%s has the %r label but no %r label; skipped",
                    issue.get("number"),
                    base,
                    self.config.uid_prefix,
                )
                continue
            try:
                yield self._object(issue, object_id)
            except (CorruptObjectError, AccessDeniedError) as exc:
                log.warning("issue #%s (%s) skipped: %s", issue.get("number"), object_id, exc)

    def _object(self, issue: Mapping[str, Any], object_id: str) -> StoredObject:
        number = int(issue["number"])
        if not opener_may_be_trusted(issue, self.config, self.transport.owner):
            login = (issue.get("user") or {}).get("login")
            raise AccessDeniedError(
                f"issue #{number} (object {object_id!r}) was opened by {login}, who is not a "
                "collaborator of the repository; its body is not trusted as a stored object"
            )
        # Label names ignore case on GitHub: report the id as the issue's own label spells it.
        object_id = object_id_from_labels(self.config, issue.get("labels", [])) or object_id
        body = decode_body(issue.get("body"))
        meta = ObjectMeta(
            object_id=object_id,
            label=object_label(self.config, object_id),
            issue_number=int(issue["number"]),
            created_at=parse_github_time(str(issue["created_at"])),
            updated_at=parse_github_time(str(issue["updated_at"])),
            version=body.meta.version,
        )
        return StoredObject(meta=meta, data=body.data)

    def _object_from_report(self, report: ProcessReport, object_id: str) -> StoredObject:
        if report.created_at is None or report.updated_at is None:
            return self.get(object_id)
        meta = ObjectMeta(
            object_id=object_id,
            label=object_label(self.config, object_id),
            issue_number=report.issue_number,
            created_at=parse_github_time(report.created_at),
            updated_at=parse_github_time(report.updated_at),
            version=report.version_after,
        )
        return StoredObject(meta=meta, data=report.data)


def _checked_extra_labels(extra: Sequence[str] | str | None) -> list[str]:
    if extra is None:
        return []
    names = [extra] if isinstance(extra, str) else list(extra)  # the original took one string
    for name in names:
        if not isinstance(name, str) or not name or "," in name or len(name) > MAX_LABEL:
            raise ValueError(
                f"label {name!r} is not usable: labels have 1 to {MAX_LABEL} characters, no commas"
            )
        if name == ARCHIVED_LABEL:
            raise ValueError(f"the {ARCHIVED_LABEL!r} label marks deleted objects")
    return names


def _label_names(issue: Mapping[str, Any]) -> list[str]:
    return [
        str(label.get("name") if isinstance(label, dict) else label)
        for label in issue.get("labels", [])
    ]


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
