"""The release's pin: .github/scripts/pin_image.py rewrites runs.image and nothing else."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from ._support import ROOT, SCRIPTS, run_script

DIGEST = "sha256:" + "0123456789abcdef" * 4
REFERENCE = f"ghcr.io/owner/gh-store@{DIGEST}"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pin_image", SCRIPTS / "pin_image.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pin_image"] = module
    spec.loader.exec_module(module)
    return module


pin = _module()


def test_the_real_action_yml_changes_in_its_image_line_only(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    original = (ROOT / "action.yml").read_bytes()
    action.write_bytes(original)

    done = run_script("pin_image.py", REFERENCE, "--action", str(action), env={})

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{action}: runs.image = docker://{REFERENCE}\n"
    before = original.decode().splitlines(keepends=True)
    after = action.read_bytes().decode().splitlines(keepends=True)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("  image: Dockerfile\n", f"  image: docker://{REFERENCE}\n")]
    old, new = yaml.safe_load(original), yaml.safe_load(action.read_bytes())
    assert new["runs"] == {"using": "docker", "image": f"docker://{REFERENCE}"}
    assert {k: v for k, v in new.items() if k != "runs"} == {
        k: v for k, v in old.items() if k != "runs"
    }


def test_main_keeps_building_from_the_dockerfile() -> None:
    # Only release commits pin; @main and main's commits build from source.
    assert yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["image"] == "Dockerfile"


def test_comments_line_endings_and_a_second_pin_are_kept_right() -> None:
    text = (
        "name: x\r\nruns:  # the container\r\n  using: docker\r\n"
        "  image: 'Dockerfile'   # built per job\r\nbranding:\r\n  image: not-this-one\r\n"
    )
    once = pin.pin_image(text, REFERENCE)
    assert once == text.replace("'Dockerfile'", f"docker://{REFERENCE}")
    other = "ghcr.io/owner/gh-store@sha256:" + "f" * 64
    assert pin.pin_image(once, other) == text.replace("'Dockerfile'", f"docker://{other}")


@pytest.mark.parametrize(
    "reference",
    [
        "ghcr.io/owner/gh-store:1.1.0",  # a tag can move after the release
        "ghcr.io/owner/gh-store@sha256:abc",  # not a whole digest
        "ghcr.io/Owner/gh-store@" + DIGEST,  # registries refuse upper case
        "docker://ghcr.io/owner/gh-store@" + DIGEST,  # the script adds the scheme
        "ghcr.io/owner/gh-store@" + DIGEST + "\n  using: node20",  # no smuggled lines
    ],
)
def test_anything_but_a_digest_reference_is_refused(reference: str, tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_bytes((ROOT / "action.yml").read_bytes())
    done = run_script("pin_image.py", reference, "--action", str(action), env={})
    assert done.returncode == 1
    assert done.stderr.startswith("pin_image: expected IMAGE@sha256:<64 hex digits>")
    assert action.read_bytes() == (ROOT / "action.yml").read_bytes()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("name: x\nruns:\n  using: docker\n", 0),
        ("runs:\n  image: a\n  image: b\n", 2),
        ("image: top-level\nruns:\n  using: docker\n", 0),
    ],
)
def test_an_action_without_exactly_one_runs_image_is_refused(text: str, found: int) -> None:
    with pytest.raises(pin.ImagePinError, match=f"found {found}"):
        pin.pin_image(text, REFERENCE)
