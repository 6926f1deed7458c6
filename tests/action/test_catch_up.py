"""The action with no issue named (issue 11): a catch-up run over every open object, and the
``snapshot`` input kept fresh for a static site."""

from __future__ import annotations

import functools
import json
import random
import re

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


APIS = ["rest", "graphql"]


@pytest.mark.parametrize("api", APIS)
def test_a_catch_up_run_spends_its_budget_and_says_what_it_left(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    numbers = [
        harness.seed_object(name, {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
        for name in "abc"
    ]
    # REST: the listing and 4 an object (at most 4 to start); GraphQL: the listing, then 2 an
    # object (at most 3 to start, the first read telling the points left)
    budget, processed = {"rest": ("9", 2), "graphql": ("5", 1)}[api]
    run = harness.run("schedule", {}, request_budget=budget, api=api)
    assert run.exit_code == 0, run.stdout
    assert run.outputs["issues-processed"] == str(processed)
    assert run.outputs["issues-left"] == str(3 - processed)
    assert len(gh.requests) <= int(budget)
    assert run.annotations("warning title=gh-store%3A catch-up stopped early")
    left = ", ".join(f"#{n}" for n in numbers[processed:])
    assert f"**Left for the next run:** {left}" in run.summary
    again = harness.run("schedule", {}, api=api)  # the next run, without a budget, finishes
    assert again.outputs["issues-processed"] == str(3 - processed)
    assert again.outputs["issues-left"] == "0"


@pytest.mark.parametrize("api", APIS)
def test_a_budget_under_the_reserve_still_processes_what_it_can_finish(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    for i in range(12):
        harness.seed_object(f"o{i}", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    run = harness.run("schedule", {}, request_budget="40", api=api)
    assert run.exit_code == 0, run.stdout
    # REST: 1 + 4k + 4 <= 40 -> 9 objects in 37 requests; GraphQL: 1 + 2k + 3 <= 40 -> all 12
    assert run.outputs["issues-processed"] == {"rest": "9", "graphql": "12"}[api]
    assert len(gh.requests) <= 40


@pytest.mark.parametrize("api", APIS)
def test_a_run_never_takes_the_limit_below_its_reserve_for_an_object_with_many_updates(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    gh.use_ticking_clock()
    big = harness.seed_object(
        "big", {"n": 0}, state="open", updates=[("octo", f'{{"n": {n}}}') for n in range(300)]
    )
    small = harness.seed_object("small", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    resource = "graphql" if api == "graphql" else "core"
    gh.set_rate_limit(harness.token, 50 + {"rest": 30, "graphql": 8}[api], resource=resource)
    run = harness.run("schedule", {}, api=api)
    assert run.exit_code == 0, run.stdout
    assert (run.outputs["issues-processed"], run.outputs["issues-left"]) == ("1", "1")
    assert gh.rate_limit(harness.token, resource)["remaining"] >= 50
    assert gh.issue(small)["state"] == "closed" and gh.issue(big)["state"] == "open"
    assert f"**Left for the next run:** #{big}" in run.summary
    gh.set_rate_limit(harness.token, 1000, resource=resource)
    again = harness.run("schedule", {}, api=api)
    assert (again.outputs["applied"], again.outputs["issues-left"]) == ("300", "0")


@pytest.mark.parametrize("api", APIS)
def test_an_object_that_cannot_be_processed_is_passed_over_and_the_run_ends_with_exit_1(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    good = harness.seed_object("a", {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
    bad = gh.seed_issue("Stored Object: b", "{damaged", ["stored-object", "UID:b"], user="octo")
    refused = harness.seed_object("c", {"n": 0}, state="open", updates=[("octo", '{"n": 2}')])
    last = harness.seed_object("d", {"n": 0}, state="open", updates=[("octo", '{"n": 3}')])
    if api == "rest":
        gh.inject(422, "PATCH", rf"/issues/{refused}$")
    else:
        gh.inject_graphql_error("updateIssue", 422, skip=1)
    run = harness.run("schedule", {}, api=api)
    assert run.exit_code == 1, run.stdout
    errors = run.annotations("error title=gh-store%3A object not processed")
    assert len(errors) == 2 and f"#{bad} " in errors[0] and f"#{refused} " in errors[1]
    assert (run.outputs["issues-processed"], run.outputs["issues-left"]) == ("2", "0")
    assert f"- issue #{bad}: " in run.summary and f"- issue #{refused}: " in run.summary
    assert gh.issue(good)["state"] == "closed" and gh.issue(last)["state"] == "closed"
    assert gh.issue(refused)["state"] == "open"  # the next run tries again


@pytest.mark.parametrize("api", APIS)
def test_an_error_that_stops_every_object_still_writes_the_outputs(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    numbers = [
        harness.seed_object(name, {"n": 0}, state="open", updates=[("octo", '{"n": 1}')])
        for name in "abc"
    ]
    # The token is revoked after the first object.
    path = rf"/issues/({numbers[1]}|{numbers[2]})" if api == "rest" else r"/graphql$"
    gh.inject(401, None, path, times=100, skip=0 if api == "rest" else 2)
    run = harness.run("schedule", {}, api=api)
    assert run.exit_code == 2, run.stdout
    assert (run.outputs["issues-processed"], run.outputs["issues-left"]) == ("1", "2")
    assert len(run.annotations("error title=gh-store%3A access denied")) == 1
    assert gh.issue(numbers[0])["state"] == "closed"


@pytest.mark.parametrize("api", APIS)
def test_an_update_on_a_closed_object_is_applied_by_the_next_catch_up_run(
    harness: Harness, gh: GitHubEmulator, api: str
) -> None:
    gh.use_ticking_clock()
    stable = harness.seed_object("a", {"n": 0})
    number = harness.seed_object("b", {"n": 0})  # closed
    gh.seed_comment(number, '{"n": 5}', user="octo")  # its own run never happened
    gh.clear_requests()
    run = harness.run("schedule", {}, api=api)
    assert run.exit_code == 0, run.stdout
    assert (run.outputs["applied"], run.outputs["object"]) == ("1", '{"n":5}')
    assert not [r for r in gh.requests if f"/issues/{stable}" in r.path]


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
    # A count of the labelled issues (deletions), then one listing of what changed.
    assert [("since" in r.query, r.query["per_page"]) for r in issue_listings] == [
        (False, "1"),
        (True, "100"),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [("site", "names a directory"), ("../objects.json", "leaves the workspace")],
)
def test_a_snapshot_path_that_cannot_be_written_is_an_input_error(
    harness: Harness, gh: GitHubEmulator, value: str, message: str
) -> None:
    (harness.tmp / "site").mkdir()
    run = harness.run("schedule", {}, snapshot=value)
    assert run.exit_code == 2
    assert message in run.stdout and gh.requests == []


# --- a randomized world: damaged, closed and costly objects, budgets and limits ------------------


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("seed", range(4))
def test_repeated_catch_up_runs_apply_every_healthy_update_once_and_keep_the_reserve(
    harness: Harness, gh: GitHubEmulator, api: str, seed: int
) -> None:
    rng = random.Random(f"{api}-{seed}")
    gh.use_ticking_clock()
    reserve = 50
    expected: dict[int, dict[str, object]] = {}  # healthy object issue -> its data at the end
    damaged: set[int] = set()
    for index in range(rng.randint(6, 12)):
        kind = rng.choice(["open", "open", "closed-pending", "stable", "many", "damaged"])
        name = f"o{index}"
        if kind == "damaged":
            body = rng.choice(
                [
                    "{damaged by hand",
                    '```json\n{}\n```\n<!-- gh-store:meta {"format":1,"version":"x"} -->\n',
                    json.dumps({"x": "y" * 65_480}),  # the original's format, no room left
                ]
            )
            number = gh.seed_issue(f"Stored Object: {name}", body, ["stored-object", f"UID:{name}"])
            gh.seed_comment(number, '{"z": 1}', user="octo")
            damaged.add(number)
            continue
        count = {"open": rng.randint(1, 4), "many": rng.randint(120, 260)}.get(kind, 0)
        if kind == "closed-pending":
            count = rng.randint(1, 3)
        state = "open" if kind in ("open", "many") else "closed"
        number = harness.seed_object(name, {"n": 0}, state=state)
        data: dict[str, object] = {"n": 0}
        for k in range(count):
            gh.seed_comment(number, json.dumps({"n": k + 1, f"u{k}": True}), user="octo")
            data.update({"n": k + 1, f"u{k}": True})
        expected[number] = data

    def pending() -> set[int]:
        return {n for n, data in expected.items() if _data_of(gh, n) != data}

    for run_index in range(12):
        if not pending():
            break
        final = run_index >= 8  # enough for anything left
        limits = {r: reserve + (900 if final else rng.randint(1, 60)) for r in ("core", "graphql")}
        for name, remaining in limits.items():
            gh.set_rate_limit(harness.token, remaining, resource=name)
        lowest = dict(limits)

        hook = gh.add_hook(functools.partial(_watch, gh, harness.token, lowest))
        budget = None if final or rng.random() < 0.3 else rng.randint(3, 60)
        waiting = pending() | damaged  # every object with work: reached, or reported left
        gh.clear_requests()
        inputs = {"api": api} | ({"request_budget": str(budget)} if budget else {})
        run = harness.run("schedule", {}, **inputs)
        hook.remove()
        for name in lowest:
            lowest[name] = min(lowest[name], int(gh.rate_limit(harness.token, name)["remaining"]))
        assert min(lowest.values()) >= reserve, (run_index, lowest, limits)
        if budget is not None:
            assert len(gh.requests) <= budget
        failed = {int(n) for n in re.findall(r"- issue #(\d+): ", run.summary)}
        left = {int(n) for n in re.findall(r"#(\d+)", _left_line(run.summary))}
        done_now = waiting - damaged - pending()
        # Each object with work is exactly one of: done, failed (the damaged ones), left.
        assert waiting == done_now | failed | left
        assert not (done_now & failed or done_now & left or failed & left)
        assert failed == damaged - left
        assert run.outputs["issues-processed"] == str(len(done_now))
        assert run.outputs["issues-left"] == str(len(left))
        assert run.exit_code == (1 if failed else 0), run.stdout
    assert not pending()
    for number, data in expected.items():
        body = gh.issue(number)["body"]
        assert f'"version":{1 + sum(1 for k in data if k.startswith("u"))},' in body
        for comment in gh.comments(number):
            marks = [r for r in gh.reactions(comment["id"]) if r["content"] == "+1"]
            assert len(marks) == 1  # applied exactly once


def _watch(gh: GitHubEmulator, token: str, lowest: dict[str, int], _: object) -> None:
    """Before each request: the least each budget has had left."""
    for name in lowest:
        lowest[name] = min(lowest[name], int(gh.rate_limit(token, name)["remaining"]))


def _data_of(gh: GitHubEmulator, number: int) -> object:
    from gh_store.core.body import decode_body

    return decode_body(gh.issue(number)["body"]).data


def _left_line(summary: str) -> str:
    return next((line for line in summary.splitlines() if line.startswith("**Left")), "")
