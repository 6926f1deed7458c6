"""One way to set up a store, for the client, the CLI and the action: config, schema, transport.

Paths are resolved against one base directory, documented in docs/client.md: the ``base_dir``
given, else ``$GITHUB_WORKSPACE`` (the repository's checkout in a workflow, where the action and
workflow steps run), else the current directory. That applies to the config file's path, to
``store.schema``, to a schema path given directly and to ``cache_dir``. Nothing here configures
logging: programs do (``gh_store.logs``); a library constructor changes no global state.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .core.config import APIS, StoreConfig, parse_config_text
from .core.exceptions import ConfigurationError

if TYPE_CHECKING:
    import httpx2

    from .core.schema import ObjectSchema
    from .transport.cache import ResponseCache
    from .transport.credentials import GitHubApp
    from .transport.port import GitHubTransport

__all__ = [
    "StoreSetup",
    "app_credentials",
    "app_from_options",
    "base_directory",
    "build_transport",
    "chosen_api",
    "load_config",
    "load_schema",
    "setup",
    "user_config_path",
]

_MAX_SCHEMA_FILES = 100

log = logging.getLogger("gh_store.config")


def base_directory(
    base_dir: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The directory relative paths are read from (see the module docstring)."""
    env = os.environ if environ is None else environ
    return Path(base_dir or env.get("GITHUB_WORKSPACE") or os.getcwd())


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``~/.config/gh-store/config.yml``: read when no config is named (not by the action)."""
    env = os.environ if environ is None else environ
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".config" / "gh-store" / "config.yml"


def load_config(
    path: Path | str | None = None, *, base_dir: Path | str | None = None
) -> StoreConfig:
    """Read the YAML config at ``path`` (relative to the base directory).

    ``None`` means the user's config file, and the defaults when there is none. A path that was
    asked for explicitly must exist: a typo there should not silently mean "defaults".
    """
    if path is None:
        default = user_config_path()
        return _read_config(default) if default.exists() else StoreConfig()
    return _read_config(_resolve(path, base_dir))


def load_schema(path: Path | str | PurePath, *, base_dir: Path | str | None = None) -> ObjectSchema:
    """Read a JSON Schema file, and the files beside it that its ``$ref`` name.

    Only files in the schema's own directory (or below it) are read; a reference anywhere else,
    on this machine or the network, is a ``ConfigurationError`` raised here, before any request.
    """
    from .core.schema import ObjectSchema, SchemaFileNeeded  # jsonschema: only with a schema

    schema_path = _resolve(path, base_dir)
    document = _read_json(schema_path, "schema file")
    home = schema_path.parent.resolve()
    resources: dict[str, Any] = {}
    while True:
        try:
            return ObjectSchema(document, source=str(schema_path), resources=resources)
        except SchemaFileNeeded as need:
            if need.uri in resources or len(resources) >= _MAX_SCHEMA_FILES:
                raise ConfigurationError(str(need)) from None
            target = (home / need.relative_path).resolve()
            if not target.is_relative_to(home) or need.relative_path.startswith("/"):
                raise ConfigurationError(
                    f"{schema_path}: $ref names {need.relative_path!r}, outside the schema's "
                    "directory; gh-store reads only files beside the schema"
                ) from None
            resources[need.uri] = _read_json(target, "schema file (named by a $ref)")


@dataclass(frozen=True)
class StoreSetup:
    """What a client, the CLI or the action works with."""

    config: StoreConfig
    schema: ObjectSchema | None
    transport: GitHubTransport


def setup(
    *,
    repo: str,
    token: str | GitHubApp | None,
    config: StoreConfig | None = None,
    config_path: Path | str | None = None,
    user_config: bool = True,
    schema: ObjectSchema | Path | str | None = None,
    api_url: str | None = None,
    base_dir: Path | str | None = None,
    transport: GitHubTransport | None = None,
    http_transport: httpx2.BaseTransport | None = None,
    cache: bool = True,
    cache_dir: Path | str | None = None,
    api: str | None = None,
    audience: str = "library",
) -> StoreSetup:
    """Resolve config, schema and transport; check all of them before any request.

    ``config`` wins over ``config_path``; without either, the user's config file when
    ``user_config`` (the action passes False: a job reads only what the workflow names).
    ``schema`` wins over ``store.schema``. ``transport`` replaces the built one; else one is built
    for ``api`` (``auto``, ``graphql`` or ``rest``; default ``store.api``): GraphQL with a token
    under ``auto``, REST without one (GitHub's GraphQL API takes no anonymous calls), over
    ``http_transport`` when given (the emulator's in-process transport in tests). Its REST reads
    keep GET answers for conditional requests (``transport/cache.py``): in memory, or in
    ``cache_dir`` across processes; ``cache=False`` keeps none. ``token`` may be a GitHub App's
    credentials (``GitHubApp``, see :func:`app_credentials`): its installation token is minted
    with the first request and renewed before it lapses. ``audience`` (``library``, ``action``
    or ``cli``) says whose fix an error's advice names (``transport/policy.py``).
    """
    base = base_directory(base_dir)
    if config is None:
        if config_path is not None or user_config:
            config = load_config(config_path, base_dir=base)
        else:
            config = StoreConfig()
    if isinstance(schema, str | PurePath):
        schema = load_schema(schema, base_dir=base)
    elif schema is None and config.schema is not None:
        schema = load_schema(config.schema, base_dir=base)
    if transport is not None and cache_dir is not None:
        raise ConfigurationError("cache_dir applies to the transport gh-store builds, not to yours")
    if transport is None:
        from .transport.cache import DiskCache

        kept: ResponseCache | bool = (
            DiskCache(_resolve(cache_dir, base_dir)) if cache and cache_dir is not None else cache
        )
        transport = build_transport(
            repo,
            token,
            config,
            api=api,
            api_url=api_url,
            http_transport=http_transport,
            cache=kept,
            audience=audience,
        )
    return StoreSetup(config=config, schema=schema, transport=transport)


def chosen_api(api: str, token: str | GitHubApp | None) -> str:
    """``graphql`` or ``rest`` for a ``store.api`` value: ``auto`` is GraphQL with a token."""
    if api not in APIS:
        raise ConfigurationError(f"the api must be one of {', '.join(APIS)}, got {api!r}")
    if api == "auto":
        present = token is not None and (not isinstance(token, str) or bool(token.strip()))
        return "graphql" if present else "rest"
    return api


def app_credentials(
    app_id: int | str | None,
    private_key: str | bytes | None,
    installation_id: int | str | None = None,
) -> GitHubApp | None:
    """A GitHub App's credentials from the client's, the CLI's or the action's arguments; None
    when no App is named. Half of them (an id without a key, or a key without an id) is a
    ``ConfigurationError``, as is a key that cannot be read (the message never shows it)."""
    given = [
        value is not None and (not isinstance(value, str | bytes) or bool(value.strip()))
        for value in (app_id, private_key, installation_id)
    ]
    if not any(given):
        return None
    if not (given[0] and given[1]):
        missing = "the App's private key" if given[0] else "the App's id"
        raise ConfigurationError(
            f"a GitHub App needs its id and its private key: {missing} is missing"
        )
    from .transport.credentials import GitHubApp

    return GitHubApp(app_id, private_key, installation_id)  # type: ignore[arg-type]


def app_from_options(
    app_id: str | None,
    private_key_file: Path | str | None,
    installation_id: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> GitHubApp | None:
    """The CLI's GitHub App: ``--app-id`` (else ``$GH_STORE_APP_ID``), the key read from
    ``--private-key-file`` (else the PEM text in ``$GH_STORE_APP_PRIVATE_KEY``) and
    ``--installation-id`` (else ``$GH_STORE_APP_INSTALLATION_ID``); None when no App is named."""
    env = os.environ if environ is None else environ
    key: str | None = env.get("GH_STORE_APP_PRIVATE_KEY")
    if private_key_file is not None:
        path = Path(private_key_file).expanduser()
        try:
            key = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not a PEM text file"
            raise ConfigurationError(
                f"{path}: cannot read the GitHub App's private key: {reason}"
            ) from None
    return app_credentials(
        app_id or env.get("GH_STORE_APP_ID"),
        key,
        installation_id or env.get("GH_STORE_APP_INSTALLATION_ID"),
    )


def build_transport(
    repo: str,
    token: str | GitHubApp | None,
    config: StoreConfig,
    *,
    api: str | None = None,
    api_url: str | None = None,
    http_transport: httpx2.BaseTransport | None = None,
    cache: ResponseCache | bool = True,
    audience: str = "library",
) -> GitHubTransport:
    """The transport ``api`` (default ``config.api``) names, set up as ``config`` says."""
    # ghapi and httpx2 are imported only here, where requests go.
    if chosen_api(api or config.api, token) == "graphql":
        from .transport.graphql import GraphQLTransport

        return GraphQLTransport(
            repo,
            token,
            api_url=api_url,
            mutations_per_request=config.graphql.mutations_per_request,
            retries=config.retries,
            rate_limit=config.rate_limit,
            http_transport=http_transport,
            fallback=(api or config.api) == "auto",
            cache=cache,
            audience=audience,
        )
    from .transport.rest import GhApiTransport

    return GhApiTransport(
        repo,
        token,
        api_url=api_url,
        retries=config.retries,
        rate_limit=config.rate_limit,
        http_transport=http_transport,
        cache=cache,
        audience=audience,
    )


def _resolve(path: Path | str | PurePath, base_dir: Path | str | None) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else base_directory(base_dir) / path


def _read_config(path: Path) -> StoreConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigurationError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read config file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: config file is not UTF-8: {exc.reason}") from None
    config = parse_config_text(text, source=str(path))
    for warning in config.warnings:  # once per reading of the file: it is read once per store
        log.warning("%s", warning)
    return config


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise ConfigurationError(f"{path}: is a directory, not a {what}") from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read {what}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: {what} is not UTF-8: {exc.reason}") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigurationError(f"{path}: {what} is not JSON: {exc}") from None
