"""The action as a GitHub App (``app-id``, ``app-private-key``, ``app-installation-id``): it
mints its token on the emulator, masks the key line by line and the token it mints, and a bad
key is one clear error that shows nothing of it."""

from __future__ import annotations

import json
from functools import cache

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gh_store.core.body import decode_body
from gh_store.emulator import GitHubEmulator

from .conftest import Harness, webhook

BOT = "store-app[bot]"
LABELS = ["stored-object", "UID:counter"]


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
def app_inputs(gh: GitHubEmulator) -> dict[str, str]:
    numbers = private_key().public_key().public_numbers()
    app, installation = gh.register_app("store-app", (numbers.n, numbers.e))
    assert installation is not None
    return {"app_id": str(app.id), "app_private_key": pem()}


def _event(gh: GitHubEmulator, number: int) -> dict[str, object]:
    last = gh.comments(number)[-1]
    return webhook(
        "issue_comment",
        "created",
        number=number,
        labels=LABELS,
        comment_id=last["id"],
        comment_body=last["body"],
    )


@pytest.mark.parametrize("api", ["rest", "graphql"])
@pytest.mark.parametrize("escaped", [False, True], ids=["lines", "one-line"])
def test_the_action_runs_as_the_app_with_the_key_and_token_masked(
    harness: Harness, gh: GitHubEmulator, app_inputs: dict[str, str], api: str, escaped: bool
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    key = app_inputs["app_private_key"]
    inputs = {**app_inputs, "app_private_key": key.replace("\n", "\\n") if escaped else key}
    run = harness.run("issue_comment", _event(gh, number), api=api, **inputs)
    assert run.exit_code == 0, run.stdout
    assert decode_body(gh.issue(number)["body"]).data == {"value": 2}
    (comment,) = gh.comments(number)
    assert [r["user"]["login"] for r in gh.reactions(comment["id"])] == [BOT]
    masks = run.annotations("add-mask")
    secret_lines = [line for line in key.splitlines() if not line.startswith("-----")]
    assert set(secret_lines) <= set(masks)
    minted = [m for m in masks if m.startswith("ghs_")]
    assert len(minted) == 1
    # Each secret line is first seen in a mask command, before it could appear anywhere else.
    for secret in [*secret_lines, *minted]:
        at = run.stdout.index(secret)
        line_start = run.stdout.rfind("\n", 0, at) + 1
        assert run.stdout.startswith("::add-mask::", line_start), secret[:8]
    assert json.loads(run.outputs["object"]) == {"value": 2}


def test_the_app_wins_over_the_default_token(
    harness: Harness, gh: GitHubEmulator, app_inputs: dict[str, str]
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    run = harness.run("issue_comment", _event(gh, number), token="", **app_inputs)
    assert run.exit_code == 0, run.stdout
    assert {r.user for r in gh.requests if r.user} == {BOT}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"app_private_key": ""}, "private key is missing"),
        ({"app_id": ""}, "App's id is missing"),
        (
            {"app_private_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"},
            "a public key",
        ),
        ({"app_installation_id": "first"}, "installation id must be a number"),
    ],
)
def test_bad_app_inputs_are_one_clear_error(
    harness: Harness,
    gh: GitHubEmulator,
    app_inputs: dict[str, str],
    change: dict[str, str],
    expected: str,
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    run = harness.run("issue_comment", _event(gh, number), **{**app_inputs, **change})
    assert run.exit_code == 2
    errors = [data for name, data in run.commands if name.startswith("error")]
    assert len(errors) == 1 and expected in errors[0], errors
    assert "Traceback" not in run.stdout
    assert gh.requests == []


def test_an_app_not_installed_fails_with_what_to_do(
    harness: Harness, gh: GitHubEmulator, app_inputs: dict[str, str]
) -> None:
    number = harness.seed_object("counter", {"value": 1}, updates=[("octo", '{"value": 2}')])
    gh.uninstall_app(next(iter(gh.state.apps.installations)))
    run = harness.run("issue_comment", _event(gh, number), **app_inputs)
    assert run.exit_code == 2
    errors = [data for name, data in run.commands if name.startswith("error")]
    assert len(errors) == 1 and "is not installed on octo/store" in errors[0]
    assert "Traceback" not in run.stdout
