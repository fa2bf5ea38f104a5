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


REQUIRED_CLAIMS = ("iss", "sub", "jti", "nbf")


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_id(credential: dict[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


def claims_for(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT claims set: the credential, with iss, sub, jti, nbf (and exp when it expires) from it."""
    claims = {k: v for k, v in credential.items() if k not in ("iss", "sub", "jti", "nbf", "exp", "proof")}
    claims["iss"] = _issuer_id(credential)
    claims["jti"] = credential.get("id")
    subject = _subject_id(credential)
    if isinstance(subject, str) and subject:
        claims["sub"] = subject
    valid_from = parse_date_time(credential.get("validFrom"))
    if valid_from is not None:
        claims["nbf"] = int(valid_from.timestamp())
    valid_until = parse_date_time(credential.get("validUntil"))
    if valid_until is not None:
        claims["exp"] = int(valid_until.timestamp())
    missing = [c for c in REQUIRED_CLAIMS if not isinstance(claims.get(c), (str, int)) or claims.get(c) == ""]
    if missing:
        sources = {"iss": "issuer.id", "sub": "credentialSubject.id", "jti": "id", "nbf": "validFrom"}
        raise ValueError("a VC-JWT needs " + ", ".join(f"{c} ({sources[c]})" for c in missing)
                         + ": the credential lacks it")
    return claims


def claim_problems(claims: dict[str, Any], credential: dict[str, Any]) -> list[str]:
    """Why the registered claims do not say what the credential says (OB 3.0 section 8.2); [] if they do."""
    problems = [f"the JWT has no '{c}' claim (Open Badges 3.0 requires iss, sub, jti and nbf)"
                for c in REQUIRED_CLAIMS if c not in claims]
    issuer_id = _issuer_id(credential)
    if "iss" in claims and claims["iss"] != issuer_id:
        problems.append(f"the JWT 'iss' ({claims['iss']}) is not the credential's issuer ({issuer_id})")
    if "jti" in claims and claims["jti"] != credential.get("id"):
        problems.append("the JWT 'jti' is not the credential's id")
    if "sub" in claims:
        subject_id = _subject_id(credential)
        if subject_id is None:
            problems.append("the JWT has a 'sub' but the credential subject has no id")
        elif claims["sub"] != subject_id:
            problems.append("the JWT 'sub' is not the credential subject's id")
    for claim, prop in (("nbf", "validFrom"), ("exp", "validUntil")):
        when = parse_date_time(credential.get(prop))
        if claim not in claims:
            if claim == "exp" and when is not None:
                problems.append("the JWT has no 'exp' claim, but the credential has a validUntil")
            continue
        value = claims[claim]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"the JWT '{claim}' is not a NumericDate")
        elif when is None:
            problems.append(f"the JWT has '{claim}' but the credential has no {prop}")
        elif int(value) != int(when.timestamp()):
            problems.append(f"the JWT '{claim}' does not match the credential's {prop}")
    return problems


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
        return f"the signature does not match the key ({error})"
    except (ValueError, TypeError) as exc:
        return f"the signature could not be checked ({exc})"
    return None
