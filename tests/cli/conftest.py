"""Fixtures for the command line: the environment a workflow step would have, pointed at ``gh``."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gh_store.cli import main
from gh_store.emulator import GitHubEmulator

Run = Callable[..., tuple[int, Any, str]]


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers() -> Iterator[None]:
    """The CLI installs a handler on captured stderr; later tests must not write to it."""
    logger = logging.getLogger("gh_store")
    before = list(logger.handlers)
    yield
    for handler in [h for h in logger.handlers if h not in before]:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A config that never sleeps (no write spacing, no backoff)."""
    path = tmp_path / "config.yml"
    path.write_text(
        "store:\n  rate_limit:\n    min_write_interval: 0\n  retries:\n    backoff_factor: 0\n"
    )
    return path


@pytest.fixture
def workflow_env(gh: GitHubEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", gh.owner_token)
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.repo)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)


@pytest.fixture
def run(workflow_env: None, config_file: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*argv)`` -> (exit status, parsed stdout JSON or None, stderr)."""

    def _run(*argv: str, config: bool = True) -> tuple[int, Any, str]:
        args = [*argv, "--config", str(config_file)] if config else list(argv)
        status = main(args)
        out, err = capsys.readouterr()
        return status, json.loads(out) if out.strip() else None, err

    return _run
