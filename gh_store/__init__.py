"""gh-store: JSON objects kept in GitHub issues.

The public names are imported on first use (PEP 562), so ``import gh_store`` (which the action does
on every event, most of them no-ops) does not load ghapi, jsonschema or PyYAML. ``_PUBLIC`` is the
one list of them: ``__all__`` and the lazy look-up both come from it.

The layers (docs/architecture.md): ``gh_store.core`` is pure (codec, merge patch, naming, config,
schema, planner, trust rules, and the flows that decide what to ask GitHub); ``gh_store.transport``
is the port and its REST adapter; ``gh_store.driver`` performs what flows need; the client
(``gh_store.client``), the CLI and the action sit on top, set up by ``gh_store.configure``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "1.1.0"

if TYPE_CHECKING:  # the "X as X" form re-exports each name for type checkers
    from .client import GitHubStore as GitHubStore
    from .configure import load_config as load_config
    from .configure import load_schema as load_schema
    from .core.config import StoreConfig as StoreConfig
    from .core.exceptions import AccessDeniedError as AccessDeniedError
    from .core.exceptions import AuthError as AuthError
    from .core.exceptions import ConcurrentUpdateError as ConcurrentUpdateError
    from .core.exceptions import ConfigurationError as ConfigurationError
    from .core.exceptions import CorruptObjectError as CorruptObjectError
    from .core.exceptions import DuplicateUIDError as DuplicateUIDError
    from .core.exceptions import GitHubAPIError as GitHubAPIError
    from .core.exceptions import GitHubStoreError as GitHubStoreError
    from .core.exceptions import InvalidObjectId as InvalidObjectId
    from .core.exceptions import InvalidUpdate as InvalidUpdate
    from .core.exceptions import ObjectExistsError as ObjectExistsError
    from .core.exceptions import ObjectNotFound as ObjectNotFound
    from .core.exceptions import RateLimitError as RateLimitError
    from .core.exceptions import UpdateNotTrusted as UpdateNotTrusted
    from .core.exceptions import UpdatePending as UpdatePending
    from .core.exceptions import UpdateRejected as UpdateRejected
    from .core.exceptions import VersionConflict as VersionConflict
    from .core.exceptions import WaitTimeout as WaitTimeout
    from .core.history import HistoryCheck as HistoryCheck
    from .core.merge_patch import apply_merge_patch as apply_merge_patch
    from .core.planner import UpdateOutcome as UpdateOutcome
    from .core.report import ProcessReport as ProcessReport
    from .core.schema import ObjectSchema as ObjectSchema
    from .core.types import ObjectMeta as ObjectMeta
    from .core.types import StoredObject as StoredObject
    from .core.types import Update as Update
    from .core.waiting import PostedUpdate as PostedUpdate
    from .core.waiting import UpdatedObject as UpdatedObject
    from .transport.credentials import GitHubApp as GitHubApp
    from .transport.port import GitHubTransport as GitHubTransport

_EXCEPTIONS = (
    "AccessDeniedError",
    "AuthError",
    "ConcurrentUpdateError",
    "ConfigurationError",
    "CorruptObjectError",
    "DuplicateUIDError",
    "GitHubAPIError",
    "GitHubStoreError",
    "InvalidObjectId",
    "InvalidUpdate",
    "ObjectExistsError",
    "ObjectNotFound",
    "RateLimitError",
    "UpdateNotTrusted",
    "UpdatePending",
    "UpdateRejected",
    "VersionConflict",
    "WaitTimeout",
)

#: Every public name and the module it lives in.
_PUBLIC = {
    "GitHubStore": ".client",
    "StoredObject": ".core.types",
    "ObjectMeta": ".core.types",
    "Update": ".core.types",
    "PostedUpdate": ".core.waiting",
    "UpdatedObject": ".core.waiting",
    "ProcessReport": ".core.report",
    "UpdateOutcome": ".core.planner",
    "HistoryCheck": ".core.history",
    "StoreConfig": ".core.config",
    "ObjectSchema": ".core.schema",
    "GitHubTransport": ".transport.port",
    "GitHubApp": ".transport.credentials",
    "load_config": ".configure",
    "load_schema": ".configure",
    "apply_merge_patch": ".core.merge_patch",
    **dict.fromkeys(_EXCEPTIONS, ".core.exceptions"),
}

__all__ = sorted([*_PUBLIC, "__version__"])


def __getattr__(name: str) -> Any:
    home = _PUBLIC.get(name)
    if home is None:
        raise AttributeError(f"module 'gh_store' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


class _OriginalStoreModule(types.ModuleType):
    """``gh_store.core.store``, where the original gh-store kept ``GitHubStore``.

    The client is not part of the pure core any more; this alias keeps the original's
    ``from gh_store.core.store import GitHubStore`` working without a module in ``core`` that
    reaches out of it. Loads the client on first use only.
    """

    def __getattr__(self, name: str) -> Any:
        if name == "GitHubStore":
            from .client import GitHubStore

            return GitHubStore
        raise AttributeError(f"module 'gh_store.core.store' has no attribute {name!r}")


sys.modules.setdefault(f"{__name__}.core.store", _OriginalStoreModule(f"{__name__}.core.store"))
