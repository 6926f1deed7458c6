"""Issue 9.7: malformed input is exit 0, 1 or 2 with one clear error, never exit 3, never a hang.

The action runs as a process (``python entrypoint.py``, as the container runs it) against the
emulator over HTTP, with hostile inputs, config text, schema text, event JSON and issue bodies.
Whatever they hold, the exit code is 0, 1 or 2 within a time bound, a failure is exactly one
``::error`` line written as a sentence, and no traceback reaches the log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gh_store.emulator import GitHubEmulator

from ._runner import commands_outside_blocks

ROOT = Path(__file__).resolve().parents[2]
LABELS = ["stored-object", "UID:thing"]
TIME_BOUND = 60.0


@pytest.fixture(scope="module")
def served() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(repo="octo/store") as emulator:
        yield emulator


def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


#: Issue bodies the original gh-store wrote (plain json.dumps), and damaged or odd ones.
BODIES = st.one_of(
    st.sampled_from(
        [
            '{"n": NaN}',
            '{"n": Infinity, "m": -Infinity}',
            '{"s": "\\ud800"}',
            '{"\\udfff": 1}',
            '{"a": ' * 5000 + "1" + "}" * 5000,
            '```json\n{\n}\n```\n<!-- gh-store:meta {"format":1,"version":"x"} -->\n',
            '```json\n{"a": NaN}\n```\n<!-- gh-store:meta {"format":1,"version":1} -->\n',
            '```json\n[1]\n```\n<!-- gh-store:meta {"format":9,"version":1} -->\n',
            "",
            "null",
            '"a string"',
            '{"fine": true}',
        ]
    ),
    st.text(max_size=300),
)

CONFIGS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "store:\n  base_label: stored-object\n",
            "store: [" * 3000 + "]" * 3000,
            "a: " + "{x: " * 3000 + "1" + "}" * 3000,
            "store:\n  unknown: 1\n",
            "store:\n  reactions: {processed: +1}\n",
            "store:\n  log: {format: '{nope}'}\n",
            "store:\n  schema: ../../../../etc/passwd\n",
            "store:\n  schema: missing.json\n",
            "store:\n  retries: {max_attempts: 0}\n",
            "&a [*a]",
            "\x00\x01",
        ]
    ),
    st.text(max_size=200),
)

SCHEMAS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            '{"$ref": "https://example.com/remote.json"}',
            '{"$ref": "http://127.0.0.1:9/x.json"}',
            '{"$ref": "#/nowhere"}',
            '{"$ref": "../outside.json"}',
            '{"type": "nonsense"}',
            '{"$schema": 12}',
            "[" * 100_000,
            '{"properties": {"n": {"type": "integer"}}}',
            "true",
        ]
    ),
    st.text(max_size=100),
)

TOKENS = st.one_of(
    st.just("GOOD"),
    st.sampled_from(["GOOD\u200b", "\u00a0GOOD", "GO OD", "tök", "GOOD\n", ""]),
    st.text(max_size=40),
)

EVENTS = st.one_of(
    st.just("COMMENT"),
    st.sampled_from([_deep_json(100_000), "[]", "null", "{", '{"issue": 5}']),
    st.text(max_size=200),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=20,
    ).map(json.dumps),
)


@settings(
    max_examples=int(os.environ.get("GH_STORE_MALFORMED_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Each case issue 9.7 names, then whatever hypothesis finds.
@example(body='{"n": NaN}', config=None, schema=None, token="GOOD", event="COMMENT",
         issue_number=None, fail_on_rejected="")  # fmt: skip
@example(body='{"n": Infinity}', config=None, schema=None, token="GOOD", event="COMMENT",
         issue_number=None, fail_on_rejected="")  # fmt: skip
@example(body='{"s": "\\ud800"}', config=None, schema=None, token="GOOD", event="COMMENT",
         issue_number=None, fail_on_rejected="")  # fmt: skip
@example(body='{"fine": true}', config="a: " + "[" * 3000 + "]" * 3000, schema=None,
         token="GOOD", event="COMMENT", issue_number=None, fail_on_rejected="")  # fmt: skip
@example(body='{"fine": true}', config=None, schema=None, token="GOOD",
         event=_deep_json(100_000), issue_number=None, fail_on_rejected="")  # fmt: skip
@example(body='{"fine": true}', config=None, schema=None, token="GOOD\u200b", event="COMMENT",
         issue_number=None, fail_on_rejected="")  # fmt: skip
@example(body='{"fine": true}', config=None, token="GOOD", event="COMMENT",
         schema='{"$ref": "https://example.com/remote.json"}', issue_number=None,
         fail_on_rejected="")  # fmt: skip
@given(
    body=BODIES,
    config=CONFIGS,
    schema=SCHEMAS,
    token=TOKENS,
    event=EVENTS,
    issue_number=st.one_of(st.none(), st.text(max_size=10)),
    fail_on_rejected=st.sampled_from(["", "true", "false", "maybe"]),
)
def test_the_action_never_ends_in_an_internal_error(
    served: GitHubEmulator,
    body: str,
    config: str | None,
    schema: str | None,
    token: str,
    event: str,
    issue_number: str | None,
    fail_on_rejected: str,
) -> None:
    gh = served
    number = gh.seed_issue("Stored Object: thing", body, LABELS, user="octo")
    gh.seed_comment(number, '{"n": 1}', user="octo")
    with tempfile.TemporaryDirectory(prefix="gh-store-malformed-") as tmp:
        root = Path(tmp)
        env = _environment(gh, root, number, config, schema, token, event, issue_number)
        env["INPUT_FAIL-ON-REJECTED"] = fail_on_rejected
        done = subprocess.run(
            [sys.executable, str(ROOT / "entrypoint.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_BOUND,
            cwd=root,
        )
    assert done.returncode in (0, 1, 2), done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    read = commands_outside_blocks(done.stdout)
    errors = [data for _, name, data in read if name == "error"]
    if done.returncode == 2:
        assert len(errors) == 1, done.stdout[-3000:]
        assert len(errors[0]) < 2_000
        message = errors[0]
        assert message[:1].isupper() or not message[:1].isalpha(), message
        assert message.rstrip().endswith((".", "!", "?")), message


def _environment(
    gh: GitHubEmulator,
    root: Path,
    number: int,
    config: str | None,
    schema: str | None,
    token: str,
    event: str,
    issue_number: str | None,
) -> dict[str, str]:
    comment = gh.comments(number)[-1]
    if event == "COMMENT":
        payload: Any = {"action": "created", "issue": gh.issue(number), "comment": comment}
        event_text = json.dumps(payload)
    else:
        event_text = event
    (root / "event.json").write_text(event_text, encoding="utf-8", errors="surrogatepass")
    (root / "output").write_text("")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "INPUT_TOKEN": token.replace("GOOD", gh.bot_token),
        "INPUT_API-URL": gh.url,
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(root / "event.json"),
        "GITHUB_REPOSITORY": gh.repo,
        "GITHUB_OUTPUT": str(root / "output"),
        "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
        "GITHUB_WORKSPACE": str(root),
    }
    if config is not None:
        (root / "config.yml").write_text(config, encoding="utf-8", errors="surrogatepass")
        env["INPUT_CONFIG"] = "config.yml"
    if schema is not None:
        (root / "schema.json").write_text(schema, encoding="utf-8", errors="surrogatepass")
        env["INPUT_SCHEMA"] = "schema.json"
    if issue_number is not None:
        env["INPUT_ISSUE-NUMBER"] = issue_number
    # The runner passes inputs as environment variables: they cannot hold NUL.
    return {k: v.replace("\x00", "") for k, v in env.items()}
