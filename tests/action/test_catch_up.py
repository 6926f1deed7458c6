"""The action with no issue named (issue 11): a catch-up run over every open object, and the
``snapshot`` input kept fresh for a static site."""

from __future__ import annotations

import json

import pytest

from gh_store.emulator import GitHubEmulator

from .conftest import Harness

EVENTS = [
    ("schedule", {"schedule": "17 * * * *"}),
    ("workflow_dispatch", {"inputs": {}}),
    ("repository_dispatch", {"action": "gh-store-update", "client_payload": {}}),
]


@pytest.mark.parametrize(("event", "payload"), EVENTS, ids=[e for e, _ in EVENTS])
def test_an_event_naming_no_issue_processes_every_open_object(
    harness: Harness, gh: GitHubEmulator, event: str, payload: dict[str, object]
) -> None:
    gh.set_permission("alice", "write")
    first = harness.seed_object("a", {"n": 0}, state="open", updates=[("alice", '{"n": 1}')])
    harness.seed_object("b", {"n": 0})  # closed: nothing pending, never read
    third = harness.seed_object(
        "c", {"n": 0}, state="open", updates=[("octo", '{"n": 3}'), ("octo", "{broken")]
    )
    run = harness.run(event, payload)
    assert run.exit_code == 0, run.stdout
    assert run.outputs == {
        "object": "",  # more than one object: no single object is published
        "object-id": "",
        "issue-number": "",
        "version": "",
        "applied": "2",
        "rejected": "1",
        "untrusted": "0",
        "changed": "true",
        "issues-processed": "2",
        "issues-left": "0",
    }
    rows = [
        line
        for line in run.summary.splitlines()
        if line.startswith("| ") and "#" in line and "[comment" not in line
    ]
    assert len(rows) == 2 and f"#{first}" in rows[0] and f"#{third}" in rows[1]
    for number in (first, third):
        assert gh.issue(number)["state"] == "closed"


def test_a_catch_up_run_over_one_object_publishes_it(harness: Harness, gh: GitHubEmulator) -> None:
    number = harness.seed_object("a", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    run = harness.run("schedule", {})
    assert (run.outputs["object"], run.outputs["issue-number"]) == ('{"n":1}', str(number))


def test_a_catch_up_run_that_hits_its_budget_says_what_it_left(
    harness: Harness, gh: GitHubEmulator
) -> None:
    for name in "abc":
        harness.seed_object(name, {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    run = harness.run("schedule", {}, request_budget="52")
    assert run.exit_code == 0
    assert (run.outputs["issues-processed"], run.outputs["issues-left"]) == ("1", "2")
    assert run.annotations("warning title=gh-store%3A catch-up stopped early")
    assert "2 left for the next run" in run.summary


def test_a_damaged_object_fails_the_run_after_the_others_are_processed(
    harness: Harness, gh: GitHubEmulator
) -> None:
    good = harness.seed_object("a", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    bad = gh.seed_issue("Stored Object: b", "{damaged", ["stored-object", "UID:b"], user="octo")
    run = harness.run("schedule", {})
    assert run.exit_code == 2
    errors = run.annotations("error title=gh-store%3A objects not processed")
    assert len(errors) == 1 and f"#{bad}" in errors[0]
    assert run.outputs["issues-processed"] == "1"
    assert gh.issue(good)["state"] == "closed"


# --- the snapshot input --------------------------------------------------------------------------


def test_the_snapshot_input_writes_every_object_and_refreshes_it_with_one_listing(
    harness: Harness, gh: GitHubEmulator
) -> None:
    harness.seed_object("a", {"n": 0})
    number = harness.seed_object("b", {"n": 0}, state="open", updates=[("octo", '{"n": 2}')])
    (harness.tmp / "site").mkdir()
    run = harness.run("schedule", {}, snapshot="site/objects.json")
    assert run.exit_code == 0, run.stdout
    snapshot = json.loads((harness.tmp / "site" / "objects.json").read_text())
    assert snapshot["repository"] == gh.repo
    assert {k: v["data"] for k, v in snapshot["objects"].items()} == {"a": {"n": 0}, "b": {"n": 2}}
    assert "snapshot of 2 object(s) written" in run.stdout

    gh.seed_comment(number, '{"n": 3}', user="octo")
    gh.clear_requests()
    comment = {"action": "created", "issue": gh.issue(number), "comment": gh.comments(number)[-1]}
    run = harness.run("issue_comment", comment, snapshot="site/objects.json")
    snapshot = json.loads((harness.tmp / "site" / "objects.json").read_text())
    assert snapshot["objects"]["b"]["data"] == {"n": 3}
    issue_listings = [r for r in gh.requests if r.method == "GET" and r.path.endswith("/issues")]
    assert len(issue_listings) == 1 and "since" in issue_listings[0].query


@pytest.mark.parametrize(
    ("value", "message"),
    [("site", "names a directory"), ("missing/objects.json", "does not exist")],
)
def test_a_snapshot_path_that_cannot_be_written_is_an_input_error(
    harness: Harness, gh: GitHubEmulator, value: str, message: str
) -> None:
    (harness.tmp / "site").mkdir()
    run = harness.run("schedule", {}, snapshot=value)
    assert run.exit_code == 2
    assert message in run.stdout and gh.requests == []
