"""One seeded schedule of a hostile, flaky world around a few objects, and what must hold after it.

Actors, each step chosen by a seeded RNG:

* trusted writers (the owner, alice with write) post update comments, broken ones and chat; most
  updates start their own run (as the action's ``issue_comment`` trigger does), some never do (a
  cancelled job, an outage): only a catch-up run finds those;
* outsiders (rita with read, mallory with none) post updates and chat, edit their comments
  (chat into JSON and back), delete them, and react on any comment (``+1`` most of all);
* the owner archives an object (``delete``) and re-creates its id, comments on archived issues,
  and deletes an issue outright (as an admin can);
* single-issue runs overlap: each is the real run flow (``core/processing.py``), advanced one
  request at a time (``driver.Stepper``);
* catch-up runs (``runs.process_all``, with random budgets, reserves and remaining limits) and
  snapshot refreshes (``snapshot.take_snapshot`` with the previous snapshot) race them, also one
  request at a time: they are not flows, so each runs on a thread of its own that may send its
  next request only when the schedule says so (``Gated``; one thread moves at a time);
* every run and refresh goes over a transport that loses requests before or after they act (a run
  so hit dies, as a killed runner would), over REST or GraphQL (``api``).

Every schedule ends with the runs drained and one clean catch-up run. Then nothing may be pending
anywhere (a second catch-up finds no work); each live object equals the serial fold of its own
issue's trusted usable updates in comment order from its creation, each applied once (version,
count and hash chain: an update posted on an archived issue of the same id is never applied to the
re-created object); an archived object holds a prefix of its own fold and is not touched after it
was archived; each decided comment carries exactly its one mark from the store (on an archived
issue at most that one); ``verify_history`` passes; and the chain of snapshot refreshes equals a
snapshot taken whole, which holds the live objects exactly. Deterministic for a seed: the
emulator's clock ticks one second per event and every choice comes from the seed.
"""

from __future__ import annotations

import dataclasses
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from gh_store.client import GitHubStore
from gh_store.core.body import decode_body
from gh_store.core.config import RateLimitConfig, RetryConfig, StoreConfig
from gh_store.core.constants import ACTIONS_BOT
from gh_store.core.exceptions import GitHubStoreError, ObjectNotFound
from gh_store.core.hashchain import GENESIS, extend_chain
from gh_store.core.merge_patch import apply_merge_patch
from gh_store.core.objects import Scope
from gh_store.core.processing import process_issue_flow
from gh_store.core.update_comment import CommentKind, parse_update_comment
from gh_store.driver import Stepper
from gh_store.emulator import GitHubEmulator
from gh_store.runs import CatchUpReport, CatchUpStopped, process_all
from gh_store.snapshot import take_snapshot
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
IDS = ("x", "y", "z")
PLENTY = 5000  # the bot's limit, restored once a catch-up that set it lower has ended
GATE_TIMEOUT = 60.0  # seconds a gated thread may take to reach its next request: a hang, not a wait


class Gated:
    """A call on a thread of its own that sends each HTTP request only when ``step`` lets it.

    The schedule's thread waits while the call runs, so exactly one thread moves at a time and a
    seed plays the same way every time.
    """

    def __init__(self, call: Callable[[], Any], lossy: LossyTransport) -> None:
        lossy.gate = self.gate
        self._go = threading.Semaphore(0)
        self._parked = threading.Semaphore(0)
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(call,), daemon=True)
        self._thread.start()
        self._wait()  # it runs up to its first request (or to its end)

    def _main(self, call: Callable[[], Any]) -> None:
        try:
            self.result = call()
        except BaseException as exc:  # handed to the schedule, which judges it
            self.error = exc
        finally:
            self.done = True
            self._parked.release()

    def gate(self) -> None:
        """On the call's thread, before each request: park until the schedule steps it."""
        self._parked.release()
        if not self._go.acquire(timeout=GATE_TIMEOUT):
            raise AssertionError("the schedule never stepped a gated run again")

    def step(self) -> None:
        """Let the parked request go; return once the call parks again or ends."""
        if self.done:
            raise RuntimeError("the call has ended")
        self._go.release()
        self._wait()

    def run(self) -> None:
        while not self.done:
            self.step()

    def _wait(self) -> None:
        if not self._parked.acquire(timeout=GATE_TIMEOUT):
            raise AssertionError("a gated run hung between two requests")
        if self.done:
            self._thread.join(GATE_TIMEOUT)


