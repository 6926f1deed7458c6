"""Builders shared by the processor tests: plain-dict issues and comments for the planner, and
store objects, transports and a ticking clock on the emulator for the executor.

The executor's tests run over both transports, REST and GraphQL (``api``, set for each test by
``conftest.py``): ``transport_for`` builds the one in use, ``by_api`` picks what a test expects
of it, and ``written_bodies`` reads the bodies written whichever API wrote them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import httpx2

from gh_store.core.body import BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig, TrustConfig
from gh_store.core.hashchain import GENESIS, extend_chain
from gh_store.core.merge_patch import apply_merge_patch
from gh_store.emulator import GitHubEmulator
from gh_store.transport.graphql import GraphQLTransport
from gh_store.transport.rest import GhApiTransport

OWNER = "octo"  # owns octo/store, the emulator's repository
BOT = "github-actions[bot]"
LABELS = ["stored-object", "UID:x"]
#: 2023-11-14T22:13:20Z: the emulator's clock starts here and ticks one second per event.
EPOCH = 1_700_000_000

FAST = RateLimitConfig(max_requests_per_hour=0, min_write_interval=0)

#: The transports the executor's tests run over.
APIS = ("rest", "graphql")
_api = ["rest"]
T = TypeVar("T")


def use_api(api: str) -> None:
    """Make ``transport_for`` build ``api``'s transport (conftest.py sets it per test)."""
    assert api in APIS
    _api[0] = api


def current_api() -> str:
    return _api[0]


def by_api(*, rest: T, graphql: T) -> T:
    """What a test expects over the transport in use."""
    return graphql if _api[0] == "graphql" else rest


def store_config(**trust: Any) -> StoreConfig:
    """The defaults, without write pacing (tests must not sleep), with ``trust`` overrides."""
    return dataclasses.replace(
        StoreConfig(), rate_limit=FAST, trust=dataclasses.replace(TrustConfig(), **trust)
    )


# --- plain data for the planner -------------------------------------------------------------------


def iso(second: int) -> str:
    return f"2024-01-01T00:{second // 60:02d}:{second % 60:02d}Z"


def issue_dict(
    data: Mapping[str, Any] | None = None,
    meta: BodyMeta | None = None,
    *,
    body: str | None = None,
    author: str = OWNER,
    state: str = "open",
    number: int = 7,
) -> dict[str, Any]:
    """An issue as GitHub lists it; ``body`` (raw text) wins over ``data`` and ``meta``."""
    text = (
        body if body is not None else encode_body(IssueBody(dict(data or {}), meta or BodyMeta()))
    )
    return {
        "number": number,
        "state": state,
        "body": text,
        "user": {"login": author},
        "labels": [{"name": name} for name in LABELS],
        "html_url": f"https://github.com/octo/store/issues/{number}",
    }


def comment_dict(
    comment_id: int,
    body: Any,
    author: str = OWNER,
    *,
    reactions: Mapping[str, int] | None = None,
    second: int | None = None,
) -> dict[str, Any]:
    """A comment; ``body`` that is not a string is sent as its JSON text."""
    text = body if isinstance(body, str) else json.dumps(body)
    created = iso(second if second is not None else comment_id % 3600)
    return {
        "id": comment_id,
        "body": text,
        "user": {"login": author},
        "html_url": f"https://github.com/octo/store/issues/7#issuecomment-{comment_id}",
        "created_at": created,
        "updated_at": created,
        "reactions": {"total_count": sum((reactions or {}).values()), **(reactions or {})},
    }


# --- expected results -----------------------------------------------------------------------------


def fold(base: Mapping[str, Any], patches: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Apply ``patches`` once each, in order: what the store must end up holding."""
    data: Any = dict(base)
    for patch in patches:
        data = apply_merge_patch(data, patch)
    assert isinstance(data, dict)
    return data


def chain(applied: Iterable[tuple[int, str]]) -> str:
    """The history hash after applying ``(comment id, body)`` in order."""
    value = GENESIS
    for comment_id, body in applied:
        value = extend_chain(value, comment_id, body)
    return value


def pages_to_read(items: int) -> int:
    """Requests the skip-proof walk (``transport/paging.py``) makes to read ``items`` items:
    each page after the first reaches back to the last item read."""
    from gh_store.transport.paging import page_for

    pages, end = 1, 99
    while end < items - 1:
        page, per_page = page_for(end)
        end = page * per_page - 1
        pages += 1
    return pages


# --- the emulator ---------------------------------------------------------------------------------


def install_ticking_clock(gh: GitHubEmulator) -> None:
    """Every timestamped event one second after the previous one, from a fixed start, so
    request counts do not depend on timing (see ``GitHubEmulator.use_ticking_clock``)."""
    gh.use_ticking_clock(start=EPOCH)


def seed_object(
    gh: GitHubEmulator,
    data: Mapping[str, Any],
    meta: BodyMeta | None = None,
    *,
    author: str = OWNER,
    state: str = "open",
) -> int:
    """An object's issue, as ``create`` makes it (our body format, the two labels)."""
    body = encode_body(IssueBody(dict(data), meta or BodyMeta()))
    return gh.seed_issue("Stored Object: x", body, list(LABELS), user=author, state=state)


def transport_for(
    gh: GitHubEmulator, token: str | None = None, *, max_attempts: int = 3, api: str | None = None
) -> GhApiTransport | GraphQLTransport:
    """A transport as the action builds one (the Actions bot's token by default), without waits,
    over ``api`` (default: the test's)."""
    kind = GraphQLTransport if (api or current_api()) == "graphql" else GhApiTransport
    return kind(
        gh.repo,
        token or gh.bot_token,
        retries=RetryConfig(max_attempts=max_attempts, backoff_factor=0.0),
        rate_limit=FAST,
        **gh.client_options(),
    )


def written_bodies(gh: GitHubEmulator) -> list[str]:
    """The issue bodies written, in the order the writes arrived, over either API."""
    bodies = []
    for request in gh.requests:
        sent = request.body if isinstance(request.body, dict) else {}
        if request.method == "PATCH" and isinstance(sent.get("body"), str):
            bodies.append(sent["body"])
        elif request.mutates and request.path == "/graphql":
            body = (sent.get("variables") or {}).get("body")
            if isinstance(body, str):
                bodies.append(body)
    return bodies


def reads_and_writes(gh: GitHubEmulator) -> tuple[int, int]:
    """Recorded requests that only read, and those that asked for a change."""
    writes = sum(1 for request in gh.requests if request.mutates)
    return len(gh.requests) - writes, writes


def stored(gh: GitHubEmulator, number: int) -> IssueBody:
    return decode_body(gh.issue(number)["body"])


def bot_marks(gh: GitHubEmulator, comment_id: int) -> list[str]:
    """The reactions the processor (the Actions bot) placed on a comment, sorted."""
    return sorted(r["content"] for r in gh.reactions(comment_id) if r["user"]["login"] == BOT)


def edit_comment(gh: GitHubEmulator, token: str, comment_id: int, body: str) -> None:
    """Edit a comment through the API, as its author would on github.com."""
    options = gh.client_options()
    with httpx2.Client(base_url=options["api_url"], transport=options["http_transport"]) as http:
        answer = http.patch(
            f"/repos/{gh.repo}/issues/comments/{comment_id}",
            json={"body": body},
            headers={"Authorization": f"token {token}"},
        )
    assert answer.status_code == 200
