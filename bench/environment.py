"""The bench's own virtual environment for the original gh-store, and facts about this machine.

``bench/.venv-orig`` holds ``gh-store==0.11.3`` (with the PyGithub it pins) and matplotlib, which
draws the plots. It is made once and reused while its packages import at the right version.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .drivers import BENCH_DIR

__all__ = ["ORIGINAL_VENV", "ORIGINAL_VERSION", "ensure_original_venv", "machine_facts"]

ORIGINAL_VERSION = "0.11.3"
ORIGINAL_VENV = BENCH_DIR / ".venv-orig"
_PACKAGES = (f"gh-store=={ORIGINAL_VERSION}", "matplotlib")
_PROBE = (
    "import importlib.metadata as m, platform, json; "
    "print(json.dumps({'python': platform.python_version(), "
    "'gh-store': m.version('gh-store'), 'PyGithub': m.version('PyGithub'), "
    "'matplotlib': m.version('matplotlib')}))"
)


def ensure_original_venv(progress: Any) -> Path:
    """The venv's python, after making or repairing the venv if needed."""
    python = ORIGINAL_VENV / "bin" / "python"
    if _versions(python).get("gh-store") == ORIGINAL_VERSION:
        return python
    progress(f"making {ORIGINAL_VENV} with {', '.join(_PACKAGES)} (once) ...")
    if not python.exists():
        subprocess.run([_base_python(), "-m", "venv", str(ORIGINAL_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *_PACKAGES],
        check=True,
    )
    if _versions(python).get("gh-store") != ORIGINAL_VERSION:
        raise RuntimeError(f"{ORIGINAL_VENV}: gh-store {ORIGINAL_VERSION} did not install")
    return python


def machine_facts(original_python: Path) -> dict[str, Any]:
    import ghapi

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "python_ours": platform.python_version(),
        "ghapi": getattr(ghapi, "__version__", "?"),
        "original": _versions(original_python),
        "commit": _commit(),
    }


def _versions(python: Path) -> dict[str, str]:
    if not python.exists():
        return {}
    # ``-I``: ``-c`` would otherwise put the current directory first, and from the repository
    # root that finds this checkout's gh_store (and its metadata) before the venv's.
    probe = subprocess.run(
        [str(python), "-I", "-c", _PROBE], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return {}
    versions: dict[str, str] = json.loads(probe.stdout)
    return versions


def _base_python() -> str:
    # A venv made from inside the project's venv would be based on it; use the interpreter below.
    return getattr(sys, "_base_executable", sys.executable)


def _commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=BENCH_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() if found.returncode == 0 else "unknown"
