"""The example script that vendors the client: it creates, updates and applies in one run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gh_store.configure import load_config, load_schema
from gh_store.core.body import decode_body
from gh_store.emulator import GitHubEmulator

from .conftest import ROOT, TEST_CONFIG


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
    # The example workflow points the action at these two files.
    config = load_config(ROOT / "examples" / "config.yml")
    schema = load_schema(ROOT / "examples" / "schema.json")
    assert config.source.endswith("config.yml")
    assert schema.errors({"name": "demo", "value": 1}) == []
    assert schema.errors({"name": "demo", "value": "one"}) != []
