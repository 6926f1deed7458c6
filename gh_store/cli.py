"""The ``gh-store`` command line (also ``python -m gh_store``): the client's operations as commands.

Results are one JSON document on stdout; progress, notes and log lines go to stderr. Every failure
is one line on stderr, ``gh-store: error: ...``, never a traceback, and its exit status says what
happened (:data:`EXIT_STATUSES`, also in ``--help``). The original gh-store 0.11's commands and
flags are accepted (``original_cli.py``). ``emulator ...`` hands its arguments to the GitHub
emulator's own command line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .original_cli import (
    accept_original_flags,
    existing_snapshot,
    notes,
    positional_arguments,
    write_default_config,
)
from .terminal import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STATUSES,
    BadArgument,
    UsageError,
    describe,
    exit_status,
)
from .terminal import count as _count
from .terminal import fail as _fail
from .terminal import issue_number as _issue_number
from .terminal import json_argument as _json_argument
from .terminal import object_entry as _object
from .terminal import print_json as _print
from .terminal import timestamp as _timestamp

if TYPE_CHECKING:
    from .client import GitHubStore

__all__ = ["main"]

PROG = "gh-store"

log = logging.getLogger("gh_store.cli")


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
        for note in notes(args):
            print(f"{PROG}: note: {note}", file=sys.stderr)
        return int(args.run(args))
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt as exc:
        return _fail("interrupted", exit_status(exc))
    except Exception as exc:
        from .core.exceptions import GitHubStoreError

        if isinstance(exc, GitHubStoreError | UsageError | BadArgument | OSError):
            return _fail(describe(exc), exit_status(exc))
        log.debug("unexpected error", exc_info=True)
        return _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_FAILED)


# --- the parser ----------------------------------------------------------------------------------


def _parser() -> _Parser:
    from . import __version__

    statuses = "\n".join(f"  {code:<4} {meaning}" for code, meaning in EXIT_STATUSES.items())
    parser = _Parser(
        prog=PROG,
        description="JSON objects kept in GitHub issues.",
        epilog=f"exit status:\n{statuses}\n\n{_ORIGINAL_EPILOG}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common_options()
    ours = ("--token", "--repo", "--config", "--issue")  # the original spelled these as we do

    def command(
        name: str,
        run: Callable[[argparse.Namespace], int],
        help: str | None,
        *,
        original: str | None = None,
        aliases: Sequence[str] = (),
    ) -> _Parser:
        options: dict[str, Any] = {"parents": [common], "description": help, "aliases": aliases}
        if help:  # without help, not listed: the original's spellings
            options["help"] = help
        sub: _Parser = commands.add_parser(name, **options)
        sub.set_defaults(run=run)
        if original is not None:
            accept_original_flags(sub, original, ours=ours)
        return sub

    sub = command("create", _create, "store a new object", original="create")
    sub.add_argument("object_id", metavar="ID", nargs="?")
    sub.add_argument("data", metavar="JSON", nargs="?", help=_JSON_HELP)
    sub.add_argument("--label", action="append", default=[], help="an extra label (repeatable)")

    sub = command("get", _get, "print an object", original="get")
    sub.add_argument("object_id", metavar="ID", nargs="?")
    sub.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead")

    sub = command(
        "update", _update, "post a JSON Merge Patch update for an object", original="update"
    )
    sub.add_argument("object_id", metavar="ID", nargs="?")
    sub.add_argument("changes", metavar="JSON", nargs="?", help=_JSON_HELP)
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

    sub = command(
        "history",
        _history,
        "print an object's applied updates",
        original="history",
        aliases=("get-history", "get_history"),
    )
    sub.add_argument("object_id", metavar="ID", nargs="?")
    sub.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead")

    sub = command("verify", _verify, "check an object's applied updates against its history hash")
    sub.add_argument("object_id", metavar="ID")

    sub = command(
        "delete", _delete, "archive an object (its issue and history stay)", original="delete"
    )
    sub.add_argument("object_id", metavar="ID", nargs="?")

    sub = command(
        "snapshot",
        _snapshot,
        "write every object to one JSON file (refreshing the snapshot FILE holds, if any)",
        original="snapshot",
    )
    sub.add_argument(
        "--out", type=Path, default=Path("snapshot.json"), metavar="FILE",
        help="default: snapshot.json",
    )  # fmt: skip
    sub.add_argument(
        "--since", type=_timestamp, metavar="TIME", help="only objects changed since (ISO 8601)"
    )
    sub.add_argument(
        "--full", action="store_true", help="list every object, even if FILE holds a snapshot"
    )

    sub = command(
        "update-snapshot",
        _update_snapshot,
        None,
        original="update_snapshot",
        aliases=("update_snapshot",),
    )
    sub.add_argument("snapshot_path", metavar="FILE", nargs="?")

    sub = command(
        "process-updates",
        _process_updates,
        "apply an issue's pending updates, or every open object's (--all)",
        original="process_updates",
        aliases=("process_updates",),
    )
    sub.add_argument(
        "issue_number", metavar="N", nargs="?", type=_issue_number, help=argparse.SUPPRESS
    )
    which = sub.add_mutually_exclusive_group()
    which.add_argument("--issue", type=_issue_number, metavar="N")
    which.add_argument(
        "--all", action="store_true", help="every open object issue, oldest first (catch-up)"
    )
    sub.add_argument(
        "--budget", type=_count, metavar="N", help="with --all: stop after about N requests"
    )

    sub = commands.add_parser(
        "init",
        help="write a config file with every key at its default (if none is there)",
        description="write a config file with every key at its default (if none is there)",
    )
    sub.add_argument("--config", "-c", type=Path, metavar="PATH",
                     help="default: ~/.config/gh-store/config.yml")  # fmt: skip
    sub.set_defaults(run=_init)

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


_JSON_HELP = "JSON text, @FILE, or - for stdin"

_ORIGINAL_EPILOG = (
    "The original gh-store 0.11's commands and flags still work (update-snapshot, "
    "process_updates, --output, --object-id, -t...); each prints a note naming ours.\n"
    "The token: --token, else $GH_TOKEN, else $GITHUB_TOKEN (as the gh CLI reads them)."
)


def _common_options() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument("--token", help="GitHub token (default: $GH_TOKEN, else $GITHUB_TOKEN)")
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


# --- the commands --------------------------------------------------------------------------------


def _create(args: argparse.Namespace) -> int:
    object_id, text = positional_arguments(args, "create", args.object_id, args.data)
    data = _json_argument(text, "JSON")
    with _store(args, writes=f"create {object_id!r}") as store:
        return _print(_object(store.create(object_id, data, extra_labels=args.label)))


def _get(args: argparse.Namespace) -> int:
    (object_id,) = positional_arguments(args, "get", args.object_id)
    with _store(args) as store:
        return _print(_object(store.get(object_id)), out=args.out)


def _update(args: argparse.Namespace) -> int:
    object_id, text = positional_arguments(args, "update", args.object_id, args.changes)
    changes = _json_argument(text, "JSON")
    with _store(args, writes=f"update {object_id!r}") as store:
        obj = store.update(
            object_id,
            changes,
            apply=args.apply,
            dispatch=args.dispatch,
            if_version=args.if_version,
        )
        if args.wait:
            obj = store.wait(object_id, timeout=args.timeout)
        if args.apply or args.wait:
            return _print(_object(obj))
        posted = obj.posted  # the update's comment
        return _print(
            {
                "object_id": object_id,
                "status": "pending",
                "issue_number": obj.meta.issue_number,
                "comment_id": posted.comment_id if posted else None,
                "comment_url": posted.url if posted else None,
                "dispatched": bool(args.dispatch),
            }
        )


def _list(args: argparse.Namespace) -> int:
    with _store(args) as store:
        return _print([_object(obj) for obj in store.list_all()])


def _history(args: argparse.Namespace) -> int:
    (object_id,) = positional_arguments(args, "history", args.object_id)
    with _store(args) as store:
        updates = store.get_object_history(object_id)
    return _print(
        [
            {
                "comment_id": u.comment_id,
                "timestamp": u.timestamp.isoformat(),
                "author": u.author,
                "changes": u.changes,
            }
            for u in updates
        ],
        out=args.out,
    )


def _verify(args: argparse.Namespace) -> int:
    with _store(args) as store:
        check = store.verify_history(args.object_id)
    _print({**asdict(check), "problems": list(check.problems)})
    if check.ok:
        return EXIT_OK
    # Not a failure to run, but scripts need to tell: exit 1, and say why on stderr.
    return _fail(
        f"the history of {args.object_id!r} does not verify: {'; '.join(check.problems)}",
        EXIT_FAILED,
    )


def _delete(args: argparse.Namespace) -> int:
    (object_id,) = positional_arguments(args, "delete", args.object_id)
    with _store(args, writes=f"delete {object_id!r}") as store:
        store.delete(object_id)
    return _print({"deleted": object_id})


def _snapshot(args: argparse.Namespace) -> int:
    from .snapshot import read_snapshot, write_snapshot

    previous = None if args.full or args.since else read_snapshot(args.out)
    with _store(args) as store:
        document = store.snapshot(since=args.since, previous=previous)
    write_snapshot(document, args.out)
    return _print({"out": str(args.out), "objects": len(document["objects"])})


def _update_snapshot(args: argparse.Namespace) -> int:
    """The original's ``update-snapshot FILE``: the snapshot FILE holds, refreshed."""
    (path,) = positional_arguments(args, "update_snapshot", args.snapshot_path)
    args.out, args.since, args.full = existing_snapshot(path), None, False
    return _snapshot(args)


