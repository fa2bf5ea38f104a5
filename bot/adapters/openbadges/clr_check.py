"""The verifier's half of CLR 2.0: is a ClrCredential well formed, and does every credential it holds verify?

Kept apart from clr.py (which builds and signs transcripts with the issuer's keys) so that verifying
needs nothing of the issuing side. The outer proof or VC-JWT is checked by the verifier like any other;
this checks what CLR 2.0 adds: the ClrSubject, its embedded credentials (each verified on its own, by
the verifier's `verify_embedded`), and its associations.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.adapters.openbadges.spec import VC_CONTEXT
from bot.adapters.openbadges.verify_result import Run, Verification

CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/"
ASSOCIATION_TYPES = {"exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf", "isRelatedTo", "precedes",
                     "replacedBy"}


def is_clr(doc: Any) -> bool:
    types = doc.get("type") if isinstance(doc, dict) else None
    return isinstance(types, list) and "ClrCredential" in types


def structure_problems(doc: dict[str, Any]) -> list[str]:
    """What makes `doc` not a CLR 2.0 ClrCredential ([] when nothing does)."""
    problems = []
    context = doc.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_CONTEXT:
        problems.append(f"@context must be an array starting with {VC_CONTEXT}")
    elif not any(isinstance(c, str) and c.startswith(CLR_CONTEXT_PREFIX) for c in context):
        problems.append("@context must include the CLR 2.0 context")
    if "VerifiableCredential" not in doc.get("type", []):
        problems.append("type must include 'VerifiableCredential'")
    for prop in ("id", "name", "validFrom"):
        if not isinstance(doc.get(prop), str) or not doc.get(prop):
            problems.append(f"{prop} is required")
    issuer = doc.get("issuer")
    if not isinstance(issuer if isinstance(issuer, str) else (issuer or {}).get("id"), str):
        problems.append("issuer (with an id) is required")
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) or "ClrSubject" not in (subject.get("type") or []):
        return [*problems, "credentialSubject must be a ClrSubject"]
    embedded = subject.get("verifiableCredential")
    if not isinstance(embedded, list) or not embedded:
        problems.append("credentialSubject.verifiableCredential must hold at least one credential")
    for i, link in enumerate(subject.get("association") or []):
        if not isinstance(link, dict) or link.get("type") != "Association":
            problems.append(f"association[{i}] is not an Association")
        elif link.get("associationType") not in ASSOCIATION_TYPES:
            problems.append(f"association[{i}].associationType {link.get('associationType')!r} is not a CLR 2.0 "
                            "association type")
        elif not all(isinstance(link.get(p), str) and link.get(p) for p in ("sourceId", "targetId")):
            problems.append(f"association[{i}] needs a sourceId and a targetId")
    return problems


def check_into(doc: dict[str, Any], run: Run, verify_embedded: Callable[[dict[str, Any]], Verification]) -> None:
    """The structure check of a ClrCredential, then each embedded credential's own verdict, into `run`."""
    problems = structure_problems(doc)
    if problems:
        run.reasons.append("not a CLR 2.0 credential: " + "; ".join(problems))
        return
    embedded = doc["credentialSubject"]["verifiableCredential"]
    failed = []
    for inner in embedded:
        verdict = verify_embedded(inner) if isinstance(inner, dict) else None
        if verdict is None or not verdict.valid:
            name = inner.get("id") if isinstance(inner, dict) else None
            why = "; ".join(verdict.reasons) if verdict is not None else "not a JSON object"
            failed.append(f"{name or 'a credential'} is {verdict.status if verdict else 'invalid'} ({why})")
    if failed:
        run.reasons.append("the transcript holds credentials that do not verify: " + " | ".join(failed))
    else:
        run.checks.append(f"CLR 2.0 structure; its {len(embedded)} credential(s) each verify")