class LossyTransport(httpx2.BaseTransport):
    """An HTTP transport whose requests the schedule can make fail before or after they act, and
    (``gate``) hold until the schedule lets them go."""

    def __init__(self, inner: httpx2.BaseTransport, rng: random.Random, rate: float) -> None:
        self._inner, self._rng, self.rate = inner, rng, rate
        self.gate: Callable[[], None] | None = None

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if self.gate is not None:
            self.gate()
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
class Issue:
    """One issue that held an object: its id, the data it was created with, what became of it."""

    object_id: str
    base: dict[str, Any]
    archived: bool = False
    deleted: bool = False


@dataclass
class World:
    gh: GitHubEmulator
    rng: random.Random
    tokens: dict[str, str]
    owner: GitHubStore
    issues: dict[int, Issue] = field(default_factory=dict)
    live: dict[str, int] = field(default_factory=dict)  # object id -> its issue
    mine: dict[str, list[int]] = field(default_factory=dict)  # comments each actor may edit
    ever_update_like: dict[int, bool] = field(default_factory=dict)
    ever_chat: dict[int, bool] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    api: str = "rest"
    runs: list[Run] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # the chain of refreshes
    counts: dict[str, int] = field(default_factory=dict)
    generation: int = 0


def run_schedule(
    gh: GitHubEmulator, seed: int, steps: int = 70, api: str = "rest"
) -> dict[str, int]:
    """Play the schedule of ``seed`` with every run over ``api``; raise ``AssertionError``
    naming the seed (and the API) if a rule broke."""
    rng = random.Random(seed)
    gh.use_ticking_clock(start=1_700_000_000)
    tokens = {"octo": gh.owner_token, "alice": gh.token_for("alice", "write")}
    tokens |= {"rita": gh.token_for("rita", "read"), "mallory": gh.token_for("mallory", None)}
    counts = dict.fromkeys(
        (
            "requests",
            "crashed",
            "runs",
            "catch_ups",
            "caught_up",
            "snapshots",
            "archived",
            "deleted",
        ),
        0,
    )
    with GitHubStore(gh.owner_token, gh.repo, config=CONFIG, **gh.client_options()) as owner:
        world = World(gh, rng, tokens, owner, mine={login: [] for login in tokens}, api=api)
        world.counts = counts
        try:
            for object_id in IDS[: rng.choice((2, 3))]:
                _create(world, object_id)
            _start(world, _snapshot(world))  # the chain's first: every change is refreshed into it
            _settle(world, seed)
            for _ in range(steps):
                if world.runs and rng.random() < 0.5:
                    run = rng.choice(world.runs)
                    run.step()
                    if run.done:
                        world.runs.remove(run)
                        counts["crashed"] += run.finish(world, seed)
                else:
                    _world_acts(world)
            _finish(world, seed)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed} ({api}): {exc}") from None
        finally:
            for run in world.runs:  # a failed schedule leaves no thread parked
                run.abandon()
    counts["requests"] = len(gh.requests)
    return counts


