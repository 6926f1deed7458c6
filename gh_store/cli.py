"""The ``gh-store`` command line (also ``python -m gh_store``): the client's operations as commands.

Results are JSON on stdout. Every failure is one line on stderr, ``gh-store: error: ...``, with
exit status 1 (2 for a usage mistake, 130 when interrupted), never a traceback. ``emulator ...``
hands its arguments to the GitHub emulator's own command line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from .client import GitHubStore

__all__ = ["main"]

PROG = "gh-store"

log = logging.getLogger("gh_store.cli")


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2)."""


class BadArgument(Exception):
    """An argument's content (a JSON value, a file) that cannot be used (exit status 1)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:
        from .emulator.cli import main as emulator_main  # only this command needs the emulator

        return emulator_main(args_list[1:])
    try:
        args = _parser().parse_args(args_list)
        return int(args.run(args))
    except UsageError as exc:
        return _fail(str(exc), 2)
    except BadArgument as exc:
        return _fail(str(exc), 1)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except OSError as exc:  # a file named on the command line (--out, @FILE)
        return _fail(_describe(exc), 1)
    except Exception as exc:
        from .core.exceptions import GitHubStoreError

        if isinstance(exc, GitHubStoreError):
            return _fail(str(exc), 1)
        log.debug("unexpected error", exc_info=True)
        return _fail(f"unexpected {type(exc).__name__}: {exc}", 1)


# --- the parser ----------------------------------------------------------------------------------


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="JSON objects kept in GitHub issues.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common_options()

    def command(name: str, run: Callable[[argparse.Namespace], int], help: str) -> _Parser:
        sub: _Parser = commands.add_parser(name, parents=[common], help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    sub = command("create", _create, "store a new object")
    sub.add_argument("object_id", metavar="ID")
    sub.add_argument("data", metavar="JSON", help="the object: JSON text, @FILE, or - for stdin")
    sub.add_argument("--label", action="append", default=[], help="an extra label (repeatable)")

    sub = command("get", _get, "print an object")
    sub.add_argument("object_id", metavar="ID")

    sub = command("update", _update, "post a JSON Merge Patch update for an object")
    sub.add_argument("object_id", metavar="ID")
    sub.add_argument("changes", metavar="JSON", help="the patch: JSON text, @FILE, or - for stdin")
    how = sub.add_mutually_exclusive_group()
    how.add_argument("--apply", action="store_true", help="process the update now, here")
    how.add_argument(
        "--dispatch", action="store_true", help="ask the action to process it (repository_dispatch)"
    )
    how.add_argument(
        "--wait",
        action="store_true",
        help="wait until the action has decided it (and every other pending update)",
    )
    sub.add_argument(
        "--timeout", type=float, default=60.0, metavar="S", help="with --wait (default 60)"
    )
    sub.add_argument(
        "--if-version",
        type=_version,
        metavar="N",
        help="apply only if the object is still at version N when processed, else reject it",
    )

    command("list", _list, "print every object")

    sub = command("history", _history, "print an object's applied updates")
    sub.add_argument("object_id", metavar="ID")

    sub = command("verify", _verify, "check an object's applied updates against its history hash")
    sub.add_argument("object_id", metavar="ID")

    sub = command("delete", _delete, "archive an object (its issue and history stay)")
    sub.add_argument("object_id", metavar="ID")

    sub = command(
        "snapshot",
        _snapshot,
        "write every object to one JSON file (refreshing the snapshot FILE holds, if any)",
    )
    sub.add_argument("--out", type=Path, required=True, metavar="FILE")
    sub.add_argument(
        "--since", type=_timestamp, metavar="TIME", help="only objects changed since (ISO 8601)"
    )
    sub.add_argument(
        "--full", action="store_true", help="list every object, even if FILE holds a snapshot"
    )

    sub = command(
        "process-updates",
        _process_updates,
        "apply an issue's pending updates, or every open object's (--all)",
    )
    which = sub.add_mutually_exclusive_group(required=True)
    which.add_argument("--issue", type=int, metavar="N")
    which.add_argument(
        "--all", action="store_true", help="every open object issue, oldest first (catch-up)"
    )
    sub.add_argument(
        "--budget", type=int, metavar="N", help="with --all: stop after about N requests"
    )

    _lifecycle_commands(command)

    commands.add_parser(
        "emulator", help="serve a GitHub API emulator (see gh-store emulator --help)"
    )
    return parser


def _lifecycle_commands(
    command: Callable[[str, Callable[[argparse.Namespace], int], str], _Parser],
) -> None:
    command("ids", _ids, "print the ids of every object (one listing, no object read)")
    command("archived", _archived, "print every archived (deleted) object")
    sub = command("restore", _restore, "make an archived object live again")
    sub.add_argument("object_id", metavar="ID")
    sub.add_argument("--issue", type=int, metavar="N", help="which archived issue, if several")
    sub = command(
        "rollback",
        _rollback,
        "post the update that takes an object back to version N (guarded: a newer change wins)",
    )
    sub.add_argument("object_id", metavar="ID")
    sub.add_argument("version", type=_version, metavar="N")
    how = sub.add_mutually_exclusive_group()
    how.add_argument("--apply", action="store_true", help="process the update now, here")
    how.add_argument(
        "--dispatch", action="store_true", help="ask the action to process it (repository_dispatch)"
    )


def _common_options() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument("--token", help="GitHub token (default: $GITHUB_TOKEN)")
    common.add_argument("--repo", metavar="OWNER/NAME", help="default: $GITHUB_REPOSITORY")
    common.add_argument("--config", type=Path, metavar="PATH", help="config file (YAML)")
    common.add_argument("--schema", type=Path, metavar="PATH", help="JSON Schema for objects")
    common.add_argument("--api-url", metavar="URL", help="default: $GITHUB_API_URL or GitHub's")
    app = common.add_argument_group("as a GitHub App (instead of a token; see docs/client.md)")
    app.add_argument("--app-id", metavar="ID", help="default: $GH_STORE_APP_ID")
    app.add_argument("--private-key-file", metavar="PEM", help="default: $GH_STORE_APP_PRIVATE_KEY")
    app.add_argument("--installation-id", metavar="ID", help="default: the App's on the repository")
    return common


def _version(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or not 1 <= int(text) <= 10**9:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version (a whole number from 1)")
    return int(text)


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time (e.g. 2024-05-01T12:00:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the commands --------------------------------------------------------------------------------


def _create(args: argparse.Namespace) -> int:
    data = _json_argument(args.data, "JSON")
    with _store(args) as store:
        return _print(_object(store.create(args.object_id, data, extra_labels=args.label)))


def _get(args: argparse.Namespace) -> int:
    with _store(args) as store:
        return _print(_object(store.get(args.object_id)))


def _update(args: argparse.Namespace) -> int:
    changes = _json_argument(args.changes, "JSON")
    with _store(args) as store:
        obj = store.update(
            args.object_id,
            changes,
            apply=args.apply,
            dispatch=args.dispatch,
            if_version=args.if_version,
        )
        if args.wait:
            obj = store.wait(args.object_id, timeout=args.timeout)
        return _print(_object(obj))


def _list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        return _print([_object(obj) for obj in store.list_all()])


def _history(args: argparse.Namespace) -> int:
    with _store(args) as store:
        updates = store.get_object_history(args.object_id)
    return _print(
        [
            {
                "comment_id": u.comment_id,
                "timestamp": u.timestamp.isoformat(),
                "author": u.author,
                "changes": u.changes,
            }
            for u in updates
        ]
    )


def _verify(args: argparse.Namespace) -> int:
    with _store(args) as store:
        check = store.verify_history(args.object_id)
    _print({**asdict(check), "problems": list(check.problems)})
    if check.ok:
        return 0
    # Not a failure to run, but scripts need to tell: exit 1, and say why on stderr.
    return _fail(
        f"the history of {args.object_id!r} does not verify: {'; '.join(check.problems)}", 1
    )


def _delete(args: argparse.Namespace) -> int:
    with _store(args) as store:
        store.delete(args.object_id)
    return _print({"deleted": args.object_id})


def _snapshot(args: argparse.Namespace) -> int:
    from .snapshot import read_snapshot, write_snapshot

    previous = None if args.full or args.since else read_snapshot(args.out)
    with _store(args) as store:
        document = store.snapshot(since=args.since, previous=previous)
    write_snapshot(document, args.out)
    return _print({"out": str(args.out), "objects": len(document["objects"])})


def _process_updates(args: argparse.Namespace) -> int:
    with _store(args) as store:
        if args.all:
            done = store.process_all(budget=args.budget)
            return _print(
                {
                    "processed": [report.to_dict() for report in done.reports],
                    "failed": [{"issue_number": n, "reason": why} for n, why in done.failures],
                    "left": list(done.left),
                    "stopped": done.stopped,
                    "requests": done.requests,
                }
            )
        report = store.process_updates(args.issue)
    # Rejected or untrusted updates are outcomes, not failures of the run: exit 0.
    return _print(report.to_dict())


def _ids(args: argparse.Namespace) -> int:
    with _store(args) as store:
        return _print(store.list_ids())


def _archived(args: argparse.Namespace) -> int:
    with _store(args) as store:
        return _print([_object(obj) for obj in store.list_archived()])


def _restore(args: argparse.Namespace) -> int:
    with _store(args) as store:
        return _print(_object(store.restore(args.object_id, issue_number=args.issue)))


def _rollback(args: argparse.Namespace) -> int:
    with _store(args) as store:
        obj = store.rollback(args.object_id, args.version, apply=args.apply, dispatch=args.dispatch)
        return _print(_object(obj))


# --- helpers -------------------------------------------------------------------------------------


def _store(args: argparse.Namespace) -> GitHubStore:
    from .client import GitHubStore
    from .core.exceptions import ConfigurationError
    from .logs import configure_logging

    repo = args.repo or os.environ.get("GITHUB_REPOSITORY")
    if not repo:
        raise UsageError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
    from .configure import app_from_options

    app = app_from_options(args.app_id, args.private_key_file, args.installation_id)
    if app is not None and args.token:
        raise UsageError("give --token or a GitHub App (--app-id), not both")
    token = args.token or os.environ.get("GITHUB_TOKEN") or None
    store = GitHubStore(
        token=app or token,
        repo=repo,
        config_path=args.config,
        schema=args.schema,
        api_url=args.api_url,
    )
    try:
        configure_logging(store.config.log)
    except ConfigurationError as exc:
        store.close()
        raise ConfigurationError(f"{store.config.source}: {exc}") from None  # name the file too
    return store


def _json_argument(text: str, name: str) -> Any:
    if text == "-":
        source, content = "stdin", sys.stdin.read()
    elif text.startswith("@"):
        source = text[1:]
        try:
            content = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadArgument(_describe(exc)) from None
    else:
        source, content = "the argument", text
    try:
        return json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise BadArgument(f"{name} from {source} is not valid JSON: {exc}") from None


def _object(obj: Any) -> dict[str, Any]:
    from .core.snapshots import object_entry

    return object_entry(obj)


def _print(value: Any) -> int:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc) or type(exc).__name__


def _fail(message: str, status: int) -> int:
    line = " ".join(message.split())  # one line, whatever the message held
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return status
