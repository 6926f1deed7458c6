"""GitHub Apps: Apps registered with their public keys, their installations on the repository,
the JWTs they sign and the installation tokens minted for them.

Owns :class:`AppRegistry` (kept on the state as ``state.apps``): the records, the check of a JWT
and the tokens; :mod:`.app_endpoints` answers the three REST operations an App authenticates for
with a JWT. GitHub's rules, as its docs state them: the JWT is RS256-signed with the App's key
(verified here with the public key: EMSA-PKCS1-v1_5 over SHA-256); ``iat`` is an integer in the
past; ``exp`` is in the future and at most ten minutes ahead; ``iss`` is the App's id or client
id. Anything else is 401 with GitHub's wording. A token lives an hour on the emulator's clock
(:meth:`.clock.Clock.wall`); a request with an expired one is 401 ``Bad credentials``. The token
acts as ``<app-slug>[bot]`` (a ``Bot``, whose ``GET /user`` is 403, as for any integration), with
the installation's own rate limit; the emulator's permission API does not answer for it (404), so
the store cannot lean on it. Apps are not saved in state files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from dataclasses import dataclass, field

from .errors import ApiError, error_body
from .records import User

__all__ = ["TOKEN_LIFETIME", "App", "AppRegistry", "Installation", "bot_user"]

TOKEN_LIFETIME = 3600
_JWT_LONGEST = 600
_SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
_UNDECODABLE = "A JSON web token could not be decoded"
_IAT = "'Issued at' claim ('iat') must be an Integer representing a time in the past"
_EXP = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at "
    "which the assertion expires"
)
_EXP_FAR = "'Expiration time' claim ('exp') is too far in the future"
_ISS = "'Issuer' claim ('iss') must be an Integer"


@dataclass
class App:
    id: int
    slug: str
    client_id: str
    modulus: int
    exponent: int
    permissions: dict[str, str]

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class Installation:
    id: int
    app_id: int
    created_at: int


@dataclass
class _Token:
    installation_id: int
    expires_at: float
    permissions: dict[str, str] = field(default_factory=dict)


class AppRegistry:
    """Apps, their installations on the repository, and the tokens minted for them."""

    def __init__(self) -> None:
        self.apps: dict[int, App] = {}
        self.installations: dict[int, Installation] = {}
        self._tokens: dict[str, _Token] = {}
        self._next_id = 1000

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def app_of_bot(self, login: str) -> App | None:
        for app in self.apps.values():
            if app.bot_login.lower() == login.lower():
                return app
        return None

    def token(self, token: str, now: float) -> tuple[Installation, App] | None:
        """The installation (and its App) a live token acts for; None when unknown or expired."""
        for known, record in self._tokens.items():
            if secrets.compare_digest(known, token):
                installation = self.installations.get(record.installation_id)
                if installation is None or now >= record.expires_at:
                    return None
                return installation, self.apps[installation.app_id]
        return None

    def mint(self, installation: Installation, now: float, permissions: dict[str, str]) -> str:
        token = "ghs_" + secrets.token_hex(18)
        self._tokens[token] = _Token(installation.id, now + TOKEN_LIFETIME, permissions)
        return token

    def issues_permission(self, token: str | None) -> str | None:
        """What an installation token may do to issues (``read``, ``write``); None for others."""
        for known, record in self._tokens.items():
            if token is not None and secrets.compare_digest(known, token):
                return record.permissions.get("issues", "none")
        return None

    def revoke(self) -> None:
        """Every token stops working (GitHub: revoked, or the App's key rotated)."""
        self._tokens.clear()

    def expires_at(self, token: str) -> float:
        return self._tokens[token].expires_at

    def app_for_jwt(self, token: str | None, now: float) -> App:
        """The App that signed ``token`` under GitHub's rules, else the 401 GitHub gives."""
        parts = (token or "").split(".")
        if len(parts) != 3:
            raise _unauthorized(_UNDECODABLE)
        try:
            header, claims = (json.loads(_unb64(part)) for part in parts[:2])
            signature = int.from_bytes(_unb64(parts[2]), "big")
        except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise _unauthorized(_UNDECODABLE) from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise _unauthorized(_UNDECODABLE)
        if header.get("alg") != "RS256":
            raise _unauthorized(_UNDECODABLE)
        issuer = claims.get("iss")
        if issuer is None or isinstance(issuer, bool):
            raise _unauthorized(_ISS)
        app = self._issuer(issuer)
        signed = f"{parts[0]}.{parts[1]}".encode()
        if app is None or not _verifies(app, signed, signature):
            raise _unauthorized(_UNDECODABLE)
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or isinstance(iat, bool) or iat > now:
            raise _unauthorized(_IAT)
        if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= now:
            raise _unauthorized(_EXP)
        if exp > now + _JWT_LONGEST:
            raise _unauthorized(_EXP_FAR)
        return app

    def _issuer(self, issuer: object) -> App | None:
        for app in self.apps.values():
            if issuer in (app.id, str(app.id), app.client_id):
                return app
        return None


def _unb64(part: str) -> bytes:
    if not part.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _verifies(app: App, message: bytes, signature: int) -> bool:
    length = (app.modulus.bit_length() + 7) // 8
    if not 0 < signature < app.modulus:
        return False
    digest_info = _SHA256_PREFIX + hashlib.sha256(message).digest()
    padding = length - len(digest_info) - 3
    expected = b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_info
    recovered = pow(signature, app.exponent, app.modulus).to_bytes(length, "big")
    return padding >= 8 and secrets.compare_digest(recovered, expected)


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, error_body(401, message))


def bot_user(login: str, user_id: int) -> User:
    """The account an App's installation token writes as."""
    return User(login, user_id, "Bot", "", None)
