"""The gh-store command line, run in-process against the emulator (and once as a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gh_store.cli import main
from gh_store.emulator import GitHubEmulator

from .conftest import Run

# The command line builds its own client from --api-url: it needs the emulator over HTTP.
pytestmark = pytest.mark.http


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gh-store: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_create_get_update_list_history_verify_delete(gh: GitHubEmulator, run: Run) -> None:
    status, created, _ = run("create", "alpha", '{"name": "test", "value": 42}', "--label", "x")
    assert status == 0
    assert created["data"] == {"name": "test", "value": 42}
    assert created["meta"]["object_id"] == "alpha"
    assert created["meta"]["version"] == 1
    number = created["meta"]["issue_number"]
    assert {label["name"] for label in gh.issue(number)["labels"]} == {
        "stored-object",
        "UID:alpha",
        "x",
    }

    assert run("get", "alpha")[1] == created

    status, pending, _ = run("update", "alpha", '{"value": 43}')
    assert (status, gh.issue(number)["state"]) == (0, "open")
    comment = gh.comments(number)[-1]  # after the creation comment
    assert pending == {
        "object_id": "alpha",
        "status": "pending",
        "issue_number": number,
        "comment_id": comment["id"],
        "comment_url": comment["html_url"],
        "dispatched": False,
    }

    status, applied, _ = run("update", "alpha", '{"extra": true}', "--apply")
    assert status == 0
    assert applied["data"] == {"name": "test", "value": 43, "extra": True}
    assert applied["meta"]["version"] == 3

    status, listed, _ = run("list")
    assert [o["meta"]["object_id"] for o in listed] == ["alpha"]

    status, history, _ = run("history", "alpha")
    assert [h["changes"] for h in history] == [{"value": 43}, {"extra": True}]
    assert {h["author"] for h in history} == {"octo"}

    status, check, err = run("verify", "alpha")
    assert (status, check["ok"], check["found_count"], err) == (0, True, 2, "")

    assert run("delete", "alpha")[:2] == (0, {"deleted": "alpha"})
    status, _, err = run("get", "alpha")
    assert status == 3
    assert _one_error_line(err) == "gh-store: error: no object 'alpha' in octo/store"


def test_update_dispatch(gh: GitHubEmulator, run: Run) -> None:
    run("create", "alpha", "{}")
    assert run("update", "alpha", '{"a": 1}', "--dispatch")[0] == 0
    assert [d["client_payload"]["object_id"] for d in gh.dispatches] == ["alpha"]


def test_apply_and_dispatch_are_exclusive(run: Run) -> None:
    status, _, err = run("update", "alpha", "{}", "--apply", "--dispatch")
    assert status == 2
    assert "not allowed with argument" in _one_error_line(err)


def test_json_from_a_file_and_from_stdin(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "object.json"
    source.write_text('{"from": "file"}')
    assert run("create", "alpha", f"@{source}")[1]["data"] == {"from": "file"}
    monkeypatch.setattr(sys, "stdin", _Stdin('{"from": "stdin"}'))
    assert run("update", "alpha", "-", "--apply")[1]["data"] == {"from": "stdin"}


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def read(self) -> str:
        return self.text


def test_snapshot_writes_the_file(run: Run, tmp_path: Path) -> None:
    run("create", "alpha", '{"v": 1}')
    run("create", "beta", '{"v": 2}')
    out = tmp_path / "snap.json"
    status, summary, _ = run("snapshot", "--out", str(out))
    assert (status, summary) == (0, {"out": str(out), "objects": 2})
    document = json.loads(out.read_text())
    assert {k: v["data"] for k, v in document["objects"].items()} == {
        "alpha": {"v": 1},
        "beta": {"v": 2},
    }
    status, summary, _ = run("snapshot", "--out", str(out), "--since", "2999-01-01T00:00:00Z")
    assert summary["objects"] == 0
    assert json.loads(out.read_text())["since"] == "2999-01-01T00:00:00+00:00"


def test_process_updates_exits_0_with_rejected_updates(gh: GitHubEmulator, run: Run) -> None:
    number = run("create", "alpha", '{"v": 1}')[1]["meta"]["issue_number"]
    run("update", "alpha", '{"v": 2}')
    gh.seed_comment(number, "[1, 2]")  # meant as an update, not an object: rejected
    status, report, _ = run("process-updates", "--issue", str(number))
    assert status == 0
    assert (len(report["applied"]), len(report["rejected"])) == (1, 1)
    assert report["data"] == {"v": 2}
    status, _, err = run("process-updates", "--issue", "999")
    assert status == 3
    assert "issue #999 does not exist" in _one_error_line(err)


@pytest.mark.parametrize(
    ("argv", "status", "expected"),
    [
        (("create", "alpha", "{not json"), 2, "JSON from the argument is not valid JSON"),
        (("create", "alpha", "@/nonexistent/x.json"), 2, "/nonexistent/x.json: No such file"),
        (("create", "a,b", "{}"), 2, "comma"),
        (("get", "nothing"), 3, "no object 'nothing'"),
        (("verify",), 2, "the following arguments are required: ID"),
        (("snapshot", "--out", "x", "--since", "yesterday"), 2, "not an ISO 8601 time"),
        (("frobnicate",), 2, "invalid choice: 'frobnicate'"),
    ],
)
def test_errors_are_one_line_without_traceback(
    run: Run, argv: tuple[str, ...], status: int, expected: str
) -> None:
    got, out, err = run(*argv)
    assert got == status
    assert out is None
    assert expected in _one_error_line(err)


def test_a_bad_token_is_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    status, _, err = run("get", "alpha")
    assert status == 4
    line = _one_error_line(err)
    assert "401" in line
    assert "ghp_wrong" not in line


def test_a_missing_repository_is_a_usage_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY")
    status, _, err = run("get", "alpha")
    assert status == 2
    assert "no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY" in _one_error_line(err)


def test_options_override_the_environment(
    gh: GitHubEmulator, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("create", "alpha", '{"v": 1}')
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL"):
        monkeypatch.setenv(
            name, "wrong/wrong" if name == "GITHUB_REPOSITORY" else "http://0.0.0.0:1"
        )
    status, obj, _ = run(
        "get", "alpha", "--repo", gh.repo, "--token", gh.owner_token, "--api-url", gh.url
    )
    assert (status, obj["data"]) == (0, {"v": 1})


def test_writing_without_a_token_is_one_line(
    gh: GitHubEmulator, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    status, _, err = run("create", "alpha", "{}")
    assert status == 4
    assert _one_error_line(err) == (
        "gh-store: error: cannot create 'alpha' in octo/store without a token: pass --token, "
        "or set GH_TOKEN or GITHUB_TOKEN"
    )
    assert gh.count() == 0


def test_a_broken_config_names_the_key(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "store:\n  log:\n    format: '{time} {nonsense}'\n"
        "  rate_limit:\n    min_write_interval: 0\n"
    )
    status, _, err = run("get", "alpha", "--config", str(bad), config=False)
    assert status == 2
    assert f"{bad}: store.log.format: unknown field {{nonsense}}" in _one_error_line(err)


def test_schema_option_is_enforced(run: Run, tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "required": ["name"]}')
    status, _, err = run("create", "alpha", "{}", "--schema", str(schema))
    assert status == 2
    assert "'name' is a required property" in _one_error_line(err)


def test_log_lines_follow_the_configured_format(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "log.yml"
    config.write_text(
        "store:\n  rate_limit:\n    min_write_interval: 0\n"
        "  log:\n    level: INFO\n    format: '[{level}] {name}: {message}'\n"
    )
    status, _, err = run("create", "alpha", "{}", "--config", str(config), config=False)
    assert status == 0
    assert err.splitlines() == ["[INFO] gh_store.store: created alpha as issue #1"]


def test_keyboard_interrupt_exits_130(
    run: Run, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("gh_store.client.GitHubStore.get", interrupted)
    status, _, err = run("get", "alpha")
    assert status == 130
    assert _one_error_line(err) == "gh-store: error: interrupted"


def test_emulator_command_hands_over_to_the_emulator_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []

    def fake(argv: list[str] | None = None) -> int:
        seen.append(list(argv or []))
        return 7

    monkeypatch.setattr("gh_store.emulator.cli.main", fake)
    assert main(["emulator", "--port", "0", "--private"]) == 7
    assert seen == [["--port", "0", "--private"]]


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "process-updates" in capsys.readouterr().out


def test_python_dash_m_runs_in_a_real_process(
    gh: GitHubEmulator, run: Run, config_file: Path
) -> None:
    run("create", "alpha", '{"v": 1}')
    env = {
        **os.environ,
        "GITHUB_TOKEN": gh.owner_token,
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_API_URL": gh.url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "gh_store", "get", "alpha", "--config", str(config_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"] == {"v": 1}
    missing = subprocess.run(
        [sys.executable, "-m", "gh_store", "get", "nothing", "--config", str(config_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 3
    assert _one_error_line(missing.stderr) == "gh-store: error: no object 'nothing' in octo/store"
