"""The examples: the script that vendors the client (it creates, updates and applies in one run),
the example workflow's job-level filter, and what each workflow needs from the repository it is
copied into (tests/shipping/e2e runs them there under act)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gh_store.configure import load_config, load_schema
from gh_store.core.body import decode_body
from gh_store.core.config import StoreConfig
from gh_store.emulator import GitHubEmulator

from .conftest import ROOT, TEST_CONFIG


@pytest.mark.http  # runs the script as a process, which reaches the emulator over HTTP
def test_update_counter_bumps_the_object_and_applies_it(gh: GitHubEmulator, tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(TEST_CONFIG)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "GITHUB_TOKEN": gh.bot_token,
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_API_URL": gh.url,
    }
    script = str(ROOT / "examples" / "scripts" / "update_counter.py")
    outputs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, script, "--object-id", "counter", "--config", str(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        outputs.append(done.stdout)
    assert outputs[0].splitlines() == ["created counter in issue #1", "counter: count 0 -> 1 (v2)"]
    assert outputs[1].splitlines() == ["counter: count 1 -> 2 (v3)"]
    issue = gh.issue(1)
    assert issue["state"] == "closed"
    assert decode_body(issue["body"]).data == {"count": 2}


def test_update_counter_needs_a_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "scripts" / "update_counter.py")],
        env={"PATH": os.environ.get("PATH", ""), "GITHUB_REPOSITORY": "octo/store"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "GITHUB_TOKEN" in done.stderr


def test_the_example_config_and_schema_load_and_agree() -> None:
    # Optional examples a user may copy (the workflows name them in comments only).
    config = load_config(ROOT / "examples" / "config.yml")
    schema = load_schema(ROOT / "examples" / "schema.json")
    assert config.source.endswith("config.yml")
    assert schema.errors({"name": "demo", "value": 1}) == []
    assert schema.errors({"name": "demo", "value": "one"}) != []


def _process_job() -> tuple[str, dict[str, Any]]:
    text = (ROOT / "examples" / "workflows" / "gh-store.yml").read_text()
    return text, yaml.safe_load(text)["jobs"]["process"]


def test_the_example_job_runs_only_for_issues_with_the_base_label_of_its_config() -> None:
    # Unrelated issue traffic starts no job: the job-level `if:` names the base label, and that
    # label must be the one the action's config gives objects, or no update would ever run.
    text, job = _process_job()
    store_step = next(step for step in job["steps"] if step.get("id") == "store")
    config = store_step["with"].get("config")
    base_label = (load_config(ROOT / config) if config else StoreConfig()).base_label
    condition = " ".join(job["if"].split())
    assert re.findall(
        r"contains\(github\.event\.issue\.labels\.\*\.name, '([^']+)'\)", condition
    ) == [base_label]
    assert text.count(base_label) == 1, "the label is written once, in the job's `if:`"
    assert "!github.event.issue.pull_request" in condition
    # events without an issue (dispatches) are not filtered out
    assert "(github.event_name != 'issues' && github.event_name != 'issue_comment')" in condition


def test_the_example_workflows_grant_permissions_per_job() -> None:
    for path in sorted((ROOT / "examples" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {}, path.name
        writers = [name for name, job in workflow["jobs"].items() if "issues" in job["permissions"]]
        assert writers and all(
            workflow["jobs"][name]["permissions"]["issues"] == "write" for name in writers
        ), path.name


WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
#: What a copy brings along besides the workflow file: the header's first lines name it.
COMPANIONS = {"scheduled-update.yml": {"examples/scripts/update_counter.py"}}
_PATH = re.compile(r"(?<![\w@:/.$-])((?:[\w.-]+/)*[\w.-]+\.(?:ya?ml|json|py|sh|toml|txt|cfg))\b")
_WRITTEN_BY_REDIRECT = re.compile(r">\s*([\w./-]+)")


def _values(node: object) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in _values(value)]
    if isinstance(node, list):
        return [text for value in node for text in _values(value)]
    return [node] if isinstance(node, str) else []


def files_a_workflow_reads(workflow: dict[str, Any]) -> set[str]:
    """Workspace paths the workflow's steps name (YAML values, comments aside) that no earlier step
    writes: the `snapshot` input and shell redirections write theirs."""
    read: set[str] = set()
    for job in workflow["jobs"].values():
        written: set[str] = set()
        for step in job.get("steps", []):
            inputs = step.get("with", {})
            if "snapshot" in inputs:
                written.add(inputs["snapshot"])
            # The action reads these whatever their names look like.
            read |= {str(inputs[name]) for name in ("config", "schema") if inputs.get(name)}
            texts = _values(inputs) + _values(step.get("env", {})) + [step.get("run", "")]
            for line in "\n".join(texts).splitlines():
                written |= set(_WRITTEN_BY_REDIRECT.findall(line))
                read |= {path for path in _PATH.findall(line) if path not in written}
    return read


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_an_example_workflow_needs_no_file_an_empty_repository_lacks(path: Path) -> None:
    """ "Copy the whole file": into a repository that has nothing else (and the companions its
    header names), the first run finds every file it reads. No config means the defaults; a
    schema is optional and only named in comments."""
    text = path.read_text(encoding="utf-8")
    companions = COMPANIONS.get(path.name, set())
    header = "\n".join(line for line in text.splitlines()[:3] if line.startswith("#"))
    assert all(companion in header for companion in companions), header
    assert all((ROOT / companion).is_file() for companion in companions)
    assert files_a_workflow_reads(yaml.safe_load(text)) <= companions


def test_the_check_finds_a_file_the_copy_lacks() -> None:
    inputs = {"config": "examples/config.yml", "schema": "my-schema", "snapshot": "a.json"}
    step = {"uses": "owner/gh-store@v1", "with": inputs}
    run = {"run": "python3 scripts/x.py > out.json\ncat out.json a.json b.yml"}
    workflow = {"jobs": {"j": {"steps": [step, run]}}}
    assert files_a_workflow_reads(workflow) == {
        "examples/config.yml",
        "my-schema",
        "scripts/x.py",
        "b.yml",
    }


def test_update_counter_retries_when_another_copy_got_there_first(
    gh: GitHubEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between the script's read and its update, another copy bumps the counter: the guarded
    update is rejected, the script reads again and retries; both increments count."""
    import importlib.util

    from gh_store import GitHubStore
    from gh_store.configure import load_config as _load

    spec = importlib.util.spec_from_file_location(
        "update_counter", ROOT / "examples" / "scripts" / "update_counter.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    config = _load_test_config(_load)
    other = GitHubStore(gh.owner_token, gh.repo, config=config, **gh.client_options())
    other.create("counter", {"count": 41})
    raced: list[int] = []

    class RacedStore(GitHubStore):
        def update(self, object_id: str, changes: Any, **kwargs: Any) -> Any:
            if not raced:  # the other copy's whole increment lands first, once
                seen = other.get(object_id)
                other.update(object_id, {"count": seen.data["count"] + 1}, apply=True)
                raced.append(1)
            return super().update(object_id, changes, **kwargs)

    def make(**kwargs: Any) -> GitHubStore:
        kwargs.pop("config_path", None)
        return RacedStore(config=config, **kwargs, **gh.client_options())

    monkeypatch.setattr(script, "GitHubStore", make)
    monkeypatch.setattr(script.time, "sleep", lambda seconds: None)
    monkeypatch.setenv("GITHUB_TOKEN", gh.bot_token)
    assert script.main(["--repo", gh.repo, "--object-id", "counter"]) == 0
    out, err = capsys.readouterr()
    assert "retrying: the object is at version 2, not 1" in err
    assert out.splitlines() == ["counter: count 42 -> 43 (v3)"]
    assert other.get("counter").data == {"count": 43}
    other.close()


def _load_test_config(load: Any) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yml"
        path.write_text(TEST_CONFIG)
        return load(path)
