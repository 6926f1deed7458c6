"""The HTTP side: :class:`GitHubEmulator`, its request handler, and the request log.

Owns serving on loopback (``ThreadingHTTPServer``, HTTP/1.1 keep-alive), authentication, the common
headers (rate limit, API version, request id, ETag / 304), injected faults, latency, and
:class:`RecordedRequest`. Everything about GitHub's data lives in :mod:`.state`, :mod:`.endpoints`
and :mod:`.shapes`.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .endpoints import build_router
from .errors import (
    ApiError,
    bad_credentials,
    error_body,
    fault_error,
    not_found,
    primary_rate_limited,
)
from .faults import Fault, FaultPlan
from .ratelimit import RateLimiter, limit_for
from .routes import Request, Response
from .shapes import comment_json, issue_json, reaction_json
from .state import BOT_LOGIN, RepoState, User

__all__ = ["GitHubEmulator", "RecordedRequest"]

log = logging.getLogger("gh_store.emulator")

API_VERSION = "2022-11-28"
_UNSAFE = ("POST", "PATCH", "PUT", "DELETE")
_CONDITIONAL = ("if-match", "if-none-match", "if-unmodified-since", "if-modified-since")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw it. ``path`` is as sent (percent-encoded), without the query.

    ``status`` is what was answered; 0 when the connection was dropped without an answer.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    user: str | None
    body: Any


def _etag(payload: bytes) -> str:
    return f'W/"{hashlib.sha256(payload).hexdigest()[:32]}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare or t.strip() == "*" for t in header.split(","))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    emulator: GitHubEmulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY each small response on a
    # kept-alive connection stalls ~40 ms on delayed ACKs, which would distort every benchmark.
    disable_nagle_algorithm = True
    server: _Server
    server_version = "GitHub.com"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.server.emulator._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        if emulator.latency > 0:
            time.sleep(emulator.latency)
        split = urlsplit(self.path)
        path = split.path
        if path.startswith("/api/v3/"):
            path = path[len("/api/v3") :]
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            body: Any = json.loads(raw_body) if raw_body.strip() else None
            bad_json = False
        except ValueError:
            body, bad_json = None, True
        exchange = _Exchange(
            emulator, self.command, path, query, dict(self.headers.items()), body, bad_json
        )

        fault = emulator._faults.take(self.command, path)
        if fault is not None and fault.delay > 0:
            time.sleep(fault.delay)
        if fault is not None and (fault.status is not None or fault.drop):
            if fault.after:
                exchange.respond()
            if fault.drop:
                emulator._record(exchange, 0)
                self._drop()
                return
            assert fault.status is not None
            response = exchange.fault_response(fault)
        else:
            response = exchange.respond()
        emulator._record(exchange, response.status)
        self._write(response)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write(self, response: Response) -> None:
        payload = b""
        if response.body is not None and response.status not in (204, 304):
            payload = json.dumps(response.body).encode()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status not in (204, 304):
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)
        self.wfile.flush()


class _Exchange:
    """One request's processing: authentication, routing, rate limit, ETag; no socket I/O."""

    def __init__(
        self,
        emulator: GitHubEmulator,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        bad_json: bool,
    ) -> None:
        self.emulator = emulator
        self.method = method
        self.path = path
        self.query = query
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.bad_json = bad_json
        self.user: User | None = None
        self.token: str | None = None
        auth = self.headers.get("authorization", "")
        scheme, _, credential = auth.partition(" ")
        if scheme.lower() in ("token", "bearer") and credential.strip():
            self.token = credential.strip()
            with emulator.state.lock:
                self.user = emulator.state.user_by_token(self.token)

    @property
    def _bucket_key(self) -> tuple[str, int]:
        if self.user is None:
            return "anonymous", limit_for(None)
        return self.token or "", limit_for(self.user.type)

    def _common_headers(self, rate: dict[str, str]) -> dict[str, str]:
        return {
            **rate,
            "x-github-api-version-selected": API_VERSION,
            "x-github-request-id": ":".join(secrets.token_hex(n).upper() for n in (2, 2, 3, 3, 4)),
            "Access-Control-Expose-Headers": "ETag, Link, Retry-After, X-GitHub-OTP, "
            "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, "
            "X-RateLimit-Reset",
        }

    def fault_response(self, fault: Fault) -> Response:
        assert fault.status is not None
        error = fault_error(fault.status, fault.retry_after)
        key, limit = self._bucket_key
        rate = self.emulator._limiter.peek(key, limit).headers()
        return Response(error.status, error.body, {**self._common_headers(rate), **error.headers})

    def respond(self) -> Response:
        key, limit = self._bucket_key
        limiter = self.emulator._limiter
        counted = self.path != "/rate_limit"
        if self.token is not None and self.user is None:
            rate = limiter.consume("anonymous", limit_for(None)).headers()
            error = bad_credentials()
            return Response(error.status, error.body, self._common_headers(rate))
        try:
            response = self._route(limiter.peek(key, limit).remaining == 0 and counted)
        except ApiError as error:
            response = Response(error.status, error.body, dict(error.headers))
        except Exception:  # an emulator bug: answer 500 and say so in the log
            log.exception("emulator error on %s %s", self.method, self.path)
            response = Response(500, error_body(500, "Server Error"))
        if self.method in ("GET", "HEAD") and response.status == 200:
            etag = _etag(json.dumps(response.body).encode())
            response.headers["ETag"] = etag
            if _etag_matches(self.headers.get("if-none-match"), etag):
                response = Response(304, None, {"ETag": etag})
                counted = False
        if (
            response.status == 403
            and response.body
            and "rate limit exceeded" in str(response.body.get("message", ""))
        ):
            counted = False
        bucket = limiter.consume(key, limit) if counted else limiter.peek(key, limit)
        response.headers = {**self._common_headers(bucket.headers()), **response.headers}
        return response

    def _route(self, exhausted: bool) -> Response:
        emulator = self.emulator
        if exhausted:
            key, limit = self._bucket_key
            rate = emulator._limiter.peek(key, limit).headers()
            raise primary_rate_limited(self.user.id if self.user else None, rate)
        if self.method in _UNSAFE and any(h in self.headers for h in _CONDITIONAL):
            raise ApiError(
                400,
                error_body(
                    400,
                    "Conditional request headers are not allowed in unsafe requests unless "
                    "supported by the endpoint",
                ),
            )
        if self.bad_json:
            raise ApiError(400, error_body(400, "Problems parsing JSON"))
        route_path = emulator._canonical_path(self.path)
        found = emulator._router.match(self.method if self.method != "HEAD" else "GET", route_path)
        if found is None:
            log.warning(
                "gh_store emulator: no route for %s %s (known routes: %s)",
                self.method,
                self.path,
                "; ".join(emulator._router.describe()),
            )
            raise not_found()
        handler, groups = found
        request = Request(self.method, self.path, self.query, self.body, self.user, emulator.url)
        with emulator.state.lock:
            return handler(request, **groups)


