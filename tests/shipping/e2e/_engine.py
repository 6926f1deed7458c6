"""The Docker API that act talks to: the Docker daemon wherever one answers (GitHub's runners),
else podman's Docker-compatible service started through container-check.sh (this project's
machines: no Docker daemon, no Docker Hub). Everything started here is ended by its PID.

Under podman, every command act runs in a job container leaves a `conmon` helper alive for 300 s.
The job containers get a cgroup parent of our own, so those helpers are found in it, by PID,
and ended when the session is done; then the cgroup is removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: The job image: where Docker Hub is unreachable, container-check.sh tags its stand-in with it.
JOB_IMAGE = "docker.io/library/python:3.12-slim"


@dataclass(frozen=True)
class Engine:
    """How act reaches a Docker API, and what to add to its job containers."""

    name: str
    env: dict[str, str]  # DOCKER_HOST, or nothing for the default daemon
    cgroup_parent: str | None = None

    def docker(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def job_python(self) -> str:
        """The job image's Python as X.Y (wheels for it are what its pip can install)."""
        done = self.docker(
            "run", "--rm", JOB_IMAGE, "python3", "-c",
            "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


def _docker_answers(env: dict[str, str] | None = None) -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(
            ["docker", "info"],
            env={**os.environ, **(env or {})},
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def container_check_script() -> Path | None:
    for candidate in (
        os.environ.get("GH_STORE_CONTAINER_CHECK"),
        str(ROOT.parent / "shared" / "tools" / "container-check.sh"),
    ):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _memory_cgroup() -> str | None:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return path
    return None


def _cgroup_dirs(relative: str) -> list[Path]:
    return [
        hierarchy / relative.lstrip("/")
        for hierarchy in Path("/sys/fs/cgroup").iterdir()
        if (hierarchy / relative.lstrip("/")).is_dir()
    ]


def end_cgroup(relative: str) -> list[int]:
    """End every process in the cgroup ``relative`` (all hierarchies), by PID; remove it."""
    ended: list[int] = []
    for _ in range(20):
        pids = {
            int(pid)
            for directory in _cgroup_dirs(relative)
            for procs in directory.rglob("cgroup.procs")
            for pid in procs.read_text().split()
        }
        if not pids:
            break
        for pid in sorted(pids):
            try:
                os.kill(pid, signal.SIGKILL if ended.count(pid) else signal.SIGTERM)
            except ProcessLookupError:
                continue
            ended.append(pid)
        time.sleep(0.2)
    for directory in _cgroup_dirs(relative):
        for sub in sorted(directory.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if sub.is_dir():
                sub.rmdir()
        directory.rmdir()
    return sorted(set(ended))


@contextmanager
def _podman_service(script: Path, workdir: Path) -> Iterator[Engine]:
    base = subprocess.run(
        ["bash", str(script), "base"], capture_output=True, text=True, timeout=1800
    )
    assert base.returncode == 0, f"container-check.sh base failed:\n{base.stderr[-3000:]}"
    socket = workdir / "podman.sock"
    log = (workdir / "podman-service.log").open("w")
    service = subprocess.Popen(
        ["bash", str(script), "podman", "system", "service", "--time=0", f"unix://{socket}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # the script execs podman: this PID is the service's
    memcg = _memory_cgroup()
    cgroup = f"{memcg.rstrip('/')}/gh-store-e2e-{os.getpid()}" if memcg else None
    engine = Engine("podman", {"DOCKER_HOST": f"unix://{socket}"}, cgroup)
    try:
        deadline = time.monotonic() + 60
        while not _docker_answers(engine.env):
            assert service.poll() is None, (workdir / "podman-service.log").read_text()
            assert time.monotonic() < deadline, "podman's Docker API did not answer in 60 s"
            time.sleep(0.5)
        yield engine
    finally:
        service.terminate()
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait(timeout=30)
        log.close()
        if cgroup is not None:
            end_cgroup(cgroup)


@contextmanager
def container_engine(workdir: Path) -> Iterator[Engine | None]:
    """The Docker daemon if one answers, else podman's service (as root), else None."""
    if _docker_answers():
        yield Engine("docker", {})
        return
    script = container_check_script()
    if script is None or os.geteuid() != 0:
        yield None
        return
    with _podman_service(script, workdir) as engine:
        yield engine
