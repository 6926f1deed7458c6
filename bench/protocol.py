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

__all__ = ["Handler", "serve", "store_operations"]

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


def store_operations(stores: Mapping[str, Any], open_store: Handler) -> dict[str, Handler]:
    """The operations both drivers answer alike: both stores have the original's public API.

    ``stores`` maps a throttle setting to the store ``open_store`` built for it.
    """

    def create(command: Mapping[str, Any]) -> dict[str, Any]:
        stored = stores[command["throttle"]].create(command["object_id"], command["data"])
        return {"issue_number": stored.meta.issue_number, "data": stored.data}

    def get(command: Mapping[str, Any]) -> dict[str, Any]:
        return {"data": stores[command["throttle"]].get(command["object_id"]).data}

    def get_many(command: Mapping[str, Any]) -> dict[str, Any]:
        store = stores[command["throttle"]]
        for _ in range(int(command["times"])):
            data = store.get(command["object_id"]).data
        return {"data": data}

    def update(command: Mapping[str, Any]) -> dict[str, Any]:
        stores[command["throttle"]].update(command["object_id"], command["changes"])
        return {}

    def process(command: Mapping[str, Any]) -> dict[str, Any]:
        # The original returns the object, ours a report: both carry the data.
        return {
            "data": dict(stores[command["throttle"]].process_updates(command["issue_number"]).data)
        }

    return {
        "open": open_store,
        "create": create,
        "get": get,
        "get_many": get_many,
        "update": update,
        "process": process,
    }


def _answer(message: Mapping[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, default=str) + "\n")
    sys.stdout.flush()
