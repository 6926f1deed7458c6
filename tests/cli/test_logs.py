"""configure_logging: the original's loguru-style format fields, one handler, the level."""

from __future__ import annotations

import io
import logging

import pytest

from gh_store.core.config import LogConfig
from gh_store.core.exceptions import ConfigurationError
from gh_store.logs import configure_logging, translate_format


@pytest.mark.parametrize(
    ("loguru", "logging_style"),
    [
        ("{time} | {level} | {message}", "{asctime} | {levelname} | {message}"),
        ("{name}: {level:<8} {message!r}", "{name}: {levelname:<8} {message!r}"),
        ("literal {{braces}} {message}", "literal {{braces}} {message}"),
    ],
)
def test_fields_are_translated(loguru: str, logging_style: str) -> None:
    assert translate_format(loguru) == logging_style


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{time} {module}", "unknown field {module}"),
        ("{message", "is not a format"),
        ("{time:YYYY-MM-DD} {message}", "cannot be used"),
    ],
)
def test_unusable_formats_name_the_key(text: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^store.log.format: .*{problem}"):
        configure_logging(LogConfig(format=text), io.StringIO())


def test_one_handler_at_the_configured_level() -> None:
    logger = logging.getLogger("gh_store")
    before = list(logger.handlers)
    first, second = io.StringIO(), io.StringIO()
    try:
        configure_logging(LogConfig(level="INFO", format="{level}:{message}"), first)
        configure_logging(LogConfig(level="WARNING", format="{level}:{name}:{message}"), second)
        assert len(logger.handlers) == len(before) + 1
        logging.getLogger("gh_store.store").info("quiet")
        logging.getLogger("gh_store.store").warning("loud %d", 1)
        assert first.getvalue() == ""
        assert second.getvalue() == "WARNING:gh_store.store:loud 1\n"
    finally:
        for handler in [h for h in logger.handlers if h not in before]:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
