"""One seeded schedule of a hostile, flaky world around one object, and what must hold after it.

Actors, each step chosen by a seeded RNG:

* trusted writers (the owner, alice with write) post update comments, broken ones and chat;
* outsiders (rita with read, mallory with none) post updates and chat, edit their comments
  (chat into JSON and back), delete them, and react on any comment (``+1`` most of all);
* two or three processors overlap: each is the real run flow (``core/processing.py``), advanced
  one request at a time, over a transport that loses requests before or after they act (a run so
  hit dies, as a killed runner would); over REST or GraphQL (``api``: every processor of a
  schedule uses it).

Every schedule ends with the processors drained and one clean run. Then the object must equal the
serial fold of the trusted usable updates in comment order, each applied once (version, count and
hash chain), each decided comment must carry exactly its one mark from the store, and
``verify_history`` must pass. Deterministic for a seed: the emulator's clock ticks one second per
event and every choice comes from the seed.
"""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass, field
from typing import Any

import httpx2

from gh_store.client import GitHubStore
from gh_store.core.body import decode_body
from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig
from gh_store.core.constants import ACTIONS_BOT
from gh_store.core.exceptions import GitHubStoreError
from gh_store.core.hashchain import GENESIS, extend_chain
from gh_store.core.merge_patch import apply_merge_patch
from gh_store.core.processing import process_issue_flow
from gh_store.core.update_comment import CommentKind, parse_update_comment
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator
from gh_store.transport.graphql import GraphQLTransport
from gh_store.transport.port import GitHubTransport
from gh_store.transport.rest import GhApiTransport

CONFIG = dataclasses.replace(
    StoreConfig(),
    rate_limit=RateLimitConfig(max_requests_per_hour=0, min_write_interval=0),
    retries=RetryConfig(max_attempts=1, backoff_factor=0),
)
TRUSTED = ("octo", "alice")
OUTSIDERS = ("rita", "mallory")
BASE: dict[str, Any] = {"n": 0}


class LossyTransport(httpx2.BaseTransport):
    """An HTTP transport whose requests the schedule can make fail before or after they act."""

    def __init__(self, inner: httpx2.BaseTransport, rng: random.Random, rate: float) -> None:
        self._inner, self._rng, self.rate = inner, rng, rate

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if self.rate and self._rng.random() < self.rate:
            if self._rng.random() < 0.5:
                raise httpx2.ConnectError("lost before it acted", request=request)
            response = self._inner.handle_request(request)
            response.read()
            raise httpx2.RemoteProtocolError("answer lost after it acted", request=request)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class World:
    gh: GitHubEmulator
    number: int
    rng: random.Random
    tokens: dict[str, str]
    mine: dict[str, list[int]] = field(default_factory=dict)  # comments each actor may edit
    ever_update_like: dict[int, bool] = field(default_factory=dict)
    ever_chat: dict[int, bool] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    api: str = "rest"


def run_schedule(
    gh: GitHubEmulator, seed: int, steps: int = 60, api: str = "rest"
) -> dict[str, int]:
    """Play the schedule of ``seed`` with processors over ``api``; raise ``AssertionError``
    naming the seed (and the API) if a rule broke."""
    rng = random.Random(seed)
    gh.use_ticking_clock(start=1_700_000_000)
    tokens = {"octo": gh.owner_token, "alice": gh.token_for("alice", "write")}
    tokens |= {"rita": gh.token_for("rita", "read"), "mallory": gh.token_for("mallory", None)}
    with GitHubStore(gh.owner_token, gh.repo, config=CONFIG, **gh.client_options()) as owner:
        number = owner.create("x", dict(BASE)).meta.issue_number
    world = World(gh, number, rng, tokens, {login: [] for login in tokens}, api=api)
    processors: list[Run] = []
    counts = {"requests": 0, "crashed": 0, "runs": 0}
    for _ in range(steps):
        if rng.random() < 0.45 and (processors or rng.random() < 0.5):
            if not processors or (len(processors) < 3 and rng.random() < 0.3):
                processors.append(_processor(world, rate=rng.choice([0.0, 0.05, 0.15])))
                counts["runs"] += 1
            run = rng.choice(processors)
            run.stepper.step()
            if run.stepper.done:
                processors.remove(run)
                counts["crashed"] += run.finish(seed)
        else:
            _world_acts(world)
    for run in processors:  # the runs in flight finish, undisturbed
        run.lossy.rate = 0.0
        run.stepper.run()
        run.finish(seed)
    clean = _processor(world, rate=0.0)
    clean.stepper.run()
    if clean.finish(seed):
        raise AssertionError(f"seed {seed} ({api}): the clean run failed: {clean.stepper.error!r}")
    counts["requests"] = len(gh.requests)
    try:
        _check(world)
    except AssertionError as exc:
        raise AssertionError(f"seed {seed} ({api}): {exc}") from None
    return counts


@dataclass
class Run:
    """One processor: the run flow, stepped, over a transport that may lose requests."""

    stepper: Stepper[Any]
    transport: GitHubTransport
    lossy: LossyTransport

    def finish(self, seed: int) -> int:
        """Close it; 1 if it died of a lost request (as a killed runner), else 0."""
        self.transport.close()
        error = self.stepper.error
        if error is None:
            return 0
        if not isinstance(error, GitHubStoreError):
            raise AssertionError(f"seed {seed}: a run failed: {error!r}")
        return 1


