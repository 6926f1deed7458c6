"""Shared pieces of the hostile suite: configs that never sleep, seeding a stored object into the
emulator, a transport whose waits are recorded, and the independent oracle for comment bodies.

The oracle decides what a comment *should* do without calling the classifier under test: it parses
with ``json`` itself and measures depth on the parsed value, so a bug in
``gh_store.core.update_comment`` cannot hide behind the same code on both sides.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from gh_store.core.body import BodyMeta, IssueBody, encode_body
from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig
from gh_store.core.merge_patch import apply_merge_patch
from gh_store.core.naming import object_label
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

__all__ = [
    "DEPTH_LIMIT",
    "OWNER",
    "RecordedSleep",
    "decided_fits",
    "expected_patch",
    "fold_trusted",
    "make_transport",
    "quiet_config",
    "seed_object",
    "value_depth",
]

OWNER = "octo"
#: The deepest nesting an update may have (the documented MAX_DEPTH, restated on purpose).
DEPTH_LIMIT = 64
#: Sizes of the encoded object that surely fit in an issue body, and surely do not. Between them
#: the answer depends on the metadata's size, an implementation detail this suite does not pin.
SURELY_FITS_CHARS = 55_000
SURELY_FITS_BYTES = 200_000
NEVER_FITS_CHARS = 65_536
NEVER_FITS_BYTES = 262_144


def quiet_config(**changes: Any) -> StoreConfig:
    """Defaults, without pacing between writes (tests must not sleep)."""
    base = dataclasses.replace(
        StoreConfig(),
        rate_limit=RateLimitConfig(max_requests_per_hour=0, min_write_interval=0),
        retries=RetryConfig(max_attempts=3, backoff_factor=0),
    )
    return dataclasses.replace(base, **changes)


class RecordedSleep:
    """A transport ``sleep`` that records the wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_transport(
    gh: GitHubEmulator,
    token: str | None = None,
    *,
    max_attempts: int = 3,
    sleep: RecordedSleep | None = None,
) -> GhApiTransport:
    """A transport on the emulator (the Actions bot's token by default) that never sleeps."""
    return GhApiTransport(
        gh.repo,
        token if token is not None else gh.bot_token,
        retries=RetryConfig(max_attempts=max_attempts, backoff_factor=0),
        rate_limit=RateLimitConfig(max_requests_per_hour=0, min_write_interval=0),
        sleep=sleep if sleep is not None else RecordedSleep(),
        **gh.client_options(),
    )


def seed_object(
    gh: GitHubEmulator,
    config: StoreConfig,
    object_id: str,
    data: Mapping[str, Any],
    *,
    user: str = OWNER,
    state: str = "open",
) -> int:
    """An issue holding ``data`` as gh-store writes it (version 1, no update applied yet)."""
    body = encode_body(IssueBody(data=dict(data), meta=BodyMeta()))
    labels = [config.base_label, object_label(config, object_id)]
    return gh.seed_issue(f"Stored Object: {object_id}", body, labels, user=user, state=state)


# --- the oracle --------------------------------------------------------------------------------


def value_depth(value: Any) -> int:
    """Nesting of arrays and objects in a parsed JSON value (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if isinstance(item, dict):
                children: Iterable[Any] = item.values()
            elif isinstance(item, _Pairs):
                children = (child for _, child in item)
            else:
                children = item
            stack.extend((child, depth) for child in children)
    return deepest


def _refuse(name: str) -> Any:
    raise ValueError(name)


class _Pairs(list[tuple[str, Any]]):
    """An object as parsed, its pairs in order, duplicates kept."""


def _pairs(pairs: list[tuple[str, Any]]) -> _Pairs:
    return _Pairs(pairs)


def _key_lists(value: Any) -> Iterable[list[str]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Pairs):
            yield [key for key, _ in item]
            stack.extend(child for _, child in item)
        elif isinstance(item, list):
            stack.extend(item)


def _plain(value: Any) -> Any:
    if isinstance(value, _Pairs):
        return {key: _plain(child) for key, child in value}
    if isinstance(value, list):
        return [_plain(child) for child in value]
    return value


def _scalars(value: Any) -> Iterable[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item


def expected_patch(body: str) -> dict[str, Any] | None:
    """The merge patch ``body`` carries if it is a usable update, else None.

    Usable: after trimming (and one ```json fence, the form the store itself writes), the text
    parses as strict JSON (no NaN/Infinity, no number beyond a double, no key twice in one
    object), is an object, nests at most ``DEPTH_LIMIT`` deep, and holds only Unicode text
    (``"\\ud800"`` parses to a lone surrogate GitHub could not store).
    The original gh-store's ``{"_data", "_meta"}`` envelope is not generated by this suite.
    """
    text = body.strip().replace("\r\n", "\n")
    for fence in ("```json\n", "```\n"):
        if text.startswith(fence) and text.endswith("\n```"):
            text = text[len(fence) : -4].strip()
            break
    try:
        value = json.loads(text, parse_constant=_refuse, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, _Pairs) or value_depth(value) > DEPTH_LIMIT:
        return None
    if any(len(set(keys)) < len(keys) for keys in _key_lists(value)):
        return None
    value = _plain(value)
    if any(isinstance(x, float) and math.isinf(x) for x in _scalars(value)):
        return None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def decided_fits(data: Mapping[str, Any]) -> bool | None:
    """Whether an object holding ``data`` can be stored: True, False, or None if too close."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError):  # inf from 1e400
        return False
    # The body's JSON sits in a code fence longer than any run of backticks inside it, twice.
    longest_run = max((len(run) for run in re.findall(r"`+", text)), default=0)
    text += "`" * (2 * (longest_run + 1))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates from "\ud800": not UTF-8, GitHub cannot hold them
        return False
    if len(text) <= SURELY_FITS_CHARS and size <= SURELY_FITS_BYTES:
        return True
    if len(text) > NEVER_FITS_CHARS or size > NEVER_FITS_BYTES:
        return False
    return None


def fold_trusted(
    start: Mapping[str, Any], updates: Iterable[tuple[bool, str]]
) -> tuple[dict[str, Any], int, bool]:
    """Apply, in order, each (trusted, body) update that the oracle finds usable and storable.

    Returns the data, how many applied, and whether every decision was clear-cut.
    """
    data: dict[str, Any] = dict(start)
    applied = 0
    clear = True
    for trusted, body in updates:
        patch = expected_patch(body)
        if not trusted or patch is None:
            continue
        candidate = apply_merge_patch(data, patch)
        fits = decided_fits(candidate)
        if fits is None:
            clear = False
            continue
        if fits:
            data = candidate
            applied += 1
    return data, applied, clear
