"""Running the update processor over a transport: what the action and ``process_updates`` call.

The decisions are the flow in ``core/processing.py``; this module only drives it and logs what the
report says.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping

from .core.config import StoreConfig
from .core.processing import process_issue_flow
from .core.report import ProcessReport
from .core.schema import ObjectSchema
from .driver import drive
from .transport.port import GitHubTransport

__all__ = ["process_issue"]

log = logging.getLogger("gh_store.processor")


def process_issue(
    transport: GitHubTransport,
    config: StoreConfig,
    issue_number: int,
    *,
    schema: ObjectSchema | None = None,
    max_rounds: int = 5,
    roles: MutableMapping[str, str] | None = None,
) -> ProcessReport:
    """Apply every pending update on issue ``issue_number``; return what happened."""
    flow = process_issue_flow(
        issue_number, config, transport.owner, schema=schema, max_rounds=max_rounds, roles=roles
    )
    report = drive(flow, transport)
    if report.refused:
        log.warning("%s", report.refused)
    if report.rounds > 1:
        log.info("comments arrived during the run: %d rounds", report.rounds)
    if report.left_pending:
        log.warning(
            "issue #%d: the comments kept changing while they were read; the rest is left "
            "for the next run",
            issue_number,
        )
    return report
