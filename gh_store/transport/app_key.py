"""A GitHub App's private key, and the JSON Web Token it signs (RS256), in pure Python.

GitHub issues an App's key as a PEM file, ``BEGIN RSA PRIVATE KEY`` (PKCS#1); a key converted by
other tools reads ``BEGIN PRIVATE KEY`` (PKCS#8). Both are read here with a minimal DER reader that
checks every length against what is left, so a truncated, padded or hostile file is a
``ConfigurationError`` naming what is wrong, never a Python internal. Signing is RSASSA-PKCS1-v1_5
with SHA-256 (RFC 8017, section 8.2): the EMSA encoding of the digest, raised to ``d`` modulo
``n`` by the Chinese remainder theorem, and checked with the public exponent before it is used
(a wrong CRT part would otherwise leak the key's factors in a bad signature).

Nothing of the key is ever part of a message or a ``repr``. The runtime needs no cryptography
package: the action's image installs ghapi, PyYAML and jsonschema only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

from gh_store.core.exceptions import ConfigurationError

__all__ = ["AppKey", "emsa_pkcs1_sha256"]

# DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1), to which the digest is appended.
_SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
_RSA_ENCRYPTION = bytes.fromhex("2a864886f70d010101")  # OID 1.2.840.113549.1.1.1
_EC_PUBLIC_KEY = bytes.fromhex("2a8648ce3d0201")  # OID 1.2.840.10045.2.1
_MAX_PEM = 64 * 1024
_MIN_BITS, _MAX_BITS = 2048, 16384
_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL | re.ASCII
)
_NOT_A_KEY = {
    "PUBLIC KEY": "a public key; the App's private key is the .pem file GitHub downloads",
    "RSA PUBLIC KEY": "a public key; the App's private key is the .pem file GitHub downloads",
    "CERTIFICATE": "a certificate, not the App's private key",
    "EC PRIVATE KEY": "an EC key; GitHub Apps sign with RSA keys",
    "OPENSSH PRIVATE KEY": "an SSH key, not a GitHub App's private key",
    "ENCRYPTED PRIVATE KEY": "encrypted with a passphrase; give the key as GitHub issues it "
    "(openssl pkey -in key.pem -out plain.pem decrypts it)",
}


def emsa_pkcs1_sha256(message: bytes, length: int) -> bytes:
    """The EMSA-PKCS1-v1_5 encoding of ``message``'s SHA-256, ``length`` bytes long."""
    digest_info = _SHA256_PREFIX + hashlib.sha256(message).digest()
    padding = length - len(digest_info) - 3
    if padding < 8:
        raise ValueError("the modulus is too short for a SHA-256 signature")
    return b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_info


