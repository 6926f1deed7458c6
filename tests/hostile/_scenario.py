"""One object with a mixed run of pending comments, and the check that a run of it converged.

The scenario: three trusted updates (the owner, ``alice`` with write, ``carol`` with maintain),
one from ``mallory`` (read: untrusted) and one chat message. Applying each trusted update once
gives ``EXPECTED``; any number of crashed or failed runs followed by a clean one must end there.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from gh_store.core.body import decode_body
from gh_store.core.config import StoreConfig
from gh_store.core.constants import ACTIONS_BOT
from gh_store.core.merge_patch import apply_merge_patch
from gh_store.emulator import GitHubEmulator
from gh_store.runs import process_issue
from gh_store.transport.port import GitHubTransport

from ._support import seed_object

__all__ = ["CLEAN_RUN_REQUESTS", "EXPECTED", "Scenario", "assert_converged", "seed_scenario"]

INITIAL = {"count": 0, "tags": [], "owner": "octo"}
COMMENTS = (
    ("octo", '{"count": 1}'),
    ("alice", '{"tags": ["a"], "note": "::error::not a command"}'),
    ("mallory", '{"count": 99, "owner": "mallory"}'),
    ("eve", "thanks, looks good"),
    ("carol", '{"count": 2, "new": {"x": null}, "note": null}'),
)
EXPECTED = {"count": 2, "tags": ["a"], "owner": "octo", "new": {}}
#: 1 issue + 1 comment page + 3 permissions (alice, mallory, carol) + 1 write + 4 marks
#: + 1 last look for comments that arrived meanwhile.
CLEAN_RUN_REQUESTS = 11


@dataclass(frozen=True)
class Scenario:
    number: int
    comment_ids: tuple[int, ...]


def seed_scenario(gh: GitHubEmulator, config: StoreConfig, object_id: str) -> Scenario:
    gh.set_permission("alice", "write")
    gh.set_permission("carol", "maintain")
    gh.set_permission("mallory", "read")
    number = seed_object(gh, config, object_id, INITIAL)
    ids = tuple(gh.seed_comment(number, body, user=author) for author, body in COMMENTS)
    return Scenario(number, ids)


def _expected_marks(scenario: Scenario) -> dict[int, Counter[tuple[str, str]]]:
    marks: dict[int, Counter[tuple[str, str]]] = {}
    for comment_id, (author, _) in zip(scenario.comment_ids, COMMENTS, strict=True):
        if author == "eve":
            marks[comment_id] = Counter()
        elif author == "mallory":
            marks[comment_id] = Counter({(ACTIONS_BOT, "eyes"): 1})
        else:
            marks[comment_id] = Counter({(ACTIONS_BOT, "+1"): 1})
    return marks


def assert_converged(
    gh: GitHubEmulator, config: StoreConfig, scenario: Scenario, transport: GitHubTransport
) -> None:
    """The object is each trusted update applied once, every mark placed once, nothing pending.

    Ends with one more run, which must find nothing to do: no write at all.
    """
    folded = dict(INITIAL)
    for author, body in COMMENTS:
        if author in ("octo", "alice", "carol"):
            folded = apply_merge_patch(folded, json.loads(body))
    assert folded == EXPECTED  # the fixture agrees with the pure merge function

    issue = gh.issue(scenario.number)
    stored = decode_body(issue["body"])
    assert stored.data == EXPECTED
    assert stored.meta.version == 4 and stored.meta.applied_count == 3
    assert stored.meta.last_comment_id == scenario.comment_ids[-1]
    assert issue["state"] == "closed"
    for comment_id, expected in _expected_marks(scenario).items():
        placed = Counter((r["user"]["login"], r["content"]) for r in gh.reactions(comment_id))
        assert placed == expected, f"comment {comment_id}: {placed} != {expected}"

    before = len(gh.requests)
    report = process_issue(transport, config, scenario.number)
    after = gh.requests[before:]
    assert report.outcomes == () and report.data == EXPECTED
    assert [r for r in after if r.method != "GET"] == [], "a converged object needs no write"
