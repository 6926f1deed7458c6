"""Every `pip install` line a user can read (README, docs, CHANGELOG, examples) works as written
today, and says nothing false about where gh-store comes from.

gh-store 1.x is not on PyPI: `pip install gh-store` gives the original project's 0.11. So a line
may install from a checkout (`pip install .`, run here offline into a clean environment from a
copy of the checkout), from a release's wheel or tag (placeholders `X.Y.Z`, or a version the
CHANGELOG dates), the original on purpose (`gh-store<1`), or the client's own dependencies (the
vendored copy). A line naming gh-store 1.x on an index fails until ON_PYPI lists that version.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import gh_store

from ._support import ROOT
from .test_wheel import WHEELHOUSE

#: gh-store 1.x versions published on PyPI (none yet). Add a version when its release is out.
ON_PYPI: frozenset[str] = frozenset()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
OUR_TAG = re.compile(r"(?:gh-store @ )?git\+https://github\.com/owner/gh-store(?:\.git)?@(\S+)")
WHEEL = re.compile(r"gh_store-(\S+)-py3-none-any\.whl")
CHECKOUT = re.compile(r"\.(\[[\w,-]+\])?")


def _sources() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "SECURITY.md"]
    files += sorted((ROOT / "docs").glob("*.md"))
    files += sorted((ROOT / "examples").rglob("*.yml")) + sorted((ROOT / "examples").rglob("*.py"))
    return files


@dataclass(frozen=True)
class InstallLine:
    where: str
    targets: tuple[str, ...]
    #: The line of text it is on: a sentence about what the original's users get may name it.
    context: str


def install_lines(text: str, where: str) -> list[InstallLine]:
    """Each `pip install ...` in ``text``: up to the end of its line, its inline-code span or a
    shell comment; options dropped."""
    found = []
    for match in re.finditer(r"\b(?:pip3?|pipx) install\b([^`\n]*)", text):
        words = shlex.split(match.group(1), comments=True)
        targets = tuple(word for word in words if not word.startswith("-"))
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        found.append(InstallLine(where, targets, text[start : end if end >= 0 else None]))
    return found


def _released() -> set[str]:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return set(re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M))


def problem(target: str, context: str = "") -> str | None:
    """Why ``target`` (one argument of `pip install`) is not true today, or None. ``context``:
    the text around it; a sentence that says the line gives the original is true."""
    released = _released()
    if CHECKOUT.fullmatch(target):
        extras = CHECKOUT.fullmatch(target).group(1)  # type: ignore[union-attr]
        names = set((extras or "[]")[1:-1].split(",")) - {""}
        unknown = names - set(PROJECT["optional-dependencies"])
        return f"no such extra: {sorted(unknown)}" if unknown else None
    if tag := OUR_TAG.fullmatch(target):
        ref = tag.group(1)
        majors = {version.split(".")[0] for version in released}
        ok = ref == "vX.Y.Z" or ref[1:] in released or (ref[1:] in majors and ref[0] == "v")
        return None if ok else f"no release is tagged {ref}"
    if wheel := WHEEL.fullmatch(target):
        version = wheel.group(1)
        return None if version in {"X.Y.Z", *released} else f"no release has the wheel {target}"
    try:
        requirement = Requirement(target)
    except InvalidRequirement:
        return f"not a requirement: {target!r}"
    name = canonicalize_name(requirement.name)
    if name == "gh-store":
        ours = [Version(v) for v in ON_PYPI]
        if ours and any(requirement.specifier.contains(v) for v in ours):
            return None
        if not ours and re.search(r"\bgives the original|installs the original", context):
            return None
        # The original on purpose: no 1.x version satisfies it.
        if requirement.specifier and not any(
            requirement.specifier.contains(v) for v in ("1.0.0", gh_store.__version__, "2.0.0")
        ):
            return None
        return f"{target!r} from PyPI installs the original gh-store 0.11, not this project"
    dependencies = {canonicalize_name(Requirement(d).name) for d in PROJECT["dependencies"]}
    if name in dependencies:
        return None
    return f"{target!r} is neither this project nor one of its dependencies"


LINES = [
    line
    for path in _sources()
    for line in install_lines(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
]


def test_the_sources_have_install_lines() -> None:
    assert sum(line.where == "README.md" for line in LINES) >= 4, LINES


@pytest.mark.parametrize(
    "line", LINES, ids=[f"{line.where}:{' '.join(line.targets)}" for line in LINES]
)
def test_an_install_line_says_nothing_false(line: InstallLine) -> None:
    assert line.targets, f"{line.where}: `pip install` of nothing"
    problems = [(t, problem(t, line.context)) for t in line.targets]
    assert [(t, p) for t, p in problems if p] == [], line.where


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("pip install gh-store==1.1.0", "installs the original"),
        ("pip install gh-store", "installs the original"),
        ("pip install 'gh-store[emulator]'", "installs the original"),
        ("`pip install gh-store>=1`", "installs the original"),
        ("pip install 'gh-store<1'", None),
        ("pip install gh-store==0.11.3", None),
        ("pip install .", None),
        ("pip install '.[emulator]'", None),
        ("pip install '.[nope]'", "no such extra"),
        ("pip install git+https://github.com/owner/gh-store@vX.Y.Z", None),
        ("pip install git+https://github.com/owner/gh-store@v9.9.9", "no release is tagged"),
        ("pip install gh_store-X.Y.Z-py3-none-any.whl", None),
        ("pip install gh_store-9.9.9-py3-none-any.whl", "no release has the wheel"),
        ("pip install ghapi PyYAML jsonschema", None),
        ("pip install requests", "neither this project"),
        ("`pip install gh-store` installs the original's 0.11.3", None),
        ("`pip install gh-store` installs the latest", "installs the original"),
        ("pipx install gh-store", "installs the original"),
    ],
)
def test_the_judge_of_install_lines(text: str, verdict: str | None) -> None:
    (line,) = install_lines(text, "example")
    problems = [problem(target, line.context) for target in line.targets]
    if verdict is None:
        assert problems == [None] * len(problems)
    else:
        assert any(p and verdict in p for p in problems), problems


def test_the_readme_names_the_distribution_a_release_publishes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert PROJECT["name"] == "gh-store"
    assert f"the distribution **`{PROJECT['name']}`** on PyPI" in readme
    if not ON_PYPI:
        assert "gh-store 1.x is not on PyPI yet" in readme
        assert "Today `pip install gh-store` installs the original's 0.11.3" in readme


def _checkout_copy(into: Path) -> Path:
    """The checkout's files (tracked and new, not ignored), as a user's clone would have them."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    copy = into / "gh-store"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


CHECKOUT_FORMS = sorted({t for line in LINES for t in line.targets if CHECKOUT.fullmatch(t)})


@pytest.mark.parametrize("target", CHECKOUT_FORMS)
def test_a_checkout_install_line_runs_offline_into_a_clean_environment(
    target: str, tmp_path: Path
) -> None:
    if not any(WHEELHOUSE.glob("setuptools-*.whl")):
        pytest.fail(f"{WHEELHOUSE} has no setuptools wheel: `make test` fetches it")
    copy = _checkout_copy(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--quiet", "--no-index", "--find-links", str(WHEELHOUSE), target],
        cwd=copy, env=clean, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run(
        [str(venv / "bin" / "gh-store"), "--version"],
        cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert version.stdout == f"gh-store {gh_store.__version__}\n", version.stderr
    extras = CHECKOUT.fullmatch(target).group(1)  # type: ignore[union-attr]
    if extras and "emulator" in extras:
        graphql = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import graphql"], cwd=tmp_path, env=clean
        )
        assert graphql.returncode == 0
