"""Two runs overlapping on one issue, comments arriving meanwhile: nothing lost, nothing doubled.

GitHub has no compare-and-swap on issues, so a run may write a body older than one another run
has just written. The processor must converge anyway: after the runs (and one more, as the
workflow's queue would start), the object is the serial fold of every trusted valid update.
Over both transports (``api``): over GraphQL, a run's write, marks and last look share requests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from gh_store.core.body import decode_body
from gh_store.core.needs import Commit, Listing
from gh_store.core.report import ProcessReport
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue
from gh_store.transport.graphql import GraphQLTransport
from gh_store.transport.port import GitHubTransport
from gh_store.transport.rest import GhApiTransport

from .support import (
    FAST,
    bot_marks,
    by_api,
    chain,
    fold,
    seed_object,
    store_config,
    stored,
    transport_for,
    written_bodies,
)

CONFIG = store_config()
BASE: dict[str, Any] = {"b": 0}


class Ledger:
    """The comments posted, with what each must become."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[tuple[int, str, Any]] = []  # (id, kind, patch)

    def add(self, comment_id: int, kind: str, patch: Any = None) -> None:
        with self.lock:
            self.entries.append((comment_id, kind, patch))

    def trusted_in_order(self) -> list[tuple[int, Any]]:
        return sorted((i, p) for i, kind, p in self.entries if kind == "applied")


def post(gh: GitHubEmulator, number: int, ledger: Ledger, login: str, text: str, kind: str) -> None:
    """Comment over HTTP as ``login``, as a person (or the client) would."""
    with transport_for(gh, gh.token_for(login, permission=None)) as transport:
        comment = transport.create_comment(number, text)
    patch = json.loads(text) if kind == "applied" else None
    ledger.add(int(comment["id"]), kind, patch)


def seed(gh: GitHubEmulator, number: int, ledger: Ledger, login: str, text: str, kind: str) -> None:
    patch = json.loads(text) if kind == "applied" else None
    ledger.add(gh.seed_comment(number, text, user=login), kind, patch)


#: Comments arriving while the runs work: (author, text, what must become of it).
ARRIVALS = [
    ("alice", '{"a": 3, "b": null}', "applied"),
    ("rita", '{"a": 99}', "untrusted"),
    ("octo", "thanks both", "chat"),
    ("alice", '{"c": {"d": 1}}', "applied"),
    ("octo", '{"c": [', "rejected"),
    ("octo", '{"c": {"e": 2}, "a": 4}', "applied"),
]
MARK = {"applied": ["+1"], "rejected": ["-1"], "untrusted": ["eyes"], "chat": []}


def start(gh: GitHubEmulator) -> tuple[int, Ledger]:
    gh.set_permission("alice", "write")
    gh.set_permission("rita", "read")
    number = seed_object(gh, BASE)
    ledger = Ledger()
    seed(gh, number, ledger, "octo", '{"a": 1}', "applied")
    seed(gh, number, ledger, "rita", '{"b": "rita"}', "untrusted")
    seed(gh, number, ledger, "alice", '{"a": 2}', "applied")
    return number, ledger


def assert_converged(gh: GitHubEmulator, number: int, ledger: Ledger) -> None:
    trusted = ledger.trusted_in_order()
    body = stored(gh, number)
    assert body.data == fold(BASE, [p for _, p in trusted])
    assert (body.meta.applied_count, body.meta.version) == (len(trusted), 1 + len(trusted))
    texts = {c["id"]: c["body"] for c in gh.comments(number)}
    assert body.meta.history_hash == chain((i, texts[i]) for i, _ in trusted)
    for comment_id, kind, _ in ledger.entries:
        assert bot_marks(gh, comment_id) == MARK[kind], (comment_id, kind)


