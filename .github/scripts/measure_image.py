"""What a job pays for the action's container, measured in one run: a cold build of the image
(no layer cache; the base image present), against starting the image when it is already present
(what a job pays after pulling a prebuilt image, the pull itself excluded), and the image's size.

    python3 .github/scripts/measure_image.py [--runs 5] [--tag localhost/gh-store-action:measure]

The engine is docker where a daemon answers, else podman through container-check.sh
($GH_STORE_CONTAINER_CHECK, or ../shared/tools/ next to the checkout). The start is timed for a
no-op event (an issue comment on an issue without the base label): the container starts, reads
its event and inputs, writes its outputs and exits. Prints a Markdown table for docs/container.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _engine() -> list[str]:
    """The command prefix that runs the engine's CLI."""
    if shutil.which("docker"):
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=30)
        if done.returncode == 0:
            return ["docker"]
    for candidate in (
        os.environ.get("GH_STORE_CONTAINER_CHECK"),
        str(ROOT.parent / "shared" / "tools" / "container-check.sh"),
    ):
        if candidate and Path(candidate).is_file():
            return ["bash", candidate, "podman"]
    raise SystemExit("measure_image: no docker daemon and no container-check.sh")


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"measure_image: {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tag", default="localhost/gh-store-action:measure")
    args = parser.parse_args(argv)
    engine = _engine()
    build = [*engine, "build", "--no-cache", "--network", "host", "-t", args.tag, str(ROOT)]
    if engine[0] == "bash":  # container-check.sh: podman build with its base image and settings
        build = ["bash", engine[1], "build", "-t", args.tag, str(ROOT), "--", "--no-cache"]
    cold = _timed(build)

    size = subprocess.run(
        [*engine, "image", "inspect", "--format", "{{.Size}}", args.tag],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        event = {"action": "created", "issue": {"number": 1, "labels": [{"name": "bug"}]}}
        (folder / "event.json").write_text(json.dumps(event))
        (folder / "output").touch()
        run = [
            *engine, "run", "--rm", "--network", "host",
            "-v", f"{folder}:/github/workflow",
            "-e", "GITHUB_EVENT_PATH=/github/workflow/event.json",
            "-e", "GITHUB_OUTPUT=/github/workflow/output", "-e", "GITHUB_EVENT_NAME=issue_comment",
            "-e", "GITHUB_REPOSITORY=octo/store", "-e", "INPUT_TOKEN=ghs_dummy", args.tag,
        ]  # fmt: skip
        _timed(run)  # warm-up: the first start after a build also loads the layers
        starts = sorted(_timed(run) for _ in range(args.runs))

    megabytes = int(size) / 1e6
    print(f"measured {datetime.date.today().isoformat()} with {' '.join(engine)}")
    print()
    print("| what | time |")
    print("| --- | --- |")
    print(f"| cold build, no cache (base image present) | {cold:.1f} s |")
    print(
        f"| start from the present image, no-op event ({args.runs} runs) | median "
        f"{statistics.median(starts):.2f} s (min {starts[0]:.2f} s, max {starts[-1]:.2f} s) |"
    )
    print(f"| image size | {megabytes:.1f} MB ({int(size):,} bytes) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
