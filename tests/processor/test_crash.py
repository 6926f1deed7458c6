"""Crash safety: a run that dies at any request, rerun, leaves every update applied exactly once.

The updates are chosen so that applying one twice, or out of order, changes the result:
``{"a":1}``, ``{"a":2}``, ``{"a":3,"b":null}`` on ``{"b":0}`` must give ``{"a":3}``; a chat
comment and an untrusted update sit between them. Each scenario runs on a fresh emulator, over
both transports. Over GraphQL one request carries several mutations that can fail one by one,
before or after acting: each of those partial outcomes must end like a crash between REST
requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import GitHubAPIError
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue

from .support import (
    APIS,
    bot_marks,
    by_api,
    chain,
    fold,
    install_ticking_clock,
    seed_object,
    store_config,
    stored,
    transport_for,
    use_api,
)

CONFIG = store_config()
BASE: dict[str, Any] = {"b": 0}
TRUSTED: list[dict[str, Any]] = [{"a": 1}, {"a": 2}, {"a": 3, "b": None}]
EXPECTED = fold(BASE, TRUSTED)


@dataclass(frozen=True)
class Scene:
    gh: GitHubEmulator
    number: int
    applied: list[int]  # the trusted updates, in order
    untrusted: int
    chat: int


def build_scene(gh: GitHubEmulator) -> Scene:
    install_ticking_clock(gh)
    gh.set_permission("alice", "write")
    gh.set_permission("rita", "read")
    number = seed_object(gh, BASE)
    first = gh.seed_comment(number, json.dumps(TRUSTED[0]), user="octo")
    chat = gh.seed_comment(number, "I'll bump it twice more", user="octo")
    second = gh.seed_comment(number, json.dumps(TRUSTED[1]), user="alice")
    untrusted = gh.seed_comment(number, '{"a": 99, "b": "mine"}', user="rita")
    third = gh.seed_comment(number, json.dumps(TRUSTED[2]), user="octo")
    return Scene(gh, number, [first, second, third], untrusted, chat)


def scene() -> Iterator[Scene]:
    with GitHubEmulator(repo="octo/store") as gh:
        yield build_scene(gh)


def run(scene: Scene, *, max_attempts: int = 3) -> None:
    with transport_for(scene.gh, max_attempts=max_attempts) as transport:
        process_issue(transport, CONFIG, scene.number)


def run_failing(scene: Scene) -> None:
    """A run that must die of the injected fault (no retries, as if the runner were killed)."""
    with pytest.raises(GitHubAPIError):
        run(scene, max_attempts=1)


def assert_converged(scene: Scene) -> None:
    """Every trusted update applied once, in order; every decided comment marked once."""
    gh, number = scene.gh, scene.number
    body = stored(gh, number)
    assert body.data == EXPECTED
    assert (body.meta.version, body.meta.applied_count) == (1 + 3, 3)
    assert body.meta.last_comment_id == scene.applied[-1]
    texts = {c["id"]: c["body"] for c in gh.comments(number)}
    assert body.meta.history_hash == chain((i, texts[i]) for i in scene.applied)
    assert gh.issue(number)["state"] == "closed"
    for comment_id in scene.applied:
        assert bot_marks(gh, comment_id) == ["+1"], comment_id
    assert bot_marks(gh, scene.untrusted) == ["eyes"]
    assert bot_marks(gh, scene.chat) == []


def clean_run_methods(api: str) -> list[str]:
    """The requests of an undisturbed run over ``api``: mutating ones as ``WRITE``."""
    use_api(api)
    try:
        for first in scene():
            first.gh.clear_requests()
            run(first)
            assert_converged(first)
            return ["WRITE" if r.mutates else "READ" for r in first.gh.requests]
    finally:
        use_api("rest")
    raise AssertionError("unreachable")


CLEAN = {api: clean_run_methods(api) for api in APIS}
WRITE = {api: CLEAN[api].index("WRITE") for api in APIS}
#: The requests a second crash hits: REST's write, first and last mark; GraphQL's one request.
RECOVERY = {
    "rest": {
        "write": WRITE["rest"],
        "first mark": WRITE["rest"] + 1,
        "last mark": len(CLEAN["rest"]) - 2,
    },
    "graphql": {"writes": WRITE["graphql"]},
}
FAULTS: dict[str, dict[str, Any]] = {
    "503 before the request acts": {"status": 503},
    "answer lost after the request acted": {"status": None, "drop": True, "after": True},
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The crash points depend on the transport: ``api`` is chosen here, with them."""
    name = metafunc.definition.name
    if name in (
        "test_crash_at_any_request_then_rerun_converges",
        "test_crash_at_any_request_then_a_maintainers_reactions_hide_nothing",
    ):
        pairs = [(api, k) for api in APIS for k in range(len(CLEAN[api]))]
        metafunc.parametrize(("api", "k"), pairs, indirect=["api"])
    elif name == "test_a_second_crash_during_recovery_still_converges":
        pairs = [(api, k) for api in APIS for k in RECOVERY[api].values()]
        ids = [f"{api}-{what}" for api in APIS for what in RECOVERY[api]]
        metafunc.parametrize(("api", "k"), pairs, indirect=["api"], ids=ids)
    elif name == "test_one_mutation_failing_alone_ends_as_a_crash_would":
        metafunc.parametrize("api", ["graphql"], indirect=True)
    elif "api" in metafunc.fixturenames:
        metafunc.parametrize("api", list(APIS), indirect=True)


