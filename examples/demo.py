"""``make demo``: the action's main job, end to end, on the embedded GitHub emulator.

Nothing else to set up: the emulator serves GitHub's REST API on loopback. The demo creates an
object with the client, posts updates from a trusted user, an untrusted user and one that the
schema rejects, plus a chat comment, then runs ``entrypoint.py`` exactly as the Actions runner
does (event file, ``INPUT_*`` variables, output and summary files) and shows the outputs, the
step summary and the issue as it ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from gh_store import GitHubStore
from gh_store.action.outputs import parse_outputs
from gh_store.core.config import RateLimitConfig, StoreConfig
from gh_store.core.update_comment import encode_update_comment
from gh_store.emulator import GitHubEmulator
from gh_store.transport.rest import GhApiTransport

ROOT = Path(__file__).resolve().parents[1]
REPO = "octo/store"
# The emulator needs no pause between writes; on GitHub keep the default of one second.
CONFIG_YML = "store:\n  rate_limit:\n    min_write_interval: 0\n"


def heading(text: str) -> None:
    print(f"\n=== {text} " + "=" * max(0, 74 - len(text)))


def indent(text: str, prefix: str = "    ") -> str:
    return textwrap.indent(text.rstrip("\n"), prefix) if text.strip() else prefix + "(empty)"


def post_comment(gh: GitHubEmulator, token: str, number: int, body: str) -> dict[str, Any]:
    """A comment written on github.com by whoever holds ``token``."""
    with GhApiTransport(REPO, token, api_url=gh.url, rate_limit=RateLimitConfig(0, 0)) as api:
        return api.create_comment(number, body)


def comment_event(gh: GitHubEmulator, number: int, comment: dict[str, Any]) -> dict[str, Any]:
    """The ``issue_comment`` payload GitHub sends for ``comment``."""
    issue = gh.issue(number)
    owner, name = REPO.split("/")
    return {
        "action": "created",
        "issue": issue,
        "comment": comment,
        "repository": {"name": name, "full_name": REPO, "owner": {"login": owner}},
        "sender": comment["user"],
    }


def run_action(gh: GitHubEmulator, workspace: Path, event: dict[str, Any]) -> tuple[int, str, Path]:
    """``entrypoint.py`` with the runner's environment and files; returns code, log, files dir."""
    files = workspace / "_runner_file_commands"
    files.mkdir()
    (files / "event.json").write_text(json.dumps(event), encoding="utf-8")
    for name in ("set_output", "step_summary"):
        (files / name).touch()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workspace),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(files / "event.json"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": gh.url,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(files / "set_output"),
        "GITHUB_STEP_SUMMARY": str(files / "step_summary"),
        "INPUT_TOKEN": gh.bot_token,  # what `${{ github.token }}` is in a workflow
        "INPUT_CONFIG": "gh-store.yml",
        "INPUT_SCHEMA": "schema.json",
        "INPUT_ISSUE-NUMBER": "",
        "INPUT_API-URL": gh.url,
        "INPUT_FAIL-ON-REJECTED": "false",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "entrypoint.py")],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr, files


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="gh-store-demo-") as temp,
        GitHubEmulator(repo=REPO, users={"alice": "write", "mallory": "read"}) as gh,
    ):
        workspace = Path(temp)
        (workspace / "gh-store.yml").write_text(CONFIG_YML, encoding="utf-8")
        (workspace / "schema.json").write_text(
            (ROOT / "examples" / "schema.json").read_text(encoding="utf-8"), encoding="utf-8"
        )
        config = StoreConfig(rate_limit=RateLimitConfig(min_write_interval=0))
        alice_token = gh.token_for("alice", permission="write")
        mallory_token = gh.token_for("mallory", permission="read")

        heading(f"1. The owner creates an object in {REPO} (emulator at {gh.url})")
        with GitHubStore(gh.owner_token, REPO, config=config, api_url=gh.url) as owner:
            created = owner.create("counter", {"name": "demo", "value": 1})
        number = created.meta.issue_number
        print(f"    counter is issue #{number}, version {created.meta.version}: {created.data}")

        heading("2. Comments arrive")
        with GitHubStore(alice_token, REPO, config=config, api_url=gh.url) as alice:
            alice.update("counter", {"value": 2, "tags": ["demo"]})
            print('    alice (write access) posts {"value": 2, "tags": ["demo"]} with the client')
            post_comment(gh, mallory_token, number, encode_update_comment({"value": 666}))
            print('    mallory (read access) posts {"value": 666}')
            alice.update("counter", {"value": 5000})
            print('    alice posts {"value": 5000}: the schema allows at most 1000')
        last = post_comment(gh, alice_token, number, "Looks good to me!")
        print('    alice chats: "Looks good to me!"')

        heading("3. The runner starts the action for the last comment's issue_comment event")
        code, log, files = run_action(gh, workspace, comment_event(gh, number, last))
        # Prefixed, so a runner showing this demo's own log does not act on the commands in it.
        print(indent(log, "    | "))
        print(f"    exit code: {code}")

        heading("4. Outputs (GITHUB_OUTPUT), as later steps and jobs read them")
        outputs = parse_outputs((files / "set_output").read_text(encoding="utf-8"))
        width = max(map(len, outputs))
        print("\n".join(f"    {name.ljust(width)}  {value}" for name, value in outputs.items()))

        heading("5. Step summary (GITHUB_STEP_SUMMARY, Markdown)")
        print(indent((files / "step_summary").read_text(encoding="utf-8")))

        heading(f"6. Issue #{number} as it ends")
        issue = gh.issue(number)
        labels = ", ".join(label["name"] for label in issue["labels"])
        print(f"    state: {issue['state']}    labels: {labels}")
        print("    body:")
        print(textwrap.indent(issue["body"].rstrip("\n"), "      | "))
        print("    comments:")
        for comment in gh.comments(number):
            reactions = " ".join(
                f"[{r['content']} by {r['user']['login']}]" for r in gh.reactions(comment["id"])
            )
            first_line = " ".join(comment["body"].split())[:60]
            print(f"      {comment['user']['login']:>8}: {first_line:<60} {reactions}")
        print("\n    Reactions: +1 applied, -1 rejected, eyes untrusted; the chat is left alone.")
        return 0 if code == 0 and outputs.get("changed") == "true" else 1


if __name__ == "__main__":
    sys.exit(main())
