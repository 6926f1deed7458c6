"""Check that a tag may be released, and print its CHANGELOG section (the release's notes).

Usage: ``python3 .github/scripts/release_notes.py vX.Y.Z [--changelog CHANGELOG.md]``

The release workflow runs this before it builds anything. A tag is releasable when it is
``vX.Y.Z``, equals the package's version (``__version__`` in gh_store/__init__.py, the one
version source), and CHANGELOG.md's newest entry is that version with a date, not ``Unreleased``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

__all__ = ["ReleaseError", "package_version", "release_notes"]

ROOT = Path(__file__).resolve().parents[2]
_TAG = re.compile(r"v(?P<version>(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))")
_ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?[ \t]*$", re.MULTILINE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_VERSION_LINE = re.compile(r'^__version__ = "(?P<version>[^"]+)"$', re.MULTILINE)
_LINK = re.compile(r"^\[[^\]]+\]: \S+$", re.MULTILINE)


class ReleaseError(ValueError):
    """The tag, the package version and the CHANGELOG do not agree."""


def package_version(init_text: str) -> str:
    """``__version__`` as written in gh_store/__init__.py (read, not imported)."""
    match = _VERSION_LINE.search(init_text)
    if match is None:
        raise ReleaseError('gh_store/__init__.py has no line __version__ = "X.Y.Z"')
    return match.group("version")


def release_notes(changelog: str, tag: str, version: str) -> str:
    """The body of ``tag``'s CHANGELOG entry; :class:`ReleaseError` if it may not be released."""
    tag_match = _TAG.fullmatch(tag)
    if tag_match is None:
        raise ReleaseError(f"a release tag is vX.Y.Z, got {tag!r}")
    if tag_match.group("version") != version:
        raise ReleaseError(f"tag {tag} does not match the package version {version}")
    entries = list(_ENTRY.finditer(changelog))
    if not entries or entries[0].group("version") != version:
        newest = entries[0].group("version") if entries else "none"
        raise ReleaseError(f"CHANGELOG.md's newest entry is {newest}, not {version}")
    date = entries[0].group("date") or ""
    if not _DATE.fullmatch(date):
        raise ReleaseError(
            f"CHANGELOG.md's entry for {version} is dated {date or 'nothing'!r}: "
            "write the release date (YYYY-MM-DD) before tagging"
        )
    end = entries[1].start() if len(entries) > 1 else len(changelog)
    body = changelog[entries[0].end() : end]
    body = _LINK.sub("", body).strip()  # link references belong to the file, not the notes
    if not body:
        raise ReleaseError(f"CHANGELOG.md's entry for {version} is empty")
    return body + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("tag", help="the pushed tag, vX.Y.Z")
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    parser.add_argument("--init", type=Path, default=ROOT / "gh_store" / "__init__.py")
    args = parser.parse_args(argv)
    try:
        version = package_version(args.init.read_text(encoding="utf-8"))
        notes = release_notes(args.changelog.read_text(encoding="utf-8"), args.tag, version)
    except (OSError, ReleaseError) as exc:
        print(f"release_notes: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