class GitHubEmulator:
    """A GitHub REST API (2022-11-28) for one repository, served over real HTTP on loopback.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. The package docstring of
    :mod:`gh_store.emulator` lists the modules; :mod:`.endpoints` says who may do what.
    """

    def __init__(
        self,
        repo: str = "octo/store",
        host: str = "127.0.0.1",
        port: int = 0,
        private: bool = False,
        users: dict[str, str] | None = None,
        state_file: Path | None = None,
    ) -> None:
        owner, _, name = repo.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repo must look like 'owner/name', not {repo!r}")
        self.state_file = Path(state_file) if state_file is not None else None
        if self.state_file is not None and self.state_file.exists():
            self.state = RepoState.load(self.state_file)
        else:
            self.state = RepoState(owner, name, private)
        for login, permission in (users or {}).items():
            self.state.ensure_user(login, permission)
        self.host = host
        self.port = port
        self.latency = 0.0
        self._faults = FaultPlan()
        self._limiter = RateLimiter()
        self._router = build_router(self.state, self._rate_overview)
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> GitHubEmulator:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self._server = server
        bound_host, bound_port = server.server_address[:2]
        self._url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"gh-emulator-{bound_port}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._requests_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.state_file is not None:
            with self.state.lock:
                self.state.save(self.state_file)

    def __enter__(self) -> GitHubEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _track(self, connection: socket.socket, is_open: bool) -> None:
        with self._requests_lock:
            if is_open:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # --- identity ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the API, without a trailing slash."""
        if self._url is None:
            raise RuntimeError("the emulator is not started: use start() or a with block")
        return self._url

    @property
    def repo(self) -> str:
        return f"{self.state.owner}/{self.state.name}"

    @property
    def owner_token(self) -> str:
        with self.state.lock:
            return self.state.user(self.state.owner).token

    @property
    def bot_token(self) -> str:
        with self.state.lock:
            return self.state.user(BOT_LOGIN).token

    def token_for(self, login: str, permission: str | None = "write") -> str:
        """A token for ``login`` (created if needed); sets its permission unless ``permission`` is
        None."""
        with self.state.lock:
            return self.state.ensure_user(login, permission).token

    def use_ticking_clock(self, start: int | None = None) -> None:
        """Make every timestamped event one second after the previous one.

        GitHub stamps times to the second and allows about 80 new comments a minute, so a real
        issue never has hundreds of comments in one second; a test or benchmark that posts them
        at machine speed would. The ticking clock gives them GitHub-like spacing and makes
        ``since`` filtering (and so request counts) independent of how fast the machine is.
        """
        ticks = itertools.count(int(time.time()) if start is None else start)
        lock = threading.Lock()

        def now() -> int:
            with lock:
                return next(ticks)

        self.state.now = now  # type: ignore[method-assign]

    def set_permission(self, login: str, permission: str) -> None:
        with self.state.lock:
            self.state.ensure_user(login, permission)

    def set_rate_limit(self, token: str | None, remaining: int) -> None:
        """Set how many requests ``token`` (None = anonymous callers) has left this hour."""
        with self.state.lock:
            user = self.state.user_by_token(token) if token is not None else None
        if token is not None and user is None:
            raise ValueError("unknown token")
        key = token if user is not None and token is not None else "anonymous"
        self._limiter.set_remaining(key, limit_for(user.type if user else None), remaining)

    # --- request log ---------------------------------------------------------------------------

    def _record(self, exchange: _Exchange, status: int) -> None:
        entry = RecordedRequest(
            exchange.method,
            exchange.path,
            dict(exchange.query),
            status,
            exchange.user.login if exchange.user else None,
            exchange.body,
        )
        with self._requests_lock:
            self._requests.append(entry)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many recorded requests match ``method`` and the regex ``path`` (searched)."""
        pattern = re.compile(path) if path is not None else None
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.search(r.path))
        )

    @property
    def dispatches(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return json.loads(json.dumps(self.state.dispatches))  # type: ignore[no-any-return]

    # --- faults --------------------------------------------------------------------------------

    def inject(
        self,
        status: int | None = 503,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        skip: int = 0,
        retry_after: int | None = None,
        drop: bool = False,
        delay: float = 0.0,
        after: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests (after ``skip``) with a fault; see
        :mod:`.faults`."""
        fault = Fault(status, method, path, times, skip, retry_after, drop, delay, after)
        return self._faults.add(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    # --- direct helpers (no HTTP, not recorded) ------------------------------------------------

    def _api(self) -> str:
        return self._url or "https://api.github.com"

    def issue(self, number: int) -> dict[str, Any]:
        with self.state.lock:
            return issue_json(self._api(), self.state, self.state.issue(number))

    def comments(self, number: int) -> list[dict[str, Any]]:
        with self.state.lock:
            self.state.issue(number)
            found = sorted(
                (c for c in self.state.comments.values() if c.issue_number == number),
                key=lambda c: c.id,
            )
            return [comment_json(self._api(), self.state, c) for c in found]

    def reactions(self, comment_id: int) -> list[dict[str, Any]]:
        with self.state.lock:
            comment = self.state.comment(comment_id)
            return [reaction_json(self._api(), self.state, r) for r in comment.reactions]

    def seed_issue(
        self,
        title: str,
        body: str | None = None,
        labels: list[str] | None = None,
        user: str = "octo",
        state: str = "open",
    ) -> int:
        with self.state.lock:
            self.state.ensure_user(user)
            return self.state.create_issue(user, title, body, labels or [], state).number

    def seed_comment(self, number: int, body: str, user: str = "octo") -> int:
        with self.state.lock:
            self.state.ensure_user(user)
            return self.state.create_comment(number, user, body).id

    # --- internals used by the handler ---------------------------------------------------------

    def _canonical_path(self, path: str) -> str:
        """``/repos/{owner}/{name}...`` or ``/repositories/{id}...`` of our repository ->
        ``/repo...``."""
        found = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if found:
            owner, name, rest = found.groups()
            if (
                owner.lower() == self.state.owner.lower()
                and name.lower() == self.state.name.lower()
            ):
                return "/repo" + (rest or "")
            return "/unknown-repository"
        found = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
        if found and int(found.group(1)) == self.state.repo_id:
            return "/repo" + (found.group(2) or "")
        return path

    def _rate_overview(self, request: Request) -> dict[str, Any]:
        if request.user is None:
            core = self._limiter.peek("anonymous", limit_for(None))
        else:
            core = self._limiter.peek(request.user.token, limit_for(request.user.type))
        reset = core.reset

        def other(limit: int, resource: str) -> dict[str, Any]:
            return {
                "limit": limit,
                "used": 0,
                "remaining": limit,
                "reset": reset,
                "resource": resource,
            }

        search = 30 if request.user else 10
        return {
            "resources": {
                "core": core.json(),
                "search": other(search, "search"),
                "graphql": other(core.limit, "graphql"),
                "integration_manifest": other(5000, "integration_manifest"),
                "code_search": other(10, "code_search"),
            },
            "rate": core.json(),
        }
