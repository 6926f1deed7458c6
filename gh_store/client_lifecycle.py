"""``GitHubStore``'s lifecycle methods: ids only, archived objects, restore, rollback.

A mixin, so the client stays one readable class per concern; the decisions are flows in
``core/lifecycle.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .core.history import history_flow
from .core.lifecycle import list_archived_flow, list_ids_flow, restore_flow, rollback_flow
from .core.naming import object_label
from .core.objects import find_issue_flow, read_object_flow
from .core.types import StoredObject

if TYPE_CHECKING:
    from .core.config import StoreConfig
    from .core.needs import Flow
    from .core.objects import Scope

__all__ = ["LifecycleMethods"]

log = logging.getLogger("gh_store.store")

T = TypeVar("T")


class LifecycleMethods:
    if TYPE_CHECKING:
        config: StoreConfig
        repo: str
        _scope: Scope
        _issue_numbers: dict[str, int]

        def _drive(self, flow: Flow[T]) -> T: ...
        def _require_token(self, action: str) -> None: ...
        def update(
            self,
            object_id: str,
            changes: Mapping[str, Any],
            *,
            apply: bool = False,
            dispatch: bool = False,
            if_version: int | None = None,
        ) -> StoredObject: ...

    def list_ids(self) -> list[str]:
        """The ids of every live object, oldest first: one listing per 100, no body read."""
        return self._drive(list_ids_flow(self._scope))

    def list_archived(self) -> list[StoredObject]:
        """Every archived (deleted) object, oldest first; unreadable issues skipped with a
        warning. One listing per 100."""
        found = self._drive(list_archived_flow(self._scope))
        for number, reason in found.skipped:
            log.warning("archived issue #%s skipped: %s", number, reason)
        return list(found.objects)

    def restore(self, object_id: str, *, issue_number: int | None = None) -> StoredObject:
        """Make an archived object live again; ``ObjectExistsError`` if a live object has the id
        (also one created or restored at the same moment). ``issue_number`` picks one of several
        archived issues of the id. Four requests."""
        object_label(self.config, object_id)
        self._require_token(f"restore {object_id!r}")
        obj = self._drive(restore_flow(self._scope, object_id, issue_number))
        self._issue_numbers[object_id] = obj.meta.issue_number
        log.info("restored %s (issue #%d)", object_id, obj.meta.issue_number)
        return obj

    def rollback(
        self, object_id: str, version: int, *, apply: bool = False, dispatch: bool = False
    ) -> StoredObject:
        """Post the update that takes the object back to its data at ``version``.

        Computed from the history (the creation comment and the applied updates, which must
        verify and add up to the current data), and guarded with the current version: a change
        that lands first rejects it (``VersionConflict`` with ``apply=True``). The history stays
        whole: the rollback is one more update. ``apply``/``dispatch`` as for ``update``.
        """
        object_label(self.config, object_id)
        self._require_token(f"roll back {object_id!r}")
        # One reading of the issue for all of it: the body, its history and the guard agree.
        issue = self._drive(find_issue_flow(self._scope, object_id))
        self._drive(read_object_flow(self._scope, issue, object_id))  # refuses an outsider's
        scope = self._scope
        reading = self._drive(history_flow(issue, self.config, scope.owner, scope.roles))
        patch, current = self._drive(rollback_flow(self._scope, issue, reading, version))
        return self.update(object_id, patch, if_version=current, apply=apply, dispatch=dispatch)
