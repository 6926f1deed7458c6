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

from protocol import serve, store_operations

from gh_store.client import GitHubStore
from gh_store.core.config import RateLimitConfig, StoreConfig

_stores: dict[str, GitHubStore] = {}


def config_for(throttle: str) -> StoreConfig:
    if throttle == "defaults":
        return StoreConfig()
    return dataclasses.replace(StoreConfig(), rate_limit=RateLimitConfig(min_write_interval=0))


def open_store(command: Mapping[str, Any]) -> dict[str, Any]:
    _stores[command["throttle"]] = GitHubStore(
        token=command["token"],
        repo=command["repo"],
        api_url=command["api_url"],
        config=config_for(command["throttle"]),
    )
    return {}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    serve(store_operations(_stores, open_store))
