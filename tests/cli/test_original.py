"""The original gh-store 0.11.3's command line and config, run unchanged against ours.

The original's commands and parameters are read from its own ``--help`` (recorded in
tests/fixtures/original-gh-store/help/, see its SOURCE.txt), not from our table: a command or a
flag of the original that ours does not take fails here. Each command runs with every parameter
spelled each way python-fire took it (underscores, hyphens, one letter, positional), against the
emulator, and must do what the original did, with a note on stderr for each spelling not ours.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gh_store.cli import main
from gh_store.configure import load_config
from gh_store.core.config import DEFAULT_CONFIG_FILE, StoreConfig, parse_config_text
from gh_store.emulator import GitHubEmulator
from gh_store.original_cli import ORIGINAL_COMMANDS

pytestmark = pytest.mark.http

ORIGINAL = Path(__file__).parent.parent / "fixtures" / "original-gh-store"
HELP = ORIGINAL / "help"


def _listed_commands() -> list[str]:
    text = (HELP / "gh-store.txt").read_text()
    section = text.split("COMMANDS", 1)[1].split("VALUES", 1)[0]
    return re.findall(r"^     (\w+)$", section, flags=re.MULTILINE)


def _parameters(command: str) -> tuple[list[str], list[str]]:
    """(every parameter in order, the positional ones) from the command's recorded help."""
    text = (HELP / f"{command}.txt").read_text()
    positional: list[str] = []
    if "POSITIONAL ARGUMENTS" in text:
        block = text.split("POSITIONAL ARGUMENTS", 1)[1].split("FLAGS", 1)[0]
        positional = [n.lower() for n in re.findall(r"^    ([A-Z_]+)$", block, re.MULTILINE)]
    flags = re.findall(r"^    (?:-\w, )?--(\w+)=", text, flags=re.MULTILINE)
    return positional + flags, positional


COMMANDS = _listed_commands()


def test_the_recorded_help_lists_the_nine_commands() -> None:
    assert sorted(COMMANDS) == sorted(ORIGINAL_COMMANDS)  # and nothing else
    assert len(COMMANDS) == 9


@pytest.mark.parametrize("command", COMMANDS)
def test_our_table_of_the_original_is_its_help(command: str) -> None:
    everything, positional = _parameters(command)
    assert ORIGINAL_COMMANDS[command] == (tuple(everything), tuple(positional))


# --- every command, every spelling ---------------------------------------------------------------

STYLES = ("underscore", "hyphen", "short", "positional")


def _spell(command: str, values: dict[str, str], style: str) -> list[str]:
    """The command line the original took for ``values``, in one of fire's spellings."""
    everything, positional = _parameters(command)
    firsts = [name[0] for name in everything]
    argv = [command.replace("_", "-") if style == "hyphen" else command]
    for name in everything:
        if name not in values:
            continue
        if style == "positional" and name in positional:
            argv.append(values[name])
        elif style == "short" and firsts.count(name[0]) == 1:
            argv += [f"-{name[0]}", values[name]]
        elif style == "hyphen":
            argv.append(f"--{name.replace('_', '-')}={values[name]}")
        else:
            argv += [f"--{name}", values[name]]
    return argv


class World:
    def __init__(self, gh: GitHubEmulator, tmp: Path, config: Path) -> None:
        self.gh, self.tmp = gh, tmp
        self.common = {"token": gh.owner_token, "repo": gh.repo, "config": str(config)}
        self.number = _seed(gh, "alpha", {"n": 1})
        self.snapshot = tmp / "snapshot.json"


def _seed(gh: GitHubEmulator, object_id: str, data: dict[str, Any]) -> int:
    from gh_store import GitHubStore

    with GitHubStore(gh.owner_token, gh.repo, **gh.client_options()) as store:
        return store.create(object_id, data).meta.issue_number


def _check_create(w: World, out: Any) -> None:
    assert out["data"] == {"made": True}
    assert out["meta"]["object_id"] == "beta"


def _check_get(w: World, out: Any) -> None:
    if "out" in out:
        out = json.loads(Path(out["out"]).read_text())
    assert out["data"] == {"n": 1}


def _check_update(w: World, out: Any) -> None:
    assert out["status"] == "pending"
    assert json.loads(w.gh.comments(w.number)[-1]["body"])["n"] == 2