def _finish(world: World, seed: int) -> None:
    """The runs in flight end undisturbed, a clean catch-up run, then every check."""
    for run in list(world.runs):
        run.lossy.rate = 0.0
        run.run_to_end()
        world.runs.remove(run)
        run.finish(world, seed)
    world.gh.set_rate_limit(world.gh.bot_token, PLENTY)
    world.gh.set_rate_limit(world.gh.bot_token, PLENTY, "graphql")
    archived = {n: decode_body(world.gh.issue(n)["body"]) for n in _archived(world)}
    for number in archived:  # a run on an archived issue applies nothing: it is no object
        run = _processor(world, number, rate=0.0)
        run.run_to_end()
        assert isinstance(run.error, ObjectNotFound), f"a run on archived #{number}: {run.error!r}"
        run.close()
    first = _catch_up_to_end(world)
    assert not first.failures and not first.left and first.stopped is None, (
        f"the clean catch-up run: failures {first.failures}, left {first.left}: {first.stopped}"
    )
    second = _catch_up_to_end(world)
    assert not second.reports and not second.left and not second.failures, (
        f"work left after the clean catch-up run: "
        f"{[r.issue_number for r in second.reports]}, left {second.left}"
    )
    for number, body in archived.items():
        now = decode_body(world.gh.issue(number)["body"])
        assert now == body, f"archived #{number} changed after the runs in flight ended"
    _check(world, marks=False)
    # A run that died after its write owes its marks; the next run on that object places them,
    # and a catch-up run reaches an object only when it changed: one clean run on each.
    for number in world.live.values():
        before = decode_body(world.gh.issue(number)["body"])
        run = _processor(world, number, rate=0.0)
        run.run_to_end()
        run.close()
        assert run.error is None, f"a clean run on #{number}: {run.error!r}"
        after = decode_body(world.gh.issue(number)["body"])
        assert after.data == before.data and after.meta.version == before.meta.version, (
            f"#{number}: a clean run after the catch-up changed the object"
        )
    _check(world)
    _check_snapshots(world)


def _catch_up_to_end(world: World) -> CatchUpReport:
    transport, _ = _transport(world, world.gh.bot_token, rate=0.0)
    with transport:
        return process_all(transport, CONFIG)


@dataclass
class Run:
    """A single-issue run (a stepped flow), a catch-up run or a snapshot refresh (gated calls),
    over a transport that may lose requests."""

    kind: str
    transport: GitHubTransport
    lossy: LossyTransport
    stepper: Stepper[Any] | None = None
    gated: Gated | None = None
    on_result: Callable[[Any], None] | None = None
    after: Callable[[], None] | None = None

    @property
    def done(self) -> bool:
        return (
            self.stepper.done if self.stepper is not None else bool(self.gated and self.gated.done)
        )

    @property
    def error(self) -> BaseException | None:
        return self.stepper.error if self.stepper is not None else self.gated and self.gated.error

    def step(self) -> None:
        if self.stepper is not None:
            self.stepper.step()
        elif self.gated is not None:
            self.gated.step()

    def run_to_end(self) -> None:
        while not self.done:
            self.step()

    def close(self) -> None:
        self.transport.close()

    def abandon(self) -> None:
        if self.gated is not None and not self.gated.done:
            self.lossy.gate = None  # its later requests go through: the thread ends
            self.gated.step()
        self.close()

    def finish(self, world: World, seed: int) -> int:
        """Close it; 1 if it died of an error GitHub or the transport gave, else 0."""
        self.close()
        if self.after is not None:
            self.after()
        error = self.error
        if error is None:
            result = self.stepper.result if self.stepper is not None else self.gated.result  # type: ignore[union-attr]
            if self.on_result is not None:
                self.on_result(result)
            return 0
        if isinstance(error, CatchUpStopped):
            _no_unexpected(error.report)
        if not isinstance(error, GitHubStoreError):
            raise AssertionError(f"seed {seed}: a {self.kind} failed: {error!r}")
        return 1


def _no_unexpected(report: CatchUpReport) -> None:
    for number, reason in report.failures:
        assert "unexpected" not in reason, f"catch-up passed over #{number}: {reason}"


def _transport(world: World, token: str, rate: float) -> tuple[GitHubTransport, LossyTransport]:
    inner = world.gh.client_options()["http_transport"] or httpx2.HTTPTransport()
    lossy = LossyTransport(inner, world.rng, rate)
    kind = GraphQLTransport if world.api == "graphql" else GhApiTransport
    transport = kind(
        world.gh.repo,
        token,
        api_url=world.gh.url,
        retries=CONFIG.retries,
        rate_limit=CONFIG.rate_limit,
        http_transport=lossy,
    )
    return transport, lossy


