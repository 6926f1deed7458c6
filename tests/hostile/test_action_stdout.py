"""End to end through the action: nothing a user wrote reaches the runner outside stop-commands.

Every hostile comment carries the canary ``PWNED`` (our own messages never contain it) and,
usually, a workflow command. The action runs against the emulator; its stdout is read as the
runner reads it. Outside stop-commands blocks no line may hold the canary, and the only commands
are ours: ``add-mask`` of the token, groups, annotations in our own words, stop-commands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gh_store.action.outputs import parse_outputs
from gh_store.core.body import decode_body
from gh_store.emulator import GitHubEmulator

from ._bodies import AUTHORS, FAKE_META, PERMISSIONS, WORKFLOW_COMMANDS, comment_bodies
from ._runner import OUR_COMMANDS, commands_outside_blocks, run_action
from ._support import quiet_config, seed_object

CANARY = "PWNED"
CONFIG = quiet_config()


@pytest.fixture(scope="module")
def shared_gh() -> Iterator[GitHubEmulator]:
    """One emulator for every example (each seeds an issue of its own)."""
    with GitHubEmulator(repo="octo/store") as emulator:
        for login, permission in PERMISSIONS.items():
            emulator.set_permission(login, permission)
        yield emulator


@st.composite
def hostile_comment(draw: st.DrawFn) -> str:
    attack = draw(st.sampled_from((*WORKFLOW_COMMANDS, FAKE_META, ""))) + CANARY
    filler = draw(comment_bodies)
    shape = draw(st.sampled_from(("value", "key", "raw", "broken", "prefix", "fenced")))
    if shape == "value":
        body = json.dumps({"note": attack, "more": filler}, ensure_ascii=draw(st.booleans()))
    elif shape == "key":
        body = json.dumps({attack: filler[:100]})
    elif shape == "raw":
        body = attack
    elif shape == "broken":
        body = '{"a": "' + attack
    elif shape == "fenced":
        body = f"```json\n{json.dumps({'x': attack})}\n```\n{attack}"
    else:
        body = f"{attack}\n{filler}"
    return body[:65_536]


def _payload(gh: GitHubEmulator, number: int, comment_id: int, body: str) -> dict[str, Any]:
    issue = gh.issue(number)
    comment = next(c for c in gh.comments(number) if c["id"] == comment_id)
    return {
        "action": "created",
        "issue": issue,
        "comment": comment | {"body": body},
        "repository": {"full_name": gh.repo, "owner": {"login": gh.state.owner}},
        "sender": comment["user"],
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    comments=st.lists(
        st.tuples(st.sampled_from(AUTHORS), hostile_comment()), min_size=1, max_size=4
    ),
    data=st.fixed_dictionaries({"note": st.just(f"::error::stored {CANARY}")}),
)
def test_no_user_text_reaches_the_runner_outside_stop_commands(
    shared_gh: GitHubEmulator, comments: list[tuple[str, str]], data: dict[str, Any]
) -> None:
    gh = shared_gh
    number = seed_object(gh, CONFIG, f"obj-{len(gh.requests)}", data)
    last = 0
    for author, body in comments:
        last = gh.seed_comment(number, body, user=author)

    result = run_action(gh, "issue_comment", _payload(gh, number, last, comments[-1][1]))

    assert result.exit_code == 0, result.stdout[-2000:]
    assert_runner_sees_only_our_commands(result.stdout, gh.bot_token)
    # The object reaches the outputs whole, even when it holds workflow commands and fences.
    outputs = parse_outputs(result.outputs_text)
    stored = decode_body(gh.issue(number)["body"]).data
    assert json.loads(outputs["object"]) == stored
    assert outputs["issue-number"] == str(number)


def assert_runner_sees_only_our_commands(stdout: str, token: str) -> None:
    """Outside stop-commands: no canary, and only our commands (the mask is the token's)."""
    read = commands_outside_blocks(stdout)
    assert read and read[0][1:] == ("add-mask", token), "the token must be masked first"
    for line, name, data_text in read:
        assert CANARY not in line, f"user text outside stop-commands: {line!r}"
        if name == "add-mask":
            assert data_text == token, f"a mask we did not ask for: {line!r}"
        elif name:
            assert name in OUR_COMMANDS | {"stop-commands"}, f"injected command: {line!r}"


_T = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "stdout",
    [
        "::add-mask::tok\n::error::PWNED\n",
        "::add-mask::tok\nthe object: PWNED\n",
        f"::add-mask::tok\n::stop-commands::{_T}\nPWNED\n",
        f"::add-mask::tok\n::stop-commands::{_T}\nx\n::{_T}::\r::set-output name=a::b\n",
        "::add-mask::tok\n::add-mask::x\n",
        "::add-mask::tok\n  ::set-env name=A::b\n",
        "::add-mask::tok\n::stop-commands::abc\n::abc::\n",
        "::group::before the mask\n::add-mask::tok\n",
    ],
)
def test_the_stdout_check_catches_each_injection(stdout: str) -> None:
    with pytest.raises(AssertionError):
        assert_runner_sees_only_our_commands(stdout, "tok")


def test_the_stdout_check_passes_our_own_commands() -> None:
    stdout = (
        "::add-mask::tok\n::group::Processing issue #1\n"
        f"::stop-commands::{_T}\n::error::PWNED\n::{_T}::\n::endgroup::\n"
        "::warning title=gh-store%3A x::Update comment 5 was not applied.\nplain line\n"
    )
    assert_runner_sees_only_our_commands(stdout, "tok")


# --- strings from the event (issue 9.10) ------------------------------------------------------

LEGACY = "##[error]legacy PWNED"
INJECTIONS = [LEGACY, "::add-mask::PWNED", "  ::error::PWNED", f"x\n::warning::PWNED\n{LEGACY}"]


@pytest.mark.parametrize("text", INJECTIONS)
@pytest.mark.parametrize(
    "event",
    ["dispatch type", "issue action", "comment action", "dispatch number", "event name"],
)
def test_strings_from_the_event_reach_stdout_only_inside_stop_commands(
    gh: GitHubEmulator, event: str, text: str
) -> None:
    payloads: dict[str, tuple[str, dict[str, Any]]] = {
        "dispatch type": ("repository_dispatch", {"action": text, "client_payload": {}}),
        "issue action": ("issues", {"action": text, "issue": {"number": 1, "labels": []}}),
        "comment action": ("issue_comment", {"action": text, "issue": {"number": 1}}),
        "dispatch number": (
            "repository_dispatch",
            {"action": "gh-store-update", "client_payload": {"issue_number": text}},
        ),
        "event name": (text, {}),
    }
    event_name, payload = payloads[event]
    result = run_action(gh, event_name, payload)
    assert result.exit_code in (0, 2)
    assert_runner_sees_only_our_commands(result.stdout, gh.bot_token)
    assert gh.requests == []


@pytest.mark.parametrize(
    "stdout",
    [
        "::add-mask::tok\nnothing to do: ##[error]x\n",
        "::add-mask::tok\n::error::bad ##[warning]x\n",
        "::add-mask::tok\n\t::set-env name=A::b\n",
    ],
)
def test_the_stdout_check_catches_legacy_and_indented_commands(stdout: str) -> None:
    with pytest.raises(AssertionError):
        assert_runner_sees_only_our_commands(stdout, "tok")
