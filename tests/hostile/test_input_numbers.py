"""Bad input is exit 2 with one message for people (issue 17): numbers of thousands of digits, a
damaged metadata block, GraphQL asked of a GitHub that has none. Over both APIs, in process.

CPython refuses to convert a whole number of more than 4,300 digits (``int()``, ``json.loads``)
with a ``ValueError`` that tells the reader to call ``sys.set_int_max_str_digits``: that must
reach no one. Each case runs the action as the runner does and reads its stdout as the runner
does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gh_store.core.body import BodyMeta, IssueBody, decode_body, encode_body
from gh_store.core.exceptions import CorruptObjectError
from gh_store.core.update_comment import parse_update_comment
from gh_store.emulator import GitHubEmulator

from ._bodies import comment_bodies, long_numbers
from ._runner import QUIET_CONFIG_YAML, ActionResult, commands_outside_blocks, run_action

LABELS = ["stored-object", "UID:thing"]
HUGE = "9" * 5000  # past CPython's 4,300 digits
LONG = "9" * 4000  # below it, but no issue number
#: What only Python's internals say; a message for people holds none of it.
INTERNALS = ("set_int_max_str_digits", "sys.", "Traceback", "ValueError", "Exceeds the limit")


@pytest.fixture(params=["rest", "graphql"])
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def served(api: str) -> Iterator[GitHubEmulator]:
    with GitHubEmulator(repo="octo/store", serve=False) as gh:
        yield gh


def _object(gh: GitHubEmulator, body: str | None = None, comment: str = '{"n": 1}') -> int:
    text = body if body is not None else encode_body(IssueBody({"n": 0}, BodyMeta()))
    number = gh.seed_issue("Stored Object: thing", text, LABELS, user="octo")
    gh.seed_comment(number, comment, user="octo")
    return number


def _dispatch(number: int | str) -> str:
    return f'{{"action": "gh-store-update", "client_payload": {{"issue_number": {number}}}}}'


def _run(gh: GitHubEmulator, api: str, event_text: str, **inputs: str) -> ActionResult:
    return run_action(
        gh,
        "repository_dispatch",
        {},
        event_text=event_text,
        inputs={"api": api, **inputs},
        config_yaml=QUIET_CONFIG_YAML,
    )


def _one_error(result: ActionResult) -> str:
    """Exit 2, one ``::error`` written as a sentence for people; returns it."""
    errors = [data for _, name, data in commands_outside_blocks(result.stdout) if name == "error"]
    assert result.exit_code == 2, result.stdout[-3000:]
    assert len(errors) == 1, result.stdout[-3000:]
    message = errors[0]
    assert len(message) < 2_000
    assert not any(word in result.stdout for word in INTERNALS), message
    assert message[:1].isupper() or not message[:1].isalpha(), message
    assert message.rstrip().endswith("."), message
    return message


@pytest.mark.parametrize(
    "digits", [HUGE, LONG, "0", "2147483648"], ids=["5000", "4000", "0", "2^31"]
)
def test_an_issue_number_input_of_any_length_is_an_input_error(
    served: GitHubEmulator, api: str, digits: str
) -> None:
    number = _object(served)
    message = _one_error(_run(served, api, _dispatch(number), **{"issue-number": digits}))
    assert "issue-number input must be a positive whole number" in message


@pytest.mark.parametrize("digits", [HUGE, LONG], ids=["5000", "4000"])
def test_a_request_budget_of_thousands_of_digits_is_an_input_error(
    served: GitHubEmulator, api: str, digits: str
) -> None:
    number = _object(served)
    message = _one_error(_run(served, api, _dispatch(number), **{"request-budget": digits}))
    assert "request-budget input must be a positive whole number" in message
    assert digits not in message


@pytest.mark.parametrize(
    "digits", [HUGE, LONG, "-1", "2147483648"], ids=["5000", "4000", "-1", "2^31"]
)
def test_an_events_issue_number_of_any_length_is_an_input_error(
    served: GitHubEmulator, api: str, digits: str
) -> None:
    _object(served)
    message = _one_error(_run(served, api, _dispatch(digits)))
    assert "issue_number" in message or "event file" in message


def test_a_comment_with_a_number_of_thousands_of_digits_is_rejected_with_a_reason(
    served: GitHubEmulator, api: str
) -> None:
    number = _object(served, comment=f'{{"n": {HUGE}}}')
    result = _run(served, api, _dispatch(number))
    assert result.exit_code == 0, result.stdout[-3000:]
    assert not any(word in result.stdout for word in INTERNALS)
    assert "4300 digits" in result.stdout  # the rejection's reason, in the log


def test_a_body_with_a_number_of_thousands_of_digits_is_a_damaged_object(
    served: GitHubEmulator, api: str
) -> None:
    number = _object(served, body=f'{{"n": {HUGE}}}')
    message = _one_error(_run(served, api, _dispatch(number)))
    assert f"#{number}" in message and "4300 digits" in message


@pytest.mark.parametrize(
    "damage",
    [
        ('"since":null', '"since":"yesterday"'),
        ('"since":null', '"since":"2024-01-01T00:00:00"'),  # no time zone
        ('"version":1', f'"version":{HUGE}'),
        ('"version":1', f'"version":{LONG}'),
        ('"last_comment_id":0', '"last_comment_id":-1'),
    ],
    ids=["since-word", "since-naive", "version-5000", "version-4000", "negative-id"],
)
def test_a_damaged_metadata_block_is_exit_2_over_both_apis(
    served: GitHubEmulator, api: str, damage: tuple[str, str]
) -> None:
    body = encode_body(IssueBody({"n": 0}, BodyMeta()))
    assert damage[0] in body
    number = _object(served, body=body.replace(damage[0], damage[1], 1))
    message = _one_error(_run(served, api, _dispatch(number)))
    assert f"#{number}" in message and "metadata is damaged" in message


@pytest.mark.parametrize(
    "text", [f"store:\n  retries: {{max_attempts: {HUGE}}}\n", "a: 2024-13-45\n"]
)
def test_a_config_number_yaml_cannot_read_is_a_configuration_error(
    served: GitHubEmulator, api: str, text: str
) -> None:
    number = _object(served)
    result = run_action(
        served, "repository_dispatch", {}, event_text=_dispatch(number), config_yaml=text
    )
    _one_error(result)


def test_graphql_asked_of_a_github_without_it_says_so_and_names_api_rest() -> None:
    with GitHubEmulator(repo="octo/store", serve=False, graphql=False) as gh:
        number = _object(gh)
        message = _one_error(_run(gh, "graphql", _dispatch(number)))
        assert "no GraphQL" in message and "api: rest" in message
        assert "does not exist" not in message
        assert gh.issue(number)["state"] == "open"  # nothing was done

        # auto goes on over REST alone; rest never asks /graphql for the run
        assert _run(gh, "auto", _dispatch(number)).exit_code == 0
        assert json.loads(gh.issue(number)["body"].split("```json")[1].split("```")[0]) == {"n": 1}


# --- every reason a user can see is written for people: a property over hostile text -----------

_META_BLOCK = encode_body(IssueBody({}, BodyMeta())).split("```\n", 2)[-1]


def _for_people(reason: str) -> None:
    assert not any(word in reason for word in INTERNALS), reason
    assert "<" not in reason.replace("<!--", "") or "gh-store:meta" in reason, reason


@settings(max_examples=300, deadline=None)
@given(text=comment_bodies)
def test_a_comments_rejection_reason_is_written_for_people(text: str) -> None:
    reason = parse_update_comment(text).reason
    if reason is not None:
        _for_people(reason)


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(comment_bodies, long_numbers),
    shape=st.sampled_from(("legacy", "block", "meta")),
    number=long_numbers,
)
def test_a_damaged_bodys_reason_is_written_for_people(data: str, shape: str, number: str) -> None:
    """Hostile text as an original-format body, as the JSON block of ours, or a metadata block
    holding a number of thousands of digits: read, or refused with a reason for people."""
    if shape == "legacy":
        body = data
    elif shape == "block":
        body = f"```json\n{data}\n```\n{_META_BLOCK}"
    else:
        body = "```json\n{}\n```\n" + _META_BLOCK.replace('"version":1', f'"version":{number}')
    try:
        decode_body(body)
    except CorruptObjectError as exc:
        _for_people(str(exc))
