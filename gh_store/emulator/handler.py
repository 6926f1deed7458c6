"""Answering one request against the state, with no socket: the emulator's single entry point.

Owns :func:`handle`, ``(state, HttpRequest) -> HttpAnswer``, and what every protocol shares around
it, in this order: parse the request once (:class:`~.exchange.Exchange`: caller, JSON body, base
URL), run the hooks (outside the state lock), wait the latency, take an injected fault (delay,
error answer, dropped connection, before or after doing the work), let the protocol answer,
record the request, encode the answer as bytes (with a ``Date`` from the emulator's clock). The
HTTP server (:mod:`.server`) and the in-process transport (:mod:`.inprocess`) are adapters
around this function and nothing more.

Protocols (:func:`_protocol_for`): GraphQL (:mod:`.graphql`) answers ``/graphql`` (and GitHub
Enterprise Server's ``/api/graphql``) unless the state has no GraphQL endpoint, REST (:mod:`.rest`)
every other path; both read and change the same state.
"""

from __future__ import annotations

import json
import logging
import time
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from . import graphql, rest
from .errors import error_body
from .exchange import Exchange, HttpAnswer, HttpRequest, Response
from .faults import Fault
from .requestlog import RecordedRequest
from .state import EmulatorState

__all__ = ["ApiProtocol", "handle"]

log = logging.getLogger("gh_store.emulator")

_ENTERPRISE_PREFIX = "/api/v3"  # GitHub Enterprise Server's API root; accepted, kept in links
_GRAPHQL = "/graphql"
_ENTERPRISE_GRAPHQL = "/api/graphql"  # GitHub Enterprise Server's GraphQL endpoint


class ApiProtocol(Protocol):
    """How one API answers: :mod:`.rest` is one."""

    def answer(self, state: EmulatorState, exchange: Exchange) -> Response: ...

    def fault(self, state: EmulatorState, exchange: Exchange, fault: Fault) -> Response: ...


def _protocol_for(state: EmulatorState, exchange: Exchange) -> ApiProtocol:
    return graphql if exchange.path == _GRAPHQL and state.graphql_endpoint else rest


def handle(state: EmulatorState, request: HttpRequest) -> HttpAnswer:
    """Answer ``request`` from ``state``: the whole emulator, minus the socket."""
    arrived = state.log.generation()
    exchange = _parse(state, request, arrived)
    if state.hooks:
        try:
            state.hooks.run(exchange.info())
        except Exception as error:  # the test's own hook failed: say so in the answer and log
            log.exception("emulator hook failed on %s %s", exchange.method, exchange.path)
            reply = Response(500, error_body(500, f"An emulator hook raised {error!r}"))
            return _finish(state, exchange, reply)
    if state.latency > 0:
        time.sleep(state.latency)
    protocol = _protocol_for(state, exchange)
    fault = state.faults.take(exchange.method, exchange.path)
    if fault is not None and fault.delay > 0:
        time.sleep(fault.delay)
    if fault is None or (fault.status is None and not fault.drop):
        return _finish(state, exchange, protocol.answer(state, exchange))
    if fault.after:
        protocol.answer(state, exchange)  # the work is done; only its answer is lost or replaced
    if fault.drop:
        _record(state, exchange, 0)
        return HttpAnswer(0, dropped=True)
    return _finish(state, exchange, protocol.fault(state, exchange, fault))


def _parse(state: EmulatorState, request: HttpRequest, arrived: int) -> Exchange:
    headers = {name.lower(): value for name, value in request.headers.items()}
    split = urlsplit(request.target)
    path = split.path or "/"
    base = f"{request.scheme}://{headers.get('host') or 'localhost'}"
    if path == _ENTERPRISE_PREFIX or path.startswith(_ENTERPRISE_PREFIX + "/"):
        path = path[len(_ENTERPRISE_PREFIX) :] or "/"
        base += _ENTERPRISE_PREFIX
    elif path == _ENTERPRISE_GRAPHQL:
        path = _GRAPHQL
    body: Any = None
    bad_json = False
    sent_body = bool(request.body.strip())
    if sent_body:
        try:
            body = json.loads(request.body)
        except ValueError:
            bad_json = True
    token = None
    scheme, _, credential = headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("token", "bearer") and credential.strip():
        token = credential.strip()
    with state.lock:
        user = state.caller(token) if token is not None else None
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    return Exchange(
        request.method.upper(),
        path,
        query,
        headers,
        body,
        sent_body,
        bad_json,
        token,
        user,
        base,
        arrived,
    )


def _record(state: EmulatorState, exchange: Exchange, status: int) -> None:
    user = exchange.user.login if exchange.user else None
    entry = RecordedRequest(
        exchange.method,
        exchange.path,
        dict(exchange.query),
        status,
        user,
        exchange.body,
        exchange.headers.get("user-agent"),
    )
    state.log.append(entry, exchange.arrived)


def _finish(state: EmulatorState, exchange: Exchange, reply: Response) -> HttpAnswer:
    _record(state, exchange, reply.status)
    # GitHub dates every answer; clients may take it as GitHub's clock (not theirs).
    headers = {"Date": formatdate(state.clock.now(), usegmt=True), **reply.headers}
    payload = b""
    if reply.status not in (204, 304):
        if reply.body is not None:
            payload = json.dumps(reply.body).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
        headers["Content-Length"] = str(len(payload))
    if exchange.method == "HEAD":
        payload = b""
    return HttpAnswer(reply.status, tuple(headers.items()), payload)
