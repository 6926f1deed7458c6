"""gh-store: JSON objects kept in GitHub issues.

The public names are imported on first use (PEP 562), so ``import gh_store`` (which the action does
on every event, most of them no-ops) does not load ghapi, jsonschema or PyYAML.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "1.1.0"

if TYPE_CHECKING:
    from .core.config import StoreConfig, load_config
    from .core.exceptions import (
        AccessDeniedError,
        AuthError,
        ConcurrentUpdateError,
        ConfigurationError,
        CorruptObjectError,
        DuplicateUIDError,
        GitHubAPIError,
        GitHubStoreError,
        InvalidUpdate,
        ObjectExistsError,
        ObjectNotFound,
        RateLimitError,
    )
    from .core.history import HistoryCheck
    from .core.merge_patch import apply_merge_patch
    from .core.processor import ProcessReport, UpdateOutcome
    from .core.store import GitHubStore
    from .core.types import ObjectMeta, StoredObject, Update

_HOMES = {
    "GitHubStore": ".core.store",
    "StoredObject": ".core.types",
    "ObjectMeta": ".core.types",
    "Update": ".core.types",
    "ProcessReport": ".core.processor",
    "UpdateOutcome": ".core.processor",
    "HistoryCheck": ".core.history",
    "StoreConfig": ".core.config",
    "load_config": ".core.config",
    "apply_merge_patch": ".core.merge_patch",
    **{
        name: ".core.exceptions"
        for name in (
            "AccessDeniedError",
            "AuthError",
            "ConcurrentUpdateError",
            "ConfigurationError",
            "CorruptObjectError",
            "DuplicateUIDError",
            "GitHubAPIError",
            "GitHubStoreError",
            "InvalidUpdate",
            "ObjectExistsError",
            "ObjectNotFound",
            "RateLimitError",
        )
    },
}

__all__ = [
    "AccessDeniedError",
    "AuthError",
    "ConcurrentUpdateError",
    "ConfigurationError",
    "CorruptObjectError",
    "DuplicateUIDError",
    "GitHubAPIError",
    "GitHubStore",
    "GitHubStoreError",
    "HistoryCheck",
    "InvalidUpdate",
    "ObjectExistsError",
    "ObjectMeta",
    "ObjectNotFound",
    "ProcessReport",
    "RateLimitError",
    "StoreConfig",
    "StoredObject",
    "Update",
    "UpdateOutcome",
    "__version__",
    "apply_merge_patch",
    "load_config",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'gh_store' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
