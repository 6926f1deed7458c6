"""The store's settings: defaults, the YAML file, and validation of every key.

Defaults live here and nowhere else. Pure: ``parse_config`` takes a parsed document and
``parse_config_text`` the file's text (reading the file is ``gh_store.configure``'s job). Every key
is either used or refused: an unknown key or a wrong type raises ``ConfigurationError`` naming the
key and the file.

The file looks like ``DEFAULT_CONFIG_FILE`` below (every key optional, each at its default), which
``gh-store init`` writes.

The original gh-store 0.11's file (what its ``init`` writes) is read unchanged:
``store.processed_reaction`` (its spelling) is accepted for ``store.reactions.processed``, and a
key of its that no longer means anything (``store.reactions.initial_state``) is ignored and named in
``StoreConfig.warnings``, which the reader of the file logs once (``gh_store.configure``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from .constants import DEFAULT_BASE_LABEL, DEFAULT_UID_PREFIX
from .exceptions import ConfigurationError
from .json_text import MAX_NUMBER_DIGITS

__all__ = [
    "APIS",
    "DEFAULT_CONFIG_FILE",
    "PERMISSION_LEVELS",
    "REACTIONS",
    "GraphQLConfig",
    "LogConfig",
    "RateLimitConfig",
    "ReactionConfig",
    "RepliesConfig",
    "RetryConfig",
    "StoreConfig",
    "TrustConfig",
    "parse_config",
    "parse_config_text",
]

#: The reactions GitHub accepts on a comment.
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")

#: Repository roles, weakest first (GitHub's ``role_name``).
PERMISSION_LEVELS = ("none", "read", "triage", "write", "maintain", "admin")

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

#: ``store.api``: which GitHub API the store uses; ``auto`` is GraphQL when there is a token
#: (GitHub's GraphQL API takes no anonymous calls), else REST.
APIS = ("auto", "graphql", "rest")

#: Keys of the original gh-store's config that no longer mean anything, and why: ignored, with a
#: warning, so a file the original's ``init`` wrote keeps working.
_RETIRED_KEYS = {
    "store.reactions.initial_state": (
        "the original gh-store's reaction on an object's creation comment; gh-store 1.x does not "
        "mark creation comments (it never reads them as updates), so the key is ignored: delete "
        "it to silence this warning"
    ),
}


#: The file ``gh-store init`` writes: every key at its default, so a user sees what there is to
#: change. It reads back as ``StoreConfig()`` (tested), so editing one line changes one setting.
DEFAULT_CONFIG_FILE = """\
# gh-store config: every key is optional; each is shown here at its default.
# See docs/client.md in gh-store's repository for what each one does.
store:
  base_label: stored-object        # label every object issue carries
  uid_prefix: "UID:"               # prefix of the label that names the object id
  reactions:
    processed: "+1"                # on each applied update
    rejected: "-1"                 # on each broken or schema-invalid update
    untrusted: "eyes"              # on each update from a user who may not write
  retries:
    max_attempts: 3                # tries per request, the first included
    backoff_factor: 2              # seconds; attempt k waits factor * 2**(k-1)
  rate_limit:
    max_requests_per_hour: 1000    # pace requests to stay under this (0: no pacing)
    min_write_interval: 1.0        # seconds between writes, GitHub's advice
  log:
    level: INFO                    # DEBUG INFO WARNING ERROR CRITICAL
    format: "{time} | {level} | {message}"
  trust:
    min_permission: write          # read|triage|write|maintain|admin
    users: []                      # logins trusted whatever their permission
    require_trusted_issue_author: true
  schema: null                     # path to a JSON Schema for every object
  api: auto                        # auto|graphql|rest
  graphql:
    mutations_per_request: 50      # writes per GraphQL request
  replies:
    on_reject: false               # reply on the issue with each rejected update's reason
