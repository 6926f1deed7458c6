"""The command line's conventions at the terminal: what it reads and writes, and how it ends.

A JSON argument is text, ``@FILE`` or ``-`` (stdin); a result is one JSON document on stdout
(progress, notes and log lines go to stderr); a failure is one line on stderr, and the exit status
says what happened. :data:`EXIT_STATUSES` is the one table of the statuses: ``gh-store --help``
prints it and docs/client.md copies it (a test holds them together).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "EXIT_FAILED",
    "EXIT_GITHUB",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PERMISSION",
    "EXIT_STATUSES",
    "EXIT_USAGE",
    "BadArgument",
    "UsageError",
    "count",
    "describe",
    "exit_status",
    "fail",
    "issue_number",
    "json_argument",
    "object_entry",
    "print_json",
    "timestamp",
]

PROG = "gh-store"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2  # argparse's own status for a usage mistake
EXIT_NOT_FOUND = 3
EXIT_PERMISSION = 4
EXIT_GITHUB = 5
EXIT_INTERRUPTED = 130

#: What each exit status means: the one table behind ``--help``'s epilog and docs/client.md.
EXIT_STATUSES = {
    EXIT_OK: "done",
    EXIT_FAILED: "done in part, or refused: an object failed to process (process-updates --all), "
    "the update was rejected (update --wait), a history does not verify, the object exists, "
    "waiting timed out",
    EXIT_USAGE: "bad input: the command line, a JSON argument, a file, the config, the schema, "
    "an id or an object that cannot be stored",
    EXIT_NOT_FOUND: "not found: no such object or issue",
    EXIT_PERMISSION: "permission: no token, or the token may not do this",
    EXIT_GITHUB: "GitHub failed: unreachable, an error answer, or rate-limited, after retries",
    EXIT_INTERRUPTED: "interrupted",
}


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2)."""


class BadArgument(Exception):
    """An argument's content (a JSON value, a file) that cannot be used (exit status 2)."""


def exit_status(exc: BaseException) -> int:
    """The exit status for an exception that ended a command (see :data:`EXIT_STATUSES`)."""
    from .core import exceptions as e

    if isinstance(exc, UsageError | BadArgument | OSError):  # OSError: a file it names
        return EXIT_USAGE
    if isinstance(exc, e.ConfigurationError | e.InvalidObjectId | e.InvalidUpdate):
        return EXIT_USAGE
    if isinstance(exc, e.ObjectNotFound):
        return EXIT_NOT_FOUND
    if isinstance(exc, e.AccessDeniedError):  # before GitHubAPIError: AuthError is both
        return EXIT_PERMISSION
    if isinstance(exc, e.GitHubAPIError):
        return EXIT_GITHUB
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_FAILED


def describe(exc: BaseException) -> str:
    """What went wrong, in words: an OSError names its file."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc) or type(exc).__name__


def fail(message: str, status: int) -> int:
    line = " ".join(message.split())  # one line, whatever the message held
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return status


def json_argument(text: str, name: str) -> Any:
    """A JSON argument: the text itself, ``@FILE``, or ``-`` for stdin."""
    if text == "-":
        source, content = "stdin", sys.stdin.read()
    elif text.startswith("@"):
        source = text[1:]
        try:
            content = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadArgument(describe(exc)) from None
    else:
        source, content = "the argument", text
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise BadArgument(f"{name} from {source} is not valid JSON: {exc}") from None


def object_entry(obj: Any) -> dict[str, Any]:
    """A stored object as every command prints it (the snapshot's entry)."""
    from .core.snapshots import object_entry as entry

    return entry(obj)


def print_json(value: Any, *, out: Path | None = None) -> int:
    """``value`` as the one JSON document on stdout; with ``out``, into that file instead."""
    if out is not None:
        out.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        value = {"out": str(out)}
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


def issue_number(text: str) -> int:
    """An issue number argument (``argparse`` type)."""
    return count(text, "an issue number")


def count(text: str, what: str = "a whole number") -> int:
    """A positive whole number of at most 10 digits; the text is not echoed if it is a token."""
    from .transport.credentials import looks_like_token

    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) == 0:
        shown = "a value that looks like a token (not shown)" if looks_like_token(text) else None
        raise argparse.ArgumentTypeError(f"{shown or repr(text[:40])} is not {what}")
    return int(text)


def timestamp(text: str) -> datetime:
    """An ISO 8601 time argument; without a zone, UTC (``argparse`` type)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time (e.g. 2024-05-01T12:00:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
