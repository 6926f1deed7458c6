"""The README's promises: its first two commands, and its Python examples that run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def _sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)


def test_the_top_is_for_a_newcomer() -> None:
    """The two commands, then the quick start, the install and when not to use it, before any
    reference material."""
    sections = _sections(README)
    assert sections[:3] == [
        "Quick start: the workflow",
        "Install the client",
        "When to use it, and when not",
    ]
    assert README.index("make demo") < README.index("## Quick start")


def test_the_documents_list_names_every_doc() -> None:
    documents = README.split("## Documents", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^- \[(docs/[\w-]+\.md)\]", documents, flags=re.MULTILINE))
    assert listed == {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}


REPOSITORY = "https://github.com/owner/gh-store"


def _headings(markdown: str) -> set[str]:
    """GitHub's anchors for a document's headings."""
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    }


def test_every_link_into_the_repository_names_a_file_and_heading_that_exist() -> None:
    links = re.findall(
        rf"{re.escape(REPOSITORY)}(?:/(?:blob|tree)/main/([^)#\s]*))?(#[\w-]+)?", README
    )
    assert len(links) > 20
    broken = []
    for path, anchor in links:
        target = ROOT / path if path else ROOT / "README.md"
        if not target.exists():
            broken.append(path)
        elif anchor and anchor[1:] not in _headings(target.read_text(encoding="utf-8")):
            broken.append(f"{path}{anchor}")
    assert broken == []


def _table(markdown: str, header_start: str) -> dict[str, list[str]]:
    """The table whose header row starts with ``header_start``: first cell -> the other cells."""
    lines = markdown[markdown.index(f"| {header_start}") :].splitlines()
    rows = {}
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


#: The README's measured table, row by row, and where docs/benchmarks.md measured it.
MEASURED_ROWS = {
    "1 pending update after 300 applied": (
        "## Update processing, throttling off",
        "1 pending after 300 applied",
    ),
    "100 pending updates": ("## Update processing, throttling off", "100 pending"),
    "catch-up over 50 objects": ("## Many objects", "catch-up over 50 objects (r / w)"),
    "100 reads of an unchanged object": ("## Many objects", "100 `get()` of an unchanged object"),
}
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def test_every_figure_in_the_measured_table_is_in_docs_benchmarks() -> None:
    benchmarks = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    readme_rows = _table(README, "workload | original 0.11.3")
    assert set(readme_rows) == set(MEASURED_ROWS)
    for label, cells in readme_rows.items():
        section, source_label = MEASURED_ROWS[label]
        source = _table(
            benchmarks[benchmarks.index(section) :], "workload" if "Update" in section else "run"
        )
        measured = set(NUMBER.findall(" ".join(source[source_label])))
        figures = NUMBER.findall(" ".join(cells))
        assert figures and [f for f in figures if f not in measured] == [], (label, measured)


def test_the_cost_formulas_are_in_docs_benchmarks_as_the_harness_writes_them() -> None:
    from bench.report import COSTS

    benchmarks = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "\n".join(COSTS) in benchmarks
    assert "ceil(" not in README  # the formulas live there, once


def test_where_the_action_runs_and_what_it_costs_first_agree_with_action_yml() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "docker"
    assert "it runs\non Linux runners only" in README
    # Main builds the image; a release's pinned action.yml is checked by tests/shipping.
    assert action["runs"]["image"] == "Dockerfile"
    assert "main's `action.yml` says `image: Dockerfile`" in README
    container = (ROOT / "docs" / "container.md").read_text(encoding="utf-8")
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    figures = re.findall(r"(\d+(?:\.\d+)?) (s|MB)\b", quick_start)
    assert len(figures) >= 5
    assert [f for f in figures if f"{f[0]} {f[1]}" not in container] == []


def test_the_emulator_is_described_as_it_speaks() -> None:
    docs = [README, *(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))]
    assert not [d for d in docs if re.search(r"REST (API )?emulator", d)]
    assert "GitHub REST and GraphQL emulator" in README