"""


@dataclass(frozen=True)
class RetryConfig:
    max_attempts: int = 3
    backoff_factor: float = 2.0


@dataclass(frozen=True)
class RateLimitConfig:
    max_requests_per_hour: int = 1000
    min_write_interval: float = 1.0


@dataclass(frozen=True)
class GraphQLConfig:
    # GitHub documents no limit on mutations per request; its secondary limits count requests
    # (5 points each with mutations) and content created. 50 makes 101 writes three requests.
    mutations_per_request: int = 50


@dataclass(frozen=True)
class LogConfig:
    level: str = "INFO"
    format: str = "{time} | {level} | {message}"


@dataclass(frozen=True)
class ReactionConfig:
    processed: str = "+1"
    rejected: str = "-1"
    untrusted: str = "eyes"


@dataclass(frozen=True)
class TrustConfig:
    min_permission: str = "write"
    users: tuple[str, ...] = ()
    require_trusted_issue_author: bool = True


@dataclass(frozen=True)
class RepliesConfig:
    on_reject: bool = False


@dataclass(frozen=True)
class StoreConfig:
    base_label: str = DEFAULT_BASE_LABEL
    uid_prefix: str = DEFAULT_UID_PREFIX
    reactions: ReactionConfig = field(default_factory=ReactionConfig)
    retries: RetryConfig = field(default_factory=RetryConfig)
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)
    log: LogConfig = field(default_factory=LogConfig)
    trust: TrustConfig = field(default_factory=TrustConfig)
    #: As written in the file: ``gh_store.configure`` resolves it against the documented base.
    schema: PurePath | None = None
    api: str = "auto"
    graphql: GraphQLConfig = field(default_factory=GraphQLConfig)
    replies: RepliesConfig = field(default_factory=RepliesConfig)
    source: str = "<defaults>"
    #: What the file held that is ignored (a key of the original gh-store's that no longer means
    #: anything), each naming the file and the key: for the reader of the file to log.
    warnings: tuple[str, ...] = ()


def parse_config_text(text: str, source: str = "<config>") -> StoreConfig:
    """Parse the YAML ``text`` of a config file and validate it."""
    import yaml  # here: a run with no config file does not pay for PyYAML

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise ConfigurationError(f"{source}: nested too deeply to be a gh-store config") from None
    except ValueError as exc:
        # PyYAML converts numbers and dates itself: a number of thousands of digits raises
        # Python's own ValueError (which names sys.set_int_max_str_digits), a 2024-13-45 another.
        raise ConfigurationError(f"{source}: {_unreadable_value(exc)}") from None
    return parse_config(document, source=source)


def _unreadable_value(exc: ValueError) -> str:
    if "digits" in str(exc):
        return (
            f"it holds a number longer than the {MAX_NUMBER_DIGITS} digits gh-store reads; "
            "no setting takes one"
        )
    return "it holds a value YAML reads as a number or a date, but it is not a valid one"


def parse_config(document: Any, source: str = "<config>") -> StoreConfig:
    """Validate a parsed config document and build the ``StoreConfig`` it describes."""
    if document is None:
        return StoreConfig(source=source)
    reader = _Reader(source)
    top = reader.mapping(document, "")
    reader.only(top, "", {"store"})
    store = reader.mapping(top.get("store", {}), "store")
    reader.only(
        store,
        "store",
        {
            "base_label",
            "uid_prefix",
            "processed_reaction",
            "reactions",
            "retries",
            "rate_limit",
            "log",
            "trust",
            "schema",
            "api",
            "graphql",
            "replies",
        },
    )
    defaults = StoreConfig()

    reactions_doc = reader.mapping(store.get("reactions", {}), "store.reactions")
    reader.only(reactions_doc, "store.reactions", {"processed", "rejected", "untrusted"})
    processed = defaults.reactions.processed
    if "processed_reaction" in store:
        processed = reader.reaction(store["processed_reaction"], "store.processed_reaction")
    if "processed" in reactions_doc:
        spelled = reader.reaction(reactions_doc["processed"], "store.reactions.processed")
        if "processed_reaction" in store and spelled != processed:
            reader.fail(
                "store.processed_reaction",
                "conflicts with store.reactions.processed; keep one of them",
            )
        processed = spelled
    reactions = ReactionConfig(
        processed=processed,
        rejected=reader.reaction(
            reactions_doc.get("rejected", defaults.reactions.rejected), "store.reactions.rejected"
        ),
        untrusted=reader.reaction(
            reactions_doc.get("untrusted", defaults.reactions.untrusted),
            "store.reactions.untrusted",
        ),
    )
    if len({reactions.processed, reactions.rejected, reactions.untrusted}) != 3:
        reader.fail("store.reactions", "processed, rejected and untrusted must differ")

    retries_doc = reader.mapping(store.get("retries", {}), "store.retries")
    reader.only(retries_doc, "store.retries", {"max_attempts", "backoff_factor"})
    retries = RetryConfig(
        max_attempts=reader.integer(
            retries_doc.get("max_attempts", defaults.retries.max_attempts),
            "store.retries.max_attempts",
            minimum=1,
        ),
        backoff_factor=reader.number(
            retries_doc.get("backoff_factor", defaults.retries.backoff_factor),
            "store.retries.backoff_factor",
        ),
    )

    rate_doc = reader.mapping(store.get("rate_limit", {}), "store.rate_limit")
    reader.only(rate_doc, "store.rate_limit", {"max_requests_per_hour", "min_write_interval"})
    rate_limit = RateLimitConfig(
        max_requests_per_hour=reader.integer(
            rate_doc.get("max_requests_per_hour", defaults.rate_limit.max_requests_per_hour),
            "store.rate_limit.max_requests_per_hour",
            minimum=0,
        ),
        min_write_interval=reader.number(
            rate_doc.get("min_write_interval", defaults.rate_limit.min_write_interval),
            "store.rate_limit.min_write_interval",
        ),
    )

    log_doc = reader.mapping(store.get("log", {}), "store.log")
    reader.only(log_doc, "store.log", {"level", "format"})
    level = reader.string(log_doc.get("level", defaults.log.level), "store.log.level").upper()
    if level not in _LOG_LEVELS:
        reader.fail("store.log.level", f"must be one of {', '.join(_LOG_LEVELS)}, got {level!r}")
    log = LogConfig(
        level=level,
        format=reader.string(log_doc.get("format", defaults.log.format), "store.log.format"),
    )

    trust_doc = reader.mapping(store.get("trust", {}), "store.trust")
    reader.only(
        trust_doc, "store.trust", {"min_permission", "users", "require_trusted_issue_author"}
    )
    min_permission = reader.string(
        trust_doc.get("min_permission", defaults.trust.min_permission), "store.trust.min_permission"
    )
    if min_permission not in PERMISSION_LEVELS[1:]:
        reader.fail(
            "store.trust.min_permission",
            f"must be one of {', '.join(PERMISSION_LEVELS[1:])}, got {min_permission!r}",
        )
    users_doc = trust_doc.get("users", [])
    if not isinstance(users_doc, list):
        reader.fail("store.trust.users", f"expected a list of logins, got {_kind(users_doc)}")
    trust = TrustConfig(
        min_permission=min_permission,
        users=tuple(reader.string(u, f"store.trust.users[{i}]") for i, u in enumerate(users_doc)),
        require_trusted_issue_author=reader.boolean(
            trust_doc.get(
                "require_trusted_issue_author", defaults.trust.require_trusted_issue_author
            ),
            "store.trust.require_trusted_issue_author",
        ),
    )

    api = reader.string(store.get("api", defaults.api), "store.api")
    if api not in APIS:
        reader.fail("store.api", f"must be one of {', '.join(APIS)}, got {api!r}")
    graphql_doc = reader.mapping(store.get("graphql", {}), "store.graphql")
    reader.only(graphql_doc, "store.graphql", {"mutations_per_request"})
    graphql = GraphQLConfig(
        mutations_per_request=reader.integer(
            graphql_doc.get("mutations_per_request", defaults.graphql.mutations_per_request),
            "store.graphql.mutations_per_request",
            minimum=1,
        )
    )

    replies_doc = reader.mapping(store.get("replies", {}), "store.replies")
    reader.only(replies_doc, "store.replies", {"on_reject"})
    replies = RepliesConfig(
        on_reject=reader.boolean(
            replies_doc.get("on_reject", defaults.replies.on_reject), "store.replies.on_reject"
        )
    )

    schema_doc = store.get("schema")
    schema = None if schema_doc is None else PurePath(reader.string(schema_doc, "store.schema"))

    base_label = reader.label(store.get("base_label", defaults.base_label), "store.base_label")
    uid_prefix = reader.string(store.get("uid_prefix", defaults.uid_prefix), "store.uid_prefix")
    if "," in uid_prefix or len(uid_prefix) >= 50:
        reader.fail("store.uid_prefix", "must be shorter than 50 characters, without commas")
    if base_label.startswith(uid_prefix):
        # The base label would then read as an object id label.
        reader.fail("store.base_label", f"must not start with store.uid_prefix {uid_prefix!r}")

    return StoreConfig(
        base_label=base_label,
        uid_prefix=uid_prefix,
        reactions=reactions,
        retries=retries,
        rate_limit=rate_limit,
        log=log,
        trust=trust,
        schema=schema,
        api=api,
        graphql=graphql,
        replies=replies,
        source=source,
        warnings=tuple(reader.warnings),
    )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: f"the number {value!r}",
        float: f"the number {value!r}",
    }.get(type(value), f"a {type(value).__name__}")


class _Reader:
    """Typed access to the document; every failure names the key and the file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []

    def fail(self, key: str, problem: str) -> None:
        where = f"{key}: " if key else ""
        raise ConfigurationError(f"{self.source}: {where}{problem}")

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if value is None and key:
            # `store:` with every line under it commented out: an empty section, not an error.
            return {}
        if not isinstance(value, dict):
            self.fail(key or "top level", f"expected a mapping, got {_kind(value)}")
        for name in value:
            if not isinstance(name, str):
                self.fail(key or "top level", f"keys must be strings, got {name!r}")
        return dict(value)

    def only(self, mapping: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for name in mapping:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                if full in _RETIRED_KEYS:
                    self.warnings.append(f"{self.source}: {full}: {_RETIRED_KEYS[full]}")
                    continue
                self.fail(full, f"unknown key (allowed here: {', '.join(sorted(allowed))})")

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value:
            self.fail(key, f"expected a non-empty string, got {_kind(value)}")
        return str(value)

    def integer(self, value: Any, key: str, *, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {_kind(value)}")
        if value < minimum:
            self.fail(key, f"must be at least {minimum}, got {value}")
        return int(value)

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"expected a number of seconds, got {_kind(value)}")
        if value < 0:
            self.fail(key, f"must not be negative, got {value}")
        return float(value)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {_kind(value)}")
        return bool(value)

    def reaction(self, value: Any, key: str) -> str:
        if value in (1, -1) and not isinstance(value, bool):
            # YAML reads an unquoted +1 or -1 as a number.
            self.fail(key, f'got the number {value}; quote the reaction, e.g. "{value:+d}"')
        text = self.string(value, key)
        if text not in REACTIONS:
            self.fail(key, f"must be one of {' '.join(REACTIONS)}, got {text!r}")
        return text

    def label(self, value: Any, key: str) -> str:
        text = self.string(value, key)
        if "," in text or len(text) > 50:
            self.fail(key, "a label has at most 50 characters and no commas")
        return text
