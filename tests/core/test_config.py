"""Config: defaults, every key, every refusal (naming the key and the file), and loading files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gh_store.configure import load_config
from gh_store.core.config import (
    PERMISSION_LEVELS,
    LogConfig,
    RateLimitConfig,
    ReactionConfig,
    RetryConfig,
    StoreConfig,
    TrustConfig,
    parse_config,
    parse_config_text,
)
from gh_store.core.exceptions import ConfigurationError

ORIGINAL_DEFAULT_CONFIG = (
    Path(__file__).parent.parent / "fixtures" / "original-gh-store" / "default_config.yml"
)


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "gh-store.yml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_defaults() -> None:
    config = StoreConfig()
    assert config.base_label == "stored-object"
    assert config.uid_prefix == "UID:"
    assert config.reactions == ReactionConfig(processed="+1", rejected="-1", untrusted="eyes")
    assert config.retries == RetryConfig(max_attempts=3, backoff_factor=2.0)
    assert config.rate_limit == RateLimitConfig(max_requests_per_hour=1000, min_write_interval=1.0)
    assert config.log == LogConfig(level="INFO", format="{time} | {level} | {message}")
    assert config.trust == TrustConfig(
        min_permission="write", users=(), require_trusted_issue_author=True
    )
    assert config.schema is None


@pytest.mark.parametrize("document", [None, {}, {"store": {}}])
def test_empty_documents_give_defaults(document: Any) -> None:
    config = parse_config(document, source="cfg.yml")
    assert config == StoreConfig(source="cfg.yml")


def test_every_key_set(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "store": {
                "base_label": "my-object",
                "uid_prefix": "id/",
                "reactions": {"processed": "rocket", "rejected": "confused", "untrusted": "laugh"},
                "retries": {"max_attempts": 5, "backoff_factor": 0.5},
                "rate_limit": {"max_requests_per_hour": 0, "min_write_interval": 0},
                "log": {"level": "debug", "format": "{message}"},
                "trust": {
                    "min_permission": "maintain",
                    "users": ["alice", "bob"],
                    "require_trusted_issue_author": False,
                },
                "schema": "schemas/object.json",
            }
        },
    )
    assert load_config(path) == StoreConfig(
        base_label="my-object",
        uid_prefix="id/",
        reactions=ReactionConfig(processed="rocket", rejected="confused", untrusted="laugh"),
        retries=RetryConfig(max_attempts=5, backoff_factor=0.5),
        rate_limit=RateLimitConfig(max_requests_per_hour=0, min_write_interval=0.0),
        log=LogConfig(level="DEBUG", format="{message}"),
        trust=TrustConfig(
            min_permission="maintain", users=("alice", "bob"), require_trusted_issue_author=False
        ),
        schema=Path("schemas/object.json"),
        source=str(path),
    )


@pytest.mark.parametrize(
    ("store", "key"),
    [
        ({"base_label": 5}, "store.base_label"),
        ({"base_label": ""}, "store.base_label"),
        ({"base_label": "a,b"}, "store.base_label"),
        ({"base_label": "x" * 51}, "store.base_label"),
        ({"uid_prefix": ["UID:"]}, "store.uid_prefix"),
        ({"uid_prefix": "U,"}, "store.uid_prefix"),
        ({"uid_prefix": "x" * 50}, "store.uid_prefix"),
        ({"base_label": "UID:all"}, "store.base_label"),
        ({"reactions": "+1"}, "store.reactions"),
        ({"reactions": {"processed": "thumbsup"}}, "store.reactions.processed"),
        ({"reactions": {"processed": 1}}, "store.reactions.processed"),
        ({"reactions": {"rejected": -1}}, "store.reactions.rejected"),
        ({"reactions": {"untrusted": None}}, "store.reactions.untrusted"),
        ({"retries": []}, "store.retries"),
        ({"retries": {"max_attempts": "3"}}, "store.retries.max_attempts"),
        ({"retries": {"max_attempts": 0}}, "store.retries.max_attempts"),
        ({"retries": {"max_attempts": 2.5}}, "store.retries.max_attempts"),
        ({"retries": {"max_attempts": True}}, "store.retries.max_attempts"),
        ({"retries": {"backoff_factor": "2"}}, "store.retries.backoff_factor"),
        ({"retries": {"backoff_factor": -1}}, "store.retries.backoff_factor"),
        ({"rate_limit": {"max_requests_per_hour": -1}}, "store.rate_limit.max_requests_per_hour"),
        ({"rate_limit": {"min_write_interval": False}}, "store.rate_limit.min_write_interval"),
        ({"log": {"level": "LOUD"}}, "store.log.level"),
        ({"log": {"level": 10}}, "store.log.level"),
        ({"log": {"format": ""}}, "store.log.format"),
        ({"trust": {"min_permission": "none"}}, "store.trust.min_permission"),
        ({"trust": {"min_permission": "owner"}}, "store.trust.min_permission"),
        ({"trust": {"users": "alice"}}, "store.trust.users"),
        ({"trust": {"users": ["alice", 7]}}, "store.trust.users[1]"),
        ({"trust": {"require_trusted_issue_author": "yes please"}}, "store.trust.require_"),
        ({"schema": 5}, "store.schema"),
        ({"schema": ""}, "store.schema"),
    ],
)
def test_wrong_values_name_the_key_and_the_file(
    tmp_path: Path, store: dict[str, Any], key: str
) -> None:
    path = _write(tmp_path, {"store": store})
    with pytest.raises(ConfigurationError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {key}")


@pytest.mark.parametrize(
    ("document", "key"),
    [
        ({"stor": {}}, "stor"),
        ({"store": {"base_lable": "x"}}, "store.base_lable"),
        ({"store": {"reactions": {"done": "+1"}}}, "store.reactions.done"),
        ({"store": {"retries": {"attempts": 3}}}, "store.retries.attempts"),
        ({"store": {"rate_limit": {"per_hour": 3}}}, "store.rate_limit.per_hour"),
        ({"store": {"log": {"file": "x"}}}, "store.log.file"),
        ({"store": {"trust": {"teams": []}}}, "store.trust.teams"),
    ],
)
def test_unknown_keys_are_refused(tmp_path: Path, document: Any, key: str) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(ConfigurationError, match="unknown key") as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {key}: unknown key (allowed here: ")


def test_an_empty_section_means_defaults() -> None:
    # YAML reads `store:` with everything below it commented out as null.
    assert parse_config({"store": None}, source="cfg.yml") == StoreConfig(source="cfg.yml")
    assert parse_config({"store": {"retries": None}}, source="c") == StoreConfig(source="c")


@pytest.mark.parametrize("document", [[1, 2], "store", 5, {"store": [1]}])
def test_documents_of_the_wrong_shape(document: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^cfg\.yml: .*expected a mapping"):
        parse_config(document, source="cfg.yml")


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="keys must be strings"):
        parse_config({"store": {1: "x"}}, source="cfg.yml")


def test_unquoted_plus_one_gets_a_hint() -> None:
    with pytest.raises(ConfigurationError, match=r'quote the reaction, e\.g\. "\+1"'):
        parse_config(yaml.safe_load("store:\n  reactions:\n    processed: +1\n"))


# --- processed_reaction, the original's spelling ----------------------------------------------


def test_processed_reaction_is_the_original_spelling() -> None:
    config = parse_config({"store": {"processed_reaction": "heart"}})
    assert config.reactions.processed == "heart"


def test_both_spellings_agreeing_are_accepted() -> None:
    config = parse_config(
        {"store": {"processed_reaction": "heart", "reactions": {"processed": "heart"}}}
    )
    assert config.reactions.processed == "heart"


def test_both_spellings_disagreeing_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"store\.processed_reaction: conflicts with"):
        parse_config({"store": {"processed_reaction": "heart", "reactions": {"processed": "+1"}}})


def test_original_spelling_is_validated() -> None:
    with pytest.raises(ConfigurationError, match=r"store\.processed_reaction: must be one of"):
        parse_config({"store": {"processed_reaction": "thumbsup"}})


@pytest.mark.parametrize(
    "reactions",
    [
        {"processed": "-1"},
        {"rejected": "+1"},
        {"untrusted": "+1"},
        {"rejected": "eyes"},
        {"processed": "heart", "rejected": "heart", "untrusted": "heart"},
    ],
)
def test_reactions_must_differ(reactions: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match=r"store\.reactions: .* must differ"):
        parse_config({"store": {"reactions": reactions}})


def test_processed_reaction_colliding_with_another_reaction_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="must differ"):
        parse_config({"store": {"processed_reaction": "eyes"}})


@pytest.mark.parametrize("level", PERMISSION_LEVELS[1:])
def test_min_permission_values(level: str) -> None:
    config = parse_config({"store": {"trust": {"min_permission": level}}})
    assert config.trust.min_permission == level


# --- load_config -------------------------------------------------------------------------------


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.yml"
    with pytest.raises(
        ConfigurationError, match=rf"^{re.escape(str(path))}: config file not found"
    ):
        load_config(path)


def test_missing_default_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_config() == StoreConfig()


def test_present_default_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / ".config" / "gh-store" / "config.yml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump({"store": {"base_label": "from-default-file"}}))
    config = load_config()
    assert config.base_label == "from-default-file"
    assert config.source == str(path)


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("store:\n  base_label: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=rf"^{re.escape(str(path))}: not valid YAML"):
        load_config(path)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"])
def test_empty_file_gives_defaults(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.yml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path) == StoreConfig(source=str(path))


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=rf"^{re.escape(str(tmp_path))}: is a directory, not a config"
    ):
        load_config(tmp_path)


def test_relative_paths_are_read_from_the_base_directory(tmp_path: Path) -> None:
    _write(tmp_path, {"store": {"base_label": "relative"}})
    assert load_config("gh-store.yml", base_dir=tmp_path).base_label == "relative"


def test_a_config_nested_beyond_the_parser_is_one_clear_error() -> None:
    deep = "a: " + "[" * 5000 + "]" * 5000
    with pytest.raises(ConfigurationError, match=r"^deep\.yml: (nested too deeply|not valid)"):
        parse_config_text(deep, source="deep.yml")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yml"
    path.write_bytes("store:\n  base_label: café\n".encode("latin-1"))
    with pytest.raises(
        ConfigurationError, match=rf"^{re.escape(str(path))}: config file is not UTF-8"
    ):
        load_config(path)


# --- the original gh-store's default config ----------------------------------------------------


def test_original_default_config_is_read_and_names_its_retired_key() -> None:
    config = load_config(ORIGINAL_DEFAULT_CONFIG)
    (warning,) = config.warnings
    assert warning.startswith(f"{ORIGINAL_DEFAULT_CONFIG}: store.reactions.initial_state: ")
    assert "ignored" in warning


def test_original_config_without_initial_state_is_honoured() -> None:
    # The original's default file (gh-store 0.11.3, default_config.yml) minus the retired key.
    document = yaml.safe_load(
        """
store:
  base_label: "stored-object"
  uid_prefix: "UID:"
  reactions:
    processed: "+1"
  retries:
    max_attempts: 3
    backoff_factor: 2
  rate_limit:
    max_requests_per_hour: 1000
  log:
    level: "INFO"
    format: "{time} | {level} | {message}"
"""
    )
    assert parse_config(document, source="orig.yml") == StoreConfig(source="orig.yml")


def test_retired_key_is_ignored_inline() -> None:
    config = parse_config({"store": {"reactions": {"initial_state": "rocket"}}})
    assert config.reactions == StoreConfig().reactions
    assert len(config.warnings) == 1
