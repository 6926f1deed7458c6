"""The harness's side of a driver process: start it, send a command, read the answer.

One ``Implementation`` per gh-store and path (the original in bench/.venv-orig; ours over REST
and over GraphQL in the project venv, one driver with an ``--api`` argument); one
``DriverProcess`` per emulator, so no state leaks from one workload into the next.

Every driver is a module of this package started through :mod:`bench.launch` in its own venv
(``module_command``): that venv's packages come first on ``sys.path`` and the repository root
last, so the original's driver imports the original ``gh_store`` although ``bench`` lives beside
this checkout's.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

__all__ = [
    "BENCH_DIR",
    "LAUNCHER",
    "DriverError",
    "DriverProcess",
    "Implementation",
    "Reply",
    "module_command",
]

BENCH_DIR = Path(__file__).resolve().parent
LAUNCHER = BENCH_DIR / "launch.py"


def module_command(python: Path, module: str, *arguments: str) -> list[str]:
    """The command that runs ``module`` (``bench.…``) as ``__main__`` in the venv of ``python``."""
    return [str(python), "-I", str(LAUNCHER), module, *arguments]


@dataclass(frozen=True)
class Implementation:
    name: str  # "original", "ours" (REST) or "ours-graphql"
    python: Path  # the interpreter of its venv
    module: str  # its driver, e.g. "bench.drive_ours"
    arguments: tuple[str, ...] = ()  # for the driver, e.g. ("--api", "graphql")


@dataclass(frozen=True)
class Reply:
    result: dict[str, Any]
    seconds: float


class DriverError(RuntimeError):
    """The driver answered ``ok: false`` or died; its stderr log names the cause."""


class DriverProcess:
    def __init__(self, implementation: Implementation, log_path: Path) -> None:
        self.implementation = implementation
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = log_path.open("ab")
        # ``-I`` ignores PYTHONPATH already; dropping it too keeps it from any process the
        # driver might start.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self._process = subprocess.Popen(
            module_command(implementation.python, implementation.module, *implementation.arguments),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=env,
            cwd=BENCH_DIR,
        )

    def call(self, op: str, **arguments: Any) -> Reply:
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise DriverError(
                f"{self.implementation.name} driver exited (code {process.wait()}) during {op!r}; "
                f"see {self.log_path}"
            )
        answer = json.loads(line)
        if not answer["ok"]:
            raise DriverError(f"{self.implementation.name} {op}: {answer['error']}")
        return Reply(result=answer["result"], seconds=float(answer["seconds"]))

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()

    def __enter__(self) -> DriverProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