def _processor(world: World, rate: float) -> Run:
    inner = world.gh.client_options()["http_transport"] or httpx2.HTTPTransport()
    lossy = LossyTransport(inner, world.rng, rate)
    kind = GraphQLTransport if world.api == "graphql" else GhApiTransport
    transport = kind(
        world.gh.repo,
        world.gh.bot_token,
        api_url=world.gh.url,
        retries=CONFIG.retries,
        rate_limit=CONFIG.rate_limit,
        http_transport=lossy,
    )
    flow = process_issue_flow(world.number, CONFIG, transport.owner)
    return Run(Stepper(flow, transport), transport, lossy)


def _world_acts(world: World) -> None:
    gh, rng = world.gh, world.rng
    actor = rng.choice((*TRUSTED, *TRUSTED, *OUTSIDERS))
    choice = rng.random()
    if actor in TRUSTED:
        if choice < 0.7:
            text = json.dumps({rng.choice("nabc"): rng.choice([rng.randint(0, 99), None, "s"])})
        elif choice < 0.85:
            text = rng.choice(['{"n": ', "[1, 2]", "{broken"])
        else:
            text = rng.choice(["thanks!", "LGTM", ""]) or "ok"
        _post(world, actor, text)
        return
    mine = [c for c in world.mine[actor] if c not in world.deleted]
    if choice < 0.35 or not mine:
        text = rng.choice([json.dumps({"n": -1, "evil": True}), "chat", '{"a": "mine"}'])
        _post(world, actor, text)
    elif choice < 0.55:
        target = rng.choice(mine)
        text = rng.choice(["now chat", json.dumps({"n": 666}), "{"])
        _call(world, actor, "PATCH", f"/issues/comments/{target}", {"body": text})
        _note(world, target, text)
    elif choice < 0.7:
        target = rng.choice(mine)
        _call(world, actor, "DELETE", f"/issues/comments/{target}")
        world.deleted.add(target)
    else:
        everyone = [c["id"] for c in gh.comments(world.number)]
        if everyone:
            content = rng.choice(["+1", "+1", "-1", "eyes"])
            _call(
                world,
                actor,
                "POST",
                f"/issues/comments/{rng.choice(everyone)}/reactions",
                {"content": content},
            )


def _post(world: World, actor: str, text: str) -> None:
    answer = _call(world, actor, "POST", f"/issues/{world.number}/comments", {"body": text})
    comment_id = int(answer["id"])
    world.mine[actor].append(comment_id)
    _note(world, comment_id, text)


def _note(world: World, comment_id: int, text: str) -> None:
    kind = parse_update_comment(text).kind
    if kind is CommentKind.CHAT:
        world.ever_chat[comment_id] = True
    else:
        world.ever_update_like[comment_id] = True


def _call(world: World, actor: str, method: str, path: str, body: Any = None) -> Any:
    options = world.gh.client_options()
    with httpx2.Client(base_url=options["api_url"], transport=options["http_transport"]) as client:
        answer = client.request(
            method,
            f"/repos/{world.gh.repo}{path}",
            json=body,
            headers={"Authorization": f"token {world.tokens[actor]}"},
        )
    assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
    return answer.json() if answer.content else None


def _check(world: World) -> None:
    gh = world.gh
    comments = gh.comments(world.number)
    stored = decode_body(gh.issue(world.number)["body"])
    data: Any = dict(BASE)
    chain, applied = GENESIS, 0
    expected_marks: dict[int, set[str]] = {}
    for comment in comments:
        login, body, cid = comment["user"]["login"], comment["body"], comment["id"]
        parsed = parse_update_comment(body)
        if login in TRUSTED:
            if parsed.kind is CommentKind.UPDATE:
                data = apply_merge_patch(data, parsed.patch)
                chain, applied = extend_chain(chain, cid, body), applied + 1
                expected_marks[cid] = {"+1"}
            elif parsed.kind is CommentKind.BROKEN:
                expected_marks[cid] = {"-1"}
            else:
                expected_marks[cid] = set()
        elif world.ever_update_like.get(cid) and not world.ever_chat.get(cid):
            expected_marks[cid] = {"eyes"}
    assert stored.data == data, f"object {stored.data} != serial fold {data}"
    assert (stored.meta.version, stored.meta.applied_count) == (1 + applied, applied)
    assert stored.meta.history_hash == chain, "history hash"
    assert gh.issue(world.number)["state"] == "closed"
    for comment in comments:
        cid = comment["id"]
        marks = sorted(r["content"] for r in gh.reactions(cid) if r["user"]["login"] == ACTIONS_BOT)
        if cid in expected_marks:
            assert set(marks) == expected_marks[cid] and len(marks) == len(expected_marks[cid]), (
                f"comment {cid} by {comment['user']['login']}: marks {marks}, "
                f"expected {sorted(expected_marks[cid])}"
            )
        else:  # an outsider's comment that was chat at some time: at most the untrusted mark
            assert set(marks) <= {"eyes"} and len(marks) <= 1, f"comment {cid}: marks {marks}"
    with GitHubStore(gh.owner_token, gh.repo, config=CONFIG, **gh.client_options()) as reader:
        check = reader.verify_history("x")
        assert check.ok, f"verify_history: {check.problems}"