class _Der:
    """Reads DER's tag-length-value items from ``data``, refusing anything out of bounds."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.at, self.what = data, 0, what

    def done(self) -> bool:
        return self.at >= len(self.data)

    def item(self, tag: int) -> bytes:
        if self.at + 2 > len(self.data):
            raise _bad(f"{self.what} ends early")
        found, length = self.data[self.at], self.data[self.at + 1]
        if found != tag:
            raise _bad(f"{self.what} holds an unexpected item (tag {found:#04x}, not {tag:#04x})")
        self.at += 2
        if length & 0x80:
            octets = length & 0x7F
            if octets == 0 or octets > 4:
                raise _bad(f"{self.what} holds a length DER does not allow")
            if self.at + octets > len(self.data):
                raise _bad(f"{self.what} ends early")
            length = int.from_bytes(self.data[self.at : self.at + octets], "big")
            self.at += octets
        if length > len(self.data) - self.at:
            raise _bad(f"{self.what} is truncated (an item claims more bytes than are left)")
        value = self.data[self.at : self.at + length]
        self.at += length
        return value

    def integer(self) -> int:
        value = self.item(0x02)
        if not value or value[0] & 0x80:
            raise _bad(f"{self.what} holds a negative or empty number")
        if len(value) > _MAX_BITS // 8 + 1:
            raise _bad(f"{self.what} holds a number longer than a {_MAX_BITS}-bit key's")
        return int.from_bytes(value, "big")


def _bad(detail: str) -> ConfigurationError:
    return ConfigurationError(f"the GitHub App's private key cannot be read: {detail}")


class AppKey:
    """An RSA private key, read from PEM text; :meth:`jwt` signs GitHub's App JWT with it."""

    def __init__(self, pem: str | bytes) -> None:
        der = _der_of(pem)
        outer = _Der(der, "the key")
        body = _Der(outer.item(0x30), "the key")
        version = body.integer()
        if body.data[body.at : body.at + 1] == b"\x30":  # PKCS#8: an AlgorithmIdentifier follows
            algorithm = _Der(body.item(0x30), "the key's algorithm")
            oid = algorithm.item(0x06)
            if oid == _EC_PUBLIC_KEY:
                raise _bad(_NOT_A_KEY["EC PRIVATE KEY"])
            if oid != _RSA_ENCRYPTION:
                raise _bad("it is not an RSA key; GitHub Apps sign with RSA keys")
            body = _Der(body.item(0x04), "the key")
            body = _Der(body.item(0x30), "the key")
            version = body.integer()
        if version != 0:
            raise _bad("it is a multi-prime RSA key, which GitHub does not issue")
        n, e, d, p, q, dp, dq, qinv = (body.integer() for _ in range(8))
        if not (_MIN_BITS <= n.bit_length() <= _MAX_BITS):
            raise _bad(f"its modulus has {n.bit_length()} bits; GitHub's keys have 2048 or more")
        if p * q != n or e < 3 or not (0 < qinv < p) or (q * qinv) % p != 1:
            raise _bad("its numbers do not belong together (a damaged key)")
        self._n, self._e, self._p, self._q = n, e, p, q
        self._dp, self._dq, self._qinv = dp, dq, qinv
        self._length = (n.bit_length() + 7) // 8
        del d  # the CRT exponents replace it
        self.sign(b"a key that signs and verifies")  # a damaged exponent fails here, not later

    def __repr__(self) -> str:
        return f"AppKey(<{self._n.bit_length()}-bit RSA key, not shown>)"

    @property
    def public_numbers(self) -> tuple[int, int]:
        """``(n, e)``: what GitHub keeps to verify the signatures."""
        return self._n, self._e

    def sign(self, message: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 with SHA-256."""
        encoded = int.from_bytes(emsa_pkcs1_sha256(message, self._length), "big")
        low = pow(encoded, self._dq, self._q)
        high = (self._qinv * (pow(encoded, self._dp, self._p) - low)) % self._p
        signature = low + high * self._q
        if pow(signature, self._e, self._n) != encoded:
            raise _bad("a signature made with it does not verify (a damaged key)")
        return signature.to_bytes(self._length, "big")

    def jwt(self, issuer: int | str, issued_at: int, expires_at: int) -> str:
        """The JWT GitHub takes from an App: ``iat``, ``exp`` and ``iss``, signed RS256."""
        header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")))
        claims = {"iat": issued_at, "exp": expires_at, "iss": issuer}
        payload = _b64url(json.dumps(claims, separators=(",", ":")))
        signing_input = f"{header}.{payload}"
        return f"{signing_input}.{_b64url(self.sign(signing_input.encode('ascii')))}"


def _b64url(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _der_of(pem: str | bytes) -> bytes:
    if isinstance(pem, bytes):
        try:
            pem = pem.decode("ascii")
        except UnicodeDecodeError:
            raise _bad("it is not PEM text (a binary file?)") from None
    if not isinstance(pem, str):
        raise ConfigurationError(
            f"the GitHub App's private key must be PEM text, not {type(pem).__name__}"
        )
    if len(pem) > _MAX_PEM:
        raise _bad(f"it is longer than {_MAX_PEM} characters, more than any RSA key")
    # A key kept in a one-line variable often has its line breaks written as \n.
    text = pem.replace("\\r", "").replace("\\n", "\n")
    found = _PEM.search(text)
    if found is None:
        raise _bad(
            "no '-----BEGIN RSA PRIVATE KEY-----' block was found; give the contents of the "
            ".pem file GitHub downloads (or its path to the CLI)"
        )
    kind, inside, end = found.group(1).strip(), found.group(2), found.group(3).strip()
    if kind != end:
        raise _bad("its BEGIN and END lines name different things")
    if kind in _NOT_A_KEY:
        raise _bad(f"it is {_NOT_A_KEY[kind]}")
    if kind not in ("RSA PRIVATE KEY", "PRIVATE KEY"):
        raise _bad("its PEM block is not a private key")
    if "Proc-Type:" in inside or "DEK-Info:" in inside:
        raise _bad(f"it is {_NOT_A_KEY['ENCRYPTED PRIVATE KEY']}")
    try:
        return base64.b64decode("".join(inside.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _bad("its PEM block is not valid base64 (a damaged copy?)") from None
