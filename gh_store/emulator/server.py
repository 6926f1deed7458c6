"""The HTTP adapter: the handler served over real sockets on loopback.

Owns :class:`HttpServer` (a ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive, started on a
thread, stopped with every open connection closed). Each request's bytes go to
:func:`~.handler.handle` and its answer's bytes come back; a dropped answer shuts the socket down,
which clients see as a real dropped connection. Nothing about GitHub lives here.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .exchange import HttpRequest
from .handler import handle
from .state import EmulatorState

__all__ = ["HttpServer"]

log = logging.getLogger("gh_store.emulator")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    owner: HttpServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints the traceback to stderr, from a thread that may outlive the test or
        # the interpreter. A client that went away (a dropped answer, a timeout, stop() closing a
        # kept-alive connection) is routine here; anything else goes to the log, not to stderr.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("connection from %s ended: %r", client_address, error)
        else:
            log.error("request from %s failed", client_address, exc_info=True)


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
        self.server.owner.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = dict(self.headers.items())
        if not any(name.lower() == "host" for name in headers):
            headers["Host"] = self.server.owner.netloc
        request = HttpRequest(self.command, self.path, headers, body)
        answer = handle(self.server.owner.state, request)
        if answer.dropped:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        # The answer carries its own Date, from the emulator's clock (handler.py).
        self.log_request(answer.status)
        self.send_response_only(answer.status)
        self.send_header("Server", self.version_string())
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        if answer.body:
            self.wfile.write(answer.body)
        self.wfile.flush()


class HttpServer:
    """Serves one state on ``host:port`` (0 picks a free port) until :meth:`stop`."""

    def __init__(self, state: EmulatorState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        bound_host, bound_port = self._server.server_address[:2]
        self.netloc = f"{bound_host!s}:{bound_port}"
        self.url = f"http://{self.netloc}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"gh-emulator-{bound_port}",
        )
        self._thread.start()

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._lock:
            if is_open:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # kept-alive clients would otherwise hold threads open
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