def test_the_clean_run_is_the_one_measured(api: str) -> None:
    # REST: issue, comments, 2 permissions (alice, rita), the write, 4 marks, the last look.
    # GraphQL: the issue with its comments, the 2 permissions (REST), one request that writes,
    # marks and brings back the last look.
    assert CLEAN[api] == by_api(
        rest=["READ"] * 4 + ["WRITE"] * 5 + ["READ"], graphql=["READ"] * 3 + ["WRITE"]
    )


@pytest.mark.parametrize("fault", list(FAULTS))
def test_crash_at_any_request_then_rerun_converges(fault: str, k: int) -> None:
    for crashed in scene():
        injected = crashed.gh.inject(path=".*", skip=k, **FAULTS[fault])
        run_failing(crashed)
        assert injected.applied == 1

        run(crashed)

        assert_converged(crashed)
        crashed.gh.clear_requests()
        owes_a_check = bool(stored(crashed.gh, crashed.number).meta.marks)
        run(crashed)  # and a further run has nothing left to do: REST reads the issue, its
        # comments, and (when the body records marks) who placed the newest of them and who the
        # token is; GraphQL the issue with its comments, which say whether the token placed it
        reads = by_api(rest=2 + 2 * owes_a_check, graphql=1)
        assert [r.mutates for r in crashed.gh.requests] == [False] * reads
        assert_converged(crashed)


def test_a_second_crash_during_recovery_still_converges(k: int) -> None:
    """The run that repairs a crashed run's marks dies too, at each of its requests in turn."""
    j = 0
    while True:
        for twice in scene():
            twice.gh.inject(path=".*", skip=k, status=None, drop=True, after=True)
            run_failing(twice)
            second = twice.gh.inject(path=".*", skip=j, status=None, drop=True, after=True)
            try:
                run(twice, max_attempts=1)
            except GitHubAPIError:
                assert second.applied == 1
            else:
                assert second.applied == 0
                assert_converged(twice)
                return
            run(twice)
            assert_converged(twice)
        j += 1


# --- crash repair looks at who placed a mark, not at counts (issue 9.8) -----------------------


@pytest.mark.parametrize("reactor", ["rita", "stranger"])
def test_an_outsiders_reaction_on_the_newest_applied_comment_does_not_hide_a_crash(
    reactor: str,
) -> None:
    for crashed in scene():
        # The run dies before its marks: every reaction fails.
        crashed.gh.inject(status=503, method="POST", path=r"/reactions$", times=10)
        crashed.gh.inject_graphql_error("addReaction", status=503, times=10)
        run_failing(crashed)
        crashed.gh.clear_faults()
        assert bot_marks(crashed.gh, crashed.applied[-1]) == []
        # Then an outsider adds the very reaction the store owes on the newest decided comment.
        with transport_for(crashed.gh, crashed.gh.token_for(reactor, permission=None)) as outsider:
            outsider.create_reaction(crashed.applied[-1], "+1")

        run(crashed)

        assert_converged(crashed)  # every mark from the store, exactly once
        with GitHubStore(
            crashed.gh.owner_token, crashed.gh.repo, config=CONFIG, **crashed.gh.client_options()
        ) as store:
            assert store.verify_history("x").ok


# --- nor does a maintainer's: marks are the store's own identity's reactions (issue 17) ---------


def _react_by_hand(scene: Scene, login: str, permission: str | None) -> None:
    """``login`` adds, by hand, the very reaction the store owes on every decided comment."""
    gh = scene.gh
    with transport_for(gh, gh.token_for(login, permission=permission)) as person:
        for comment_id in scene.applied:
            person.create_reaction(comment_id, "+1")
        person.create_reaction(scene.untrusted, "eyes")


