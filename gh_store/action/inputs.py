"""The action's inputs: every ``INPUT_*`` and ``GITHUB_*`` variable read once, checked, frozen.

The runner passes each ``with:`` input as ``INPUT_<NAME>`` upper-cased with hyphens kept
(``INPUT_ISSUE-NUMBER``), and does not enforce ``required``. Everything is checked here, before
the first request, and every problem is reported in one :class:`InputError`, so a workflow author
fixes them all in one go. Light on purpose: no YAML, JSON Schema or HTTP library is imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gh_store.core.config import APIS
from gh_store.core.constants import DEFAULT_API_URL
from gh_store.core.exceptions import ConfigurationError
from gh_store.core.json_text import JSONProblem, read_int
from gh_store.snapshot_file import read_snapshot, snapshot_target
from gh_store.transport.credentials import GitHubApp, check_token

__all__ = ["ActionInputs", "InputError", "read_inputs"]

# actions/toolkit getBooleanInput: the YAML 1.2 core schema's spellings, nothing else.
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


class InputError(ConfigurationError):
    """One or more inputs or runner variables are wrong; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        if len(problems) == 1:
            message = problems[0]
        else:
            message = f"{len(problems)} problems with the action's inputs: " + "; ".join(problems)
        super().__init__(message)


@dataclass(frozen=True)
class ActionInputs:
    """What one run of the action was asked to do, and where to write its results."""

    token: str = field(repr=False)  # never shown
    repository: str
    api_url: str
    event_name: str
    event: Mapping[str, Any] = field(repr=False)
    issue_number: int | None = None
    config_path: Path | None = None
    schema_path: Path | None = None
    fail_on_rejected: bool = False
    reply_on_reject: bool | None = None  # None: the config's store.replies.on_reject
    request_budget: int | None = None
    api: str | None = None  # auto|graphql|rest; None: the config's store.api
    snapshot_path: Path | None = None
    output_path: Path | None = None
    summary_path: Path | None = None
    workspace: Path = Path(".")
    app: GitHubApp | None = field(default=None, repr=False)  # app-id, app-private-key: wins


