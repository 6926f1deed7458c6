"""The line protocol between the harness and a driver process (stdlib only: both venvs import it).

The harness writes one JSON command per line on the driver's stdin; the driver answers each with
one JSON line on stdout: ``{"ok": true, "result": ..., "seconds": ...}`` or ``{"ok": false,
"error": "..."}``. ``seconds`` is the wall time of the operation alone, taken inside the driver,
so neither process start-up nor the pipe is counted. A driver keeps its stores between commands,
so the harness can build them (not measured) and then time one call.

stdout is reserved for answers: the drivers send every log line to stderr.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Handler", "serve"]

#: One operation: the command's arguments in, a JSON-able result out.
Handler = Callable[[Mapping[str, Any]], Any]


def serve(handlers: Mapping[str, Handler]) -> None:
    """Answer commands from stdin until it closes; ``op`` picks the handler."""
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        handler = handlers.get(command.get("op", ""))
        if handler is None:
            _answer({"ok": False, "error": f"unknown op {command.get('op')!r}"})
            continue
        try:
            started = time.perf_counter()
            result = handler(command)
            seconds = time.perf_counter() - started
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            _answer({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
            continue
        _answer({"ok": True, "result": result, "seconds": seconds})


def _answer(message: Mapping[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, default=str) + "\n")
    sys.stdout.flush()