@pytest.mark.parametrize("placed", range(5), ids=lambda k: f"{k} of 4 marks placed")
@pytest.mark.parametrize("maintainer", ["octo", "alice"])
def test_a_maintainers_own_reaction_does_not_hide_a_crash(maintainer: str, placed: int) -> None:
    """The run dies after its write, having placed ``placed`` of its 4 marks; a maintainer (the
    owner, or a writer) then reacts by hand where the marks belong. The next run places every
    missing mark as the store's identity, and a run after it has nothing left to do."""
    for crashed in scene():
        crashed.gh.inject(status=503, method="POST", path=r"/reactions$", skip=placed, times=10)
        crashed.gh.inject_graphql_error("addReaction", status=503, skip=placed, times=10)
        if placed < 4:
            run_failing(crashed)
        else:
            run(crashed)
        crashed.gh.clear_faults()
        _react_by_hand(crashed, maintainer, None if maintainer == "octo" else "write")

        run(crashed)

        assert_converged(crashed)
        crashed.gh.clear_requests()
        run(crashed)
        assert not any(r.mutates for r in crashed.gh.requests)
        assert_converged(crashed)


def test_crash_at_any_request_then_a_maintainers_reactions_hide_nothing(k: int) -> None:
    """Every crash point of the clean run (the answer lost after the request acted), then the
    owner reacts by hand wherever a mark belongs: the rerun still places every missing one."""
    for crashed in scene():
        crashed.gh.inject(path=".*", skip=k, status=None, drop=True, after=True)
        run_failing(crashed)
        crashed.gh.clear_faults()
        _react_by_hand(crashed, "octo", None)

        run(crashed)

        assert_converged(crashed)


# --- a deleted comment cannot hide owed marks (found by `make torture`, seed 506) --------------


@pytest.mark.parametrize("by_hand", [False, True], ids=["", "a maintainer reacted"])
@pytest.mark.parametrize("placed", range(5), ids=lambda k: f"{k} of 5 marks placed")
def test_deleting_the_newest_marked_comment_does_not_hide_a_crash(
    placed: int, by_hand: bool
) -> None:
    """The run dies after its write, having placed only some marks; then the outsider whose
    comment carries the newest recorded mark deletes it. That mark can no longer say whether
    the run finished, so the next older one (on a comment no longer listed) decides."""
    for crashed in scene():
        late = crashed.gh.seed_comment(crashed.number, '{"a": 7}', user="rita")
        crashed.gh.inject(status=503, method="POST", path=r"/reactions$", skip=placed, times=10)
        crashed.gh.inject_graphql_error("addReaction", status=503, skip=placed, times=10)
        run_failing(crashed)
        crashed.gh.clear_faults()
        assert stored(crashed.gh, crashed.number).meta.marks[-1] == (late, "eyes")
        crashed.gh.delete_comment(late)
        if by_hand:  # the older marks' comments are no longer listed: asked one by one
            _react_by_hand(crashed, "alice", "write")

        run(crashed)

        gh, number = crashed.gh, crashed.number
        body = stored(gh, number)
        assert body.data == EXPECTED
        assert (body.meta.version, body.meta.applied_count) == (4, 3)
        assert [bot_marks(gh, c) for c in crashed.applied] == [["+1"]] * 3
        assert bot_marks(gh, crashed.untrusted) == ["eyes"]
        assert bot_marks(gh, crashed.chat) == []
        assert gh.issue(number)["state"] == "closed"


# --- over GraphQL: one mutation of a request fails alone (issue 13) ------------------------------

#: The mutations of the clean run's one request of writes: the write, then 4 marks.
MUTATIONS = 1 + 4


@pytest.mark.parametrize("after", [False, True], ids=["before acting", "after acting"])
@pytest.mark.parametrize("j", range(MUTATIONS))
def test_one_mutation_failing_alone_ends_as_a_crash_would(after: bool, j: int) -> None:
    """The j-th mutation fails (the ones after it in the request run, and are undone); the next
    run repairs what is missing, and every mark is placed exactly once."""
    for crashed in scene():
        injected = crashed.gh.inject_graphql_error(
            "^(updateIssue|addReaction)$", status=502, skip=j, after=after
        )
        run_failing(crashed)
        assert injected.applied == 1
        body = stored(crashed.gh, crashed.number)
        if j == 0 and not after:
            assert body.meta.applied_count == 0  # the write failed: no mark may stay
            for comment_id in (*crashed.applied, crashed.untrusted):
                assert bot_marks(crashed.gh, comment_id) == []
        decided = sorted([*crashed.applied, crashed.untrusted])
        placed = [i for i in decided if bot_marks(crashed.gh, i)]
        # What is left is what a crash between requests leaves: marks in order, none after a gap
        assert placed == decided[: len(placed)]

        run(crashed)

        assert_converged(crashed)
