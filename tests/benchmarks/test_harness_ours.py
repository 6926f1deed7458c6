"""The harness end to end with this gh-store's driver: what ``make bench`` measures, small.

The driver runs as ``make bench`` runs it (a process of its own, started through bench.launch),
against a fresh emulator. Request counts are deterministic, so they are asserted exactly: they are
the client's as of this commit (``GitHubStore.create`` says "Four requests"; processing costs
``N + ceil(N/100) + A + 5`` at most over REST, ``ceil(N/100) + ceil((N+1)/50) + A`` over GraphQL,
README), which a full ``make bench`` puts in docs/benchmarks.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.client_ops import run_client_ops
from bench.drivers import Implementation
from bench.many import run_catch_up, run_repeated_reads
from bench.processing import run_processing
from bench.workloads import Workload

OURS = Implementation("ours", Path(sys.executable), "bench.drive_ours")


@pytest.mark.parametrize(
    ("workload", "reads", "writes"),
    [
        # the issue, one page of comments, the last look for late comments; the body, one +1
        (Workload(1), 3, 2),
        # after an earlier run the comments are listed `since` it, and the last comment it
        # marked is confirmed by its reactions and who the token is: two reads more, whatever
        # the history
        (Workload(2, applied=3), 5, 3),
    ],
    ids=lambda value: value.name if isinstance(value, Workload) else None,
)
def test_processing_through_the_harness(
    workload: Workload, reads: int, writes: int, tmp_path: Path
) -> None:
    result = run_processing(
        OURS,
        workload,
        "off",
        log_path=tmp_path / "ours.log",
        config_path=tmp_path / "unused-by-ours.yml",
    )
    assert result.correct, result.problem
    assert result.marked == workload.pending
    assert (result.reads, result.writes) == (reads, writes)
    assert result.implementation == "ours"
    assert result.workload == workload.name


OURS_GRAPHQL = Implementation(
    "ours-graphql", Path(sys.executable), "bench.drive_ours", ("--api", "graphql")
)


@pytest.mark.parametrize(
    "workload",
    [Workload(1), Workload(2, applied=3), Workload(120)],
    ids=lambda value: value.name,
)
def test_the_graphql_path_through_the_harness(workload: Workload, tmp_path: Path) -> None:
    result = run_processing(
        OURS_GRAPHQL,
        workload,
        "off",
        log_path=tmp_path / "ours-graphql.log",
        config_path=tmp_path / "unused-by-ours.yml",
    )
    assert result.correct, result.problem
    assert result.marked == workload.pending
    # one query for the issue with its newest 100 comments (older ones: one more per 100), the
    # write and the marks 50 a request, whatever the history; the owner needs no role look-up
    queries = 1 + (workload.pending > 100)
    mutations = -(-(workload.pending + 1) // 50)
    assert (result.reads, result.writes) == (queries, mutations)
    assert result.graphql == result.points == queries + mutations  # one point each, no REST


def test_client_operations_through_the_harness(tmp_path: Path) -> None:
    results = run_client_ops(
        OURS, 2, log_path=tmp_path / "ours.log", config_path=tmp_path / "unused-by-ours.yml"
    )
    counts = {r.operation: (r.repeats, r.reads, r.writes, r.problem, r.note) for r in results}
    assert counts == {
        # is the id free, create, look again for a racing create of the same id; the creation
        # comment (version 1's data, for a rollback); close
        "create": (2, [2, 2], [3, 3], "", ""),
        "get": (2, [1, 1], [0, 0], "", ""),
        "update": (2, [0, 0], [2, 2], "", ""),
    }
    assert all(r.median_seconds is not None and r.median_seconds > 0 for r in results)


def test_a_catch_up_run_through_the_harness(tmp_path: Path) -> None:
    result = run_catch_up(
        OURS, 3, log_path=tmp_path / "ours.log", config_path=tmp_path / "unused-by-ours.yml"
    )
    assert result.correct == 3
    # one listing of the open objects; per object: its comments, the last look; the write
    # (body and close) and the +1
    assert (result.reads, result.writes) == (1 + 3 * 2, 3 * 2)


def test_repeated_reads_through_the_harness(tmp_path: Path) -> None:
    result = run_repeated_reads(
        OURS, 5, log_path=tmp_path / "ours.log", config_path=tmp_path / "unused-by-ours.yml"
    )
    # every get asks GitHub; only the first answer is counted, the others are 304
    assert (result.requests, result.counted, result.note) == (5, 1, "")