def _check_delete(w: World, out: Any) -> None:
    assert out == {"deleted": "alpha"}
    assert w.gh.issue(w.number)["state"] == "closed"


def _check_history(w: World, out: Any) -> None:
    if "out" in out:
        out = json.loads(Path(out["out"]).read_text())
    assert out == []


def _check_process_updates(w: World, out: Any) -> None:
    assert out["data"] == {"n": 5}


def _check_snapshot(w: World, out: Any) -> None:
    assert json.loads(Path(out["out"]).read_text())["objects"]["alpha"]["data"] == {"n": 1}


def _check_init(w: World, out: Any) -> None:
    assert out["created"] is True
    assert Path(out["config"]).read_text() == DEFAULT_CONFIG_FILE


CASES: dict[str, tuple[Callable[[World], dict[str, str]], Callable[[World, Any], None]]] = {
    "create": (
        lambda w: {**w.common, "object_id": "beta", "data": '{"made": true}'},
        _check_create,
    ),
    "get": (lambda w: {**w.common, "object_id": "alpha"}, _check_get),
    "update": (lambda w: {**w.common, "object_id": "alpha", "changes": '{"n": 2}'}, _check_update),
    "delete": (lambda w: {**w.common, "object_id": "alpha"}, _check_delete),
    "history": (lambda w: {**w.common, "object_id": "alpha"}, _check_history),
    "process_updates": (
        lambda w: {**w.common, "issue": str(w.number)} if _pending(w, 5) else {},
        _check_process_updates,
    ),
    "snapshot": (lambda w: {**w.common, "output": str(w.snapshot)}, _check_snapshot),
    "update_snapshot": (
        lambda w: {**w.common, "snapshot_path": _original_snapshot(w)},
        lambda w, out: _check_snapshot(w, out),
    ),
    "init": (lambda w: {"config": str(w.tmp / "new" / "config.yml")}, _check_init),
}


def _pending(w: World, n: int) -> bool:
    w.gh.seed_comment(w.number, json.dumps({"n": n}))
    return True


def _original_snapshot(w: World) -> str:
    # The original's own snapshot shape (no "since"); ours refreshes it.
    w.snapshot.write_text(
        json.dumps(
            {"snapshot_time": "2000-01-01T00:00:00+00:00", "repository": w.gh.repo, "objects": {}}
        )
    )
    return str(w.snapshot)


def test_every_command_of_the_original_has_a_case() -> None:
    assert sorted(CASES) == sorted(COMMANDS)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("command", COMMANDS)
def test_the_original_command_line_runs_unchanged(
    gh: GitHubEmulator,
    config_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    style: str,
) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)  # the original had no flag for it
    monkeypatch.setenv("HOME", str(tmp_path))
    world = World(gh, tmp_path, config_file)
    values, check = CASES[command]
    argv = _spell(command, values(world), style)
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 0, err
    check(world, json.loads(out))
    for used in _not_ours(argv, command):
        assert f"gh-store: note: {used} is the original gh-store's spelling; ours is " in err


def _not_ours(argv: list[str], command: str) -> list[str]:
    ours = {"--token", "--repo", "--config", "--issue"}
    used = [a.split("=")[0] for a in argv[1:] if a.startswith("-")]
    named = [a for a in used if a not in ours and not (command == "init" and a == "-c")]
    alias = (
        [argv[0]] if argv[0] in ("process_updates", "update_snapshot", "update-snapshot") else []
    )
    return alias + named


