"""Driver for this gh-store: runs in the project's venv and answers the same commands as
``drive_original.py`` (see ``protocol.py``), so both are measured the same way.

"Throttling off" sets ``rate_limit.min_write_interval`` to 0; "defaults" keeps the shipped 1 s.
``--api rest`` (the default here) or ``--api graphql`` sets ``store.api``: the two paths are
measured as two implementations. Started by :mod:`bench.launch` like the original's driver; it
measures this checkout only.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gh_store
from gh_store.client import GitHubStore
from gh_store.core.config import StoreConfig

from .protocol import serve, store_operations

_REPO_ROOT = Path(__file__).resolve().parent.parent
if not Path(gh_store.__file__ or "").resolve().is_relative_to(_REPO_ROOT):
    # A venv whose editable install points at another checkout would measure that one.
    raise SystemExit(f"imported gh_store from {gh_store.__file__}, not from {_REPO_ROOT}")

_stores: dict[str, GitHubStore] = {}
_api = ["rest"]


def config_for(throttle: str, api: str = "rest") -> StoreConfig:
    shipped = dataclasses.replace(StoreConfig(), api=api)
    if throttle == "defaults":
        return shipped
    return dataclasses.replace(
        shipped, rate_limit=dataclasses.replace(shipped.rate_limit, min_write_interval=0)
    )


def open_store(command: Mapping[str, Any]) -> dict[str, Any]:
    _stores[command["throttle"]] = GitHubStore(
        token=command["token"],
        repo=command["repo"],
        api_url=command["api_url"],
        config=config_for(command["throttle"], _api[0]),
    )
    return {}


def catch_up(command: Mapping[str, Any]) -> dict[str, Any]:
    done = _stores[command["throttle"]].process_all()
    return {"processed": len(done.reports), "left": len(done.left)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="bench.drive_ours")
    parser.add_argument("--api", choices=("rest", "graphql"), default="rest")
    _api[0] = parser.parse_args(sys.argv[1:]).api
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    serve({**store_operations(_stores, open_store), "catch_up": catch_up})
