"""The emulator's GitHub Apps, over both adapters: JWTs checked as GitHub's docs say, installation
tokens that expire on the emulator's clock, act as ``<slug>[bot]`` and count against the
installation's rate limit.

The JWTs here are made with the ``cryptography`` package and ``json`` directly, not with the
store's signer, so that the emulator's check and the store's signature are held to GitHub's rules
independently.
"""

from __future__ import annotations

import base64
import json
import time
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from gh_store.emulator import GitHubEmulator

from .adapters import Call

R = "/repos/octo/store"


@cache
def key(which: int = 0) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], signer: rsa.RSAPrivateKey | None = None, alg: str = "RS256") -> str:
    head = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signed = (signer or key()).sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(signed)}"


@pytest.fixture
def app(gh: GitHubEmulator) -> tuple[Any, Any]:
    numbers = key().public_key().public_numbers()
    return gh.register_app("store-app", (numbers.n, numbers.e))


def now(gh: GitHubEmulator) -> int:
    return int(gh.state.clock.wall())


def valid(gh: GitHubEmulator, app_id: Any) -> str:
    return jwt({"iat": now(gh) - 60, "exp": now(gh) + 540, "iss": app_id})


def mint(gh: GitHubEmulator, call: Call, app: tuple[Any, Any], **body: Any) -> Any:
    record, installation = app
    path = f"/app/installations/{installation.id}/access_tokens"
    return call("POST", path, token=valid(gh, record.id), json=body or None)


def test_an_app_finds_its_installation_and_mints_a_token_that_acts_as_its_bot(
    gh: GitHubEmulator, call: Call, app: tuple[Any, Any]
) -> None:
    record, installation = app
    found = call("GET", f"{R}/installation", token=valid(gh, record.id))
    assert found.status_code == 200
    assert (found.json()["id"], found.json()["app_slug"]) == (installation.id, "store-app")
    same = call("GET", f"/app/installations/{installation.id}", token=valid(gh, str(record.id)))
    assert same.json() == found.json()
    before = int(now(gh))
    minted = mint(gh, call, app, repositories=["store"])
    after = int(now(gh))  # a second may turn while the request is answered
    assert minted.status_code == 201
    token, expires = minted.json()["token"], minted.json()["expires_at"]
    assert token.startswith("ghs_") and minted.json()["permissions"]["issues"] == "write"
    hour_later = {
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment + 3600))
        for moment in range(before, after + 1)
    }
    assert expires in hour_later
    made = call("POST", f"{R}/issues", token=token, json={"title": "t"})
    assert made.status_code == 201
    assert made.json()["user"]["login"] == "store-app[bot]"
    assert made.json()["user"]["type"] == "Bot"
    # An integration has no "authenticated user".
    forbidden = call("GET", "/user", token=token)
    assert forbidden.status_code == 403
    assert forbidden.json()["message"] == "Resource not accessible by integration"
    # The permission API does not describe the bot: the store must not rely on it.
    assert call("GET", f"{R}/collaborators/store-app[bot]/permission").status_code == 404


def test_the_client_id_is_an_issuer_too(gh: GitHubEmulator, call: Call, app: Any) -> None:
    token = jwt({"iat": now(gh) - 1, "exp": now(gh) + 60, "iss": app[0].client_id})
    assert call("GET", f"{R}/installation", token=token).status_code == 200


_IAT = "'Issued at' claim ('iat') must be an Integer representing a time in the past"
_EXP = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at "
    "which the assertion expires"
)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"iat": 30, "exp": 500}, _IAT),  # iat in GitHub's future
        ({"iat": -60, "exp": 0}, _EXP),  # expired
        ({"iat": -60, "exp": -1}, _EXP),
        ({"iat": -60, "exp": 660}, "'Expiration time' claim ('exp') is too far in the future"),
        ({"iat": -60.5, "exp": 500}, _IAT),  # not an integer
        ({"iat": "0", "exp": 500}, _IAT),
        ({"iat": True, "exp": 500}, _IAT),
        ({"exp": 500}, _IAT),
        ({"iat": -60, "exp": "500"}, _EXP),
        ({"iat": -60, "exp": 500, "iss": None}, "'Issuer' claim ('iss') must be an Integer"),
        ({"iat": -60, "exp": 500, "iss": 999}, "A JSON web token could not be decoded"),
    ],
)
def test_githubs_rules_for_the_claims(
    gh: GitHubEmulator, call: Call, app: Any, claims: dict[str, Any], message: str
) -> None:
    base = now(gh)
    shifted = {
        name: base + value if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in claims.items()
    }
    if isinstance(claims.get("iat"), float):
        shifted["iat"] = base + claims["iat"]
    shifted.setdefault("iss", app[0].id)
    if shifted["iss"] is None:
        del shifted["iss"]
    if claims.get("iss") == 999:
        shifted["iss"] = 999
    answer = call("GET", f"{R}/installation", token=jwt(shifted))
    assert answer.status_code == 401
    assert answer.json()["message"] == message


