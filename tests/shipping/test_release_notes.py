"""The release gate: .github/scripts/release_notes.py checks the tag against the version and the
CHANGELOG, and prints the section that becomes the GitHub release's notes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import gh_store

from ._support import ROOT, SCRIPTS, run_script


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_notes", SCRIPTS / "release_notes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["release_notes"] = module
    spec.loader.exec_module(module)
    return module


notes = _module()

CHANGELOG = """# Changelog

Intro.

## [1.2.0] - 2027-01-15

### Fixed
- A thing.

## [1.1.0] - 2026-12-10

### Added
- Another thing.

[1.2.0]: https://github.com/owner/gh-store/compare/v1.1.0...v1.2.0
"""


def test_the_section_of_the_tag_is_the_notes() -> None:
    assert notes.release_notes(CHANGELOG, "v1.2.0", "1.2.0") == "### Fixed\n- A thing.\n"


def test_the_last_section_drops_the_link_references() -> None:
    text = CHANGELOG.replace("## [1.2.0] - 2027-01-15\n\n### Fixed\n- A thing.\n\n", "")
    assert notes.release_notes(text, "v1.1.0", "1.1.0") == "### Added\n- Another thing.\n"


@pytest.mark.parametrize(
    ("changelog", "tag", "version", "message"),
    [
        (CHANGELOG, "1.2.0", "1.2.0", "a release tag is vX.Y.Z"),
        (CHANGELOG, "v1.2", "1.2.0", "a release tag is vX.Y.Z"),
        (CHANGELOG, "v1.2.1", "1.2.0", "does not match the package version"),
        (CHANGELOG, "v1.1.0", "1.1.0", "newest entry is 1.2.0, not 1.1.0"),
        (CHANGELOG.replace("2027-01-15", "Unreleased"), "v1.2.0", "1.2.0", "dated 'Unreleased'"),
        (CHANGELOG.replace(" - 2027-01-15", ""), "v1.2.0", "1.2.0", "dated 'nothing'"),
        ("# Changelog\n", "v1.2.0", "1.2.0", "newest entry is none"),
    ],
)
def test_a_tag_that_may_not_be_released_is_refused(
    changelog: str, tag: str, version: str, message: str
) -> None:
    with pytest.raises(notes.ReleaseError, match=message):
        notes.release_notes(changelog, tag, version)


def test_the_repository_as_it_is_names_its_version_and_refuses_until_dated(
    tmp_path: Path,
) -> None:
    # The newest CHANGELOG entry is the package's version. While it reads Unreleased, the
    # release workflow's first job fails; dated, it passes and prints the section.
    changelog = (ROOT / "CHANGELOG.md").read_text()
    version = gh_store.__version__
    assert notes.package_version((ROOT / "gh_store" / "__init__.py").read_text()) == version
    newest = notes._ENTRY.search(changelog)
    assert newest is not None and newest.group("version") == version

    done = run_script("release_notes.py", f"v{version}", env={})
    if newest.group("date") == "Unreleased":
        assert done.returncode == 1
        assert "write the release date" in done.stderr
        dated = tmp_path / "CHANGELOG.md"
        dated.write_text(
            changelog.replace(f"[{version}] - Unreleased", f"[{version}] - 2026-12-31")
        )
        done = run_script("release_notes.py", f"v{version}", "--changelog", str(dated), env={})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("### ") and "## [" not in done.stdout
