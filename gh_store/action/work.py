"""The action's work once the event names some: one object or every object with work; a snapshot.

Sets the store up the one way (``gh_store.configure.setup``), runs the processor inside a log
group whose records stay inside a stop-commands block (they can quote what users wrote), and, when
the ``snapshot`` input names a file, refreshes the snapshot there. Heavy imports (ghapi,
jsonschema) happen here, where there is work, and nowhere earlier.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .commands import WorkflowCommands

if TYPE_CHECKING:
    import httpx2

    from gh_store.core.config import LogConfig, StoreConfig
    from gh_store.core.report import ProcessReport
    from gh_store.runs import CatchUpReport
    from gh_store.transport.port import GitHubTransport

    from .inputs import ActionInputs

__all__ = ["Outcome", "do_work"]


@dataclass(frozen=True)
class Outcome:
    """What the work did: one report per object processed (one for a single-issue run)."""

    reports: tuple[ProcessReport, ...]
    catch_up: CatchUpReport | None = None
    snapshot_objects: int | None = None  # objects written to the snapshot file, if one was
    replies: int = 0  # reply comments posted on issues with rejected updates

    @property
    def left(self) -> int:
        return len(self.catch_up.left) if self.catch_up is not None else 0


def do_work(
    inputs: ActionInputs,
    config: StoreConfig | None,
    issue_number: int | None,
    commands: WorkflowCommands,
    http_transport: httpx2.BaseTransport | None,
) -> Outcome:
    """Process ``issue_number``, or every open object when it is None; then the snapshot."""
    from gh_store.configure import setup
    from gh_store.runs import process_all, process_issue

    if inputs.app is not None:
        inputs.app.on_token = commands.add_mask  # each minted token is masked before any use
    built = setup(
        repo=inputs.repository,
        token=inputs.app or inputs.token,
        config=config,
        user_config=False,
        schema=inputs.schema_path,
        api_url=inputs.api_url,
        base_dir=inputs.workspace,
        http_transport=http_transport,
        api=inputs.api,
        audience="action",
    )
    transport = built.transport
    title = (
        f"Processing issue #{issue_number} of {inputs.repository}"
        if issue_number is not None
        else f"Processing every object with work in {inputs.repository}"
    )
    try:
        with commands.group(title), _store_log(commands, built.config.log):
            catch_up: CatchUpReport | None = None
            if issue_number is not None:
                reports: tuple[ProcessReport, ...] = (
                    process_issue(transport, built.config, issue_number, schema=built.schema),
                )
            else:
                catch_up = process_all(
                    transport, built.config, schema=built.schema, budget=inputs.request_budget
                )
                reports = catch_up.reports
            replies = 0
            reply_on_reject = inputs.reply_on_reject
            if reply_on_reject is None:
                reply_on_reject = built.config.replies.on_reject
            if reply_on_reject:
                replies = _reply(transport, reports)
            written = None
            if inputs.snapshot_path is not None:
                written = _refresh_snapshot(inputs, built.config, transport)
            logging.getLogger("gh_store.action").info("%d requests made", transport.requests_made)
    finally:
        transport.close()
    return Outcome(reports, catch_up, written, replies)


def _reply(transport: GitHubTransport, reports: tuple[ProcessReport, ...]) -> int:
    from .replies import post_replies

    posted, stopped = post_replies(transport, reports)
    logger = logging.getLogger("gh_store.action")
    logger.info("%d reply comment(s) posted", posted)
    if stopped is not None:
        # A courtesy: the decisions are in the bodies and the summary; the run goes on.
        logger.warning("replies stopped: %s", stopped)
    return posted


def _refresh_snapshot(inputs: ActionInputs, config: StoreConfig, transport: GitHubTransport) -> int:
    from gh_store.core.objects import Scope
    from gh_store.snapshot import read_snapshot, take_snapshot, write_snapshot

    path = inputs.snapshot_path
    assert path is not None
    previous = read_snapshot(path, inputs.repository)  # checked again: it may have changed
    document = take_snapshot(transport, Scope(inputs.repository, config, {}), previous)
    write_snapshot(document, path, within=inputs.workspace)
    return len(document["objects"])


@contextmanager
def _store_log(commands: WorkflowCommands, log: LogConfig) -> Iterator[None]:
    """The store's log records (``store.log`` level and format), on our stdout, inside a
    stop-commands block.

    Log records can quote what GitHub or users sent (messages, logins), so none of them may be
    read as a workflow command.
    """
    from gh_store.logs import translate_format

    logger = logging.getLogger("gh_store")
    handler = logging.StreamHandler(commands.stream)
    handler.setFormatter(logging.Formatter(translate_format(log.format), style="{"))
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(log.level)
    logger.propagate = False
    try:
        with commands.untrusted():
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
