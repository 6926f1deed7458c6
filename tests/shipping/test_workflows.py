"""What the project's workflows promise, read from their YAML: least privilege, pinned actions,
and the wiring between jobs that actionlint and zizmor cannot judge."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ._support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ALL = sorted([*WORKFLOWS.glob("*.yml"), *(ROOT / "examples" / "workflows").glob("*.yml")])
USES = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<ref>\S+)(?P<comment>.*)$")


def _load(name: str) -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    return workflow


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def test_third_party_actions_are_pinned_to_one_sha_each_with_its_version() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in ALL:
        for line in path.read_text().splitlines():
            match = USES.match(line)
            if not match or match["ref"].startswith("./"):
                continue
            action, _, ref = match["ref"].partition("@")
            if action == "owner/gh-store":  # the example's own action (README: pinning)
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{path.name}: {line.strip()}"
            version = re.fullmatch(r"\s+# (v\d+(?:\.\d+){1,2})", match["comment"])
            assert version, f"{path.name}: no `# vX.Y.Z` after the SHA: {line.strip()}"
            pins.setdefault(action, set()).add((ref, version[1]))
    assert all(len(refs) == 1 for refs in pins.values()), pins
    assert {"actions/checkout", "actions/setup-python", "pypa/gh-action-pypi-publish"} <= set(pins)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_permissions_are_granted_per_job_and_checkouts_keep_no_credentials(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text())
    assert workflow["permissions"] == {}, "nothing at the workflow level"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} states its permissions"
        for step in _steps(job):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{path.name}: {name}"


def test_only_the_jobs_that_sign_or_publish_get_an_oidc_token() -> None:
    for path in ALL:
        workflow = yaml.safe_load(path.read_text())
        signers = {
            name
            for name, job in workflow["jobs"].items()
            if job.get("permissions", {}).get("id-token") == "write"
        }
        expected = {"release.yml": {"image", "pypi"}, "snapshot-pages.yml": {"deploy"}}
        # deploy-pages proves to Pages which workflow made the artifact (OIDC).
        assert signers == expected.get(path.name, set()), path.name


def test_ci_runs_the_suite_lint_e2e_and_every_python_and_cancels_superseded_pr_runs() -> None:
    ci = _load("ci.yml")
    assert set(ci["on"]) == {"push", "pull_request", "workflow_call"}
    assert ci["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert "github.event.pull_request.number" in ci["concurrency"]["group"]
    runs = {name: [s.get("run", "") for s in _steps(job)] for name, job in ci["jobs"].items()}
    assert "bash .ci/run" in runs["test"]  # make test (container mandatory), lint, e2e
    ci_run = (ROOT / ".ci" / "run").read_text().split("\n")
    assert [line for line in ci_run if line.startswith("make ")] == [
        "make test",
        "make lint",
        "make e2e",
    ]
    assert ci["jobs"]["library"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert all(job["permissions"] == {"contents": "read"} for job in ci["jobs"].values())


def test_the_self_test_checks_in_a_later_job_from_the_first_jobs_outputs() -> None:
    self_test = _load("self-test.yml")
    assert set(self_test["on"]) == {"push", "workflow_dispatch", "schedule"}
    assert self_test["on"]["push"] == {"branches": ["main"]}
    run, check = self_test["jobs"]["run"], self_test["jobs"]["check"]
    steps = {step.get("id"): step for step in _steps(run)}
    assert steps["prepare"]["run"].endswith(".github/scripts/self_test.py prepare")
    assert steps["store"]["uses"] == "./"
    assert steps["store"]["with"] == {"issue-number": "${{ steps.prepare.outputs.issue-number }}"}
    assert check["needs"] == "run"
    (checking,) = [s for s in _steps(check) if "self_test.py check" in s.get("run", "")]
    # every variable the script reads comes from an output the first job declares
    for name, value in checking["env"].items():
        if name.startswith("SELF_TEST_"):
            output = re.fullmatch(r"\$\{\{ needs\.run\.outputs\.([a-z-]+) \}\}", value)
            assert output and output[1] in run["outputs"], (name, value)
    assert {v.split(".")[-1].rstrip(" }") for v in run["outputs"].values()} >= {
        "object",
        "version",
        "applied",
        "object-id",
        "issue-number",
        "expected",
    }


def test_a_release_tests_builds_two_platforms_publishes_attests_and_pins() -> None:
    release = _load("release.yml")
    assert release["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    jobs = release["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml"
    assert jobs["test"]["needs"] == "check" and jobs["image"]["needs"] == "test"
    image = {step.get("id") or step.get("name"): step for step in _steps(jobs["image"])}
    assert image["push"]["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert image["meta"]["with"]["tags"].split() == [
        "type=semver,pattern={{version}}",
        "type=semver,pattern={{major}}.{{minor}}",
        "type=semver,pattern={{major}}",
    ]
    attests = [
        s for s in _steps(jobs["image"]) if str(s.get("uses", "")).startswith("actions/attest@")
    ]
    assert [("sbom-path" in s["with"]) for s in attests] == [False, True]  # provenance, SBOM
    assert all(s["with"]["push-to-registry"] is True for s in attests)
    pypi = [str(s.get("uses", "")) for s in _steps(jobs["pypi"])]
    assert pypi[-1].startswith("pypa/gh-action-pypi-publish@")
    assert any(u.startswith("actions/attest@") for u in pypi)
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    final = "\n".join(s.get("run", "") for s in _steps(jobs["release"]))
    assert 'pin_image.py "$IMAGE@$DIGEST"' in final
    assert "--notes-file release-notes.md" in final
    assert set(jobs["release"]["needs"]) == {"image", "pypi"}
    check = "\n".join(s.get("run", "") for s in _steps(jobs["check"]))
    assert 'release_notes.py "$TAG"' in check
