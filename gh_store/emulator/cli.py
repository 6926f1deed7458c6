"""Command line: serve a :class:`GitHubEmulator` until SIGINT/SIGTERM.

The first line on stdout is one JSON object ``{"url": ..., "tokens": {login: token}}`` (owner, bot
and every ``--user``), flushed, so a parent process can read it and connect.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .emulator import GitHubEmulator
from .records import BOT_LOGIN, PERMISSIONS

__all__ = ["main"]


def _user(value: str) -> tuple[str, str]:
    login, _, permission = value.partition(":")
    permission = permission or "write"
    if not login or permission not in PERMISSIONS:
        raise argparse.ArgumentTypeError(
            f"expected LOGIN:PERMISSION with PERMISSION in {', '.join(PERMISSIONS)}, got {value!r}"
        )
    return login, permission


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gh_store.emulator",
        description="Serve a GitHub REST API emulator on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--repo", default="octo/store", help="OWNER/NAME")
    parser.add_argument(
        "--user",
        type=_user,
        action="append",
        default=[],
        metavar="LOGIN:PERMISSION",
        help="add a user (repeatable), e.g. alice:write",
    )
    parser.add_argument("--private", action="store_true")
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        metavar="FILE",
        help="load state from FILE if it exists; save it there on exit",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    emulator = GitHubEmulator(
        repo=args.repo,
        host=args.host,
        port=args.port,
        private=args.private,
        users=dict(args.user),
        state_file=args.state,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    emulator.start()
    try:
        owner = emulator.state.owner
        tokens = {owner: emulator.owner_token, BOT_LOGIN: emulator.bot_token}
        for login, _permission in args.user:
            tokens[login] = emulator.token_for(login, None)
        sys.stdout.write(json.dumps({"url": emulator.url, "tokens": tokens}) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
