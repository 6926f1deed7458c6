"""``docs/benchmarks.md`` and ``docs/benchmarks.json`` from one run's results.

The JSON keeps everything measured; the Markdown shows it as tables, with the command that made
it, the machine, and the plots that ``plot.py`` draws from the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["BUDGET", "write_json", "write_markdown"]

#: What a workflow's ``GITHUB_TOKEN`` may spend an hour per repository: REST requests, and
#: separately GraphQL points (GitHub's documented primary limits).
BUDGET = 1000
_NAMES = {"original": "original", "ours": "ours, REST", "ours-graphql": "ours, GraphQL"}


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def write_markdown(results: dict[str, Any], path: Path) -> None:
    path.write_text("\n".join(_document(results)) + "\n", encoding="utf-8")


def _document(results: dict[str, Any]) -> Iterable[str]:
    machine = results["machine"]
    settings = results["settings"]
    original = machine["original"]
    yield "# Benchmarks: gh-store (REST and GraphQL) against the original gh-store 0.11.3"
    yield ""
    yield "Made by the bench harness, not by hand; to reproduce (it takes minutes):"
    yield ""
    yield "```sh"
    yield results["command"]
    yield "```"
    yield ""
    yield (
        f"Run on {machine['date']}, commit `{machine['commit']}`, {machine['cores']} cores "
        f"({machine['platform']}); this gh-store on Python {machine['python_ours']} with ghapi "
        f"{machine['ghapi']}; the original (gh-store {original.get('gh-store')}, PyGithub "
        f"{original.get('PyGithub')}) on Python {original.get('python')}."
    )
    yield ""
    yield "## How"
    yield ""
    yield (
        "The implementations talk over HTTP to the same GitHub emulator "
        "(`gh_store.emulator`), each in a process of its own (`bench/drive_original.py` in "
        "`bench/.venv-orig`, `bench/drive_ours.py` in the project venv, once with `store.api: "
        "rest` and once with `store.api: graphql`), with a fresh emulator "
        "for every workload, implementation and throttling mode. Set-up runs at no latency and is "
        f"not counted: the implementation creates the object with its own client, the harness "
        "posts the updates as the repository owner (plain JSON objects, no `null`s, so the "
        "original's deep merge and merge patch agree), and for the 'applied' workload the "
        "implementation processes those first. Measured: one `process_updates(issue)` call, with "
        f"{settings['latency_ms']} ms emulator latency per request; requests are the emulator's "
        "log during that call only (reads = REST GETs and GraphQL queries, writes = REST writes "
        "and GraphQL requests with mutations; points = the GraphQL points the token used, a "
        "budget of its own); wall time is taken "
        "inside the driver around the call. 'Throttling off': PyGithub "
        "`seconds_between_requests=0, seconds_between_writes=0` and our "
        "`min_write_interval: 0`; 'defaults': PyGithub's 0.25 s / 1 s and our 1 s between "
        "writes. PyGithub's retries are off (`retry=None`). Afterwards the issue body is read "
        "back and compared with the updates merged by hand."
    )
    yield ""
    yield from _costs_section()
    yield from _processing_section(results, "off", "Update processing, throttling off")
    if settings["skip_defaults"]:
        yield "## Update processing, throttling defaults"
        yield ""
        yield "Not measured in this run (`--skip-defaults`)."
        yield ""
    else:
        yield from _processing_section(
            results, "defaults", "Update processing, throttling defaults"
        )
    yield from _ceiling_section(results)
    yield "Requests and wall time against N (pending updates on a fresh object):"
    yield ""
    yield "![requests against N](bench-requests.png)"
    yield ""
    yield "![wall time against N](bench-time.png)"
    yield ""
    yield from _client_section(results)
    yield from _many_section(results)
    yield from _action_section(results)
    yield from _findings_section(results)
    yield "Raw numbers: [benchmarks.json](benchmarks.json)."


#: What a run costs, as the code counts it (the tables below measure it); moved here from the
#: README, which keeps one short measured table.
COSTS = (
    "## What a run costs",
    "",
    "A run that applies N pending updates, A of whose authors need a role look-up, makes:",
    "",
    "- over GraphQL (`store.api: auto`, the default with a token): `ceil(N/100) + "
    "ceil((N+1)/50)` requests of one point each from GraphQL's own budget, plus A REST "
    "requests;",
    "- over REST: at most `N + ceil(N/100) + A + 5` requests;",
    "- the original: 3 requests per pending update plus 1 per comment in the issue's whole "
    "history.",
    "",
    "Ours does not grow with the history (the tables' row 'after 300 applied'). A workflow's "
    "`GITHUB_TOKEN` has 1,000 REST requests and 1,000 GraphQL points an hour "
    "per repository; the ceiling below divides those budgets by the measured costs.",
    "",
)


def _costs_section() -> Iterable[str]:
    yield from COSTS


def _processing_section(results: dict[str, Any], throttle: str, title: str) -> Iterable[str]:
    rows = [r for r in results["processing"] if r["throttle"] == throttle]
    names = list(dict.fromkeys(r["implementation"] for r in results["processing"]))
    yield f"## {title}"
    yield ""
    yield (
        "Requests as reads / writes / total; over GraphQL also the GraphQL points, and how many "
        "of the requests went to REST (role look-ups)."
    )
    yield ""
    counts = " | ".join(f"{_NAMES.get(n, n)} requests" for n in names)
    times = " | ".join(f"{_NAMES.get(n, n)} s" for n in names)
    yield f"| workload | {counts} | {times} | same final object |"
    yield "|---" * (2 + 2 * len(names)) + "|"
    for name in dict.fromkeys(r["workload"] for r in rows):
        found = {r["implementation"]: r for r in rows if r["workload"] == name}
        chosen = [found.get(n) for n in names]
        cells = [_counts(r) if r else "n/a" for r in chosen]
        seconds = [f"{r['seconds']:.2f}" if r else "n/a" for r in chosen]
        yield (
            f"| {name} | {' | '.join(cells)} | {' | '.join(seconds)} "
            f"| {_agreement([r for r in chosen if r])} |"
        )
    yield ""


def _ceiling_section(results: dict[str, Any]) -> Iterable[str]:
    """Updates an hour per repository on a workflow token: the budgets over each run's cost."""
    rows = [r for r in results["processing"] if not r["applied"]]
    yield "## The ceiling: updates an hour per repository on a workflow token"
    yield ""
    yield (
        f"A workflow's `GITHUB_TOKEN` may make {BUDGET:,} REST requests an hour per repository "
        f"and, separately, spend {BUDGET:,} GraphQL points. A run that applies N updates "
        "costs what the tables above measured, so the budgets allow budget / cost runs an "
        "hour, N updates each; with GitHub's pacing of a second between writes a run also takes "
        "the time measured with throttling defaults, which bounds the runs an hour too. The "
        "lower bound is the ceiling. Role look-ups are not counted here (the owner posts every "
        "update); each other author costs one REST request a run."
    )
    yield ""
    pendings = sorted({r["pending"] for r in rows})
    yield "| implementation | " + " | ".join(f"N = {n}" for n in pendings) + " |"
    yield "|---" * (1 + len(pendings)) + "|"
    names = list(dict.fromkeys(r["implementation"] for r in rows))
    for name in names:
        cells = []
        for pending in pendings:
            costs = [r for r in rows if r["implementation"] == name and r["pending"] == pending]
            cells.append(_ceiling(costs, pending))
        yield f"| {_NAMES.get(name, name)} | " + " | ".join(cells) + " |"
    yield ""