def _processor(world: World, number: int, rate: float) -> Run:
    transport, lossy = _transport(world, world.gh.bot_token, rate)
    flow = process_issue_flow(number, CONFIG, transport.owner)
    return Run("run", transport, lossy, stepper=Stepper(flow, transport))


def _gated(world: World, kind: str, rate: float, call: Callable[[GitHubTransport], Any]) -> Run:
    transport, lossy = _transport(world, world.gh.bot_token, rate)
    return Run(kind, transport, lossy, gated=Gated(lambda: call(transport), lossy))


def _catch_up(world: World) -> Run:
    rng, gh = world.rng, world.gh
    reserve = rng.choice((0, 5, 50))
    budget = rng.choice((None, None, rng.randint(3, 40)))
    lowered = rng.random() < 0.3
    if lowered:  # the token is nearly spent this hour: the run keeps the reserve of what is left
        gh.set_rate_limit(gh.bot_token, reserve + rng.randint(0, 40))
        gh.set_rate_limit(gh.bot_token, reserve + rng.randint(0, 20), "graphql")

    def restore() -> None:
        if lowered:
            gh.set_rate_limit(gh.bot_token, PLENTY)
            gh.set_rate_limit(gh.bot_token, PLENTY, "graphql")

    world.counts["catch_ups"] += 1
    run = _gated(
        world,
        "catch-up run",
        rng.choice((0.0, 0.03, 0.1)),
        lambda transport: process_all(transport, CONFIG, reserve=reserve, budget=budget),
    )

    def judge(report: CatchUpReport) -> None:
        _no_unexpected(report)
        world.counts["caught_up"] += len(report.reports)

    run.on_result, run.after = judge, restore
    return run


def _snapshot(world: World, rate: float | None = None) -> Run:
    previous = world.snapshots[-1] if world.snapshots else None
    scope = Scope(world.gh.repo, CONFIG, {})
    if rate is None:
        rate = world.rng.choice((0.0, 0.05)) if previous is not None else 0.0
    run = _gated(
        world, "snapshot refresh", rate, lambda transport: take_snapshot(transport, scope, previous)
    )
    run.on_result = world.snapshots.append
    world.counts["snapshots"] += 1
    return run


def _settle(world: World, seed: int) -> None:
    """Run the runs started outside the main loop (the first snapshot) to their end."""
    for run in list(world.runs):
        run.run_to_end()
        world.runs.remove(run)
        run.finish(world, seed)


def _start(world: World, run: Run) -> None:
    world.runs.append(run)


def _create(world: World, object_id: str) -> None:
    world.generation += 1
    base = {"n": 0, "gen": world.generation}
    number = world.owner.create(object_id, dict(base)).meta.issue_number
    world.issues[number] = Issue(object_id, base)
    world.live[object_id] = number


def _archived(world: World) -> list[int]:
    return [n for n, issue in world.issues.items() if issue.archived and not issue.deleted]


def _world_acts(world: World) -> None:
    rng = world.rng
    choice = rng.random()
    busy = len(world.runs) >= 5
    if choice < 0.1:
        _reshape(world)
    elif (
        choice < 0.2
        and len(world.runs) < 7
        and sum(r.kind == "catch-up run" for r in world.runs) < 2
    ):
        _start(world, _catch_up(world))
    elif (
        choice < 0.26
        and len(world.runs) < 7
        and not any(r.kind == "snapshot refresh" for r in world.runs)
    ):
        _start(world, _snapshot(world))
    elif choice < 0.33 and not busy:
        numbers = [n for n, issue in world.issues.items() if not issue.deleted]
        _start(world, _processor(world, rng.choice(numbers), rate=rng.choice([0.0, 0.05, 0.15])))
        world.counts["runs"] += 1
    else:
        _comment(world)


