"""``docs/benchmarks.md`` and ``docs/benchmarks.json`` from one run's results.

The JSON keeps everything measured; the Markdown shows it as tables, with the command that made
it, the machine, and the plots that ``plot.py`` draws from the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["write_json", "write_markdown"]


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def write_markdown(results: dict[str, Any], path: Path) -> None:
    path.write_text("\n".join(_document(results)) + "\n", encoding="utf-8")


def _document(results: dict[str, Any]) -> Iterable[str]:
    machine = results["machine"]
    settings = results["settings"]
    original = machine["original"]
    yield "# Benchmarks: gh-store against the original gh-store 0.11.3"
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
        "Both implementations talk over HTTP to the same GitHub emulator "
        "(`gh_store.emulator`), each in a process of its own (`bench/drive_original.py` in "
        "`bench/.venv-orig`, `bench/drive_ours.py` in the project venv), with a fresh emulator "
        "for every workload, implementation and throttling mode. Set-up runs at no latency and is "
        f"not counted: the implementation creates the object with its own client, the harness "
        "posts the updates as the repository owner (plain JSON objects, no `null`s, so the "
        "original's deep merge and merge patch agree), and for the 'applied' workload the "
        "implementation processes those first. Measured: one `process_updates(issue)` call, with "
        f"{settings['latency_ms']} ms emulator latency per request; requests are the emulator's "
        "log during that call only (reads = GET, writes = everything else); wall time is taken "
        "inside the driver around the call. 'Throttling off': PyGithub "
        "`seconds_between_requests=0, seconds_between_writes=0` and our "
        "`min_write_interval: 0`; 'defaults': PyGithub's 0.25 s / 1 s and our 1 s between "
        "writes. PyGithub's retries are off (`retry=None`). Afterwards the issue body is read "
        "back and compared with the updates merged by hand."
    )
    yield ""
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


def _processing_section(results: dict[str, Any], throttle: str, title: str) -> Iterable[str]:
    rows = [r for r in results["processing"] if r["throttle"] == throttle]
    yield f"## {title}"
    yield ""
    yield (
        "| workload | original reads / writes / total | ours reads / writes / total "
        "| requests ours / original | original s | ours s | time ours / original "
        "| same final object |"
    )
    yield "|---|---|---|---|---|---|---|---|"
    for name in dict.fromkeys(r["workload"] for r in rows):
        pair = {r["implementation"]: r for r in rows if r["workload"] == name}
        theirs, ours = pair.get("original"), pair.get("ours")
        if theirs is None or ours is None:
            continue
        yield (
            f"| {name} | {_counts(theirs)} | {_counts(ours)} "
            f"| {_ratio(ours['total'], theirs['total'])} | {theirs['seconds']:.2f} "
            f"| {ours['seconds']:.2f} | {_ratio(ours['seconds'], theirs['seconds'])} "
            f"| {_agreement(theirs, ours)} |"
        )
    yield ""


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
    yield "## Many objects, repeated reads"
    yield ""
    yield (
        f"Throttling off, {latency} ms latency. Catch-up: every object has one pending update on "
        "its open issue; ours is one `process_all()`, the original has no such call, so its "
        "driver does what its users wrote (list the open object issues, `process_updates` each). "
        "Repeated reads: `get()` of one unchanged object again and again; 'counted' leaves out "
        "the `304 Not Modified` answers, which GitHub does not count against the rate limit."
    )
    yield ""
    yield "| run | original requests (r / w) | ours requests (r / w) | original s | ours s |"
    yield "|---|---|---|---|---|"
    if "original" in catch_up and "ours" in catch_up:
        theirs, ours = catch_up["original"], catch_up["ours"]
        yield (
            f"| catch-up over {ours['objects']} objects | {theirs['reads']} / {theirs['writes']} "
            f"| {ours['reads']} / {ours['writes']} | {theirs['seconds']:.2f} "
            f"| {ours['seconds']:.2f} |"
        )
    if "original" in reads and "ours" in reads:
        theirs, ours = reads["original"], reads["ours"]
        yield (
            f"| {ours['reads']} `get()` of an unchanged object | {theirs['requests']}, "
            f"{theirs['counted']} counted | {ours['requests']}, {ours['counted']} counted "
            f"| {theirs['seconds']:.2f} | {ours['seconds']:.2f} |"
        )
    yield ""
    for row in [*catch_up.values(), *reads.values()]:
        if row.get("correct") is not None and row["correct"] != row["objects"]:
            yield f"- {row['implementation']}: {row['correct']} of {row['objects']} objects right"
        if row.get("note"):
            yield f"- {row['implementation']} reads: {row['note']}"
    yield ""


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
    return f"{row['reads']} / {row['writes']} / {row['total']}"


def _op_counts(row: dict[str, Any]) -> str:
    if not row["reads"] and row["problem"]:
        return "not measured"
    reads, writes = sorted(set(row["reads"])), sorted(set(row["writes"]))
    return f"{_span(reads)} / {_span(writes)}"


def _span(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "n/a"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _agreement(theirs: dict[str, Any], ours: dict[str, Any]) -> str:
    if theirs["correct"] and ours["correct"]:
        return "yes"
    wrong = [r["implementation"] for r in (theirs, ours) if not r["correct"]]
    return f"no: {', '.join(wrong)} wrong"