def _ceiling(costs: list[dict[str, Any]], pending: int) -> str:
    off = next((r for r in costs if r["throttle"] == "off"), None)
    if off is None:
        return "n/a"
    rest = off["total"] - off.get("graphql", 0)
    runs = [BUDGET / rest if rest else float("inf")]
    if off.get("points"):
        runs.append(BUDGET / off["points"])
    paced = next((r for r in costs if r["throttle"] == "defaults"), None)
    if paced is not None and paced["seconds"] > 0:
        runs.append(3600 / paced["seconds"])
    return f"{int(min(runs) * pending):,}"


def _client_section(results: dict[str, Any]) -> Iterable[str]:
    rows = results["client_ops"]
    repeats = max((r["repeats"] for r in rows), default=0)
    yield "## Client operations"
    yield ""
    yield (
        f"Each operation {repeats} times on objects of its own, throttling off, "
        f"{results['settings']['latency_ms']} ms latency; median wall time."
    )
    yield ""
    yield "| operation | original requests (r / w) | ours requests (r / w) | original s | ours s |"
    yield "|---|---|---|---|---|"
    for op in dict.fromkeys(r["operation"] for r in rows):
        pair = {r["implementation"]: r for r in rows if r["operation"] == op}
        theirs, ours = pair["original"], pair["ours"]
        yield (
            f"| {op} | {_op_counts(theirs)} | {_op_counts(ours)} "
            f"| {_seconds(theirs['median_seconds'])} | {_seconds(ours['median_seconds'])} |"
        )
    yield ""
    for row in rows:
        remark = row["note"] or row["problem"]
        if remark:
            yield f"- {row['implementation']} {row['operation']}: {remark}"
    yield ""


