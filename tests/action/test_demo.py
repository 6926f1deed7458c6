"""``make demo`` (examples/demo.py) runs from a clone and shows what it promises."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT


def test_the_demo_runs_the_action_and_shows_outputs_summary_and_issue() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "    | gh-store: issue #1: 1 applied, 1 rejected, 1 untrusted; version 1 -> 2" in out
    assert "    exit code: 0" in out
    outputs = dict(
        re.findall(
            r"^    (object-id|version|applied|rejected|untrusted|changed|issues-processed"
            r"|issues-left) +(\S+)$",
            out,
            re.M,
        )
    )
    assert outputs == {
        "object-id": "counter",
        "version": "2",
        "applied": "1",
        "rejected": "1",
        "untrusted": "1",
        "changed": "true",
        "issues-processed": "1",
        "issues-left": "0",
    }
    assert "| alice | rejected | the result does not match the schema" in out
    assert "state: closed" in out
    reactions = re.findall(
        r"^ +(alice|mallory): .*?(\[\S+ by github-actions\[bot\]\])?$", out, re.M
    )
    assert reactions == [
        ("alice", "[+1 by github-actions[bot]]"),
        ("mallory", "[eyes by github-actions[bot]]"),
        ("alice", "[-1 by github-actions[bot]]"),
        ("alice", ""),
    ]
    # Nothing the demo prints would be taken as a workflow command if it ran inside a runner.
    assert not [line for line in out.splitlines() if line.lstrip().startswith("::")]
