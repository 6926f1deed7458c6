"""The README's promises: its first two commands, and its Python examples that run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)


def test_the_first_two_commands_are_make_demo_and_make_test() -> None:
    commands = [
        line.split("#")[0].strip()
        for block in _code_blocks("sh")
        for line in block.splitlines()
        if line.strip()
    ]
    assert commands[:2] == ["make demo", "make test"]


def test_the_readme_shows_the_emulator_in_a_runnable_example() -> None:
    assert any("GitHubEmulator" in block for block in _code_blocks("python"))


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "block",
    [block for block in _code_blocks("python") if "GitHubEmulator" in block],
    ids=lambda block: block.splitlines()[0],
)
def test_emulator_examples_run_as_written(block: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(block, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\d+ requests$", result.stdout, flags=re.MULTILINE), result.stdout