@pytest.mark.parametrize("forgery", ["other key", "HS256", "none", "garbage", "not a jwt"])
def test_a_forged_or_broken_jwt_is_refused(
    gh: GitHubEmulator, call: Call, app: Any, forgery: str
) -> None:
    claims = {"iat": now(gh) - 60, "exp": now(gh) + 500, "iss": app[0].id}
    token = {
        "other key": jwt(claims, key(1)),
        "HS256": jwt(claims, alg="HS256"),
        "none": jwt(claims).rsplit(".", 1)[0].replace(_b64(b'{"alg": "RS256"'), "") + ".",
        "garbage": "a.b.c",
        "not a jwt": "ghp_" + "x" * 36,
    }[forgery]
    for method, path in (
        ("GET", f"{R}/installation"),
        ("POST", f"/app/installations/{app[1].id}/access_tokens"),
    ):
        answer = call(method, path, token=token)
        assert answer.status_code == 401, (forgery, path)
        assert answer.json()["message"] in (
            "A JSON web token could not be decoded",
            "Bad credentials",
        )


def test_a_jwt_is_no_token_for_the_repository(gh: GitHubEmulator, call: Call, app: Any) -> None:
    answer = call("GET", f"{R}/issues", token=valid(gh, app[0].id))
    assert answer.status_code == 401 and answer.json()["message"] == "Bad credentials"


def test_a_token_expires_after_an_hour_on_the_emulators_clock(
    gh: GitHubEmulator, call: Call, app: Any
) -> None:
    token = mint(gh, call, app).json()["token"]
    gh.advance_clock(3599)
    assert call("GET", f"{R}/issues", token=token).status_code == 200
    gh.advance_clock(1)
    expired = call("GET", f"{R}/issues", token=token)
    assert expired.status_code == 401 and expired.json()["message"] == "Bad credentials"
    # A fresh JWT on the later clock mints a new one.
    assert call("GET", f"{R}/issues", token=mint(gh, call, app).json()["token"]).status_code == 200


def test_the_installation_has_one_rate_limit_for_all_its_tokens(
    gh: GitHubEmulator, call: Call, app: Any
) -> None:
    first, second = (mint(gh, call, app).json()["token"] for _ in range(2))
    answers = [call("GET", f"{R}/labels", token=token) for token in (first, second, first)]
    assert [a.headers["x-ratelimit-limit"] for a in answers] == ["5000"] * 3
    assert [a.headers["x-ratelimit-used"] for a in answers] == ["1", "2", "3"]
    assert gh.rate_limit(second)["used"] == 3
    gh.set_rate_limit(first, 0)
    assert call("GET", f"{R}/labels", token=second).status_code == 403
    # The owner's own budget is untouched.
    assert call("GET", f"{R}/labels").headers["x-ratelimit-used"] == "1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"repositories": ["elsewhere"]}, "There is at least one repository"),
        ({"repository_ids": [12345]}, "There is at least one repository"),
        ({"permissions": {"contents": "write"}}, "The permissions requested are not granted"),
        ({"permissions": {"metadata": "write"}}, "The permissions requested are not granted"),
        ({"permissions": {"issues": "admin"}}, "The permissions requested are not granted"),
    ],
)
def test_a_token_beyond_the_installation_is_refused(
    gh: GitHubEmulator, call: Call, app: Any, body: dict[str, Any], message: str
) -> None:
    answer = mint(gh, call, app, **body)
    assert answer.status_code == 422 and answer.json()["message"].startswith(message)


def test_a_narrower_token_is_what_it_asked_for(gh: GitHubEmulator, call: Call, app: Any) -> None:
    answer = mint(gh, call, app, permissions={"issues": "read"}).json()
    assert answer["permissions"] == {"issues": "read"}
    assert answer["repository_selection"] == "all"
    token = answer["token"]
    assert call("GET", f"{R}/issues", token=token).status_code == 200
    number = gh.seed_issue("someone's")
    refused = call("PATCH", f"{R}/issues/{number}", token=token, json={"body": "x"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Resource not accessible by integration"


def test_uninstalling_ends_the_tokens_and_the_installation(
    gh: GitHubEmulator, call: Call, app: Any
) -> None:
    token = mint(gh, call, app).json()["token"]
    gh.uninstall_app(app[1].id)
    assert call("GET", f"{R}/issues", token=token).status_code == 401
    assert call("GET", f"{R}/installation", token=valid(gh, app[0].id)).status_code == 404
    assert mint(gh, call, app).status_code == 404


def test_every_answer_carries_githubs_time(gh: GitHubEmulator, call: Call) -> None:
    gh.advance_clock(86_400)
    answer = call("GET", f"{R}/labels")
    told = parsedate_to_datetime(answer.headers["date"]).timestamp()
    assert abs(told - (time.time() + 86_400)) < 5
