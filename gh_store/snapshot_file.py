"""Snapshot files: where one may be written, what may be replaced, and writing it whole.

A snapshot is written only over nothing, an empty file, or a gh-store snapshot of the same
repository (``core/snapshot_format.py`` says which documents are ours): anything else is refused
with :class:`~gh_store.core.exceptions.ConfigurationError` and left byte for byte. A path that is
a link is followed, so the file it names is the one checked and replaced; the action's path must
stay inside the workspace after every link is followed (``within``). Missing folders are created.
Light on purpose: the action checks its inputs with it before anything heavy is imported.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .core.exceptions import ConfigurationError
from .core.snapshot_format import foreign_reason

__all__ = ["MAX_SNAPSHOT_BYTES", "read_snapshot", "snapshot_target", "write_snapshot"]

#: Larger files are not read as snapshots (GitHub refuses files over 100 MB in a repository).
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024


def snapshot_target(text: str, workspace: Path) -> Path:
    """The file the action's ``snapshot`` input names: inside ``workspace`` once every link is
    followed, not a folder, and not under a file."""
    root = _resolve(workspace, workspace)
    given = Path(text)
    shown = _shown(given)
    target = _resolve(given if given.is_absolute() else root / given, given)
    if target == root or not target.is_relative_to(root):
        raise ConfigurationError(
            f"the snapshot input {shown} leaves the workspace ({root}): name a file inside it, "
            "relative to it"
        )
    try:
        if target.is_dir():
            raise ConfigurationError(f"the snapshot input {shown} names a directory, not a file")
        for folder in target.parents:
            if folder.exists():
                if not folder.is_dir():
                    raise ConfigurationError(
                        f"the snapshot input {shown} is under {folder}, a file, not a folder"
                    )
                break
    except OSError as exc:
        raise ConfigurationError(
            f"the snapshot input {shown} cannot be used: {exc.strerror or exc}"
        ) from None
    return target


def read_snapshot(path: Path, repository: str | None = None) -> dict[str, Any] | None:
    """The gh-store snapshot ``path`` holds (of ``repository``, when given), or None when the file
    is missing or empty; ``ConfigurationError`` when it holds anything else."""
    document = _existing(_resolve(path, path), path)
    if document is None:
        return None
    reason = foreign_reason(document, repository)
    if reason is not None:
        raise ConfigurationError(f"the snapshot file {_shown(path)} is left as it is: {reason}")
    assert isinstance(document, dict)
    return document


def write_snapshot(snapshot: Mapping[str, Any], path: Path, *, within: Path | None = None) -> Path:
    """Write ``snapshot`` to ``path`` whole or not at all (a reader never sees half a file) and
    return the file written; only over nothing, an empty file or a snapshot of the same
    repository. ``within``: the folder the file must stay in, links followed."""
    target = _resolve(path, path)
    _check_within(target, path, within)
    read_snapshot(target, str(snapshot.get("repository")))
    text = json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A link put in place of a folder meanwhile must not carry the file out.
        _check_within(_resolve(target.parent, path) / target.name, path, within)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise ConfigurationError(
            f"the snapshot cannot be written to {_shown(path)}: {exc.strerror or exc}"
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a snapshot is meant to be shared
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigurationError(
            f"the snapshot cannot be written to {_shown(path)}: {exc.strerror or exc}"
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _check_within(target: Path, path: Path, within: Path | None) -> None:
    if within is None:
        return
    root = _resolve(within, within)
    if target == root or not target.is_relative_to(root):
        raise ConfigurationError(
            f"the snapshot file {_shown(path)} leads out of the workspace ({root}), to {target}"
        )


def _resolve(path: Path, shown: Path) -> Path:
    """``path`` with every link followed (those that exist)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a name too long, a loop of links
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a loop of links"
        raise ConfigurationError(
            f"the snapshot path {_shown(shown)} cannot be used: {reason}"
        ) from None


def _shown(path: Path) -> str:
    text = str(path)
    return repr(text if len(text) <= 200 else text[:197] + "...")


def _existing(target: Path, path: Path) -> Any:
    """The JSON ``target`` holds; None when it is missing or empty (whitespace only)."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigurationError(
            f"the snapshot file {_shown(path)} cannot be read: {exc.strerror or exc}"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigurationError(
            f"the snapshot file {_shown(path)} is left as it is: it is not a file"
        )
    if info.st_size > MAX_SNAPSHOT_BYTES:
        raise ConfigurationError(
            f"the snapshot file {_shown(path)} is left as it is: at {info.st_size:,} bytes it is "
            f"too large to be read as a snapshot (at most {MAX_SNAPSHOT_BYTES:,})"
        )
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"the snapshot file {_shown(path)} cannot be read: {exc.strerror or exc}"
        ) from None
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, too deep, numbers too long
        raise ConfigurationError(
            f"the snapshot file {_shown(path)} is left as it is: it does not hold a gh-store "
            "snapshot (it is not JSON that can be read)"
        ) from None
