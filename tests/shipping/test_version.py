"""One version, reported everywhere: the package metadata, `gh-store --version`, a vendored copy
of gh_store/ (no metadata at all, as in the action's image), and the CHANGELOG's newest entry."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import gh_store

from ._support import ROOT


def test_pyproject_takes_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gh_store.__version__"}
    assert re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", gh_store.__version__)
    assert metadata.version("gh-store") == gh_store.__version__


def test_the_cli_reports_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gh_store", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"gh-store {gh_store.__version__}\n"


def test_a_vendored_copy_reports_it_without_any_metadata(tmp_path: Path) -> None:
    # What users vendor and what the Dockerfile copies: the gh_store/ folder alone.
    shutil.copytree(
        ROOT / "gh_store", tmp_path / "gh_store", ignore=shutil.ignore_patterns("__pycache__")
    )
    code = (
        "import sys, importlib.metadata as m, gh_store\n"
        "assert gh_store.__file__.startswith(sys.argv[1]), gh_store.__file__\n"
        "try:\n    m.version('gh-store')\nexcept m.PackageNotFoundError:\n    pass\n"
        "else:\n    raise SystemExit('metadata visible')\n"
        "print(gh_store.__version__)\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    # -S: no site-packages, so neither the installed package nor its metadata can be seen.
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, str(tmp_path)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{gh_store.__version__}\n"


def test_the_changelog_newest_entry_is_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    entries = re.findall(r"^## \[([^\]]+)\] - (\S+)$", changelog, flags=re.MULTILINE)
    assert entries[0][0] == gh_store.__version__
    assert entries[-1] == ("1.0.0", "2026-11-26")  # the first release
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) for _, date in entries[1:])
