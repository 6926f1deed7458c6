"""GitHub's REST API as a protocol of the handler: from an exchange to a JSON answer.

Owns what every REST answer shares: authentication failures, the primary rate limit (counted per
token, not for ``/rate_limit``, a 304 or a rate-limited answer), the common headers (rate limit,
API version, request id), ``ETag`` and ``If-None-Match`` -> 304, GitHub's refusal of conditional
headers on writes, the mapping of ``/repos/{owner}/{repo}`` (or ``/repositories/{id}``) to the one
emulated repository, the request checks of :mod:`.bodies`, and the answers to injected faults.
The endpoints themselves are in :mod:`.endpoints`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets

from .bodies import check_request
from .endpoints import ROUTER, Endpoints
from .errors import (
    ApiError,
    bad_credentials,
    error_body,
    fault_error,
    not_found,
    primary_rate_limited,
    requires_authentication,
)
from .exchange import Exchange, Response
from .faults import Fault
from .ratelimit import ANONYMOUS_LIMIT
from .state import EmulatorState

__all__ = ["API_VERSION", "answer", "canonical_path", "fault"]

log = logging.getLogger("gh_store.emulator")

API_VERSION = "2022-11-28"
_UNSAFE = ("POST", "PATCH", "PUT", "DELETE")
_CONDITIONAL = ("if-match", "if-none-match", "if-unmodified-since", "if-modified-since")
_EXPOSED = (
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset"
)


def answer(state: EmulatorState, exchange: Exchange) -> Response:
    key, limit = _bucket_key(state, exchange)
    counted = exchange.path != "/rate_limit"
    if exchange.token is not None and exchange.user is None and not _signed_as_app(exchange):
        rate = state.limits.consume("anonymous", ANONYMOUS_LIMIT).headers()
        error = bad_credentials()
        return Response(error.status, error.body, _common_headers(rate))
    try:
        exhausted = counted and state.limits.peek(key, limit).remaining == 0
        response = _route(state, exchange, exhausted)
    except ApiError as error:
        response = Response(error.status, error.body, dict(error.headers))
    except Exception:  # an emulator bug: answer 500 and say so in the log
        log.exception("emulator error on %s %s", exchange.method, exchange.path)
        response = Response(500, error_body(500, "Server Error"))
    if exchange.method in ("GET", "HEAD") and response.status == 200:
        etag = _etag(json.dumps(response.body).encode())
        response.headers["ETag"] = etag
        if _etag_matches(exchange.headers.get("if-none-match"), etag):
            response = Response(304, None, {"ETag": etag})
            counted = False  # GitHub does not charge a 304
    if response.status == 403 and "rate limit exceeded" in str(
        (response.body or {}).get("message", "")
    ):
        counted = False
    limits = state.limits
    bucket = limits.consume(key, limit) if counted else limits.peek(key, limit)
    response.headers = {**_common_headers(bucket.headers()), **response.headers}
    return response


def fault(state: EmulatorState, exchange: Exchange, fault: Fault) -> Response:
    """The answer to a request an injected ``fault`` (with a status) hits."""
    assert fault.status is not None
    error = fault_error(fault.status, fault.retry_after)
    key, limit = _bucket_key(state, exchange)
    rate = state.limits.peek(key, limit).headers()
    return Response(error.status, error.body, {**_common_headers(rate), **error.headers})


def _route(state: EmulatorState, exchange: Exchange, exhausted: bool) -> Response:
    if exhausted:
        key, limit = _bucket_key(state, exchange)
        rate = state.limits.peek(key, limit).headers()
        raise primary_rate_limited(exchange.user.id if exchange.user else None, rate)
    if exchange.method in _UNSAFE and any(h in exchange.headers for h in _CONDITIONAL):
        raise ApiError(
            400,
            error_body(
                400,
                "Conditional request headers are not allowed in unsafe requests unless "
                "supported by the endpoint",
            ),
        )
    if exchange.bad_json:
        raise ApiError(400, error_body(400, "Problems parsing JSON"))
    method = exchange.method if exchange.method != "HEAD" else "GET"
    found = ROUTER.match(method, canonical_path(state, exchange.path))
    if found is None:
        log.warning(
            "gh_store emulator: no route for %s %s (known routes: %s)",
            exchange.method,
            exchange.path,
            "; ".join(ROUTER.describe()),
        )
        raise not_found()
    route, groups = found
    if method in _UNSAFE and exchange.user is None and not route.operation.startswith("apps/"):
        raise requires_authentication()
    check_request(route.operation, exchange)
    with state.lock:
        return route.handler(Endpoints(state), exchange, **groups)


def canonical_path(state: EmulatorState, path: str) -> str:
    """``/repos/{owner}/{name}...`` or ``/repositories/{id}...`` of our repository ->
    ``/repo...``; another repository's paths match no route (404)."""
    found = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
    if found:
        owner, name, rest = found.groups()
        if owner.lower() == state.owner.lower() and name.lower() == state.name.lower():
            return "/repo" + (rest or "")
        return "/unknown-repository"
    found = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
    if found and int(found.group(1)) == state.repo_id:
        return "/repo" + (found.group(2) or "")
    return path


def _bucket_key(state: EmulatorState, exchange: Exchange) -> tuple[str, int]:
    return state.bucket_of(exchange.token, exchange.user)


def _signed_as_app(exchange: Exchange) -> bool:
    """A JWT sent to an App's own endpoint (which checks it); anywhere else it is no token."""
    token = exchange.token or ""
    return token.count(".") == 2 and (
        exchange.path.startswith("/app/") or exchange.path.endswith("/installation")
    )


def _common_headers(rate: dict[str, str]) -> dict[str, str]:
    return {
        **rate,
        "x-github-api-version-selected": API_VERSION,
        "x-github-request-id": ":".join(secrets.token_hex(n).upper() for n in (2, 2, 3, 3, 4)),
        "Access-Control-Expose-Headers": _EXPOSED,
    }


def _etag(payload: bytes) -> str:
    return f'W/"{hashlib.sha256(payload).hexdigest()[:32]}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare or t.strip() == "*" for t in header.split(","))