def in_thread(work: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def target() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # reported by the test, not lost in the thread
            results.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def process(gh: GitHubEmulator, number: int, transport: GitHubTransport | None = None) -> Any:
    with transport or transport_for(gh) as used:
        return process_issue(used, CONFIG, number)


def written_last_ids(gh: GitHubEmulator) -> list[int]:
    """``last_comment_id`` of each body written, in the order the writes arrived."""
    return [decode_body(body).meta.last_comment_id for body in written_bodies(gh)]


class GatedRest(GhApiTransport):
    """Signals after its first listing of comments and holds its first write until let go."""

    def __init__(self, gh: GitHubEmulator, listed: threading.Event, go: threading.Event) -> None:
        super().__init__(gh.repo, gh.bot_token, rate_limit=FAST, **gh.client_options())
        self.listed, self.go = listed, go

    def list_comments(
        self, number: int, *, since: str | None = None, to_process: bool = False
    ) -> Listing:
        comments = super().list_comments(number, since=since, to_process=to_process)
        self.listed.set()
        return comments

    def update_issue(self, number: int, **fields: Any) -> dict[str, Any]:
        assert self.go.wait(timeout=60), "run B never finished"
        return super().update_issue(number, **fields)


class GatedGraphQL(GraphQLTransport):
    """The same gate over GraphQL, whose write goes out with the round's marks (``commit``)."""

    def __init__(self, gh: GitHubEmulator, listed: threading.Event, go: threading.Event) -> None:
        super().__init__(gh.repo, gh.bot_token, rate_limit=FAST, **gh.client_options())
        self.listed, self.go = listed, go

    def list_comments(
        self, number: int, *, since: str | None = None, to_process: bool = False
    ) -> Listing:
        comments = super().list_comments(number, since=since, to_process=to_process)
        self.listed.set()
        return comments

    def commit(self, commit: Commit) -> dict[str, Any]:
        assert self.go.wait(timeout=60), "run B never finished"
        return super().commit(commit)


def gated(gh: GitHubEmulator, listed: threading.Event, go: threading.Event) -> GitHubTransport:
    return by_api(rest=GatedRest, graphql=GatedGraphQL)(gh, listed, go)


def test_stale_write_after_a_newer_one_loses_nothing(gh: GitHubEmulator) -> None:
    """A reads, B reads, B writes, A writes a stale body; comments arrive in between."""
    number, ledger = start(gh)
    listed, go = threading.Event(), threading.Event()
    results_a: list[Any] = []
    run_a = in_thread(lambda: process(gh, number, gated(gh, listed, go)), results_a)
    assert listed.wait(timeout=60)
    post(gh, number, ledger, *ARRIVALS[0])  # A did not see it; B will
    results_b: list[Any] = []
    in_thread(lambda: process(gh, number), results_b).join()
    for arrival in ARRIVALS[1:]:
        post(gh, number, ledger, *arrival)  # neither saw these
    go.set()
    run_a.join()

    report_a, report_b = results_a[0], results_b[0]
    assert isinstance(report_a, ProcessReport) and isinstance(report_b, ProcessReport)
    first_arrival = ledger.entries[3][0]
    # The interleaving happened: B wrote up to the first arrival, then A wrote an older body...
    assert written_last_ids(gh)[:2] == [first_arrival, ledger.entries[2][0]]
    # ... and A's last look found what its stale write had left out.
    assert report_a.rounds == 2
    process(gh, number)  # the workflow's queued run
    assert_converged(gh, number, ledger)


@pytest.mark.parametrize(
    ("write_delay", "b_starts_after", "arrival_gap"),
    [(0.05, 0.0, 0.01), (0.2, 0.0, 0.03), (0.2, 0.05, 0.02), (0.5, 0.02, 0.05), (0.1, 0.1, 0.0)],
)
def test_overlapping_runs_with_delays_converge(
    gh: GitHubEmulator, write_delay: float, b_starts_after: float, arrival_gap: float
) -> None:
    number, ledger = start(gh)
    gh.latency = 0.01
    # The first write to reach the issue waits, so the other run may write before it.
    gh.inject(status=None, method="PATCH", path=r"/issues/\d+$", delay=write_delay)
    gh.add_hook(_delay_first_graphql_write(write_delay), method="POST", path="/graphql$")
    results: list[Any] = []

    def arrivals() -> None:
        for arrival in ARRIVALS:
            post(gh, number, ledger, *arrival)
            time.sleep(arrival_gap)  # spreads the arrivals over the runs' work

    def run_b() -> Any:
        time.sleep(b_starts_after)
        return process(gh, number)

    threads = [
        in_thread(lambda: process(gh, number), results),
        in_thread(run_b, results),
        in_thread(arrivals, results),
    ]
    for thread in threads:
        thread.join()

    assert [r for r in results if isinstance(r, BaseException)] == []
    gh.latency = 0.0
    process(gh, number)  # the workflow's queued run
    assert_converged(gh, number, ledger)


def _delay_first_graphql_write(seconds: float) -> Callable[[Any], None]:
    """The GraphQL twin of the delay injected on REST's first write (a mutation request)."""
    delayed: list[bool] = []

    def hold(request: Any) -> None:
        if not delayed and "updateIssue" in str(request.body):
            delayed.append(True)
            time.sleep(seconds)

    return hold


def test_a_run_that_only_closes_folds_its_next_round_on_its_own_base(
    repo: GitHubEmulator,
) -> None:
    # Found by the torture test (seed 311): a run with nothing to decide only closes the issue;
    # that write's answer carries the body another run wrote meanwhile, with an update this
    # run's baseline does not cover. Its next round folded on that body and applied the update
    # a second time (a version, count and history hash one too many).
    from gh_store.core.needs import ListComments
    from gh_store.core.processing import process_issue_flow
    from gh_store.driver import Stepper

    gh = repo
    number = seed_object(gh, BASE)
    first = gh.seed_comment(number, json.dumps({"b": 1}), user="alice")
    process_issue(transport_for(gh), CONFIG, number)  # applied, closed
    transport_for(gh, gh.owner_token).update_issue(number, state="open")  # a client's reopen
    transport = transport_for(gh)
    late = Stepper(process_issue_flow(number, CONFIG, transport.owner), transport)
    while not isinstance(late.need, ListComments):
        late.step()
    late.step()  # it has read every comment there is: nothing to decide
    second = gh.seed_comment(number, json.dumps({"b": 2}), user="alice")
    process_issue(transport_for(gh), CONFIG, number)  # another run applies it
    while not isinstance(late.need, Commit):
        late.step()
    assert late.need.body is None and late.need.state == "closed"  # only the state
    late.run()
    assert late.error is None, late.error
    body = stored(gh, number)
    assert body.data == {"b": 2}
    assert (body.meta.version, body.meta.applied_count) == (3, 2)
    assert body.meta.history_hash == chain(
        [(first, json.dumps({"b": 1})), (second, json.dumps({"b": 2}))]
    )
