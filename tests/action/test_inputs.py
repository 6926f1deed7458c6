"""The runner's environment read into one frozen ActionInputs; every problem named at once."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gh_store.action.inputs import ActionInputs, InputError, read_inputs


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "created"}))
    (tmp_path / "config.yml").write_text("store: {}\n")
    (tmp_path / "schema.json").write_text("{}")
    return {
        "INPUT_TOKEN": " ghs_abc ",
        "INPUT_CONFIG": "config.yml",
        "INPUT_SCHEMA": str(tmp_path / "schema.json"),
        "INPUT_ISSUE-NUMBER": "42",
        "INPUT_API-URL": "http://127.0.0.1:9/",
        "INPUT_FAIL-ON-REJECTED": "TRUE",
        "GITHUB_REPOSITORY": "octo/store",
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }


def test_every_input_is_read_with_hyphenated_names(environ: dict[str, str], tmp_path: Path) -> None:
    inputs = read_inputs(environ)
    assert inputs == ActionInputs(
        token="ghs_abc",
        repository="octo/store",
        api_url="http://127.0.0.1:9",
        event_name="issue_comment",
        event={"action": "created"},
        issue_number=42,
        config_path=tmp_path / "config.yml",
        schema_path=tmp_path / "schema.json",
        fail_on_rejected=True,
        output_path=tmp_path / "out",
        summary_path=tmp_path / "summary",
        workspace=tmp_path,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.token = "other"  # type: ignore[misc]
    assert "ghs_abc" not in repr(inputs)


def test_defaults_when_optional_inputs_are_empty(environ: dict[str, str]) -> None:
    for name in ("CONFIG", "SCHEMA", "ISSUE-NUMBER", "API-URL", "FAIL-ON-REJECTED"):
        environ[f"INPUT_{name}"] = ""
    environ.pop("GITHUB_OUTPUT")
    inputs = read_inputs(environ)
    assert (inputs.config_path, inputs.schema_path, inputs.issue_number) == (None, None, None)
    assert inputs.api_url == "https://api.github.com"
    assert inputs.fail_on_rejected is False
    assert inputs.output_path is None
    environ["GITHUB_API_URL"] = "https://ghe.example.com/api/v3"
    assert read_inputs(environ).api_url == "https://ghe.example.com/api/v3"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INPUT_ISSUE-NUMBER", "twelve", "issue-number input must be a positive whole number"),
        ("INPUT_ISSUE-NUMBER", "0", "issue-number input must be a positive whole number"),
        ("INPUT_ISSUE-NUMBER", "-3", "issue-number input must be a positive whole number"),
        ("INPUT_ISSUE-NUMBER", "١٢", "issue-number input must be a positive whole number"),
        ("INPUT_FAIL-ON-REJECTED", "yes", "fail-on-rejected input must be true or false"),
        ("INPUT_TOKEN", "", "token input is empty"),
        ("GITHUB_REPOSITORY", "octo", "GITHUB_REPOSITORY must be owner/name"),
        ("INPUT_CONFIG", "missing.yml", "config file 'missing.yml' does not exist"),
        ("INPUT_SCHEMA", "nowhere/schema.json", "schema file 'nowhere/schema.json' does not exist"),
        ("INPUT_SCHEMA", ".", "names a directory"),
        ("INPUT_API-URL", "api.github.com", "api-url input must be an http(s) URL"),
        ("GITHUB_EVENT_NAME", "", "GITHUB_EVENT_NAME is not set"),
        ("GITHUB_EVENT_PATH", "/nonexistent/event.json", "event file /nonexistent/event.json"),
    ],
)
def test_each_bad_input_is_named(
    environ: dict[str, str], name: str, value: str, message: str
) -> None:
    environ[name] = value
    with pytest.raises(InputError) as caught:
        read_inputs(environ)
    assert caught.value.problems == (caught.value.problems[0],)
    assert message in str(caught.value)


def test_all_problems_are_reported_together(environ: dict[str, str]) -> None:
    environ.update({"INPUT_TOKEN": "", "INPUT_ISSUE-NUMBER": "x", "INPUT_FAIL-ON-REJECTED": "1"})
    with pytest.raises(InputError) as caught:
        read_inputs(environ)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems with the action's inputs: ")


@pytest.mark.parametrize("content", ["not json", "[1, 2]"])
def test_an_unusable_event_file_is_an_input_error(environ: dict[str, str], content: str) -> None:
    Path(environ["GITHUB_EVENT_PATH"]).write_text(content)
    with pytest.raises(InputError, match="event file"):
        read_inputs(environ)
