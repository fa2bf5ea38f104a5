"""VC-JWT (Open Badges 3.0 section 8.2): a credential signed as a compact JWS.

The credential is the JWT claims set itself, with the registered claims the spec asks for alongside:
iss = issuer.id, jti = id, nbf = validFrom, exp = validUntil, sub = credentialSubject.id.
The header names the key by `kid`, a URL that serves the public JWK.
"""
from __future__ import annotations

import base64
import binascii
import json
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import import_key

from bot.adapters.openbadges.keys import EDDSA, RS256, SigningKey
from bot.adapters.openbadges.spec import parse_date_time

# Verification accepts what OB 3.0 verifiers meet in the wild; signing uses RS256 or EdDSA only.
VERIFY_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "Ed25519"]
# A header carrying its own RSA `jwk` is ~600 bytes: over joserfc's 512-byte default, and legitimate.
MAX_HEADER_BYTES = 16 * 1024


def _registry(algorithms: list[str]) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=algorithms, strict_check_header=False)
    registry.max_header_length = MAX_HEADER_BYTES
    return registry


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(credential: dict[str, Any]) -> dict[str, Any]:
    claims = dict(credential)
    issuer = credential.get("issuer")
    claims["iss"] = issuer.get("id") if isinstance(issuer, dict) else issuer
    claims["jti"] = credential["id"]
    valid_from = parse_date_time(credential.get("validFrom"))
    if valid_from is not None:
        claims["nbf"] = int(valid_from.timestamp())
    valid_until = parse_date_time(credential.get("validUntil"))
    if valid_until is not None:
        claims["exp"] = int(valid_until.timestamp())
    subject = credential.get("credentialSubject", {})
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    return claims


def sign(credential: dict[str, Any], key: SigningKey, kid: str) -> str:
    """The credential as a compact JWS signed with `key`; `kid` is the URL of its public JWK."""
    header = {"alg": key.alg, "typ": "JWT", "kid": kid}
    payload = json.dumps(claims_for(credential), ensure_ascii=False, separators=(",", ":")).encode()
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864); OB 3.0 verifiers expect "EdDSA".
        warnings.simplefilter("ignore")
        return jws.serialize_compact(header, payload, key.key, registry=_registry([RS256, EDDSA]))


class JwtError(ValueError):
    """Not a well-formed compact JWS; the message says what is wrong."""


@dataclass(frozen=True)
class ParsedJwt:
    token: str
    header: dict[str, Any]
    claims: dict[str, Any]


def _strict_b64(segment: str, what: str) -> bytes:
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise JwtError(f"the JWT {what} is not base64url") from None
    # Several strings decode to the same bytes (unused trailing bits, stray characters): accept only the
    # canonical one, so that any change to the token's text is a change that verification notices.
    if _b64(data) != segment:
        raise JwtError(f"the JWT {what} is not canonical base64url (the token was altered)")
    return data


def parse(token: str) -> ParsedJwt:
    """Split and decode a compact JWS without checking its signature."""
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError(f"a compact JWS has 3 parts separated by dots; this has {len(parts)}")
    header_bytes = _strict_b64(parts[0], "header")
    claims_bytes = _strict_b64(parts[1], "payload")
    _strict_b64(parts[2], "signature")
    try:
        header, claims = json.loads(header_bytes), json.loads(claims_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JwtError("the JWT header or payload is not JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtError("the JWT header and payload must be JSON objects")
    return ParsedJwt(token, header, claims)


def check_signature(parsed: ParsedJwt, public_jwk: dict[str, Any]) -> str | None:
    """None when the signature is good for `public_jwk`; otherwise why not."""
    alg = parsed.header.get("alg")
    if alg not in VERIFY_ALGORITHMS:
        return f"the JWT algorithm {alg!r} is not accepted (use one of {', '.join(VERIFY_ALGORITHMS)})"
    if any(k in public_jwk for k in ("d", "p", "q")):
        return "the JWT names a private key; an issuer must never publish one"
    try:
        key = import_key({k: v for k, v in public_jwk.items() if k not in ("kid", "use", "alg", "key_ops")})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        return f"the public key is not a usable JWK ({exc})"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(parsed.token, key, registry=_registry([alg]))
    except JoseError as exc:
        error = getattr(exc, "error", "") or exc.__class__.__name__
        return f"the signature does not match the issuer's key ({error})"
    except (ValueError, TypeError) as exc:
        return f"the signature could not be checked ({exc})"
    return None
