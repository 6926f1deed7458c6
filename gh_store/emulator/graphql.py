"""GitHub's GraphQL API as a protocol of the handler: ``POST /graphql`` over the same state as REST.

Owns what every GraphQL answer goes through, in GitHub's order: authentication (GraphQL has no
anonymous access), the JSON envelope (``query``, ``variables``, ``operationName``), parsing and
validation against GitHub's real schema (:mod:`.graphql_schema`, so a misspelt field fails here as
on GitHub), the static limits and the point cost (:mod:`.graphql_limits`), the primary limit in
points (a bucket of its own, resource ``graphql``: 1,000 points an hour for ``GITHUB_TOKEN``, 5,000
for a user, as GitHub documents), execution (:mod:`.graphql_nodes`, :mod:`.graphql_mutations`),
and errors shaped as GitHub's: HTTP 200 with ``errors``, each with ``type``, ``path``,
``locations`` and ``message`` where GitHub gives them; a used-up limit is a ``RATE_LIMITED`` error.
Injected faults answer as for REST (a 403 is a secondary limit).
"""

from __future__ import annotations

import logging
import secrets

from .errors import error_body, fault_error, not_found
from .exchange import Exchange, Response
from .faults import Fault
from .ratelimit import Bucket
from .state import EmulatorState

__all__ = ["RESOURCE", "answer", "fault"]

log = logging.getLogger("gh_store.emulator")

RESOURCE = "graphql"
_DOCS = "https://docs.github.com/graphql"
_AUTH_DOCS = _DOCS + "/guides/forming-calls-with-graphql#authenticating-with-graphql"


def answer(state: EmulatorState, exchange: Exchange) -> Response:
    if exchange.method != "POST":
        error = not_found()
        return Response(error.status, error.body)
    if exchange.user is None:
        message = (
            "Bad credentials"
            if exchange.token is not None
            else "This endpoint requires you to be authenticated."
        )
        return Response(401, error_body(401, message, _DOCS if exchange.token else _AUTH_DOCS))
    key, limit = state.bucket_of(exchange.token, exchange.user)
    try:
        from .graphql_run import run_operation  # graphql-core: only when GraphQL is asked
    except ImportError:
        return Response(
            501,
            error_body(
                501,
                "The emulator's GraphQL endpoint needs graphql-core: pip install "
                "'gh-store[emulator]'",
                _DOCS,
            ),
        )
    if exchange.bad_json:
        return Response(400, error_body(400, "Problems parsing JSON", _DOCS))
    bucket = state.limits.peek(key, limit, RESOURCE)
    if bucket.remaining == 0:
        body = {
            "errors": [
                {
                    "type": "RATE_LIMITED",
                    "message": f"API rate limit already exceeded for user ID {exchange.user.id}.",
                }
            ]
        }
        return Response(200, body, _headers(bucket))
    try:
        body = run_operation(state, exchange, key, limit, RESOURCE)
    except Exception:  # an emulator bug: answer 502 and say so in the log
        log.exception("emulator error on POST /graphql")
        return Response(502, error_body(502, "Server Error", _DOCS))
    return Response(200, body, _headers(state.limits.peek(key, limit, RESOURCE)))


def fault(state: EmulatorState, exchange: Exchange, fault: Fault) -> Response:
    """The answer to a request an injected ``fault`` (with a status) hits."""
    assert fault.status is not None
    error = fault_error(fault.status, fault.retry_after)
    key, limit = state.bucket_of(exchange.token, exchange.user)
    bucket = state.limits.peek(key, limit, RESOURCE)
    return Response(error.status, error.body, {**_headers(bucket), **error.headers})


def _headers(bucket: Bucket) -> dict[str, str]:
    return {
        **bucket.headers(),
        "x-github-request-id": ":".join(secrets.token_hex(n).upper() for n in (2, 2, 3, 3, 4)),
    }
