"""Logging for programs built on gh-store (the CLI, the action): one stderr handler, configured.

The library itself only logs to the ``gh_store`` logger and never installs handlers. The format
string uses the original gh-store's loguru field names, translated to :mod:`logging`'s::

    {time} -> {asctime}    {level} -> {levelname}    {message}    {name}
"""

from __future__ import annotations

import logging
import string
import sys
from typing import TextIO

from .core.config import LogConfig
from .core.exceptions import ConfigurationError

__all__ = ["LOGGER_NAME", "configure_logging", "translate_format"]

LOGGER_NAME = "gh_store"

_FIELDS = {"time": "asctime", "level": "levelname", "message": "message", "name": "name"}


class _StoreHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so configuring again replaces it."""


def translate_format(text: str) -> str:
    """The :mod:`logging` ``{``-style format for a loguru-style ``store.log.format``."""
    parts = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ConfigurationError(f"store.log.format: {text!r} is not a format: {exc}") from None
    for literal, field, spec, conversion in parsed:
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        if field not in _FIELDS:
            known = ", ".join("{" + name + "}" for name in _FIELDS)
            raise ConfigurationError(
                f"store.log.format: unknown field {{{field}}} (known: {known})"
            )
        parts.append(
            "{"
            + _FIELDS[field]
            + (f"!{conversion}" if conversion else "")
            + (f":{spec}" if spec else "")
            + "}"
        )
    return "".join(parts)


def configure_logging(log: LogConfig, stream: TextIO | None = None) -> None:
    """Send the ``gh_store`` logger's records at ``log.level`` and above to ``stream``."""
    translated = translate_format(log.format)
    probe = logging.LogRecord(LOGGER_NAME, logging.INFO, __file__, 0, "probe", None, None)
    try:
        formatter = logging.Formatter(translated, style="{")
        formatter.format(probe)
    except (ValueError, TypeError, KeyError) as exc:
        # e.g. loguru's {time:YYYY-MM-DD}: logging's time is already a string.
        raise ConfigurationError(
            f"store.log.format: {log.format!r} cannot be used: {exc}"
        ) from None
    logger = logging.getLogger(LOGGER_NAME)
    for old in [h for h in logger.handlers if isinstance(h, _StoreHandler)]:
        logger.removeHandler(old)
    handler = _StoreHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(log.level)
