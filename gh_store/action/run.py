"""The action's one run: inputs -> event decision -> work -> outputs, summary, exit code.

This is the only place where an exception becomes an ``::error`` line and an exit code. The
store (ghapi, jsonschema) is imported only when there is work (``work.py``), so a run that has
nothing to do ends in milliseconds, before any request.

Exit codes: 0 the run completed (rejected updates included, unless ``fail-on-rejected``);
1 the run went to its end but not everything in it succeeded: updates were rejected and
``fail-on-rejected`` is true, or a catch-up run passed over objects it could not process (the
others were processed); 2 the run could not complete (inputs, config, schema, token, permission,
GitHub unreachable or the rate limit used up, the one object of a single-issue run); 3 an
unexpected internal error. Outputs and the summary are written before exit 1, and before exit 2
once a catch-up run has started.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from gh_store import __version__
from gh_store.core.constants import DEFAULT_BASE_LABEL
from gh_store.core.exceptions import (
    AccessDeniedError,
    ConfigurationError,
    CorruptObjectError,
    GitHubAPIError,
    GitHubStoreError,
    ObjectNotFound,
    RateLimitError,
)

from .commands import WorkflowCommands
from .events import decide_event
from .inputs import ActionInputs, InputError, read_inputs
from .outputs import noop_outputs, object_json, run_outputs, write_outputs
from .summary import catch_up_summary, noop_summary, report_summary, write_summary

if TYPE_CHECKING:
    import httpx2

    from gh_store.core.config import StoreConfig
    from gh_store.core.report import ProcessReport

    from .work import Outcome

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERNAL_ERROR",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_SOME_FAILED",
    "main",
    "sentence",
]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_SOME_FAILED = 1  # the same code: the run ended, something in it did not succeed
EXIT_FAILED = 2
EXIT_INTERNAL_ERROR = 3


def main(
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    *,
    http_transport: httpx2.BaseTransport | None = None,
) -> int:
    """Run the action as the runner does; return the process exit code.

    ``http_transport`` replaces the network under the REST transport (tests: the emulator's
    in-process transport).
    """
    env = os.environ if environ is None else environ
    commands = WorkflowCommands(sys.stdout if stdout is None else stdout)
    # Before anything else is printed: a token must never reach the log unmasked.
    commands.add_mask(env.get("INPUT_TOKEN", "").strip())
    # A multi-line secret is masked line by line: the runner masks each line it is given.
    key = env.get("INPUT_APP-PRIVATE-KEY", "")
    if "\n" not in key.strip():
        commands.add_mask(key.strip())  # one line (its breaks written as \n): all of it, too
    for line in key.replace("\\n", "\n").splitlines():
        if not line.strip().startswith("-----"):
            commands.add_mask(line.strip())
    commands.line(f"gh-store {__version__}")  # which version ran this, first in the log
    try:
        return _run(env, commands, http_transport)
    except Exception as exc:  # the last line of defence: one annotation, the trace in a group
        import traceback

        commands.error(
            f"gh-store stopped on an unexpected {type(exc).__name__}; the traceback is in the "
            "log. Please report it.",
            title="gh-store: internal error",
        )
        with commands.group("Traceback"), commands.untrusted():
            commands.stream.write(traceback.format_exc())
        return EXIT_INTERNAL_ERROR
    finally:
        commands.flush()


def _run(
    env: Mapping[str, str],
    commands: WorkflowCommands,
    http_transport: httpx2.BaseTransport | None,
) -> int:
    try:
        inputs = read_inputs(env)
        config = _load_config(inputs) if inputs.config_path is not None else None
        decision = decide_event(
            inputs.event_name,
            inputs.event,
            issue_number_input=inputs.issue_number,
            base_label=config.base_label if config is not None else DEFAULT_BASE_LABEL,
        )
    except ConfigurationError as exc:
        return _fail(commands, "gh-store: bad input", exc)

    if decision.is_noop:
        reason = decision.skip_reason or "nothing to process"
        # The reason may quote the event (a dispatch's type, an action): users wrote it.
        commands.line("gh-store: nothing to do.")
        commands.write_untrusted(reason)
        write_outputs(inputs.output_path, noop_outputs())
        write_summary(inputs.summary_path, noop_summary(reason))
        return EXIT_OK

    from gh_store.runs import CatchUpStopped

    from .work import Outcome, do_work

    try:
        outcome = do_work(inputs, config, decision.issue_number, commands, http_transport)
    except CatchUpStopped as stopped:
        # What the run did before the error stands: its outputs and summary say so.
        _publish(Outcome(stopped.report.reports, stopped.report), inputs, commands)
        _finish(Outcome(stopped.report.reports, stopped.report), inputs, commands)
        return _fail(commands, _title(stopped.error), stopped.error)
    except GitHubStoreError as exc:
        return _fail(commands, _title(exc), exc)

    _publish(outcome, inputs, commands)
    return _finish(outcome, inputs, commands)


def _publish(outcome: Outcome, inputs: ActionInputs, commands: WorkflowCommands) -> None:
    for report in outcome.reports:
        _log_report(report, commands)
    write_outputs(inputs.output_path, run_outputs(outcome.reports, outcome.left))
    write_summary(inputs.summary_path, _summary(outcome))
    for report in outcome.reports:
        _annotate(report, commands)


def _finish(outcome: Outcome, inputs: ActionInputs, commands: WorkflowCommands) -> int:
    if outcome.snapshot_objects is not None:
        commands.line(f"gh-store: snapshot of {outcome.snapshot_objects} object(s) written.")
    catch_up = outcome.catch_up
    if catch_up is not None:
        commands.line(
            f"gh-store: {len(catch_up.reports)} object(s) processed, {len(catch_up.left)} left "
            f"for the next run, {catch_up.requests} requests."
        )
        if catch_up.stopped:
            commands.warning(
                f"Stopped before the end: {sentence(catch_up.stopped)} The "
                f"{len(catch_up.left)} object(s) left wait for the next run.",
                title="gh-store: catch-up stopped early",
            )
        for number, reason in catch_up.failures:
            commands.line(f"gh-store: issue #{number} could not be processed:")
            commands.write_untrusted(reason)  # it can quote the body or GitHub's message
            commands.error(
                f"Issue #{number} could not be processed and was passed over; the run went on "
                "with the other objects. The reason is in the log and the step summary.",
                title="gh-store: object not processed",
            )
    rejected = sum(len(report.rejected) for report in outcome.reports)
    if rejected and inputs.fail_on_rejected:
        commands.error(
            f"{rejected} update(s) were rejected and fail-on-rejected is true.",
            title="gh-store: updates rejected",
        )
        return EXIT_REJECTED
    if catch_up is not None and catch_up.failures:
        return EXIT_SOME_FAILED
    return EXIT_OK


def _summary(outcome: Outcome) -> str:
    if outcome.catch_up is not None:
        return catch_up_summary(outcome.catch_up)
    (report,) = outcome.reports
    return report_summary(report)


def _load_config(inputs: ActionInputs) -> StoreConfig:
    from gh_store.configure import load_config  # YAML: only when a config file is given

    assert inputs.config_path is not None
    return load_config(inputs.config_path)


def _log_report(report: ProcessReport, commands: WorkflowCommands) -> None:
    if report.refused is not None or report.data is None:
        commands.line(
            f"gh-store: issue #{report.issue_number} refused: it was opened by a user who may not "
            "write to the repository; nothing was processed or published."
        )
        return
    commands.line(
        f"gh-store: issue #{report.issue_number}: {len(report.applied)} applied, "
        f"{len(report.rejected)} rejected, {len(report.untrusted)} untrusted; version "
        f"{report.version_before} -> {report.version_after}; changed: "
        f"{'yes' if report.changed else 'no'}"
    )
    with commands.group("Updates and reasons"), commands.untrusted():
        commands.stream.write(f"object id: {report.object_id}\n")
        for outcome in report.outcomes:
            reason = f": {outcome.reason}" if outcome.reason else ""
            commands.stream.write(
                f"{outcome.status} comment {outcome.comment_id} by {outcome.author}{reason}\n"
            )
    with commands.group("Object after the run"), commands.untrusted():
        commands.stream.write(object_json(report.data) + "\n")


def _annotate(report: ProcessReport, commands: WorkflowCommands) -> None:
    """One annotation per problem, in our own words: reasons can quote user data (log only)."""
    if report.refused:
        commands.warning(
            f"Issue #{report.issue_number} was opened by a user who may not write to the "
            "repository, so none of its updates were processed and its body is not published.",
            title="gh-store: issue refused",
        )
    if report.left_pending:
        commands.warning(
            f"The comments of issue #{report.issue_number} kept changing while they were read; "
            "the updates read were processed, and the issue stays open for the next run.",
            title="gh-store: comments left for the next run",
        )
    for outcome in report.rejected:
        commands.error(
            f"Update comment {outcome.comment_id} by {outcome.author} was rejected; the object "
            f"is unchanged by it. The reason is in the log. {outcome.url}",
            title="gh-store: update rejected",
        )
    for outcome in report.untrusted:
        commands.warning(
            f"Update comment {outcome.comment_id} by {outcome.author} was not applied: the "
            f"author may not write to the repository. {outcome.url}",
            title="gh-store: update from an untrusted user",
        )


def _fail(commands: WorkflowCommands, title: str, exc: GitHubStoreError) -> int:
    commands.error(f"{sentence(str(exc))} {_hint(exc)}".strip(), title=title)
    return EXIT_FAILED


def sentence(text: str) -> str:
    """``text`` as a sentence: one line, a capital first letter, a full stop at the end."""
    text = " ".join(text.split())
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?":
        text += "."
    return text


def _title(exc: GitHubStoreError) -> str:
    if isinstance(exc, AccessDeniedError):
        return "gh-store: access denied"
    if isinstance(exc, RateLimitError):
        return "gh-store: rate-limited by GitHub"
    if isinstance(exc, GitHubAPIError):
        return "gh-store: GitHub API error"
    if isinstance(exc, ConfigurationError):
        return "gh-store: bad configuration"
    if isinstance(exc, ObjectNotFound):
        return "gh-store: not a stored object"
    if isinstance(exc, CorruptObjectError):
        return "gh-store: damaged object"
    return f"gh-store: {type(exc).__name__}"


def _hint(exc: GitHubStoreError) -> str:
    if isinstance(exc, InputError):
        return "See the inputs table in docs/action.md."
    if isinstance(exc, AccessDeniedError):
        return (
            "The job needs `permissions: issues: write`, and the `token` input must be "
            "valid for this repository."
        )
    if isinstance(exc, RateLimitError | GitHubAPIError):
        return "GitHub could not be reached or kept failing after every retry; run the job again."
    return ""
