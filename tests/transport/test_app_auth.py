"""A GitHub App's key, its JWT and its installation token, minted against the emulator.

The signatures are checked with the ``cryptography`` package (a test dependency only: the action's
image signs in pure Python), which also makes the keys. Hostile key files get a
``ConfigurationError`` that names the problem and holds nothing of the key.
"""

from __future__ import annotations

import base64
import json
import random
import time
from functools import cache
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from gh_store.configure import app_credentials, app_from_options
from gh_store.core.config import RetryConfig
from gh_store.core.exceptions import AuthError, ConfigurationError
from gh_store.emulator import GitHubEmulator
from gh_store.transport.app_key import AppKey
from gh_store.transport.credentials import REFRESH_EARLY, GitHubApp
from gh_store.transport.rest import GhApiTransport

R = "/repos/octo/store"
_PKCS1 = serialization.PrivateFormat.TraditionalOpenSSL
_PKCS8 = serialization.PrivateFormat.PKCS8


@cache
def rsa_key(bits: int = 2048, which: int = 0) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def pem(key: Any, fmt: serialization.PrivateFormat = _PKCS1, password: bytes | None = None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()  # type: ignore[no-any-return]


def der_pem(der: bytes, kind: str = "RSA PRIVATE KEY") -> str:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {kind}-----\n{body}-----END {kind}-----\n"


def claims_of(jwt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = jwt.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload)


def verify_jwt(jwt: str, key: rsa.RSAPrivateKey) -> None:
    head, payload, signature = jwt.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    key.public_key().verify(raw, f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())


# --- the key and the signature ------------------------------------------------------------------


@pytest.mark.parametrize("bits", [2048, 3072, 4096])
@pytest.mark.parametrize("fmt", [_PKCS1, _PKCS8], ids=["pkcs1", "pkcs8"])
def test_signatures_are_cryptographys_own_byte_for_byte(
    bits: int, fmt: serialization.PrivateFormat
) -> None:
    key = rsa_key(bits)
    ours = AppKey(pem(key, fmt))
    assert ours.public_numbers == (key.public_key().public_numbers().n, 65537)
    rng = random.Random(bits)
    for _ in range(5):
        message = rng.randbytes(rng.randrange(0, 300))
        # PKCS#1 v1.5 is deterministic: the same key signs the same message the same way.
        assert ours.sign(message) == key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def test_the_jwt_is_rs256_with_githubs_claims_and_verifies() -> None:
    key = rsa_key()
    app = GitHubApp(123456, pem(key), wall_clock=lambda: 1_700_000_000.0)
    jwt = app.jwt()
    header, claims = claims_of(jwt)
    assert header == {"alg": "RS256", "typ": "JWT"}
    # Backdated a minute for clock drift; valid ten minutes from then, GitHub's longest.
    assert claims == {"iat": 1_700_000_000 - 60, "exp": 1_700_000_000 + 540, "iss": 123456}
    verify_jwt(jwt, key)
    head, _, signature = jwt.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "iss": 1}).encode()).decode()
    with pytest.raises(InvalidSignature):
        verify_jwt(f"{head}.{forged.rstrip('=')}.{signature}", key)


def test_a_client_id_is_the_issuer_as_given() -> None:
    app = GitHubApp("Iv23liAbCdEf012345", pem(rsa_key()))
    assert claims_of(app.jwt())[1]["iss"] == "Iv23liAbCdEf012345"


def test_a_key_kept_on_one_line_with_escaped_breaks_is_read() -> None:
    text = pem(rsa_key()).replace("\n", "\\n")
    assert AppKey(text).public_numbers == AppKey(pem(rsa_key())).public_numbers


def test_the_key_is_never_in_a_repr() -> None:
    text = pem(rsa_key())
    app = GitHubApp(1, text, 5)
    lines = [line for line in text.splitlines() if not line.startswith("-----")]
    for shown in (repr(app), str(app), repr(app.key)):
        assert not any(line[:20] in shown for line in lines)
    assert "not shown" in repr(app.key)


def _der_of(text: str) -> bytes:
    inside = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    return base64.b64decode(inside)


