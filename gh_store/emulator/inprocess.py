"""The in-process adapter: an ``httpx2`` transport that calls the handler directly.

Owns :class:`InProcessTransport` and :data:`IN_PROCESS_URL`. ``httpx2.Client(transport=...)``
(ghapi 2.x's HTTP library) sends through it with no thread and no socket; each request goes to
:func:`~.handler.handle` exactly as the HTTP server would hand it over, so it is recorded, delayed
and faulted the same way. A dropped answer raises ``httpx2.RemoteProtocolError`` ("Server
disconnected without sending a response."), what httpx2 raises when a real server drops the
connection, so retry code sees the same thing on both paths.

It answers for :data:`IN_PROCESS_URL` (a name under ``.invalid``, which never resolves, so nothing
meant for it can reach a network) and for the emulator's server URL while it runs; any other host
is a ``ConnectError``: a test whose client was pointed elsewhere fails instead of talking to it.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx2

from .exchange import HttpRequest
from .handler import handle
from .state import EmulatorState

__all__ = ["IN_PROCESS_URL", "InProcessTransport"]

IN_PROCESS_URL = "http://api.github.emulator.invalid"


class InProcessTransport(httpx2.BaseTransport):
    def __init__(self, state: EmulatorState, hosts: Callable[[], set[str]]) -> None:
        """``hosts()`` names the ``host[:port]`` values answered for, asked on every request."""
        self._state = state
        self._hosts = hosts

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        netloc = request.url.netloc.decode("ascii")
        if netloc not in self._hosts():
            raise httpx2.ConnectError(
                f"the emulator's in-process transport answers only for {sorted(self._hosts())}, "
                f"not {netloc!r}",
                request=request,
            )
        raw = HttpRequest(
            request.method,
            request.url.raw_path.decode("ascii"),
            dict(request.headers.multi_items()),  # Host among them, as httpx2 sets it
            request.read(),
            request.url.scheme,
        )
        answer = handle(self._state, raw)
        if answer.dropped:
            raise httpx2.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx2.Response(
            answer.status, headers=list(answer.headers), content=answer.body, request=request
        )
