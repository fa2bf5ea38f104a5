"""Embedded proofs (W3C Data Integrity) on JSON credentials.

Open Badges 3.0 conformance uses DataIntegrityProof with the `eddsa-rdfc-2022` cryptosuite, which
needs RDF Dataset Canonicalization (RDFC-1.0) of the JSON-LD document. Badgebot signs its own
credentials as VC-JWTs; checking embedded proofs is not implemented yet, so such a credential is
reported as unverifiable rather than valid.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def verify_proofs(doc: dict[str, Any], fetch: Callable[..., Any]) -> list[tuple[str | None, str | None]]:
    """(problem, check) for each proof on `doc`; a problem makes the credential not valid."""
    proofs = doc.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    results: list[tuple[str | None, str | None]] = []
    for proof in proofs:
        kind = proof.get("type") if isinstance(proof, dict) else None
        suite = proof.get("cryptosuite") if isinstance(proof, dict) else None
        results.append((f"the embedded proof ({kind}{' ' + suite if suite else ''}) cannot be checked by this "
                        "verifier yet; verify the credential's VC-JWT or its JWT-baked image instead", None))
    return results
