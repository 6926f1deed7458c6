"""Driver for this gh-store: runs in the project's venv and answers the same commands as
``drive_original.py`` (see ``protocol.py``), so both are measured the same way.

"Throttling off" sets ``rate_limit.min_write_interval`` to 0; "defaults" keeps the shipped 1 s.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Mapping
from typing import Any

from protocol import serve

from gh_store.core.config import RateLimitConfig, StoreConfig
from gh_store.core.store import GitHubStore

_stores: dict[str, GitHubStore] = {}


def config_for(throttle: str) -> StoreConfig:
    if throttle == "defaults":
        return StoreConfig()
    return dataclasses.replace(StoreConfig(), rate_limit=RateLimitConfig(min_write_interval=0))


def open_store(command: Mapping[str, Any]) -> dict[str, Any]:
    _stores[command["throttle"]] = GitHubStore(
        command["repo"],
        command["token"],
        api_url=command["api_url"],
        config=config_for(command["throttle"]),
    )
    return {}


def create(command: Mapping[str, Any]) -> dict[str, Any]:
    stored = _stores[command["throttle"]].create(command["object_id"], command["data"])
    return {"issue_number": stored.meta.issue_number, "data": stored.data}


def get(command: Mapping[str, Any]) -> dict[str, Any]:
    return {"data": _stores[command["throttle"]].get(command["object_id"]).data}


def update(command: Mapping[str, Any]) -> dict[str, Any]:
    _stores[command["throttle"]].update(command["object_id"], command["changes"])
    return {}


def process(command: Mapping[str, Any]) -> dict[str, Any]:
    report = _stores[command["throttle"]].process_updates(command["issue_number"])
    return {"data": dict(report.data)}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    serve({"open": open_store, "create": create, "get": get, "update": update, "process": process})
