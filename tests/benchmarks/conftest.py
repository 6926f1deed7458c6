"""A stand-in for the original gh-store's venv (bench/.venv-orig), built without the network.

The real one holds gh-store 0.11.3 from PyPI, which ``make test`` may not fetch. What the tests
here check is which ``gh_store`` a driver imports, so a venv whose site-packages holds a package of
that name (the original's packaged config, a ``GitHubStore`` that records what it was given)
stands in for it. PyGithub, which the original's driver imports, comes from the project's venv
through a ``.pth`` line, *after* the stand-in's own packages, as in a venv that installed both.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL_CONFIG = ROOT / "tests" / "fixtures" / "original-gh-store" / "default_config.yml"

#: The part of the original's ``gh_store.core.store`` the driver touches: ``Github``, which the
#: driver replaces with its factory, and ``GitHubStore``, whose constructor calls it as the
#: original's does. ``get`` answers with where things were loaded from.
_STORE = '''\
"""Stands in for gh-store 0.11.3's gh_store.core.store (tests/benchmarks/conftest.py)."""
import sys
import types

Github = None


class GitHubStore:
    def __init__(self, repo, token=None, config_path=None, max_concurrent_updates=2):
        self.github = Github(token)
        self.config_path = config_path

    def get(self, object_id):
        return types.SimpleNamespace(
            data={
                "store_file": __file__,
                "github_class": type(self.github).__module__ + "." + type(self.github).__name__,
                "github_file": sys.modules["github"].__file__,
                "config_path": str(self.config_path),
            }
        )
'''


@dataclass(frozen=True)
class StandIn:
    python: Path
    site_packages: Path


@pytest.fixture(scope="session")
def original_venv(tmp_path_factory: pytest.TempPathFactory) -> StandIn:
    venv = tmp_path_factory.mktemp("venv-orig")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    site_packages = Path(purelib)
    package = site_packages / "gh_store"
    (package / "core").mkdir(parents=True)
    (package / "__init__.py").write_text('"""Stands in for gh-store 0.11.3."""\n')
    (package / "core" / "__init__.py").write_text("")
    (package / "core" / "store.py").write_text(_STORE)
    shutil.copyfile(ORIGINAL_CONFIG, package / "default_config.yml")
    (site_packages / "project-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return StandIn(python=python, site_packages=site_packages.resolve())
