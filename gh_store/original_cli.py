"""The original gh-store 0.11's command line, accepted by ours: its spellings as aliases.

The original (python-fire over a class, 0.11.3) named commands with underscores (fire also takes
hyphens: ``process-updates``), took every positional argument as a flag too (``--object-id ID``,
``--object_id ID``), and gave a parameter a one-letter flag where its first letter is unique among
its command's parameters (``-t`` token, ``-r`` repo, ``-c`` config, ``-o`` output or object id,
``-i`` issue, ``-d`` data, ``-s`` snapshot path). :data:`ORIGINAL_COMMANDS` is its signature
table, from its ``--help`` (recorded in tests/fixtures/original-gh-store/help/); every spelling it
implies is accepted here, and using one that is not ours prints a note on stderr naming ours.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .terminal import PROG, BadArgument, UsageError

__all__ = [
    "COMMAND_ALIASES",
    "ORIGINAL_COMMANDS",
    "accept_original_flags",
    "bind_positionals",
    "existing_snapshot",
    "notes",
    "positional_arguments",
    "write_default_config",
]

#: The original's commands: (its name, its parameters in order, those without a default).
ORIGINAL_COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "process_updates": (("issue", "token", "repo", "config"), ("issue",)),
    "snapshot": (("token", "repo", "output", "config"), ()),
    "update_snapshot": (("snapshot_path", "token", "repo", "config"), ("snapshot_path",)),
    "init": (("config",), ()),
    "create": (("object_id", "data", "token", "repo", "config"), ("object_id", "data")),
    "get": (("object_id", "output", "token", "repo", "config"), ("object_id",)),
    "update": (("object_id", "changes", "token", "repo", "config"), ("object_id", "changes")),
    "delete": (("object_id", "token", "repo", "config"), ("object_id",)),
    "history": (("object_id", "output", "token", "repo", "config"), ("object_id",)),
}

#: Command names that are not ours, and the command of ours each one runs. ``get-history`` was
#: never a command of the original's CLI (its function behind ``history`` is ``get_history``),
#: but its users' scripts and notes spell it so.
COMMAND_ALIASES = {
    "process_updates": "process-updates",
    "update-snapshot": "snapshot --out FILE",
    "update_snapshot": "snapshot --out FILE",
    "get-history": "history",
    "get_history": "history",
}

#: Our spelling of each of the original's parameters (positional ones are ours by position).
_OURS = {
    "token": "--token",
    "repo": "--repo",
    "config": "--config",
    "output": "--out",
    "issue": "--issue",
    "object_id": "ID (the first argument)",
    "data": "JSON (the second argument)",
    "changes": "JSON (the second argument)",
    "snapshot_path": "FILE (the argument)",
}
_NOTES = "_original_notes"


class _Original(argparse.Action):
    """An original spelling: stores the value where ours does, and remembers a note."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        ours = _OURS.get(str(self.metavar), "")
        if option_string and option_string != ours:
            _note(namespace, f"{option_string} is the original gh-store's spelling; ours is {ours}")


def _note(namespace: argparse.Namespace, text: str) -> None:
    kept: list[str] = getattr(namespace, _NOTES, None) or []
    if text not in kept:
        kept.append(text)
    setattr(namespace, _NOTES, kept)


def accept_original_flags(
    parser: argparse.ArgumentParser, command: str, *, ours: Sequence[str] = ()
) -> None:
    """Add the original ``command``'s flags to ``parser`` (hidden from ``--help``).

    A parameter the original took positionally is stored as ``named_<parameter>`` (see
    :func:`bind_positionals`); the others where ours keeps them. ``ours``: option strings that
    ``parser`` already has (``--token``...), so they are not added twice.
    """
    parameters, _ = ORIGINAL_COMMANDS[command]
    firsts = [name[0] for name in parameters]
    for name in parameters:
        positional = name in ORIGINAL_COMMANDS[command][1]
        spellings = {f"--{name}", f"--{name.replace('_', '-')}"}
        if firsts.count(name[0]) == 1:
            spellings.add(f"-{name[0]}")
        spellings -= set(ours)
        if spellings:
            parser.add_argument(
                *sorted(spellings, key=len),
                dest=f"named_{name}" if positional else _dest(name),
                metavar=name,
                type=Path if name in ("output", "config") else str,  # as ours: --out, --config
                action=_Original,
                help=argparse.SUPPRESS,
            )


def _dest(name: str) -> str:
    return "out" if name == "output" else name


def bind_positionals(
    args: argparse.Namespace, command: str, given: Sequence[str | None]
) -> list[str | None]:
    """The original ``command``'s positional parameters, bound as fire binds them: a flag
    (``--object-id``) names its parameter; the arguments given positionally (``given``, in
    order) fill the others in order. Raises ``ValueError`` naming what is missing or extra."""
    _, positional = ORIGINAL_COMMANDS[command]
    loose = [value for value in given if value is not None]
    bound: list[str | None] = []
    for name in positional:
        named = getattr(args, f"named_{name}", None)
        bound.append(named if named is not None else (loose.pop(0) if loose else None))
    if loose:
        raise ValueError(f"unrecognized arguments: {' '.join(loose)}")
    return bound


def notes(args: argparse.Namespace) -> list[str]:
    """The notes for the original spellings ``args`` was given in (command name included)."""
    kept: list[str] = list(getattr(args, _NOTES, None) or [])
    used = getattr(args, "command", None)
    if used in COMMAND_ALIASES:
        whose = (
            "the original gh-store's" if used.replace("-", "_") in ORIGINAL_COMMANDS else "an old"
        )
        kept.insert(0, f"{used} is {whose} spelling; ours is {COMMAND_ALIASES[used]}")
    return kept


_METAVARS = {"object_id": "ID", "data": "JSON", "changes": "JSON", "snapshot_path": "FILE"}


def positional_arguments(
    args: argparse.Namespace, original: str, *given: Any, required: bool = True
) -> list[Any]:
    """The command's positional arguments, ``given`` in place or by the original's flags;
    ``UsageError`` for one missing (when ``required``) or one too many."""
    try:
        values = bind_positionals(args, original, given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    missing = [
        _METAVARS.get(name, name)
        for name, value in zip(ORIGINAL_COMMANDS[original][1], values, strict=True)
        if value is None
    ]
    if missing and required:
        raise UsageError(f"the following arguments are required: {', '.join(missing)}")
    return values


def existing_snapshot(path: str) -> Path:
    """``path``, which the original's ``update-snapshot`` required to hold a snapshot already."""
    if not Path(path).is_file():
        raise BadArgument(
            f"{path}: no snapshot to update there (`snapshot --out {path}` writes a new one)"
        )
    return Path(path)


def write_default_config(config: str | Path | None) -> tuple[Path, bool]:
    """``init``: a config file with every key at its default where none is; (its path, whether
    it was written). The original's ``init`` also left an existing file alone; this one then
    reads it, so its problems (or its ignored keys) are said at once.

    It writes gh-store 1.x's file, not the original's: both load (the original's with a warning
    for ``store.reactions.initial_state``), and a new user should not start with a warning.
    """
    from .configure import base_directory, load_config, user_config_path
    from .core.config import DEFAULT_CONFIG_FILE, LogConfig
    from .logs import configure_logging

    configure_logging(LogConfig())
    path = Path(config).expanduser() if config else user_config_path()
    path = path if path.is_absolute() else base_directory() / path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # "x": never over a file that is there
            out.write(DEFAULT_CONFIG_FILE)
    except FileExistsError:
        load_config(path)
        print(f"{PROG}: note: {path} exists; left as it is", file=sys.stderr)
        return path, False
    return path, True
