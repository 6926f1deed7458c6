"""The action end to end against the emulator, driven by real webhook payloads.

Runs ``main()`` in-process (and ``python entrypoint.py`` as a subprocess where the process
boundary matters: exit codes, stderr, imports), then reads back the output file, the summary,
the commands the runner would act on, and the issue.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gh_store.core.body import decode_body
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

from .conftest import ROOT, ActionRun, Harness, webhook

LABELS = ["stored-object", "UID:counter"]
SCHEMA = {
    "type": "object",
    "properties": {"value": {"type": "integer", "maximum": 100}},
    "required": ["value"],
}
HOSTILE = "::add-mask::x\n::error::pwned\n::stop-commands::abc\n::endgroup::\n::warning::pwned"


def _comment_event(gh: GitHubEmulator, number: int, **kwargs: Any) -> dict[str, Any]:
    comments = gh.comments(number)
    last: dict[str, Any] = comments[-1] if comments else {"id": 1, "body": "{}"}
    return webhook(
        "issue_comment",
        kwargs.pop("action", "created"),
        number=number,
        labels=kwargs.pop("labels", LABELS),
        comment_id=last["id"],
        comment_body=last["body"],
        **kwargs,
    )


def _data(gh: GitHubEmulator, number: int) -> dict[str, Any]:
    return decode_body(gh.issue(number)["body"]).data


def _reaction_of(gh: GitHubEmulator, comment_id: int) -> list[str]:
    return [r["content"] for r in gh.reactions(comment_id)]


def _assert_one_error(run: ActionRun, title: str, text: str) -> None:
    errors = [(name, data) for name, data in run.commands if name.startswith("error")]
    assert len(errors) == 1, run.stdout
    name, data = errors[0]
    assert name == f"error title={title}"
    assert text in data
    assert "Traceback" not in run.stdout + run.stderr


# --- processing --------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_comment_applies_every_pending_update_and_reports_each(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    (harness.tmp / "schema.json").write_text(json.dumps(SCHEMA))
    gh.set_permission("alice", "write")
    number = harness.seed_object(
        "counter",
        {"value": 1},
        updates=[
            ("alice", '{"value": 2}'),
            ("mallory", '{"value": 666}'),  # no access: untrusted
            ("alice", '{"value": 1000}'),  # over the schema's maximum: rejected
            ("alice", "Thanks, looks good!"),  # chat: ignored
            ("octo", '```json\n{"note": "owner"}\n```'),
        ],
    )
    ids = [c["id"] for c in gh.comments(number)]
    gh.clear_requests()

    run = harness.run("issue_comment", _comment_event(gh, number), schema="schema.json", api=api)

    assert run.exit_code == 0, run.stdout
    assert run.outputs == {
        "object": '{"value":2,"note":"owner"}',
        "object-id": "counter",
        "issue-number": str(number),
        "version": "3",
        "applied": "2",
        "rejected": "1",
        "untrusted": "1",
        "changed": "true",
        "issues-processed": "1",
        "issues-left": "0",
    }
    issue = gh.issue(number)
    assert issue["state"] == "closed"
    assert _data(gh, number) == {"value": 2, "note": "owner"}
    assert [_reaction_of(gh, i) for i in ids] == [["+1"], ["eyes"], ["-1"], [], ["+1"]]
    if api == "rest":
        # 1 issue + 1 comments + 2 permissions (alice, mallory) + 1 write + 4 marks + 1 last look
        assert gh.count() == 10
        assert gh.count("PATCH") == 1 and gh.count("POST", r"/reactions$") == 4
    else:
        # the issue with its comments, 2 permissions (REST), one request of writes and marks
        assert gh.count() == 4 and gh.count("GET", "/permission$") == 2
        assert [r.path for r in gh.requests if r.mutates] == ["/graphql"]

    # the summary: a row per decided update, reasons included, links to each comment
    rows = [line for line in run.summary.splitlines() if line.startswith("| [comment")]
    assert len(rows) == 4
    assert rows[2].startswith(f"| [comment {ids[2]}](") and "| rejected |" in rows[2]
    assert "maximum of 100" in rows[2]
    assert "version 1 → 3 · 2 applied · 1 rejected · 1 untrusted" in run.summary
    # annotations: our words, login, comment id and link; the reason only in the log
    assert run.annotations("error title=gh-store%3A update rejected") == [
        f"Update comment {ids[2]} by alice was rejected; the object is unchanged by it. "
        f"The reason is in the log. {gh.comments(number)[2]['html_url']}"
    ]
    assert len(run.annotations("warning title=gh-store%3A update from an untrusted user")) == 1
    assert "1000" not in "".join(data for _, data in run.commands)
    assert "maximum of 100" in run.stdout


@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_a_second_run_finds_nothing_pending(harness: Harness, gh: GitHubEmulator, api: str) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    first = harness.run("issue_comment", _comment_event(gh, number), api=api)
    gh.clear_requests()
    again = harness.run("issue_comment", _comment_event(gh, number), api=api)
    assert first.outputs["changed"] == "true"
    assert (again.exit_code, again.outputs["changed"], again.outputs["applied"]) == (
        0,
        "false",
        "0",
    )
    assert again.outputs["version"] == "2"
    assert gh.count() > 0 and not any(r.mutates for r in gh.requests)


@pytest.mark.parametrize("action", ["opened", "reopened", "edited", "labeled"])
def test_issue_events_process_the_issue(harness: Harness, gh: GitHubEmulator, action: str) -> None:
    number = harness.seed_object(
        "counter", {"value": 1}, state="open", updates=[("octo", '{"value": 5}')]
    )
    run = harness.run("issues", webhook("issues", action, number=number, labels=LABELS))
    assert (run.exit_code, run.outputs["changed"], run.outputs["version"]) == (0, "true", "2")
    assert gh.issue(number)["state"] == "closed"


@pytest.mark.parametrize(
    ("event", "payload", "inputs"),
    [
        ("workflow_dispatch", {"inputs": {"issue-number": "{n}"}}, {"issue_number": "{n}"}),
        ("schedule", {"schedule": "17 * * * *"}, {"issue_number": "{n}"}),
        (
            "repository_dispatch",
            {"action": "gh-store-update", "client_payload": {"issue_number": "{n}"}},
            {},
        ),
    ],
)
def test_dispatches_and_schedules_process_the_named_issue(
    harness: Harness,
    gh: GitHubEmulator,
    event: str,
    payload: dict[str, Any],
    inputs: dict[str, str],
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 9}')])
    filled = json.loads(json.dumps(payload).replace('"{n}"', str(number)))
    run = harness.run(event, filled, **{k: v.format(n=number) for k, v in inputs.items()})
    assert (run.exit_code, run.outputs["applied"], run.outputs["object"]) == (0, "1", '{"value":9}')


def test_an_issue_opened_by_an_untrusted_user_is_refused_with_a_warning(
    harness: Harness, gh: GitHubEmulator
) -> None:
    gh.set_permission("mallory", "read")
    number = harness.seed_object(
        "counter", {"value": 1}, user="mallory", state="open", updates=[("octo", '{"value": 2}')]
    )
    run = harness.run("issues", webhook("issues", "opened", number=number, labels=LABELS))
    assert run.exit_code == 0
    # The no-op outputs: nothing of an outsider's issue is published for later jobs to use.
    assert run.outputs == {
        "object": "",
        "object-id": "",
        "issue-number": "",
        "version": "",
        "applied": "0",
        "rejected": "0",
        "untrusted": "0",
        "changed": "false",
        "issues-processed": "1",
        "issues-left": "0",
    }
    assert run.annotations("warning title=gh-store%3A issue refused") == [
        f"Issue #{number} was opened by a user who may not write to the repository, so none "
        "of its updates were processed and its body is not published."
    ]
    assert gh.issue(number)["state"] == "open"
    assert gh.count("PATCH") == 0
    assert "Nothing was processed" in run.summary
    assert '"value"' not in run.summary and '"value"' not in run.stdout


def test_fail_on_rejected_exits_1_after_writing_outputs(
    harness: Harness, gh: GitHubEmulator
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", "{not json")])
    run = harness.run("issue_comment", _comment_event(gh, number), fail_on_rejected="true")
    assert run.exit_code == 1
    assert (run.outputs["rejected"], run.outputs["changed"]) == ("1", "false")
    assert len(run.annotations("error title=gh-store%3A updates rejected")) == 1
    without = harness.seed_object("other", {"value": 1}, updates=[("octo", "{not json")])
    assert harness.run("issue_comment", _comment_event(gh, without)).exit_code == 0


# --- no-ops: no request, no heavy import -------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("issue_comment", webhook("issue_comment", "created", number=1, labels=["bug"])),
        (
            "issue_comment",
            webhook("issue_comment", "created", number=1, labels=LABELS, pull_request=True),
        ),
        ("issue_comment", webhook("issue_comment", "deleted", number=1, labels=LABELS)),
        ("issues", webhook("issues", "opened", number=1, labels=[])),
        ("issues", {**webhook("issues", "opened", number=1, labels=LABELS), "action": "closed"}),
        ("repository_dispatch", {"action": "deploy", "client_payload": {"issue_number": 1}}),
        ("push", {"ref": "refs/heads/main"}),
    ],
    ids=[
        "unlabelled",
        "pull-request",
        "deleted",
        "issue-unlabelled",
        "closed",
        "other-dispatch",
        "push",
    ],
)
def test_noop_events_end_before_any_request(
    harness: Harness, gh: GitHubEmulator, event: str, payload: dict[str, Any]
) -> None:
    harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    gh.clear_requests()
    run = harness.run(event, payload)
    assert run.exit_code == 0
    assert run.outputs == {
        "object": "",
        "object-id": "",
        "issue-number": "",
        "version": "",
        "applied": "0",
        "rejected": "0",
        "untrusted": "0",
        "changed": "false",
        "issues-processed": "0",
        "issues-left": "0",
    }
    assert gh.requests == []
    assert run.summary.startswith("### gh-store: nothing to do")
    assert "gh-store: nothing to do." in run.stdout


_IMPORTS_PROBE = """
import sys
from gh_store.action import main
code = main()
watched = ("ghapi", "jsonschema", "yaml", "httpx2", "gh_store.transport.rest")
heavy = sorted(m for m in watched if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
sys.exit(code)
"""


@pytest.mark.parametrize("with_config", [False, True])
def test_a_noop_imports_neither_ghapi_nor_jsonschema(
    harness: Harness, gh: GitHubEmulator, with_config: bool
) -> None:
    harness.config_text = "store:\n  base_label: objects\n" if with_config else None
    # With the config, the base label is "objects", so "stored-object" alone makes no object.
    labels = ["stored-object"] if with_config else ["bug"]
    env = harness.env("issues", webhook("issues", "opened", number=1, labels=labels))
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS_PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # A config file names the base label, so reading it needs YAML; nothing else is loaded.
    assert done.stdout.strip().endswith("HEAVY=" + ("yaml" if with_config else ""))
    assert f"lacks the {'objects' if with_config else 'stored-object'!r} label" in done.stdout
    assert gh.requests == []


# --- what reaches the log ----------------------------------------------------------------------


def test_user_text_cannot_inject_workflow_commands(harness: Harness, gh: GitHubEmulator) -> None:
    (harness.tmp / "schema.json").write_text(
        json.dumps({"type": "object", "properties": {"x": {"enum": ["ok"]}}})
    )
    gh.set_permission("mallory", "read")
    number = harness.seed_object(
        "counter",
        {"value": 1},
        updates=[
            ("octo", json.dumps({"note": HOSTILE})),  # applied: hostile text in the object
            ("octo", json.dumps({"x": HOSTILE})),  # rejected: the schema message quotes it
            ("octo", HOSTILE),  # chat
            ("mallory", "{" + HOSTILE),  # untrusted
        ],
    )
    run = harness.run("issue_comment", _comment_event(gh, number), schema="schema.json")
    assert run.exit_code == 0
    acted_on = run.commands
    assert not any("pwned" in data or data == "x" for _, data in acted_on), acted_on
    assert [data for name, data in acted_on if name == "add-mask"] == [harness.token]
    assert "::error::pwned" in run.stdout  # it was printed, inside stop-commands
    groups = [name for name, _ in acted_on if name in ("group", "endgroup")]
    assert groups == ["group", "endgroup"] * (len(groups) // 2)
    assert json.loads(run.outputs["object"])["note"] == HOSTILE


def test_the_token_is_masked_before_anything_else(harness: Harness, gh: GitHubEmulator) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    run = harness.run("issue_comment", _comment_event(gh, number))
    first, *rest = run.stdout.splitlines()
    assert first == f"::add-mask::{harness.token}"
    assert harness.token not in "\n".join(rest)


# --- runs that cannot complete -----------------------------------------------------------------


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
def test_a_bad_token_fails_with_one_clear_error(harness: Harness, gh: GitHubEmulator) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    harness.token = "ghs_" + "x" * 36
    run = harness.run_process("issue_comment", _comment_event(gh, number))
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A access denied", "GitHub rejected the token (401")
    assert run.outputs == {}
    assert gh.count() == 1  # the first request, not retried


def test_a_read_only_token_fails_on_the_write(harness: Harness, gh: GitHubEmulator) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    harness.token = gh.token_for("reader", permission="read")
    run = harness.run("issue_comment", _comment_event(gh, number))
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A access denied", "permissions: issues: write")
    assert _data(gh, number) == {"value": 1}


def test_a_bad_config_key_fails_before_any_request(harness: Harness, gh: GitHubEmulator) -> None:
    harness.config_text = "store:\n  retrys: 3\n"
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    gh.clear_requests()
    run = harness.run("issue_comment", _comment_event(gh, number))
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A bad input", "retrys")
    assert gh.requests == []


@pytest.mark.parametrize(
    ("schema_text", "message"),
    [(None, "schema file 'schema.json' does not exist"), ("{not json", "schema file is not JSON")],
)
def test_a_missing_or_broken_schema_fails_before_any_request(
    harness: Harness, gh: GitHubEmulator, schema_text: str | None, message: str
) -> None:
    if schema_text is not None:
        (harness.tmp / "schema.json").write_text(schema_text)
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    gh.clear_requests()
    run = harness.run("issue_comment", _comment_event(gh, number), schema="schema.json")
    assert run.exit_code == 2
    _assert_one_error(
        run, "gh-store%3A " + ("bad input" if schema_text is None else "bad configuration"), message
    )
    assert gh.requests == []


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
def test_github_down_after_every_retry_fails_with_one_error(
    harness: Harness, gh: GitHubEmulator
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    gh.clear_requests()
    gh.inject(status=503, times=10)
    run = harness.run_process("issue_comment", _comment_event(gh, number))
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A GitHub API error", "503")
    assert gh.count() == 2  # max_attempts: 2 in the test config
    assert run.stderr == ""


def test_a_hand_damaged_body_fails_with_one_error_and_writes_nothing(
    harness: Harness, gh: GitHubEmulator
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    damaged = gh.issue(number)["body"].replace('"value": 1', '"value": 1,,')
    with GhApiTransport(gh.repo, gh.owner_token, **gh.client_options()) as owner:
        owner.update_issue(number, body=damaged)
    gh.clear_requests()
    run = harness.run("issue_comment", _comment_event(gh, number))
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A damaged object", f"Issue #{number} cannot be processed")
    assert "correct the body on github.com" in run.stdout
    # read the issue (over GraphQL, the default: a query), found it damaged, stopped
    assert [(r.method, r.mutates) for r in gh.requests] == [("POST", False)]
    assert gh.issue(number)["body"] == damaged


def test_a_dispatch_for_an_issue_that_is_no_object_fails(
    harness: Harness, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("A bug", "it breaks", ["bug"])
    run = harness.run("workflow_dispatch", {"inputs": {}}, issue_number=str(number))
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A not a stored object", "lacks the 'stored-object' label")


def test_a_dispatch_naming_no_number_is_an_input_error(
    harness: Harness, gh: GitHubEmulator
) -> None:
    run = harness.run("workflow_dispatch", {"inputs": {"issue-number": "seven"}})
    assert run.exit_code == 2
    _assert_one_error(run, "gh-store%3A bad input", "`issue-number` must be a positive whole")
    assert gh.requests == []


def test_an_unexpected_error_shows_one_error_and_the_traceback_in_a_group(
    harness: Harness, gh: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr("gh_store.runs.process_issue", broken)
    number = harness.seed_object("counter", {"value": 1})
    run = harness.run("issue_comment", _comment_event(gh, number))
    assert run.exit_code == 3
    errors = [data for name, data in run.commands if name.startswith("error")]
    assert errors == [
        "gh-store stopped on an unexpected KeyError; the traceback is in the log. Please report it."
    ]
    assert ("group", "Traceback") in run.commands
    assert "Traceback (most recent call last)" in run.stdout


@pytest.mark.http  # runs a process, which reaches the emulator over HTTP
def test_entrypoint_runs_as_the_runner_starts_it(harness: Harness, gh: GitHubEmulator) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    run = harness.run_process("issue_comment", _comment_event(gh, number))
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.outputs["object"] == '{"value":2}'
    assert Path(ROOT / "entrypoint.py").read_text().count("\n") < 15