def _hostile_keys() -> dict[str, tuple[str | bytes, str]]:
    good = pem(rsa_key())
    der = _der_of(good)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    public = (
        rsa_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    lines = good.splitlines()
    return {
        "empty": ("", "no '-----BEGIN RSA PRIVATE KEY-----' block"),
        "a token": ("ghp_" + "a" * 36, "no '-----BEGIN RSA PRIVATE KEY-----' block"),
        "binary": (b"\x30\x82\xff\xfe\x00", "not PEM text"),
        "public key": (public.decode(), "a public key"),
        "certificate": (der_pem(b"\x30\x00", "CERTIFICATE"), "a certificate"),
        "ec pkcs8": (pem(ec_key, _PKCS8), "an EC key"),
        "ec traditional": (pem(ec_key, _PKCS1), "an EC key"),
        "openssh": (der_pem(b"openssh-key-v1\x00", "OPENSSH PRIVATE KEY"), "an SSH key"),
        "encrypted pkcs8": (pem(rsa_key(), _PKCS8, b"secret"), "encrypted with a passphrase"),
        "encrypted pkcs1": (pem(rsa_key(), _PKCS1, b"secret"), "encrypted with a passphrase"),
        "mismatched ends": (good.replace("END RSA", "END EC"), "BEGIN and END lines"),
        "bad base64": (good.replace(lines[3], "!!" + lines[3][2:]), "not valid base64"),
        "truncated": (der_pem(der[: len(der) // 2]), "truncated"),
        "huge length": (der_pem(b"\x30\x84\xff\xff\xff\xff" + der[4:]), "truncated"),
        "five-byte length": (der_pem(b"\x30\x85\x01\x00\x00\x00\x00"), "length DER does not"),
        "ends early": (der_pem(b"\x30"), "ends early"),
        "a sequence of nothing": (der_pem(b"\x30\x00"), "ends early"),
        "small key": (pem(rsa_key(1024)), "1024 bits"),
        "multi-prime": (der_pem(b"\x30\x03\x02\x01\x01"), "multi-prime"),
        "negative number": (der_pem(b"\x30\x03\x02\x01\xff"), "negative"),
        "too long": ("x" * 70_000, "longer than"),
    }


@pytest.mark.parametrize("name", sorted(_hostile_keys()))
def test_a_hostile_key_file_is_a_clear_configuration_error(name: str) -> None:
    text, expected = _hostile_keys()[name]
    with pytest.raises(ConfigurationError) as caught:
        GitHubApp(42, text)
    message = str(caught.value)
    assert expected in message
    assert message.startswith("the GitHub App's private key")
    secret_lines = [ln for ln in str(text).splitlines() if len(ln) > 20 and "-----" not in ln]
    assert not any(line[:16] in message for line in secret_lines)


def test_damaged_numbers_are_caught_before_a_signature_leaks_the_factors() -> None:
    key = rsa_key()
    numbers = key.private_numbers()
    # d itself is never used (the CRT exponents sign), so only these can damage a signature.
    for field_name in ("dmp1", "dmq1", "iqmp", "p", "q"):
        values = {
            "n": numbers.public_numbers.n,
            "e": numbers.public_numbers.e,
            "d": numbers.d,
            "p": numbers.p,
            "q": numbers.q,
            "dmp1": numbers.dmp1,
            "dmq1": numbers.dmq1,
            "iqmp": numbers.iqmp,
        }
        values[field_name] += 2
        body = b"".join(
            _der_int(values[k]) for k in ("n", "e", "d", "p", "q", "dmp1", "dmq1", "iqmp")
        )
        with pytest.raises(ConfigurationError, match="damaged key"):
            AppKey(der_pem(_der_seq(_der_int(0) + body)))


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der_int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_len(len(raw)) + raw


def _der_seq(body: bytes) -> bytes:
    return b"\x30" + _der_len(len(body)) + body


@pytest.mark.parametrize("seed", range(8))
def test_any_damage_to_the_der_is_a_configuration_error_or_a_key_that_signs(seed: int) -> None:
    rng = random.Random(seed)
    der = bytearray(_der_of(pem(rsa_key(), rng.choice([_PKCS1, _PKCS8]))))
    for _ in range(40):
        damaged = bytearray(der)
        how = rng.randrange(3)
        if how == 0:
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        elif how == 1:
            del damaged[rng.randrange(len(damaged)) :]
        else:
            at = rng.randrange(len(damaged))
            damaged[at:at] = rng.randbytes(rng.randrange(1, 6))
        try:
            key = AppKey(der_pem(bytes(damaged)))
        except ConfigurationError as exc:
            assert str(exc).startswith("the GitHub App's private key cannot be read")
            continue
        # A change the checks let through (trailing bytes) still gives a key that signs right.
        key.sign(b"still good")


@pytest.mark.parametrize(
    ("app_id", "message"),
    [
        (True, "must be a number"),
        (0, "must be the App's number"),
        (-5, "must be the App's number"),
        ("12x", "must be the App's number"),
        ("ghp_" + "b" * 36, "looks like a token"),
        (1.5, "must be the App's number"),
    ],
)
def test_an_unusable_app_id_is_named(app_id: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        GitHubApp(app_id, pem(rsa_key()))
    assert "bbbbbbbb" not in str(caught.value)


def test_half_an_app_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="private key is missing"):
        app_credentials(12, None)
    with pytest.raises(ConfigurationError, match="App's id is missing"):
        app_credentials(None, pem(rsa_key()))
    with pytest.raises(ConfigurationError, match="App's id is missing"):
        app_credentials("", "", "77")
    assert app_credentials(None, "  ", None) is None


def test_the_cli_reads_the_key_file_or_the_environment(tmp_path: Any) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem(rsa_key()))
    app = app_from_options("12", str(key_file), None, environ={})
    assert app is not None and app.app_id == 12 and app.installation_id is None
    env = {
        "GH_STORE_APP_ID": "34",
        "GH_STORE_APP_PRIVATE_KEY": pem(rsa_key()),
        "GH_STORE_APP_INSTALLATION_ID": "9",
    }
    app = app_from_options(None, None, None, environ=env)
    assert app is not None and (app.app_id, app.installation_id) == (34, 9)
    assert app_from_options(None, None, None, environ={}) is None
    with pytest.raises(ConfigurationError, match="cannot read the GitHub App's private key"):
        app_from_options("12", str(tmp_path / "missing.pem"), None, environ={})


# --- minting against the emulator ---------------------------------------------------------------


@pytest.fixture
def registered(gh: GitHubEmulator) -> tuple[Any, Any]:
    numbers = rsa_key().public_key().public_numbers()
    return gh.register_app("store-app", (numbers.n, numbers.e))


class Machine:
    """This machine's clock, ``skew`` seconds off GitHub's; :meth:`later` moves both."""

    def __init__(self, gh: GitHubEmulator, skew: float = 0.0) -> None:
        self.gh, self.offset = gh, skew

    def __call__(self) -> float:
        return time.time() + self.offset

    def later(self, seconds: int) -> None:
        self.gh.advance_clock(seconds)
        self.offset += seconds


def transport_for(gh: GitHubEmulator, app: GitHubApp, **kwargs: Any) -> GhApiTransport:
    options = {**gh.client_options(), "retries": RetryConfig(max_attempts=3, backoff_factor=0)}
    return GhApiTransport(gh.repo, app, sleep=lambda _: None, **{**options, **kwargs})


def test_the_first_request_mints_a_token_and_later_ones_reuse_it(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    app_record, installation = registered
    app = GitHubApp(app_record.id, pem(rsa_key()))
    number = gh.seed_issue("t")
    with transport_for(gh, app) as transport:
        for _ in range(3):
            transport.get_issue(number)
    assert [(r.method, r.path, r.user) for r in gh.requests[:2]] == [
        ("GET", f"{R}/installation", None),
        ("POST", f"/app/installations/{installation.id}/access_tokens", None),
    ]
    assert gh.requests[2].user == "store-app[bot]"
    assert gh.count("POST", "access_tokens") == 1 and app.tokens_minted == 1
    assert gh.count("GET", "installation$") == 1
    assert app.bot_login == "store-app[bot]" and app.installation_id == installation.id
    # The token asked for this repository only.
    assert gh.requests[1].body == {"repositories": ["store"]}


def test_a_given_installation_is_checked_and_tells_the_bot_login(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    app_record, installation = registered
    app = GitHubApp(app_record.id, pem(rsa_key()), installation.id)
    with transport_for(gh, app) as transport:
        transport.list_issues(labels=[])
    assert gh.requests[0].path == f"/app/installations/{installation.id}"
    assert app.bot_login == "store-app[bot]"


def test_the_token_is_renewed_five_minutes_before_it_lapses(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    machine = Machine(gh)
    app = GitHubApp(registered[0].id, pem(rsa_key()), wall_clock=machine)
    with transport_for(gh, app) as transport:
        transport.list_issues(labels=[])
        machine.later(3600 - int(REFRESH_EARLY) - 5)  # still more than five minutes left
        transport.list_issues(labels=[])
        assert gh.count("POST", "access_tokens") == 1
        machine.later(10)  # less than five minutes left: a new one before the request
        transport.list_issues(labels=[])
        assert gh.count("POST", "access_tokens") == 2
        machine.later(7200)  # long after: renewed again, never a 401
        transport.list_issues(labels=[])
    assert gh.count("POST", "access_tokens") == 3
    assert all(r.status != 401 for r in gh.requests)
    # The installation was looked up once; each renewal is one request.
    assert gh.count("GET", "installation$") == 1


def test_a_token_refused_early_is_replaced_once(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    app = GitHubApp(registered[0].id, pem(rsa_key()))
    with transport_for(gh, app) as transport:
        transport.list_issues(labels=[])
        gh.revoke_app_tokens()
        transport.list_issues(labels=[])
    statuses = [(r.method, r.path.rsplit("/", 1)[-1], r.status) for r in gh.requests]
    assert statuses[3:] == [
        ("GET", "issues", 401),
        ("POST", "access_tokens", 201),
        ("GET", "issues", 304),  # the App's answers are kept across its tokens
    ]


def test_a_token_that_keeps_being_refused_is_an_auth_error_not_a_loop(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    app = GitHubApp(registered[0].id, pem(rsa_key()))
    gh.inject(401, "GET", "/issues$", times=10)
    with transport_for(gh, app) as transport, pytest.raises(AuthError):
        transport.list_issues(labels=[])
    assert gh.count("POST", "access_tokens") == 2  # the first, and one replacement
    assert gh.count("GET", "/issues$") == 2


@pytest.mark.parametrize(
    ("skew", "refusals"),
    [
        (-3000, 1),  # exp in GitHub's past
        (-400, 0),  # within what the backdated ten minutes allow
        (30, 0),
        (300, 1),  # iat in GitHub's future
        (5000, 1),
    ],
)
def test_a_skewed_machine_clock_is_corrected_from_githubs_date(
    gh: GitHubEmulator, registered: tuple[Any, Any], skew: int, refusals: int
) -> None:
    machine = Machine(gh, skew)
    app = GitHubApp(registered[0].id, pem(rsa_key()), wall_clock=machine)
    with transport_for(gh, app) as transport:
        transport.list_issues(labels=[])
        machine.later(3400)  # by GitHub's clock: renew now (by a skewed one: not, or long ago)
        transport.list_issues(labels=[])
    refused = [r for r in gh.requests if r.status == 401]
    # The first JWT, dated by the machine, may be refused once; every later one is dated by
    # GitHub, and the renewal happens by GitHub's clock, not the machine's.
    assert len(refused) == refusals
    assert all(r.path.endswith("/installation") for r in refused)
    assert gh.count("POST", "access_tokens") == 2


def test_the_wrong_key_is_an_auth_error_that_says_what_to_check(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    app = GitHubApp(registered[0].id, pem(rsa_key(2048, which=1)))
    with transport_for(gh, app) as transport, pytest.raises(AuthError) as caught:
        transport.list_issues(labels=[])
    message = str(caught.value)
    assert "refused the GitHub App's credentials" in message and "private key" in message
    assert gh.count() == 1  # the clock was right: no second try


def test_an_app_not_installed_is_named(gh: GitHubEmulator) -> None:
    numbers = rsa_key().public_key().public_numbers()
    record, _ = gh.register_app("idle-app", (numbers.n, numbers.e), install=False)
    app = GitHubApp(record.id, pem(rsa_key()))
    with (
        transport_for(gh, app) as transport,
        pytest.raises(AuthError, match="is not installed on octo/store") as caught,
    ):
        transport.list_reactions(1)
    # Never the 404 itself: a flow would read it as "that comment is gone".
    assert caught.value.status == 401 and "HTTP 404" in str(caught.value)


def test_a_wrong_installation_id_is_named(gh: GitHubEmulator, registered: tuple[Any, Any]) -> None:
    app = GitHubApp(registered[0].id, pem(rsa_key()), 999_999)
    with (
        transport_for(gh, app) as transport,
        pytest.raises(AuthError, match=r"installation 999999 of .* was not found"),
    ):
        transport.get_issue(1)


def test_a_transient_failure_to_mint_is_retried_by_the_policy(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    gh.inject(502, "POST", "access_tokens", times=2)
    app = GitHubApp(registered[0].id, pem(rsa_key()))
    with transport_for(gh, app) as transport:
        assert transport.list_issues(labels=[]).items == ()
    assert [r.status for r in gh.requests if "access_tokens" in r.path] == [502, 502, 201]


def test_its_own_bot_is_answered_without_asking_github(
    gh: GitHubEmulator, registered: tuple[Any, Any]
) -> None:
    app = GitHubApp(registered[0].id, pem(rsa_key()))
    with transport_for(gh, app) as transport:
        transport.list_issues(labels=[])
        gh.clear_requests()
        assert transport.get_permission("store-app[bot]") == "write"
        assert transport.get_permission("STORE-APP[bot]") == "write"
        assert transport.own_login() == "store-app[bot]"
        assert gh.count() == 0
        # Anyone else is asked, as before; GitHub knows no collaborator "other-app[bot]".
        assert transport.get_permission("other-app[bot]") == "none"
        assert gh.count() == 1