def read_inputs(environ: Mapping[str, str]) -> ActionInputs:
    """Read and check every input; raise :class:`InputError` naming each problem."""
    problems: list[str] = []

    def value(name: str) -> str:
        return environ.get(f"INPUT_{name}", "").strip()

    app = _app(value, problems)
    token = value("TOKEN")
    if not token and app is None:
        problems.append(
            "the token input is empty: pass `token: ${{ github.token }}` (the default) or a PAT"
        )
    else:
        try:
            check_token(token)
        except ConfigurationError as exc:
            problems.append(f"the token input is not usable: {exc}")

    repository = environ.get("GITHUB_REPOSITORY", "").strip()
    if not _looks_like_repository(repository):
        problems.append(
            f"GITHUB_REPOSITORY must be owner/name, got {repository!r}: run this as a workflow step"
        )

    api_url = (value("API-URL") or environ.get("GITHUB_API_URL", "") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        problems.append(f"the api-url input must be an http(s) URL, got {api_url!r}")

    issue_number: int | None = None
    issue_text = value("ISSUE-NUMBER")
    if issue_text:
        issue_number = parse_issue_number(issue_text)
        if issue_number is None:
            # Not quoted: workflows fill this input from events, whose text is someone else's.
            problems.append(
                "the issue-number input must be a positive whole number (it holds "
                f"{len(issue_text)} other characters)"
            )

    fail_on_rejected = False
    flag = value("FAIL-ON-REJECTED")
    if flag in _TRUE:
        fail_on_rejected = True
    elif flag and flag not in _FALSE:
        problems.append(f"the fail-on-rejected input must be true or false, got {flag!r}")

    reply_on_reject: bool | None = None
    reply_flag = value("REPLY-ON-REJECT")
    if reply_flag in _TRUE:
        reply_on_reject = True
    elif reply_flag in _FALSE:
        reply_on_reject = False
    elif reply_flag:
        problems.append(f"the reply-on-reject input must be true or false, got {reply_flag!r}")

    request_budget: int | None = None
    budget_text = value("REQUEST-BUDGET")
    if budget_text:
        request_budget = parse_issue_number(budget_text)  # a positive whole number too
        if request_budget is None:
            shown = f"{len(budget_text)} characters" if len(budget_text) > 40 else repr(budget_text)
            problems.append(
                f"the request-budget input must be a positive whole number up to {LARGEST:,}, "
                f"got {shown}"
            )

    api = value("API").lower() or None
    if api is not None and api not in APIS:
        problems.append(f"the api input must be auto, graphql or rest, got {api!r}")

    workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
    snapshot_path = _snapshot_file(value("SNAPSHOT"), workspace, repository, problems)
    config_path = _readable_file(value("CONFIG"), "config", workspace, problems)
    schema_path = _readable_file(value("SCHEMA"), "schema", workspace, problems)

    event_name = environ.get("GITHUB_EVENT_NAME", "").strip()
    if not event_name:
        problems.append("GITHUB_EVENT_NAME is not set: run this as a workflow step")
    event = _read_event(environ.get("GITHUB_EVENT_PATH", ""), problems)

    if problems:
        raise InputError(problems)
    return ActionInputs(
        token=token,
        repository=repository,
        api_url=api_url,
        event_name=event_name,
        event=event,
        issue_number=issue_number,
        config_path=config_path,
        schema_path=schema_path,
        fail_on_rejected=fail_on_rejected,
        reply_on_reject=reply_on_reject,
        request_budget=request_budget,
        api=api,
        snapshot_path=snapshot_path,
        output_path=_optional_path(environ.get("GITHUB_OUTPUT")),
        summary_path=_optional_path(environ.get("GITHUB_STEP_SUMMARY")),
        workspace=workspace,
        app=app,
    )


def _app(value: Any, problems: list[str]) -> GitHubApp | None:
    """The GitHub App of ``app-id``, ``app-private-key`` and ``app-installation-id``, if any."""
    from gh_store.configure import app_credentials

    try:
        return app_credentials(
            value("APP-ID"), value("APP-PRIVATE-KEY"), value("APP-INSTALLATION-ID")
        )
    except ConfigurationError as exc:  # the message names the problem, never the key
        problems.append(f"the app-id/app-private-key inputs are not usable: {exc}")
        return None


#: The largest issue number (or request budget) taken: GitHub's issue numbers are 32-bit (GraphQL's
#: ``Int``), and a number of thousands of digits must be refused before Python converts it.
LARGEST = 2**31 - 1


def parse_issue_number(text: Any) -> int | None:
    """A positive issue number from an input or a payload field (``"12"`` or ``12``), else None
    (also for one above ``LARGEST``, of whatever length)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 < text <= LARGEST else None
    if isinstance(text, str):
        stripped = text.strip().removeprefix("#")
        if stripped.isascii() and stripped.isdigit() and len(stripped) <= len(str(LARGEST)):
            number = int(stripped)
            return number if 0 < number <= LARGEST else None
    return None


def _looks_like_repository(text: str) -> bool:
    owner, slash, name = text.partition("/")
    return bool(owner and slash and name and "/" not in name and " " not in text)


def _readable_file(text: str, what: str, workspace: Path, problems: list[str]) -> Path | None:
    if not text:
        return None
    # Relative paths are the repository's: the runner's workspace, also the container's cwd.
    path = Path(text) if Path(text).is_absolute() else workspace / text
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except FileNotFoundError:
        problems.append(f"the {what} file {text!r} does not exist (looked at {path})")
    except IsADirectoryError:
        problems.append(f"the {what} input {text!r} names a directory, not a file")
    except OSError as exc:
        problems.append(f"the {what} file {text!r} cannot be read: {exc.strerror}")
    return path


def _snapshot_file(text: str, workspace: Path, repository: str, problems: list[str]) -> Path | None:
    """The snapshot's file: in the workspace, and holding nothing or this repository's snapshot."""
    if not text:
        return None
    try:
        path = snapshot_target(text, workspace)
        read_snapshot(path, repository or None)
    except ConfigurationError as exc:
        problems.append(str(exc))
        return None
    return path


def _read_event(path_text: str, problems: list[str]) -> Mapping[str, Any]:
    if not path_text:
        problems.append("GITHUB_EVENT_PATH is not set: run this as a workflow step")
        return {}
    try:
        event = json.loads(Path(path_text).read_text(encoding="utf-8"), parse_int=read_int)
    except OSError as exc:
        problems.append(f"the event file {path_text} cannot be read: {exc.strerror}")
        return {}
    except JSONProblem as exc:
        problems.append(f"the event file {path_text} cannot be read: {exc}")
        return {}
    except ValueError as exc:
        problems.append(f"the event file {path_text} is not JSON: {exc}")
        return {}
    except RecursionError:
        problems.append(f"the event file {path_text} is nested too deeply to be an event")
        return {}
    if not isinstance(event, dict):
        problems.append(f"the event file {path_text} does not hold a JSON object")
        return {}
    return event


def _optional_path(text: str | None) -> Path | None:
    return Path(text) if text else None
