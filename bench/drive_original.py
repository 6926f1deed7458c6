"""Driver for the original gh-store (PyPI ``gh-store==0.11.3``, PyGithub): runs in bench/.venv-orig,
started by :mod:`bench.launch` (``python -m`` from the repository root would import this checkout's
``gh_store`` instead; this module refuses to run then).

Its ``GitHubStore.__init__`` calls ``Github(token)``, which would talk to api.github.com; this
driver swaps that name for a factory that points PyGithub at the emulator, with PyGithub's own
throttling either off or at its defaults and without PyGithub's retries (the emulator injects no
faults here, and a retry would hide a request). Commands and answers: see ``protocol.py``.
"""

from __future__ import annotations

import importlib
import importlib.resources
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from github import Auth, Consts, Github

from .protocol import serve, store_operations

#: PyGithub's pacing per throttling mode: (seconds between requests, seconds between writes).
THROTTLING = {
    "off": (0.0, 0.0),
    "defaults": (Consts.DEFAULT_SECONDS_BETWEEN_REQUESTS, Consts.DEFAULT_SECONDS_BETWEEN_WRITES),
}


def _check_original(package_file: str | None) -> None:
    # This checkout's gh_store shadowing the original would benchmark ours against itself.
    if package_file is None or not Path(package_file).resolve().is_relative_to(
        Path(sys.prefix).resolve()
    ):
        raise SystemExit(f"imported gh_store from {package_file}, not the original in {sys.prefix}")


_check_original(importlib.import_module("gh_store").__file__)

#: The original's module (typed loosely: this checkout's gh_store has the same name).
original_store: Any = importlib.import_module("gh_store.core.store")
_stores: dict[str, Any] = {}


def _github_factory(api_url: str, throttle: str) -> Callable[[str | None], Github]:
    between_requests, between_writes = THROTTLING[throttle]

    def make(token: str | None) -> Github:
        return Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url,
            retry=None,
            seconds_between_requests=between_requests,
            seconds_between_writes=between_writes,
        )

    return make


def _config_copy(path: Path) -> Path:
    # The original falls back to its packaged defaults only for its default path; an explicit
    # copy makes the file it reads visible in the bench output.
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        packaged = importlib.resources.files("gh_store").joinpath("default_config.yml")
        with packaged.open("rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target)
    return path


def open_store(command: Mapping[str, Any]) -> dict[str, Any]:
    original_store.Github = _github_factory(command["api_url"], command["throttle"])
    _stores[command["throttle"]] = original_store.GitHubStore(
        command["repo"],
        token=command["token"],
        config_path=_config_copy(Path(command["config_path"])),
        # Its default (2) refuses an update while more than two are pending; the client
        # benchmark updates an object with none pending, so this only matters for set-ups.
        max_concurrent_updates=10_000,
    )
    return {}


def catch_up(command: Mapping[str, Any]) -> dict[str, Any]:
    """What the original's users wrote themselves: every open object issue, one by one."""
    store = _stores[command["throttle"]]
    issues = list(store.repo.get_issues(state="open", labels=["stored-object"]))
    for issue in sorted(issues, key=lambda issue: issue.number):
        store.process_updates(issue.number)
    return {"processed": len(issues), "left": 0}


if __name__ == "__main__":
    serve({**store_operations(_stores, open_store), "catch_up": catch_up})