def _reshape(world: World) -> None:
    """The owner re-creates a free id, archives an object, or deletes an issue outright."""
    rng, gh = world.rng, world.gh
    free = [i for i in IDS[:3] if i not in world.live]
    choice = rng.random()
    if free and (choice < 0.5 or len(world.live) < 2):
        _create(world, rng.choice(free))
    elif choice < 0.8 and world.live:
        object_id = rng.choice(sorted(world.live))
        world.owner.delete(object_id)
        world.issues[world.live.pop(object_id)].archived = True
        world.counts["archived"] += 1
    else:
        numbers = [n for n, issue in world.issues.items() if not issue.deleted]
        number = rng.choice(numbers)
        gh.delete_issue(number)
        issue = world.issues[number]
        issue.deleted = True
        if world.live.get(issue.object_id) == number:
            del world.live[issue.object_id]
        world.counts["deleted"] += 1


def _comment(world: World) -> None:
    gh, rng = world.gh, world.rng
    archived = _archived(world)
    if world.live and (not archived or rng.random() < 0.85):
        number = world.live[rng.choice(sorted(world.live))]
    elif archived:
        number = rng.choice(archived)
    else:
        return
    actor = rng.choice((*TRUSTED, *TRUSTED, *OUTSIDERS))
    choice = rng.random()
    if actor in TRUSTED:
        if choice < 0.7:
            text = json.dumps({rng.choice("nabc"): rng.choice([rng.randint(0, 99), None, "s"])})
        elif choice < 0.85:
            text = rng.choice(['{"n": ', "[1, 2]", "{broken"])
        else:
            text = rng.choice(["thanks!", "LGTM", ""]) or "ok"
        _post(world, actor, number, text)
        if rng.random() < 0.7 and len(world.runs) < 6:  # its own run; the others never happen
            _start(world, _processor(world, number, rate=rng.choice([0.0, 0.05, 0.15])))
            world.counts["runs"] += 1
        return
    mine = [c for c in world.mine[actor] if c not in world.deleted and _alive(world, c)]
    if choice < 0.35 or not mine:
        text = rng.choice([json.dumps({"n": -1, "evil": True}), "chat", '{"a": "mine"}'])
        _post(world, actor, number, text)
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
        everyone = [c["id"] for c in gh.comments(number)]
        if everyone:
            content = rng.choice(["+1", "+1", "-1", "eyes"])
            _call(
                world,
                actor,
                "POST",
                f"/issues/comments/{rng.choice(everyone)}/reactions",
                {"content": content},
            )


def _alive(world: World, comment_id: int) -> bool:
    """Whether the comment's issue still exists (deleting an issue deletes its comments)."""
    return any(
        c["id"] == comment_id
        for n, issue in world.issues.items()
        if not issue.deleted
        for c in world.gh.comments(n)
    )


def _post(world: World, actor: str, number: int, text: str) -> None:
    answer = _call(world, actor, "POST", f"/issues/{number}/comments", {"body": text})
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


def _check(world: World, *, marks: bool = True) -> None:
    for number, issue in world.issues.items():
        if not issue.deleted:
            _check_issue(world, number, issue, marks=marks)
    if not marks:
        return  # verify_history reads the marks too
    with GitHubStore(
        world.gh.owner_token, world.gh.repo, config=CONFIG, **world.gh.client_options()
    ) as reader:
        for object_id in sorted(world.live):
            check = reader.verify_history(object_id)
            assert check.ok, f"verify_history({object_id!r}): {check.problems}"