def _process_updates(args: argparse.Namespace) -> int:
    (positional,) = positional_arguments(args, "process_updates", args.issue_number, required=False)
    numbers = [n for n in (args.issue, positional) if n is not None]
    if len(numbers) + args.all != 1:
        raise UsageError("give one of --issue N or --all")
    with _store(args, writes="process updates") as store:
        if not args.all:
            # Rejected or untrusted updates are outcomes, not failures of the run (as the
            # action's exit 0): the report lists them.
            return _print(store.process_updates(_issue_number(str(numbers[0]))).to_dict())
        done = store.process_all(budget=args.budget)
    _print(
        {
            "processed": [report.to_dict() for report in done.reports],
            "failed": [{"issue_number": n, "reason": why} for n, why in done.failures],
            "left": list(done.left),
            "stopped": done.stopped,
            "requests": done.requests,
        }
    )
    if done.failures:
        issues = ", ".join(f"#{number}" for number, _ in done.failures)
        return _fail(
            f"{len(done.failures)} object issue(s) could not be processed ({issues}); the "
            "reasons are in the output; the other objects were processed",
            EXIT_FAILED,
        )
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    path, created = write_default_config(args.config)
    return _print({"config": str(path), "created": created})


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


@contextmanager
def _store(args: argparse.Namespace, *, writes: str | None = None) -> Iterator[GitHubStore]:
    """The store the options name; ``writes``: what the command writes, which needs a token."""
    from .client import GitHubStore
    from .configure import build_transport, load_config
    from .core.config import LogConfig
    from .core.exceptions import AccessDeniedError, ConfigurationError
    from .logs import configure_logging

    repo = args.repo or os.environ.get("GITHUB_REPOSITORY")
    if not repo:
        raise UsageError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
    from .configure import app_from_options

    app = app_from_options(args.app_id, args.private_key_file, args.installation_id)
    if app is not None and args.token:
        raise UsageError("give --token or a GitHub App (--app-id), not both")
    # The gh CLI's order; a variable that holds nothing (or only spaces) counts as unset.
    given = [args.token, os.environ.get("GH_TOKEN"), os.environ.get("GITHUB_TOKEN")]
    token = next((t.strip() for t in given if t and t.strip()), None)
    if writes is not None and token is None and app is None:
        raise AccessDeniedError(
            f"cannot {writes} in {repo} without a token: pass --token, or set GH_TOKEN or "
            "GITHUB_TOKEN"
        )
    credentials = app or token
    configure_logging(LogConfig())  # for what reading the config file has to say
    config = load_config(args.config)
    try:
        configure_logging(config.log)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{config.source}: {exc}") from None  # name the file too
    transport = build_transport(repo, credentials, config, api_url=args.api_url, audience="cli")
    try:
        yield GitHubStore(credentials, repo, config=config, schema=args.schema, transport=transport)
    finally:
        transport.close()
