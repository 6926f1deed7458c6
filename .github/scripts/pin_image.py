"""Make a release's action.yml run a pushed image: ``runs.image: docker://IMAGE@sha256:DIGEST``.

Usage: ``python3 .github/scripts/pin_image.py IMAGE@sha256:DIGEST [--action action.yml]``

The release workflow runs this on the release commit, so ``@vX.Y.Z`` and ``@vX`` pull the image
it built and attested instead of building the Dockerfile in every job; main keeps
``image: Dockerfile``. Only the ``image:`` line under ``runs:`` changes: the rest of the file is
kept byte for byte (comments, quoting, order), which a YAML round trip would not do. The
reference must name a digest, not a tag: a tag can be moved after the release.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

__all__ = ["ImagePinError", "pin_image"]

# registry/path@sha256:<64 hex>; the name part as Docker's reference grammar allows it, lower case.
_REFERENCE = re.compile(
    r"(?P<name>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+)"
    r"@sha256:[0-9a-f]{64}"
)
_RUNS = re.compile(r"^runs:[ \t]*(?:#.*)?$")
_TOP_LEVEL = re.compile(r"^[^\s#]")
_IMAGE = re.compile(r"^(?P<indent>[ \t]+)image:[ \t]*(?P<value>.*?)(?P<comment>[ \t]+#.*)?$")


class ImagePinError(ValueError):
    """The reference or the action file is not what a release can pin."""


def pin_image(action_text: str, reference: str) -> str:
    """``action_text`` with ``runs.image`` set to ``docker://reference``; nothing else changed."""
    if not _REFERENCE.fullmatch(reference):
        raise ImagePinError(
            f"expected IMAGE@sha256:<64 hex digits> (e.g. ghcr.io/owner/gh-store@sha256:...), "
            f"got {reference!r}"
        )
    lines = action_text.splitlines(keepends=True)
    in_runs = False
    found: list[int] = []
    for index, line in enumerate(lines):
        if _RUNS.match(line):
            in_runs = True
            continue
        if in_runs and _TOP_LEVEL.match(line):
            in_runs = False
        if in_runs and _IMAGE.match(line.rstrip("\r\n")):
            found.append(index)
    if len(found) != 1:
        raise ImagePinError(f"expected one `image:` line under `runs:`, found {len(found)}")
    index = found[0]
    line = lines[index]
    ending = line[len(line.rstrip("\r\n")) :]
    match = _IMAGE.match(line.rstrip("\r\n"))
    assert match is not None  # found above
    comment = match.group("comment") or ""
    lines[index] = f"{match.group('indent')}image: docker://{reference}{comment}{ending}"
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "reference", help="IMAGE@sha256:DIGEST, as docker/build-push-action reports"
    )
    parser.add_argument("--action", type=Path, default=Path("action.yml"))
    args = parser.parse_args(argv)
    try:
        text = args.action.read_bytes().decode("utf-8")  # line endings kept as they are
        pinned = pin_image(text, args.reference)
    except (OSError, ImagePinError) as exc:
        print(f"pin_image: {exc}", file=sys.stderr)
        return 1
    args.action.write_bytes(pinned.encode("utf-8"))
    print(f"{args.action}: runs.image = docker://{args.reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