def _action_section(results: dict[str, Any]) -> Iterable[str]:
    startup = results["startup"]
    container = results["container"]
    yield "## The action"
    yield ""
    yield (
        "The image is built by `../shared/tools/container-check.sh` on its local Debian stand-in "
        "for `python:3.12-slim` and run as the runner would (`gh-run`, host network, the "
        "emulator on loopback at 20 ms); start to exit is the wall time of one `gh-run`, podman "
        "included. The action reads a config with `min_write_interval: 0`."
    )
    yield ""
    yield "| measure | value |"
    yield "|---|---|"
    if startup.get("entrypoint_seconds") is None:
        yield f"| `entrypoint.py` start-up, no-op event | {startup.get('problem') or 'skipped'} |"
    else:
        yield (
            f"| `entrypoint.py`, no-op event (median of {startup['repeats']}) "
            f"| {startup['entrypoint_seconds'] * 1000:.0f} ms, {startup['requests']} requests |"
        )
        yield (
            f"| bare `python -c pass`, same interpreter "
            f"| {startup['bare_python_seconds'] * 1000:.0f} ms |"
        )
        yield f"| ratio entrypoint / bare python | {startup['ratio']:.1f} |"
    if container.get("image_bytes") is None:
        yield f"| container image and runs | {container.get('problem') or 'skipped'} |"
    else:
        yield f"| image size (podman) | {container['image_bytes'] / 1e6:.0f} MB |"
        if container.get("noop_seconds") is None:
            yield f"| container runs | {container['problem']} |"
        else:
            yield (
                f"| container start to exit, no-op event (median of {container['repeats']}) "
                f"| {container['noop_seconds']:.2f} s |"
            )
            yield (
                f"| container start to exit, one update applied "
                f"(median of {container['repeats']}) | {container['update_seconds']:.2f} s |"
            )
    yield ""


def _many_section(results: dict[str, Any]) -> Iterable[str]:
    catch_up = {r["implementation"]: r for r in results.get("catch_up", [])}
    reads = {r["implementation"]: r for r in results.get("repeated_reads", [])}
    if not catch_up and not reads:
        return
    latency = results["settings"]["latency_ms"]
    names = list(dict.fromkeys([*catch_up, *reads]))
    yield "## Many objects, repeated reads"
    yield ""
    yield (
        f"Throttling off, {latency} ms latency. Catch-up: every object has one pending update on "
        "its open issue; ours is one `process_all()`, the original has no such call, so its "
        "driver does what its users wrote (list the open object issues, `process_updates` each). "
        "Repeated reads: `get()` of one unchanged object again and again; 'counted' leaves out "
        "the `304 Not Modified` answers, which GitHub does not count against the rate limit (a "
        "client's reads are REST requests over either API)."
    )
    yield ""
    counts = " | ".join(f"{_NAMES.get(n, n)} requests" for n in names)
    times = " | ".join(f"{_NAMES.get(n, n)} s" for n in names)
    yield f"| run | {counts} | {times} |"
    yield "|---" * (1 + 2 * len(names)) + "|"
    if catch_up:
        objects = next(iter(catch_up.values()))["objects"]
        cells = [_many_cells(catch_up.get(n), "{reads} / {writes}") for n in names]
        yield _many_row(f"catch-up over {objects} objects (r / w)", cells)
    if reads:
        times_read = next(iter(reads.values()))["reads"]
        cells = [_many_cells(reads.get(n), "{requests}, {counted} counted") for n in names]
        yield _many_row(f"{times_read} `get()` of an unchanged object", cells)
    yield ""
    for row in [*catch_up.values(), *reads.values()]:
        if row.get("correct") is not None and row["correct"] != row["objects"]:
            yield f"- {row['implementation']}: {row['correct']} of {row['objects']} objects right"
        if row.get("note"):
            yield f"- {row['implementation']} reads: {row['note']}"
    yield ""


def _many_cells(row: dict[str, Any] | None, counts: str) -> tuple[str, str]:
    """(requests, seconds) of one implementation's row, or n/a."""
    if row is None:
        return "n/a", "n/a"
    return counts.format(**row), f"{row['seconds']:.2f}"


def _many_row(label: str, cells: list[tuple[str, str]]) -> str:
    requests = " | ".join(r for r, _ in cells)
    seconds = " | ".join(t for _, t in cells)
    return f"| {label} | {requests} | {seconds} |"


def _findings_section(results: dict[str, Any]) -> Iterable[str]:
    findings = results["findings"]
    yield "## Findings"
    yield ""
    if not findings:
        yield "Both implementations ended every workload with the expected object."
    for finding in findings:
        yield f"- {finding}"
    yield ""


def _counts(row: dict[str, Any]) -> str:
    text = f"{row['reads']} / {row['writes']} / {row['total']}"
    if row.get("graphql"):
        rest = row["total"] - row["graphql"]
        text += f" ({row.get('points', 0)} points, {rest} REST)"
    return text


def _op_counts(row: dict[str, Any]) -> str:
    if not row["reads"] and row["problem"]:
        return "not measured"
    reads, writes = sorted(set(row["reads"])), sorted(set(row["writes"]))
    return f"{_span(reads)} / {_span(writes)}"


def _span(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _agreement(rows: list[dict[str, Any]]) -> str:
    wrong = [r["implementation"] for r in rows if not r["correct"]]
    return f"no: {', '.join(wrong)} wrong" if wrong else "yes"