def _check_issue(world: World, number: int, issue: Issue, *, marks: bool = True) -> None:
    """A live object is its issue's serial fold, every decided comment marked once; an archived
    one a prefix of that fold, marked at most so. (A run that read before the archive may still
    write after it, and no run repairs an archived object: its body may hold fewer updates than
    its marks say, as a live object's may between a stale write and the next run.)"""
    gh = world.gh
    comments = gh.comments(number)
    stored = decode_body(gh.issue(number)["body"])
    data: Any = dict(issue.base)
    folds: list[tuple[Any, str]] = [(data, GENESIS)]  # after 0, 1, ... applied updates
    expected_marks: dict[int, set[str]] = {}
    for comment in comments:
        login, body, cid = comment["user"]["login"], comment["body"], comment["id"]
        parsed = parse_update_comment(body)
        if login in TRUSTED:
            if parsed.kind is CommentKind.UPDATE:
                data = apply_merge_patch(data, parsed.patch)
                folds.append((data, extend_chain(folds[-1][1], cid, body)))
                expected_marks[cid] = {"+1"}
            elif parsed.kind is CommentKind.BROKEN:
                expected_marks[cid] = {"-1"}
            else:
                expected_marks[cid] = set()
        elif world.ever_update_like.get(cid) and not world.ever_chat.get(cid):
            expected_marks[cid] = {"eyes"}
    where = f"#{number} ({issue.object_id}{', archived' if issue.archived else ''})"
    applied = stored.meta.applied_count
    assert stored.meta.version == 1 + applied, f"{where}: version {stored.meta.version}"
    if issue.archived:
        assert applied < len(folds), f"{where}: {applied} applied of {len(folds) - 1}"
    else:
        assert applied == len(folds) - 1, f"{where}: {applied} applied of {len(folds) - 1}"
    fold, chain = folds[applied]
    assert stored.data == fold, f"{where}: object {stored.data} != serial fold {fold}"
    assert stored.meta.history_hash == chain, f"{where}: history hash"
    labels = [label["name"] for label in gh.issue(number)["labels"]]
    if issue.archived:  # a run that reopened it may die before it closes it again: still archived
        assert "archived" in labels and "stored-object" not in labels, f"{where}: {labels}"
    else:
        assert gh.issue(number)["state"] == "closed", f"{where} is open"
    for comment in comments if marks else ():
        cid = comment["id"]
        placed = sorted(
            r["content"] for r in gh.reactions(cid) if r["user"]["login"] == ACTIONS_BOT
        )
        if cid in expected_marks and not issue.archived:
            assert set(placed) == expected_marks[cid] and len(placed) == len(expected_marks[cid]), (
                f"{where}: comment {cid} by {comment['user']['login']}: marks {placed}, "
                f"expected {sorted(expected_marks[cid])}"
            )
        elif cid in expected_marks:
            assert set(placed) <= expected_marks[cid] and len(placed) <= 1, (
                f"{where}: comment {cid}: marks {placed}, expected at most "
                f"{sorted(expected_marks[cid])}"
            )
        else:  # an outsider's comment that was chat at some time: at most the untrusted mark
            assert set(placed) <= {"eyes"} and len(placed) <= 1, f"{where}: comment {cid}: {placed}"


def _check_snapshots(world: World) -> None:
    """The chain of refreshes, refreshed once more, equals a snapshot taken whole, which holds
    exactly the live objects as stored."""
    refresh = _snapshot(world, rate=0.0)
    refresh.run_to_end()
    refresh.finish(world, -1)
    whole_run = _gated(
        world, "snapshot", 0.0, lambda t: take_snapshot(t, Scope(world.gh.repo, CONFIG, {}))
    )
    whole_run.run_to_end()
    whole_run.close()
    assert whole_run.error is None and refresh.error is None, (refresh.error, whole_run.error)
    refreshed, whole = world.snapshots[-1], whole_run.gated.result  # type: ignore[union-attr]
    assert set(whole["objects"]) == set(world.live), f"snapshot ids {sorted(whole['objects'])}"
    for object_id, number in world.live.items():
        stored = decode_body(world.gh.issue(number)["body"])
        entry = whole["objects"][object_id]
        assert (entry["data"], entry["meta"]["version"], entry["meta"]["issue_number"]) == (
            stored.data,
            stored.meta.version,
            number,
        ), f"the whole snapshot's {object_id}: {entry}"
    for object_id in sorted(set(whole["objects"]) | set(refreshed["objects"])):
        assert refreshed["objects"].get(object_id) == whole["objects"].get(object_id), (
            f"the refreshed snapshot's {object_id}: {refreshed['objects'].get(object_id)} != "
            f"taken whole: {whole['objects'].get(object_id)}"
        )
    assert refreshed["skipped_issues"] == whole["skipped_issues"], "skipped issues"
