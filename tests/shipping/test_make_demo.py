"""`make demo`, the first command a newcomer runs, installs what the demo needs and nothing of the
test and lint toolchain; `make test` installs the rest, in either order."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ._support import ROOT
from .test_install_lines import _checkout_copy
from .test_wheel import WHEELHOUSE

DEMO_EXTRAS = "emulator"


def _dry_run(folder: Path, target: str) -> list[str]:
    """The commands `make -n TARGET` would run in ``folder`` (a copy of the Makefile)."""
    # Not as a sub-make of `make test`: no inherited flags, no "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=folder, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture
def make_folder(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml", "requirements/action.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def _installs(commands: list[str]) -> list[str]:
    return [c for c in commands if re.search(r"pip install .*-e ", c)]


def test_make_demo_in_a_fresh_clone_installs_the_package_and_its_emulator_extra_only(
    make_folder: Path,
) -> None:
    commands = _dry_run(make_folder, "demo")
    installs = _installs(commands)
    assert len(installs) == 1, commands
    assert f"-e '.[{DEMO_EXTRAS}]'" in installs[0], installs
    assert not [c for c in commands if "[test]" in c or "pip download" in c or "npm" in c]
    assert commands[-1].endswith("examples/demo.py")


def test_make_test_after_make_demo_installs_the_test_toolchain(make_folder: Path) -> None:
    (make_folder / ".venv").mkdir()
    (make_folder / ".venv" / ".demo-installed").touch()
    installs = _installs(_dry_run(make_folder, "test"))
    assert len(installs) == 1 and "-e '.[test]'" in installs[0], installs


def test_the_demo_runs_with_nothing_but_what_make_demo_installs(tmp_path: Path) -> None:
    """A clean environment with the package and its emulator extra (offline, from the wheelhouse
    `make test` fetched) runs examples/demo.py: the demo needs nothing of the test extra."""
    if not any(WHEELHOUSE.glob("graphql_core-*.whl")):
        pytest.fail(f"{WHEELHOUSE} has no graphql-core wheel: `make test` fetches it")
    copy = _checkout_copy(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}
    python = str(venv / "bin" / "python")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index",
         "--find-links", str(WHEELHOUSE), f".[{DEMO_EXTRAS}]"],
        cwd=copy, env=clean, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "list", "--format=freeze"],
        env=clean, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    names = {line.split("==")[0].lower() for line in listed.stdout.split()}
    assert not names & {"pytest", "hypothesis", "ruff", "mypy", "pygithub", "zizmor"}, names
    demo = subprocess.run(
        [python, "examples/demo.py"], cwd=copy, env=clean, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "exit code: 0" in demo.stdout
