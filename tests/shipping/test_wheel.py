"""The package as users get it from PyPI: the sdist and wheel built from the checkout (the wheel
from the sdist, as `python -m build` does in the release), the wheel installed into a clean
environment outside the checkout, and the README's quick start run there.

No network: the build runs without isolation on the test extras' setuptools, and the clean
environment installs the action's pinned requirements from the wheelhouse that `make test`
fetched once at install time (.venv/wheelhouse). The new environment has no pip of its own; the
project's pip installs into it (`pip --python`).
"""

from __future__ import annotations

import email.message
import email.parser
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import gh_store

from ._support import ROOT

WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: no PYTHONPATH, no virtualenv of the project's, a home of its own.
    base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(cwd), "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        command, cwd=cwd, env={**base, **env}, capture_output=True, text=True, timeout=300
    )


@dataclass
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    outside: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    if not any(WHEELHOUSE.glob("ghapi-*.whl")):
        pytest.fail(f"{WHEELHOUSE} has no wheels: `make test` fetches them when it installs .venv")
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")

    venv = tmp / "clean-venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    assert made.returncode == 0, made.stderr
    install = _run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--quiet", "--no-index", "--find-links", str(WHEELHOUSE), str(wheel)],
        tmp,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    outside = tmp / "elsewhere"
    outside.mkdir()
    yield Installed(sdist, wheel, venv, outside)


def test_the_distributions_carry_the_version_and_the_package_only(installed: Installed) -> None:
    version = gh_store.__version__
    assert installed.sdist.name == f"gh_store-{version}.tar.gz"
    assert installed.wheel.name == f"gh_store-{version}-py3-none-any.whl"
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(f"gh_store-{version}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"gh_store-{version}.dist-info/entry_points.txt").decode()
    assert f"\nVersion: {version}\n" in metadata
    assert "gh-store = gh_store.cli:main" in entry_points
    assert "gh_store/py.typed" in names and "gh_store/emulator/server.py" in names
    # GitHub's GraphQL schema for the emulator, with where it comes from and its licence
    graphql = {f"gh_store/emulator/github-graphql/{n}" for n in ("schema.graphql", "SOURCE.txt")}
    assert graphql | {"gh_store/emulator/github-graphql/LICENSE.md"} <= set(names)
    assert not [name for name in names if name.startswith(("tests/", "bench/", "examples/"))]
    with tarfile.open(installed.sdist) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "LICENSE", "gh_store/__init__.py"} <= members


def test_the_clean_environment_imports_the_installed_copy(installed: Installed) -> None:
    done = _run(
        [str(installed.python), "-c", "import gh_store, ghapi; print(gh_store.__file__)"],
        installed.outside,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(installed.venv / "lib")), done.stdout
    check = _run(
        [sys.executable, "-m", "pip", "--python", str(installed.python), "check"], installed.outside
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_console_script_reports_the_version(installed: Installed) -> None:
    done = _run([str(installed.venv / "bin" / "gh-store"), "--version"], installed.outside)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"gh-store {gh_store.__version__}\n"


QUICK_START = [
    block
    for block in re.findall(r"^```python\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
    if "GitHubEmulator" in block
]


@pytest.mark.parametrize("block", QUICK_START, ids=lambda block: block.splitlines()[0])
def test_the_readme_quick_start_runs_from_the_installed_wheel(
    installed: Installed, block: str
) -> None:
    assert QUICK_START, "the README has no runnable quick start"
    script = installed.outside / "quick_start.py"
    script.write_text(block, encoding="utf-8")
    done = _run([str(installed.python), str(script)], installed.outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\d+ requests$", done.stdout, flags=re.MULTILINE), done.stdout


def test_the_cli_works_against_the_emulator_from_the_installed_wheel(installed: Installed) -> None:
    server = subprocess.Popen(
        [str(installed.python), "-m", "gh_store", "emulator", "--port", "0"],
        cwd=installed.outside,
        env={"PATH": "/usr/bin:/bin", "HOME": str(installed.outside)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        started = json.loads(server.stdout.readline())
        env = {
            "GITHUB_TOKEN": started["tokens"]["octo"],
            "GITHUB_REPOSITORY": "octo/store",
            "GITHUB_API_URL": started["url"],
        }
        cli = str(installed.venv / "bin" / "gh-store")
        created = _run([cli, "create", "demo", '{"n": 1}'], installed.outside, **env)
        assert created.returncode == 0, created.stderr
        updated = _run([cli, "update", "demo", '{"n": 2}', "--apply"], installed.outside, **env)
        assert updated.returncode == 0, updated.stderr
        got = _run([cli, "get", "demo"], installed.outside, **env)
        assert got.returncode == 0, got.stderr
        assert json.loads(got.stdout)["data"] == {"n": 2}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _metadata(installed: Installed) -> email.message.Message:
    version = gh_store.__version__
    with zipfile.ZipFile(installed.wheel) as wheel:
        text = wheel.read(f"gh_store-{version}.dist-info/METADATA").decode()
    return email.parser.Parser().parsestr(text)


def relative_links(markdown: str) -> list[str]:
    """Link targets in ``markdown`` that a package index cannot follow: anything but an absolute
    http(s) or mailto URL (inline links, reference definitions, images, HTML attributes)."""
    targets = re.findall(r"\]\(([^)\s]+)", markdown)
    targets += re.findall(r"^\s*\[[^\]]+\]:\s*(\S+)", markdown, flags=re.MULTILINE)
    targets += re.findall(r"""(?:href|src)=["']([^"']+)""", markdown)
    return [t for t in targets if not re.match(r"(https?|mailto):", t)]


def test_relative_links_are_found() -> None:
    text = "[a](docs/x.md) [b](https://e.com) ![c](p.png)\n[d]: ../y.md\n[e]: http://e.com\n"
    assert relative_links(text + '<img src="z.svg">') == ["docs/x.md", "p.png", "../y.md", "z.svg"]


def test_the_long_description_has_only_absolute_links(installed: Installed) -> None:
    metadata = _metadata(installed)
    assert metadata["Description-Content-Type"] == "text/markdown"
    description = metadata.get_payload()
    assert "make demo" in description  # the README, as the index shows it
    assert relative_links(description) == []


def test_twine_accepts_the_distributions(installed: Installed) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(installed.sdist),
         str(installed.wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_the_metadata_names_the_project_urls_and_classifiers(installed: Installed) -> None:
    metadata = _metadata(installed)
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    assert all(url.startswith("https://github.com/owner/gh-store") for url in urls.values())
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Keywords"]
    classifiers = metadata.get_all("Classifier") or []
    topics = [c for c in classifiers if c.startswith("Topic ::")]
    status = [c for c in classifiers if c.startswith("Development Status ::")]
    assert topics and len(status) == 1 and "Operating System :: OS Independent" in classifiers
    # The Python versions named are those CI tests, and no older than Requires-Python allows.
    named = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    matrices = [job.get("strategy", {}).get("matrix", {}) for job in ci["jobs"].values()]
    (tested,) = [matrix["python"] for matrix in matrices if "python" in matrix]
    assert named == tested
    minimum = metadata["Requires-Python"].removeprefix(">=")
    assert named[0] == minimum, (named, minimum)
