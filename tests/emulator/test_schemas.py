"""Every JSON object the emulator returns validates against GitHub's published schemas.

Known drift, allowed here by name: GitHub's schema requires ``archived_at``/``archived_by`` on
Label, but api.github.com does not send them (see tests/fixtures/octokit/labels) and neither do we.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from gh_store.emulator import GitHubEmulator

Call = Callable[..., Any]

SCHEMAS = Path(__file__).parent.parent / "fixtures" / "github-schemas"
ALLOWED_MISSING = {"Label": {"archived_at", "archived_by"}}
R = "/repos/octo/store"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.2022-11-28.schema.json").read_text())
    schema["required"] = [
        k for k in schema.get("required", []) if k not in ALLOWED_MISSING.get(name, ())
    ]
    return Draft202012Validator(schema)


def check(name: str, payload: Any) -> None:
    items = payload if isinstance(payload, list) else [payload]
    assert items, f"no {name} to check"
    v = validator(name)
    for item in items:
        errors = sorted(v.iter_errors(item), key=str)
        assert not errors, f"{name}: {[e.message for e in errors]}"


def test_full_scenario_validates(gh: GitHubEmulator, call: Call) -> None:
    alice = gh.token_for("alice", "write")
    issue = call("POST", f"{R}/issues", json={"title": "t", "body": "b", "labels": ["a"]}).json()
    check("Issue", issue)
    check("SimpleUser", issue["user"])
    check("Label", issue["labels"])
    comment = call("POST", f"{R}/issues/1/comments", token=alice, json={"body": "c"}).json()
    check("IssueComment", comment)
    reaction = call(
        "POST", f"{R}/issues/comments/{comment['id']}/reactions", json={"content": "+1"}
    )
    check("Reaction", reaction.json())
    check("Reaction", call("GET", f"{R}/issues/comments/{comment['id']}/reactions").json())
    check("IssueComment", call("GET", f"{R}/issues/1/comments").json())
    check("IssueComment", call("GET", f"{R}/issues/comments/{comment['id']}").json())
    closed = call("PATCH", f"{R}/issues/1", json={"state": "closed", "state_reason": "not_planned"})
    check("Issue", closed.json())
    check("SimpleUser", closed.json()["closed_by"])
    check("Issue", call("GET", f"{R}/issues", params={"state": "all"}).json())
    check("Label", call("POST", f"{R}/labels", json={"name": "n", "color": "ffffff"}).json())
    check("Label", call("GET", f"{R}/labels").json())
    check("Label", call("GET", f"{R}/labels/n").json())
    check("Label", call("POST", f"{R}/issues/1/labels", json={"labels": ["z"]}).json())
    check("SimpleUser", call("GET", "/user").json())
    check("SimpleUser", call("GET", f"{R}/collaborators/alice/permission").json()["user"])
    check("RateLimitOverview", call("GET", "/rate_limit").json())

    check("BasicError", call("GET", f"{R}/issues/99").json())
    check("BasicError", call("GET", f"{R}/issues", token="nope").json())
    check("BasicError", call("POST", f"{R}/issues", token=None, json={"title": "x"}).json())
    check("BasicError", call("GET", "/user", token=gh.bot_token).json())
    check("ValidationError", call("POST", f"{R}/issues", json={"body": "x"}).json())
    long = call("POST", f"{R}/issues/1/comments", json={"body": "x" * 65537})
    check("ValidationError", long.json())
    check("ValidationError", call("POST", f"{R}/labels", json={"name": "n", "color": "fff"}).json())
    bad = call("POST", f"{R}/issues/comments/{comment['id']}/reactions", json={"content": "no"})
    check("ValidationError", bad.json())
    for status in (403, 429, 500, 502, 503, 400, 422):
        gh.inject(status=status)
        answer = call("GET", f"{R}/issues/1")
        assert answer.status_code == status
        check("ValidationError" if status == 422 else "BasicError", answer.json())
