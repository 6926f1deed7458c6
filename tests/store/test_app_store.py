"""The client as a GitHub App, over both APIs and both adapters: its installation token is minted
and renewed on the emulator, and its bot identity counts as the store's own.

GitHub's permission API does not answer for an App's bot (the emulator answers 404, as strict as
it can be), so a store that asked it would take its own updates and marks for an outsider's.
"""

from __future__ import annotations

import dataclasses
import json
import time
from functools import cache

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gh_store.client import GitHubStore
from gh_store.core.config import TrustConfig
from gh_store.core.exceptions import ConfigurationError
from gh_store.emulator import GitHubEmulator
from gh_store.transport.credentials import GitHubApp

from .conftest import FAST, MakeStore

BOT = "store-app[bot]"


@cache
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem() -> str:
    return (
        private_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.fixture
def app_id(gh: GitHubEmulator) -> int:
    numbers = private_key().public_key().public_numbers()
    app, _ = gh.register_app("store-app", (numbers.n, numbers.e))
    return app.id


@pytest.fixture
def app_store(make_store: MakeStore, app_id: int) -> GitHubStore:
    return make_store(None, app_id=app_id, private_key=pem())


def test_an_app_creates_updates_and_processes_as_its_bot(
    gh: GitHubEmulator, app_store: GitHubStore, api: str
) -> None:
    app_store.create("counter", {"n": 1})
    app_store.update("counter", {"n": 2})
    number = app_store.get("counter").meta.issue_number
    report = app_store.process_updates(number)
    assert [(o.author, o.status) for o in report.outcomes] == [(BOT, "applied")]
    assert app_store.get("counter").data == {"n": 2}
    issue = gh.issue(number)
    assert issue["user"]["login"] == BOT and issue["state"] == "closed"
    comment = gh.comments(number)[-1]  # after the creation comment
    assert [(r["user"]["login"], r["content"]) for r in gh.reactions(comment["id"])] == [
        (BOT, "+1")
    ]
    # One look-up and one token for the whole session; its own role was never asked of GitHub.
    assert gh.count("GET", "/installation$") == 1
    assert gh.count("POST", "/access_tokens$") == 1
    assert gh.count("GET", "/collaborators/") == 0
    assert gh.count("GET", "^/user$") == 0


def test_the_apps_marks_on_the_originals_issues_are_its_own(
    gh: GitHubEmulator, app_store: GitHubStore
) -> None:
    """An object the original gh-store kept, run as the same App: its +1 marks say what was
    applied. Taken for an outsider's, every old update would be applied again."""
    envelope = {"client_version": "0.11.3", "timestamp": "2024-01-01T00:00:00+00:00"}
    number = gh.seed_issue(
        "Stored Object: legacy",
        json.dumps({"a": 1}),
        ["stored-object", "UID:legacy"],
        user=BOT,
        state="closed",
    )
    applied = [
        {
            "_data": {"a": 1},
            "_meta": {**envelope, "update_mode": "append"},
            "type": "initial_state",
        },
        {"_data": {"b": 2}, "_meta": {**envelope, "update_mode": "append"}, "type": None},
        {"_data": {"b": None}, "_meta": {**envelope, "update_mode": "append"}, "type": None},
    ]
    for body in applied:
        comment = gh.seed_comment(number, json.dumps(body), user=BOT)
        gh.add_reaction(comment, BOT, "+1")
    pending = gh.seed_comment(number, json.dumps({"c": 3}), user=BOT)
    report = app_store.process_updates(number)
    assert [(o.comment_id, o.status) for o in report.outcomes] == [(pending, "applied")]
    assert app_store.get("legacy").data == {"a": 1, "c": 3}


def test_an_app_store_outlives_its_hour(
    gh: GitHubEmulator, make_store: MakeStore, app_id: int
) -> None:
    shift = [0.0]
    app = GitHubApp(app_id, pem(), wall_clock=lambda: time.time() + shift[0])
    store = make_store(app)
    store.create("long", {"n": 0})
    for n in range(1, 4):
        gh.advance_clock(1900)  # the machine's clock and GitHub's move together
        shift[0] += 1900
        store.update("long", {"n": n}, apply=True)
    assert store.get("long").data == {"n": 3}
    # Minted at 0 s, renewed at 3,800 s (the first one had less than five minutes left), and
    # never after a 401.
    assert app.tokens_minted == 2
    assert all(r.status != 401 for r in gh.requests)


def test_another_identity_trusts_the_apps_updates_only_when_told(
    gh: GitHubEmulator, make_store: MakeStore, app_store: GitHubStore, api: str
) -> None:
    app_store.create("shared", {"n": 1})
    number = app_store.get("shared").meta.issue_number
    app_store.update("shared", {"n": 2})
    owner = make_store()  # e.g. the workflow's GITHUB_TOKEN processing the App's comments
    report = owner.process_updates(number)
    assert report.refused is not None  # the opener, the App's bot, is nobody to GitHub
    told = dataclasses.replace(FAST, api=api, trust=TrustConfig(users=(BOT,)))
    report = make_store(config=told).process_updates(number)
    assert [(o.author, o.status) for o in report.outcomes] == [(BOT, "applied")]


def test_a_token_and_an_app_together_or_half_an_app_are_refused(
    gh: GitHubEmulator, app_id: int
) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        GitHubStore(gh.owner_token, gh.repo, app_id=app_id, private_key=pem())
    with pytest.raises(ConfigurationError, match="private key is missing"):
        GitHubStore(repo=gh.repo, app_id=app_id)
    with pytest.raises(ConfigurationError, match="EC key"):
        GitHubStore(repo=gh.repo, app_id=app_id, private_key=_ec_pem())
    assert gh.requests == []


def _ec_pem() -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def test_the_store_keeps_working_with_a_plain_token(make_store: MakeStore) -> None:
    store = make_store()
    store.create("plain", {"n": 1})
    assert store.get("plain").data == {"n": 1}


def test_a_lost_create_is_recognised_as_the_apps_own_without_asking_who_it_is(
    gh: GitHubEmulator, app_store: GitHubStore
) -> None:
    gh.inject(502, "POST", "/issues$", after=True)  # the create happens, its answer is lost
    app_store.create("lost", {"n": 1})
    assert gh.count("POST", "/issues$") == 1  # found as its own, not sent again
    assert gh.count("GET", "^/user$") == 0  # which an installation token may not ask
    assert app_store.get("lost").meta.issue_number == 1