def test_the_original_get_and_history_write_to_output(
    gh: GitHubEmulator,
    config_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    _seed(gh, "alpha", {"n": 1})
    common = ["--token", gh.owner_token, "--repo", gh.repo, "--config", str(config_file)]
    for command, check in (("get", _check_get), ("history", _check_history)):
        target = tmp_path / f"{command}.json"
        assert main([command, "alpha", "--output", str(target), *common]) == 0
        out, err = capsys.readouterr()
        assert json.loads(out) == {"out": str(target)}
        check(World.__new__(World), json.loads(target.read_text()))
        assert "--output is the original gh-store's spelling; ours is --out" in err


def test_update_snapshot_of_a_missing_file_is_refused_as_the_original_did(
    gh: GitHubEmulator, config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.json"
    status = main(
        ["update-snapshot", str(missing), "--repo", gh.repo, "--config", str(config_file)]
    )
    assert status == 2
    assert not missing.exists()
    assert "no snapshot to update there" in capsys.readouterr().err


def test_the_original_readme_workflow_runs_as_a_process(
    gh: GitHubEmulator, config_file: Path, tmp_path: Path
) -> None:
    """The original README's workflow steps, word for word, in a real process."""
    number = _seed(gh, "alpha", {"n": 1})
    gh.seed_comment(number, '{"n": 2}')
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env.update(GITHUB_API_URL=gh.url, HOME=str(tmp_path))
    (tmp_path / ".config" / "gh-store").mkdir(parents=True)
    # The user's config as the original's init wrote it, plus no write spacing for the test.
    original = (ORIGINAL / "default_config.yml").read_text()
    (tmp_path / ".config" / "gh-store" / "config.yml").write_text(
        original.replace("  rate_limit:\n", "  rate_limit:\n    min_write_interval: 0\n")
    )
    (tmp_path / "data").mkdir()
    steps = [
        ["process-updates", "--issue", str(number), "--token", gh.owner_token, "--repo", gh.repo],
        ["snapshot", "--token", gh.owner_token, "--repo", gh.repo,
         "--output", "data/store-snapshot.json"],
        ["update-snapshot", "--token", gh.owner_token, "--repo", gh.repo,
         "--snapshot-path", "data/store-snapshot.json"],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(
            [sys.executable, "-m", "gh_store", *step],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        json.loads(done.stdout)
        assert "Traceback" not in done.stderr
        # The retired key is named once per run, as a warning, never an error.
        assert done.stderr.count("store.reactions.initial_state") == 1
        assert "WARNING" in done.stderr
    snapshot = json.loads((tmp_path / "data" / "store-snapshot.json").read_text())
    assert snapshot["objects"]["alpha"]["data"] == {"n": 2}


# --- the config the original's init writes ------------------------------------------------------


def test_the_original_config_is_read_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", "gh_store"):
        config = load_config(ORIGINAL / "default_config.yml")
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "store.reactions.initial_state" in warnings[0]
    assert "ignored" in warnings[0]
    # Every other key of the original's file means what it meant: here, the defaults.
    assert config == StoreConfig(source=config.source, warnings=config.warnings)


@pytest.mark.parametrize("value", ["rocket", "heart", "-1", "not a reaction", "", None, 7])
def test_initial_state_is_ignored_whatever_it_holds(value: object) -> None:
    text = f"store:\n  reactions:\n    initial_state: {json.dumps(value)}\n"
    config = parse_config_text(text, "c.yml")
    assert config.reactions == StoreConfig().reactions
    assert config.warnings and config.warnings[0].startswith("c.yml: store.reactions.initial_state")


def test_what_init_writes_reads_back_as_the_defaults() -> None:
    config = parse_config_text(DEFAULT_CONFIG_FILE, "init.yml")
    assert config == StoreConfig(source="init.yml")


def test_what_init_writes_shows_every_setting() -> None:
    """Every key is shown, each at its default: a setting added to ``StoreConfig`` must be added
    to the file too, or a user never learns it is there."""
    import dataclasses

    import yaml

    shown = {
        (key, sub)
        for key, value in yaml.safe_load(DEFAULT_CONFIG_FILE)["store"].items()
        for sub in (value if isinstance(value, dict) else [None])
    }
    settings = {
        (f.name, sub.name if sub else None)
        for f in dataclasses.fields(StoreConfig)
        if f.name not in ("source", "warnings")
        for sub in (
            dataclasses.fields(getattr(StoreConfig(), f.name))
            if dataclasses.is_dataclass(getattr(StoreConfig(), f.name))
            else [None]
        )
    }
    assert shown == settings


def test_init_leaves_an_existing_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.yml"
    original = (ORIGINAL / "default_config.yml").read_bytes()
    path.write_bytes(original)
    assert main(["init", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"config": str(path), "created": False}
    assert path.read_bytes() == original
    assert "store.reactions.initial_state" in err  # read, so what it holds is said


def test_init_on_a_broken_file_says_so_and_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.yml"
    path.write_text("store:\n  nonsense: 1\n")
    assert main(["init", "-c", str(path)]) == 2
    assert "store.nonsense: unknown key" in capsys.readouterr().err
    assert path.read_text() == "store:\n  nonsense: 1\n"
