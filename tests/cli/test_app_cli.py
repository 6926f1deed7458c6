"""The command line as a GitHub App: ``--app-id`` and ``--private-key-file``, or
``GH_STORE_APP_ID`` and ``GH_STORE_APP_PRIVATE_KEY``; a bad key is a clear error, not a trace."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gh_store.emulator import GitHubEmulator

from .conftest import Run

pytestmark = pytest.mark.http


@cache
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(gh: GitHubEmulator, tmp_path: Path) -> tuple[str, Path]:
    numbers = private_key().public_key().public_numbers()
    app, _ = gh.register_app("store-app", (numbers.n, numbers.e))
    path = tmp_path / "app.pem"
    path.write_bytes(
        private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return str(app.id), path


def test_the_flags_make_the_cli_act_as_the_app(
    gh: GitHubEmulator, run: Run, key_file: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    app_id, path = key_file
    flags = ("--app-id", app_id, "--private-key-file", str(path))
    status, _, err = run("create", "counter", '{"n": 1}', *flags)
    assert status == 0, err
    status, out, err = run("get", "counter", *flags)
    assert (status, out["data"]) == (0, {"n": 1}), err
    assert gh.issue(1)["user"]["login"] == "store-app[bot]"


def test_the_environment_names_the_app_and_wins_over_github_token(
    gh: GitHubEmulator, run: Run, key_file: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    app_id, path = key_file
    monkeypatch.setenv("GH_STORE_APP_ID", app_id)
    monkeypatch.setenv("GH_STORE_APP_PRIVATE_KEY", path.read_text())
    status, _, err = run("create", "counter", '{"n": 1}')
    assert status == 0, err
    assert gh.issue(1)["user"]["login"] == "store-app[bot]"


def test_a_token_and_an_app_together_are_a_usage_error(
    run: Run, key_file: tuple[str, Path]
) -> None:
    app_id, path = key_file
    status, _, err = run(
        "get", "x", "--token", "ghp_x", "--app-id", app_id, "--private-key-file", str(path)
    )
    assert status != 0 and "not both" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "an EC key"),
        ("not a key", "no '-----BEGIN RSA PRIVATE KEY-----' block"),
    ],
)
def test_a_bad_key_file_is_one_clear_line(
    gh: GitHubEmulator, run: Run, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.pem"
    path.write_text(text)
    status, out, err = run("get", "x", "--app-id", "12", "--private-key-file", str(path))
    assert status != 0 and out is None
    assert expected in err and "Traceback" not in err and "AAAA" not in err
    assert gh.requests == []
