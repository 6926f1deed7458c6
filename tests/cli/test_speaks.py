"""The command line speaks to people (stderr: progress, notes, errors) and to scripts (stdout: one
JSON document); every request carries the version (the action's: tests/action/test_version.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gh_store import __version__
from gh_store.cli import main
from gh_store.emulator import GitHubEmulator

pytestmark = pytest.mark.http

AGENT = f"gh-store/{__version__}"


def _config(tmp_path: Path, api: str, level: str = "INFO") -> Path:
    path = tmp_path / f"{api}-{level}.yml"
    path.write_text(
        f"store:\n  api: {api}\n  rate_limit:\n    min_write_interval: 0\n"
        f"  retries:\n    backoff_factor: 0\n  log:\n    level: {level}\n"
    )
    return path


def _env(gh: GitHubEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN")}
    env.update(GITHUB_REPOSITORY=gh.repo, GITHUB_API_URL=gh.url, HOME=str(tmp_path))
    env.update(GITHUB_TOKEN=gh.owner_token, **extra)
    return env


def _process(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gh_store", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- stdout is one JSON document, whatever stderr says ------------------------------------------


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_every_command_prints_one_json_document_with_debug_logs_and_progress(
    gh: GitHubEmulator, tmp_path: Path, api: str
) -> None:
    config = str(_config(tmp_path, api, level="DEBUG"))
    env = _env(gh, tmp_path)
    sessions = [
        ["create", "alpha", '{"n": 1}'],
        ["create", "beta", '{"n": 1}'],
        ["get", "alpha"],
        ["get", "alpha", "--out", "alpha.json"],
        ["update", "alpha", '{"n": 2}'],
        ["update", "beta", '{"n": 2}'],
        ["update", "alpha", '{"n": 3}', "--apply"],
        ["update", "beta", '{"n": 3}', "--dispatch"],
        ["process-updates", "--all", "--budget", "500"],
        ["list"],
        ["history", "alpha"],
        ["verify", "alpha"],
        ["snapshot", "--out", "snap.json"],
        ["snapshot", "--out", "snap.json"],
        ["update-snapshot", "snap.json"],
        ["process_updates", "1"],
        ["get-history", "beta", "--output", "h.json"],
        ["delete", "beta"],
        ["init", "--config", "fresh.yml"],
        ["get", "beta"],  # archived: an error, and still nothing but JSON (none) on stdout
    ]
    for argv in sessions:
        full = argv if argv[0] == "init" else [*argv, "--config", config]
        done = _process(full, env, tmp_path)
        assert "Traceback" not in done.stderr
        if argv == ["get", "beta"]:
            assert (done.returncode, done.stdout) == (3, "")
            continue
        assert done.returncode == 0, (argv, done.stderr)
        json.loads(done.stdout)  # the whole of stdout: one document


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_catch_up_shows_one_progress_line_per_object_against_its_budget(
    gh: GitHubEmulator, tmp_path: Path, api: str
) -> None:
    from gh_store import GitHubStore

    with GitHubStore(gh.owner_token, gh.repo, **gh.client_options()) as store:
        numbers = []
        for name in ("a", "b", "c"):
            numbers.append(store.create(name, {"n": 0}).meta.issue_number)
            store.update(name, {"n": 1})
    done = _process(
        ["process-updates", "--all", "--budget", "400", "--config", str(_config(tmp_path, api))],
        _env(gh, tmp_path),
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    lines = [line for line in done.stderr.splitlines() if "object " in line and " of 3" in line]
    assert len(lines) == 3, done.stderr
    for index, (line, number) in enumerate(zip(lines, numbers, strict=True), start=1):
        found = re.search(
            rf"object {index} of 3, issue #{number}: 1 applied, 0 rejected, 0 untrusted; "
            r"(\d+) of a budget of 400 requests used",
            line,
        )
        assert found, line
    used = [int(re.search(r"; (\d+) of a budget", line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert used == sorted(used) and used[-1] <= report["requests"]


# --- the token as the gh CLI reads it ------------------------------------------------------------


def test_gh_token_comes_before_github_token_and_an_empty_one_is_unset(
    gh: GitHubEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from gh_store import GitHubStore

    with GitHubStore(gh.owner_token, gh.repo, **gh.client_options()) as store:
        store.create("alpha", {})
    config = str(_config(tmp_path, "rest"))
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.repo)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    reader = gh.token_for("rita", permission="read")
    cases = [
        ({"GH_TOKEN": reader, "GITHUB_TOKEN": gh.owner_token}, [], "rita"),
        ({"GH_TOKEN": "", "GITHUB_TOKEN": reader}, [], "rita"),
        ({"GH_TOKEN": "  ", "GITHUB_TOKEN": f" {reader}\n"}, [], "rita"),
        ({"GH_TOKEN": reader, "GITHUB_TOKEN": reader}, ["--token", gh.owner_token], "octo"),
    ]
    for env, argv, who in cases:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        gh.clear_requests()
        assert main(["get", "alpha", "--config", config, *argv]) == 0
        capsys.readouterr()
        assert {r.user for r in gh.requests} == {who}


# --- the version, in every request and in the action's log and summary --------------------------


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_every_request_of_the_command_line_names_gh_store_and_its_version(
    gh: GitHubEmulator, tmp_path: Path, api: str
) -> None:
    config = str(_config(tmp_path, api))
    env = _env(gh, tmp_path)
    for argv in (
        ["create", "alpha", "{}"],
        ["update", "alpha", '{"n": 1}'],
        ["process-updates", "--issue", "1"],
        ["get", "alpha"],
    ):
        assert _process([*argv, "--config", config], env, tmp_path).returncode == 0
    requests = gh.requests
    assert any(r.path.endswith("/graphql") for r in requests) == (api == "graphql")
    assert {r.user_agent for r in requests} == {AGENT}
