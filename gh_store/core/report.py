"""What processing one object's issue did: the result the CLI prints and the action publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .planner import UpdateOutcome

__all__ = ["ProcessReport"]


@dataclass(frozen=True)
class ProcessReport:
    """The result of processing one object's issue.

    ``refused`` says why nothing was processed (the issue was opened by a user who may not write);
    such an issue's body is not the store's object, so ``data`` and ``data_before`` are None and
    nothing of it may be published. ``left_pending`` is True when comments could not all be read
    (the list kept changing) and some may still wait for the next run.
    """

    object_id: str
    issue_number: int
    version_before: int
    version_after: int
    data: dict[str, Any] | None
    data_before: dict[str, Any] | None
    outcomes: tuple[UpdateOutcome, ...] = ()
    refused: str | None = None
    issue_url: str = ""
    rounds: int = 1
    updated_at: str | None = None
    created_at: str | None = None
    left_pending: bool = False

    @property
    def applied(self) -> tuple[UpdateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "applied")

    @property
    def rejected(self) -> tuple[UpdateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "rejected")

    @property
    def untrusted(self) -> tuple[UpdateOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "untrusted")

    @property
    def changed(self) -> bool:
        """Whether the object's data is different after the run."""
        return self.refused is None and self.data != self.data_before

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the CLI prints it)."""

        def outcome(o: UpdateOutcome) -> dict[str, Any]:
            entry: dict[str, Any] = {"comment_id": o.comment_id, "author": o.author, "url": o.url}
            if o.reason is not None:
                entry["reason"] = o.reason
            return entry

        return {
            "object_id": self.object_id,
            "issue_number": self.issue_number,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "changed": self.changed,
            "applied": [outcome(o) for o in self.applied],
            "rejected": [outcome(o) for o in self.rejected],
            "untrusted": [outcome(o) for o in self.untrusted],
            "refused": self.refused,
            "left_pending": self.left_pending,
            "data": self.data,
        }
