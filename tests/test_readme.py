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


def test_the_quick_start_workflow_is_the_example_workflow_in_short() -> None:
    """Every line the README shows is in examples/workflows/gh-store.yml, so the two cannot drift
    (the example itself runs under act in `make e2e` and passes actionlint and zizmor)."""
    (block,) = [b for b in _code_blocks("yaml") if "owner/gh-store@" in b]
    example = (ROOT / "examples" / "workflows" / "gh-store.yml").read_text(encoding="utf-8")
    example_lines = {line.rstrip() for line in example.splitlines()}
    missing = [line for line in block.splitlines() if line.strip() and line not in example_lines]
    assert missing == []
