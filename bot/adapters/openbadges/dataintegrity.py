"""Embedded proofs (W3C Data Integrity, cryptosuite `eddsa-rdfc-2022`) on JSON credentials, both ways.

Signing (`add_proof`) and verifying (`check_proof`) follow the cryptosuite's algorithms:

1. the unsecured document (the credential without `proof`) is canonicalized with RDFC-1.0;
2. the proof configuration (the proof without `proofValue`, with the document's `@context`) likewise;
3. hashData = SHA-256(canonical proof configuration) + SHA-256(canonical document);
4. proofValue = "z" + base58btc(Ed25519 signature of hashData).

Canonicalization uses only the JSON-LD contexts shipped in `contexts/` (never the network). Which key may
sign for which issuer is decided by the verifier (`verify.py`), which resolves the verification method.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from bot.adapters.openbadges import jsonld
from bot.adapters.openbadges.multikey import ed25519_multikey, multibase_decode, multibase_encode
from bot.adapters.openbadges.spec import format_date_time, parse_date_time

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"


class ProofError(ValueError):
    """The proof cannot be made or is malformed; the message says why."""


def _raw_private(key: Any) -> Ed25519PrivateKey:
    """An Ed25519 private key from a cryptography key, a keys.SigningKey (EdDSA), or a joserfc OKPKey."""
    for candidate in (key, getattr(key, "key", None)):
        if isinstance(candidate, Ed25519PrivateKey):
            return candidate
        private = getattr(candidate, "private_key", None)
        if isinstance(private, Ed25519PrivateKey):
            return private
    raise ProofError("eddsa-rdfc-2022 signs with an Ed25519 private key (use the EdDSA key)")


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def multikey_of(key: Any) -> str:
    """The public Multikey (z6Mk...) of an Ed25519 signing key."""
    return ed25519_multikey(public_bytes(_raw_private(key)))


def _unsecured(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in doc.items() if k != "proof"}


def proof_configuration(proof: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """The proof without its value, in the document's @context: what the proof hash is computed over."""
    config = {k: copy.deepcopy(v) for k, v in proof.items() if k != "proofValue"}
    config["@context"] = copy.deepcopy(document.get("@context"))
    return config


def hash_data(document: Mapping[str, Any], config: Mapping[str, Any],
              loader: jsonld.Loader | None = None) -> bytes:
    """SHA-256 of the canonical proof configuration, then SHA-256 of the canonical unsecured document."""
    canonical_doc = jsonld.canonicalize(_unsecured(document), loader)
    canonical_config = jsonld.canonicalize(dict(config), loader)
    return hashlib.sha256(canonical_config.encode()).digest() + hashlib.sha256(canonical_doc.encode()).digest()


def add_proof(doc: Mapping[str, Any], key: Any, verification_method: str, *,
              created: dt.datetime | None = None, loader: jsonld.Loader | None = None,
              as_array: bool = True) -> dict[str, Any]:
    """A copy of `doc` with a DataIntegrityProof (eddsa-rdfc-2022, assertionMethod) by `key`.

    `key` is an Ed25519 private key (cryptography), or the key store's EdDSA `SigningKey`;
    `verification_method` is the URL (or DID URL) of its public Multikey. A proof already on `doc` is
    kept: the new one is added to the set. `proof` is an array, as the OB 3.0 schema requires
    (`as_array=False` gives a lone proof its own object, as the W3C examples have it).
    """
    private = _raw_private(key)
    if not isinstance(verification_method, str) or not verification_method:
        raise ProofError("the verification method must be the URL of the signing key")
    when = created or dt.datetime.now(dt.timezone.utc)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_date_time(when),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION_METHOD,
    }
    unsecured = _unsecured(doc)
    proof["proofValue"] = multibase_encode(private.sign(hash_data(unsecured, proof_configuration(proof, unsecured),
                                                                  loader)))
    signed = copy.deepcopy(dict(doc))
    existing = signed.get("proof")
    if existing is None:
        signed["proof"] = [proof] if as_array else proof
    else:
        signed["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return signed


def proofs_of(doc: Mapping[str, Any]) -> list[Any]:
    proofs = doc.get("proof")
    if proofs is None:
        return []
    return list(proofs) if isinstance(proofs, list) else [proofs]


def describe(proof: Any) -> str:
    if not isinstance(proof, dict):
        return "proof"
    suite = proof.get("cryptosuite")
    return f"{proof.get('type')}{' ' + str(suite) if suite else ''}"


def proof_problem(doc: Mapping[str, Any], proof: Any) -> str | None:
    """What makes `proof` unusable before any key is looked at (None when it is well-formed)."""
    if not isinstance(proof, dict):
        return "the proof is not a JSON object"
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return (f"the embedded proof ({describe(proof)}) uses a cryptosuite this verifier does not check; "
                f"it checks {PROOF_TYPE} {CRYPTOSUITE}")
    if proof.get("proofPurpose") != ASSERTION_METHOD:
        return f"the proof's purpose is {proof.get('proofPurpose')!r}; a credential's proof must be {ASSERTION_METHOD}"
    if not isinstance(proof.get("verificationMethod"), str) or not proof["verificationMethod"]:
        return "the proof names no verification method (the key it was made with)"
    if "created" in proof and parse_date_time(proof["created"]) is None:
        return "the proof's 'created' is not a date and time"
    if "@context" in proof:
        # The proof's own context, if any, must be the start of the document's.
        ours, theirs = doc.get("@context"), proof["@context"]
        ours = ours if isinstance(ours, list) else [ours]
        theirs = theirs if isinstance(theirs, list) else [theirs]
        if ours[:len(theirs)] != theirs:
            return "the proof's @context does not match the credential's"
    try:
        value = multibase_decode(proof.get("proofValue"))
    except ValueError as exc:
        return f"the proofValue is not a base58btc multibase signature ({exc})"
    if len(value) != 64:
        return f"the proofValue is {len(value)} bytes; an Ed25519 signature is 64"
    return None


def check_proof(doc: Mapping[str, Any], proof: Mapping[str, Any], public_key: bytes,
                loader: jsonld.Loader | None = None) -> str | None:
    """None when `proof` on `doc` verifies with the raw Ed25519 `public_key`; otherwise why not."""
    problem = proof_problem(doc, proof)
    if problem:
        return problem
    try:
        data = hash_data(doc, proof_configuration(proof, doc), loader)
    except jsonld.ContextError as exc:
        return f"the credential cannot be canonicalized: {exc}"
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(multibase_decode(proof["proofValue"]), data)
    except (InvalidSignature, ValueError):
        return "the embedded proof's signature does not match the credential (it was altered, or signed by another key)"
    return None
