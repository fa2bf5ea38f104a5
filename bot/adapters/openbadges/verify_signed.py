"""The two ways an Open Badges 3.0 credential is signed, checked: a VC-JWT (compact JWS, section 8.2) and an
embedded eddsa-rdfc-2022 DataIntegrityProof. Each finds the key the signature names, checks the signature
with it, then asks the keyring whether the issuer publishes that key (verify_keys.py).
"""
from __future__ import annotations

from typing import Any

from bot.adapters.openbadges import dataintegrity, vcjwt
from bot.adapters.openbadges.verify_keys import (
    PRIVATE_MEMBERS,
    Keyring,
    SigningKeyFound,
    issuer_id_of,
)
from bot.adapters.openbadges.verify_result import Run


def check_jwt(token: str, run: Run, keys: Keyring) -> dict[str, Any] | None:
    """The credential a VC-JWT carries (also set on `run`), its signature, key and claims checked."""
    try:
        parsed = vcjwt.parse(token)
    except vcjwt.JwtError as exc:
        run.reasons.append(str(exc))
        return None
    claims = parsed.claims
    credential = claims if "@context" in claims or "vc" not in claims else claims["vc"]
    if credential is not claims:
        run.reasons.append("the JWT wraps the credential in a 'vc' claim: an older draft, not Open Badges 3.0")
    run.credential = credential if isinstance(credential, dict) else None

    key = _jwt_key(parsed, run, keys)
    if key is not None:
        problem = vcjwt.check_signature(parsed, key.jwk)
        if problem:
            run.reasons.append(problem)
        else:
            issuer = issuer_id_of(credential) if isinstance(credential, dict) else claims.get("iss")
            keys.bind(run, key, issuer, f"{parsed.header.get('alg')} signature")
    if run.credential is None:
        run.reasons.append("the JWT carries no credential")
        return None
    if credential is claims:
        run.reasons.extend(vcjwt.claim_problems(claims, credential))
    return run.credential


def _jwt_key(parsed: vcjwt.ParsedJwt, run: Run, keys: Keyring) -> SigningKeyFound | None:
    header = parsed.header
    if isinstance(header.get("jwk"), dict):
        jwk = header["jwk"]
        if any(k in jwk for k in PRIVATE_MEMBERS):
            run.reasons.append("the JWT header carries a private key; it must carry only the public key")
            return None
        return SigningKeyFound(jwk, "the public key in the JWT header", carried=True)
    kid = header.get("kid")
    if isinstance(kid, str) and kid and ":" not in kid:
        # A bare name: a key in the issuer's own published keys.
        issuer = keys.issuer_keys(issuer_id_of(parsed.claims) or parsed.claims.get("iss"))
        if issuer is None:
            run.reasons.append(f"the signing key {kid!r} is named within the issuer's keys, which could not "
                               "be fetched")
            return None
        found = next((jwk for jwk in issuer.jwks if jwk.get("kid") == kid), None)
        if found is None:
            run.reasons.append(f"the issuer publishes no key {kid!r}")
            return None
        return SigningKeyFound(found, f"the issuer's key {kid!r}", carried=False)
    if isinstance(kid, str) and kid:
        key, problem = keys.resolve(kid, fragment_multikey=False)
        if problem:
            run.reasons.append(problem)
        return key
    run.reasons.append("the JWT names no key to check its signature with (no 'jwk', and no 'kid' URL)")
    return None


def check_proof(doc: dict[str, Any], proof: Any, run: Run, keys: Keyring) -> None:
    """One embedded proof: well-formed, made by the key its verification method names, the issuer's."""
    problem = dataintegrity.proof_problem(doc, proof)
    if problem:
        run.reasons.append(problem)
        return
    key, problem = keys.resolve(proof["verificationMethod"], fragment_multikey=True)
    if key is None:
        run.reasons.append(problem or f"the verification method {proof['verificationMethod']} names no key")
        return
    public = key.ed25519()
    if public is None:
        run.reasons.append(f"{key.where} is not a usable Ed25519 key, which eddsa-rdfc-2022 needs")
        return
    problem = dataintegrity.check_proof(doc, proof, public)
    if problem:
        run.reasons.append(problem)
        return
    keys.bind(run, key, issuer_id_of(doc), f"{dataintegrity.CRYPTOSUITE} proof: signature")
