"""Draw docs/bench-requests.png and docs/bench-time.png from docs/benchmarks.json.

Runs in bench/.venv-orig, the only place matplotlib is installed (never a project dependency):
``bench/.venv-orig/bin/python -I bench/launch.py bench.plot RESULTS.json OUT_DIR``. Only the
workloads on a fresh object (no applied updates) are drawn, with the number of pending updates N
on the x axis. Imports nothing of ``bench`` or ``gh_store``: that venv has only the original's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

_STYLE = {
    "original": ("tab:red", "o"),
    "ours": ("tab:blue", "s"),
    "ours-graphql": ("tab:green", "^"),
}
_DASHES = {"off": "-", "defaults": "--"}


def _series(rows: list[dict[str, Any]], implementation: str, throttle: str) -> list[dict[str, Any]]:
    chosen = [
        r
        for r in rows
        if r["implementation"] == implementation and r["throttle"] == throttle and not r["applied"]
    ]
    return sorted(chosen, key=lambda r: r["pending"])


def plot_requests(rows: list[dict[str, Any]], path: Path) -> None:
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for implementation, (colour, marker) in _STYLE.items():
        series = _series(rows, implementation, "off")
        pending = [r["pending"] for r in series]
        axes.plot(
            pending,
            [r["total"] for r in series],
            marker=marker,
            color=colour,
            label=f"{implementation}: all requests",
        )
        axes.plot(
            pending,
            [r["reads"] for r in series],
            marker=marker,
            color=colour,
            linestyle=":",
            alpha=0.7,
            label=f"{implementation}: reads",
        )
    _finish(axes, "API requests per processing run", "requests")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)


def plot_time(rows: list[dict[str, Any]], path: Path) -> None:
    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    for implementation, (colour, marker) in _STYLE.items():
        for throttle, dashes in _DASHES.items():
            series = _series(rows, implementation, throttle)
            if series:
                axes.plot(
                    [r["pending"] for r in series],
                    [r["seconds"] for r in series],
                    marker=marker,
                    color=colour,
                    linestyle=dashes,
                    label=f"{implementation}, throttling {throttle}",
                )
    _finish(axes, "Wall time of one processing run (20 ms latency)", "seconds")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)


def _finish(axes: Any, title: str, ylabel: str) -> None:
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("pending updates N")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")


def main(argv: list[str]) -> int:
    results_path, out_dir = Path(argv[1]), Path(argv[2])
    rows = json.loads(results_path.read_text(encoding="utf-8"))["processing"]
    plot_requests(rows, out_dir / "bench-requests.png")
    plot_time(rows, out_dir / "bench-time.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
