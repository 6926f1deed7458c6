"""``make bench`` (``python -m bench.run``): this gh-store against the original gh-store 0.11.3.

Runs every processing workload for the three implementations (the original; ours over REST; ours
over GraphQL) (throttling off, then PyGithub's and our
defaults unless ``--skip-defaults``), the client operations, the action's start-up and container
timings, then writes docs/benchmarks.json, docs/benchmarks.md and the two plots. Progress goes to
stdout; each driver's log to bench/out/. ``--quick`` uses small workloads, for development only.
Each ``measure_...`` step adds keys to the results; ``report`` renders each key as a section.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .client_ops import ClientOpResult, run_client_ops
from .container import run_container
from .drivers import BENCH_DIR, Implementation, module_command
from .environment import ensure_original_venv, machine_facts
from .many import CatchUpResult, RepeatedReadsResult, run_catch_up, run_repeated_reads
from .processing import ProcessingResult, run_processing
from .report import write_json, write_markdown
from .session import LATENCY
from .startup import run_startup
from .workloads import FULL, QUICK, Workload

REPO_ROOT = BENCH_DIR.parent
LOG_DIR = BENCH_DIR / "out"
ORIGINAL_CONFIG = LOG_DIR / "original-config.yml"


@dataclass
class Progress:
    started: float

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f} s] {message}", flush=True)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small workloads (development)")
    parser.add_argument(
        "--skip-defaults", action="store_true", help="skip the slow run with throttling defaults"
    )
    parser.add_argument("--skip-action", action="store_true", help="skip start-up and container")
    parser.add_argument("--repeats", type=int, default=None, help="repetitions of timed commands")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs", help="where results go")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Plan:
    """What one run measures, from the command line: every step reads it."""

    implementations: tuple[Implementation, ...]
    throttles: tuple[str, ...]
    workloads: tuple[Workload, ...]
    repeats: int
    progress: Progress

    def log_path(self, implementation: Implementation) -> Path:
        return LOG_DIR / f"{implementation.name}.log"


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    progress = Progress(time.perf_counter())
    original_python = ensure_original_venv(progress)
    plan = Plan(
        implementations=(
            Implementation("original", original_python, "bench.drive_original"),
            Implementation("ours", Path(sys.executable), "bench.drive_ours"),
            Implementation(
                "ours-graphql", Path(sys.executable), "bench.drive_ours", ("--api", "graphql")
            ),
        ),
        throttles=("off",) if arguments.skip_defaults else ("off", "defaults"),
        workloads=QUICK if arguments.quick else FULL,
        repeats=arguments.repeats or (3 if arguments.quick else 5),
        progress=progress,
    )

    processing = measure_processing(plan)
    client_ops = measure_client_ops(plan)
    catch_up, repeated_reads = measure_many(plan, quick=arguments.quick)
    startup, container = measure_action(plan, skip=arguments.skip_action)

    results = {
        "command": _command(argv),
        "settings": {
            "quick": arguments.quick,
            "skip_defaults": arguments.skip_defaults,
            "skip_action": arguments.skip_action,
            "repeats": plan.repeats,
            "latency_ms": round(LATENCY * 1000),
        },
        "machine": machine_facts(original_python),
        "processing": [r.to_json() for r in processing],
        "client_ops": [r.to_json() for r in client_ops],
        "catch_up": [r.to_json() for r in catch_up],
        "repeated_reads": [r.to_json() for r in repeated_reads],
        "startup": startup,
        "container": container,
        "findings": _findings(processing) + _client_findings(client_ops),
    }
    out: Path = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    write_json(results, out / "benchmarks.json")
    write_markdown(results, out / "benchmarks.md")
    progress("plots (matplotlib in bench/.venv-orig)")
    subprocess.run(
        module_command(original_python, "bench.plot", str(out / "benchmarks.json"), str(out)),
        check=True,
    )
    progress(f"wrote {out / 'benchmarks.md'}, benchmarks.json, bench-requests.png, bench-time.png")
    return 0


def measure_processing(plan: Plan) -> list[ProcessingResult]:
    """Every workload, implementation and throttling mode, each on a fresh emulator."""
    results: list[ProcessingResult] = []
    for throttle in plan.throttles:
        for workload in plan.workloads:
            for implementation in plan.implementations:
                plan.progress(
                    f"processing: {workload.name}, {implementation.name}, throttling {throttle}"
                )
                result = run_processing(
                    implementation,
                    workload,
                    throttle,
                    log_path=plan.log_path(implementation),
                    config_path=ORIGINAL_CONFIG,
                )
                plan.progress(
                    f"  {result.total} requests ({result.reads} reads, {result.writes} writes, "
                    f"{result.points} GraphQL points), {result.seconds:.2f} s, "
                    f"{'correct' if result.correct else 'WRONG'}"
                )
                results.append(result)
    return results


def measure_client_ops(plan: Plan) -> list[ClientOpResult]:
    results: list[ClientOpResult] = []
    # create, get and update go over REST on either path of ours (GraphQL lists issues no
    # cheaper and posts comments as REST does): the GraphQL path has nothing to add here.
    for implementation in (i for i in plan.implementations if i.name != "ours-graphql"):
        plan.progress(f"client operations: {implementation.name}, {plan.repeats} times each")
        results.extend(
            run_client_ops(
                implementation,
                plan.repeats,
                log_path=plan.log_path(implementation),
                config_path=ORIGINAL_CONFIG,
            )
        )
    return results


def measure_many(
    plan: Plan, *, quick: bool
) -> tuple[list[CatchUpResult], list[RepeatedReadsResult]]:
    """A catch-up run over many objects, and many reads of one unchanged object."""
    objects, reads = (10, 20) if quick else (50, 100)
    catch_up: list[CatchUpResult] = []
    repeated: list[RepeatedReadsResult] = []
    for implementation in plan.implementations:
        log_path = plan.log_path(implementation)
        plan.progress(f"catch-up over {objects} objects: {implementation.name}")
        done = run_catch_up(implementation, objects, log_path=log_path, config_path=ORIGINAL_CONFIG)
        plan.progress(f"  {done.reads + done.writes} requests, {done.seconds:.2f} s")
        catch_up.append(done)
        plan.progress(f"{reads} reads of an unchanged object: {implementation.name}")
        read = run_repeated_reads(
            implementation, reads, log_path=log_path, config_path=ORIGINAL_CONFIG
        )
        plan.progress(f"  {read.requests} requests, {read.counted} counted, {read.seconds:.2f} s")
        repeated.append(read)
    return catch_up, repeated


def measure_action(plan: Plan, *, skip: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """``entrypoint.py`` start-up and the container, as JSON (ours only: the original has none)."""
    if skip:
        return {"problem": "skipped (--skip-action)"}, {"problem": "skipped (--skip-action)"}
    plan.progress("action: entrypoint.py start-up against python -c pass")
    startup = run_startup(max(plan.repeats, 10)).to_json()
    plan.progress("action: container image build, size and runs (podman)")
    container = run_container(plan.repeats).to_json()
    plan.progress(f"  {container.get('problem') or 'measured'}")
    return startup, container


def _command(argv: list[str]) -> str:
    if not argv:
        return "make bench    # = .venv/bin/python -m bench.run"
    return shlex.join([".venv/bin/python", "-m", "bench.run", *argv])


def _client_findings(results: list[ClientOpResult]) -> list[str]:
    return [
        f"{r.implementation} {r.operation}: {r.note or r.problem}"
        for r in results
        if r.note or r.problem
    ]


def _findings(results: list[ProcessingResult]) -> list[str]:
    findings = []
    for r in results:
        where = f"{r.implementation}, {r.workload}, throttling {r.throttle}"
        if not r.correct:
            findings.append(f"{where}: final object differs from the expected one ({r.problem})")
        if r.marked != r.pending:
            findings.append(f"{where}: {r.marked} of {r.pending} pending updates marked +1")
    return findings


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
