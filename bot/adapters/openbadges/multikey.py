"""Multibase (base58btc) and Multikey encodings of Ed25519 keys, and JWK thumbprints to compare keys.

A Multikey `publicKeyMultibase` is "z" + base58btc(0xed 0x01 + the 32-byte Ed25519 public key), so it
always starts with "z6Mk"; a secret key uses the multicodec prefix 0x80 0x26. Signatures in a
DataIntegrityProof `proofValue` are "z" + base58btc(the 64 signature bytes).
"""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
ED25519_PUBLIC = b"\xed\x01"
ED25519_SECRET = b"\x80\x26"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"{char!r} is not a base58btc character")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def multibase_encode(data: bytes) -> str:
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not base58btc multibase (it must start with 'z')")
    return b58decode(text[1:])


def ed25519_multikey(public: bytes) -> str:
    return multibase_encode(ED25519_PUBLIC + public)


def ed25519_from_multikey(text: str) -> bytes:
    """The raw 32-byte Ed25519 public key in a Multikey; ValueError if it is not one."""
    data = multibase_decode(text)
    if not data.startswith(ED25519_PUBLIC) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey (z6Mk...)")
    return data[2:]


def ed25519_secret_from_multikey(text: str) -> bytes:
    data = multibase_decode(text)
    if not data.startswith(ED25519_SECRET) or len(data) != 34:
        raise ValueError("not an Ed25519 secret Multikey")
    return data[2:]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ed25519_jwk(public: bytes) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public)}


_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}


def thumbprint(jwk: dict[str, Any]) -> str | None:
    """The RFC 7638 thumbprint of a public JWK (None if it is not one): equal keys, equal thumbprints."""
    members = _THUMBPRINT_MEMBERS.get(jwk.get("kty")) if isinstance(jwk, dict) else None
    if members is None or not all(isinstance(jwk.get(m), str) for m in members):
        return None
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())
