"""Run a module of the ``bench`` package in another venv, with that venv's packages first.

``VENV/bin/python -I bench/launch.py bench.drive_original ARG...`` runs ``bench.drive_original``
as ``__main__`` (as ``python -m`` would), with ``sys.argv`` = [its file, ARG...].

Why not ``python -m bench.drive_original`` from the repository root: ``-m`` puts the current
directory first on ``sys.path``, and the repository root holds this checkout's ``gh_store``, so
the original's driver would import ours and benchmark ours against itself. Here ``-I`` (isolated
mode) adds neither the current directory nor this script's directory nor ``PYTHONPATH``, and this
script *appends* the repository root: the venv's own ``gh_store`` always wins, and ``bench`` (which
no venv installs) is still found.

Run as a script, not imported from the package, so: stdlib only, no relative imports.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path

__all__ = ["REPO_ROOT", "main"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(f"usage: python -I {argv[0]} bench.MODULE [ARG...]")
    module = argv[1]
    if str(REPO_ROOT) not in sys.path:
        sys.path.append(str(REPO_ROOT))
    spec = importlib.util.find_spec(module)
    origin = Path(spec.origin).resolve() if spec is not None and spec.origin else None
    if origin is None or not origin.is_relative_to(REPO_ROOT):
        # A venv that installed a top-level ``bench`` would run its module instead of ours.
        raise SystemExit(f"{module} resolves to {origin}, not to a module under {REPO_ROOT}")
    sys.argv = argv[1:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv)
