"""A learner's transcript as a CLR 2.0 `ClrCredential` (https://www.imsglobal.org/spec/clr/v2p0/).

One signed credential holding every valid award of the learner as an embedded OpenBadgeCredential (each
with its own eddsa-rdfc-2022 proof, so each verifies on its own), and `association`s from each
certificate to the badges it stacks (CLR's `isParentOf`: the certificate is the parent achievement).
The transcript itself is signed like every other credential: an embedded DataIntegrityProof, and as a
VC-JWT (section 8.2 claims, its `sub` the learner's credentialSubject.id).

Building is pure (`clr_credential`); `signed` and `jwt` sign with the issuer's keys through OpenBadges.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Any

from bot.adapters.openbadges import credential as ob3
from bot.adapters.openbadges import vcjwt
from bot.adapters.openbadges.keys import RS256
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.spec import OB_CONTEXT, VC_CONTEXT, format_date_time
from bot.usecases.credentials import Transcript

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# The certificate (source) is the parent of each badge it stacks (target): CLR 2.0 AssociationType.
PARENT_OF = "isParentOf"


def associations(transcript: Transcript, ob: OpenBadges) -> list[dict[str, Any]]:
    """Certificate -> badge, for each stacked badge that is on the transcript too."""
    held = {record.credential.slug for record in transcript.awards}
    found = []
    for record in transcript.awards:
        if not record.credential.type.is_certificate:
            continue
        for slug, _name in record.credential.requires:
            if slug in held:
                found.append({"type": "Association", "associationType": PARENT_OF,
                              "sourceId": ob.urls.achievement(record.credential.slug),
                              "targetId": ob.urls.achievement(slug)})
    return found


def transcript_id(secret: bytes, issuer_id: str, transcript: Transcript) -> str:
    """A URN naming this transcript: the learner's as of its date, telling nothing about who they are."""
    digest = hmac.new(secret, b"badgebot clr\x00" + issuer_id.encode() + b"\x00"
                      + transcript.learner_slack_id.encode() + b"\x00" + format_date_time(transcript.at).encode(),
                      hashlib.sha256).digest()
    value = int.from_bytes(digest[:16], "big")
    value = (value & ~(0xF << 76)) | (0x8 << 76)  # version 8 (RFC 9562): custom
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # the RFC 9562 variant
    return uuid.UUID(int=value).urn


def public_id(secret: bytes, learner_number: int) -> str:
    """The unguessable name of a learner's shared transcript and public page: their number and its MAC.

    Made, not stored: the page answers for as long as the learner shares it, and a guessed or altered
    name is refused without a database query.
    """
    mac = hmac.new(secret, b"badgebot transcript\x00" + str(learner_number).encode(), hashlib.sha256).digest()
    return f"{learner_number}-{base64.urlsafe_b64encode(mac[:15]).decode()}"


def learner_number(secret: bytes, name: str) -> int | None:
    """The learner a `public_id` names, or None when it is not one this server made."""
    number, _, _mac = name.partition("-")
    if not number.isdigit() or len(number) > 12:
        return None
    return int(number) if hmac.compare_digest(public_id(secret, int(number)), name) else None


def secret_of(ob: OpenBadges) -> bytes:
    """The server secret that subject ids, transcript ids and public names derive from."""
    return ob.subject_secret or ob.keys.secret()


def clr_credential(transcript: Transcript, ob: OpenBadges) -> dict[str, Any]:
    """The unsigned ClrCredential: each award embedded as its own signed OpenBadgeCredential."""
    if not transcript.awards:
        raise ValueError("a CLR holds at least one credential")
    subject = ob.subject_id(transcript.awards[0])
    embedded = [ob.credential(record, proof=True) for record in transcript.awards]
    name = f"Transcript of {transcript.learner_name}" if transcript.learner_name else "Transcript"
    subject_doc: dict[str, Any] = {"id": subject, "type": ["ClrSubject"], "verifiableCredential": embedded}
    links = associations(transcript, ob)
    if links:
        subject_doc["association"] = links
    count = len(embedded)
    return {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": transcript_id(secret_of(ob), ob.urls.issuer, transcript),
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "description": f"{count} credential{'s' if count != 1 else ''} from {ob.catalog.issuer.name}, "
                       f"valid on {transcript.at:%Y-%m-%d}.",
        "issuer": ob3.issuer_profile(ob.catalog.issuer, ob.urls),
        "validFrom": format_date_time(transcript.at),
        "awardedDate": format_date_time(transcript.at),
        "credentialSubject": subject_doc,
    }


def signed(transcript: Transcript, ob: OpenBadges) -> dict[str, Any]:
    """The ClrCredential with the issuer's eddsa-rdfc-2022 proof (made at the transcript's time)."""
    return ob.add_proof(clr_credential(transcript, ob), created=transcript.at)


def jwt(transcript: Transcript, ob: OpenBadges, alg: str = RS256) -> str:
    """The ClrCredential as a VC-JWT (its embedded credentials keep their own proofs)."""
    key = ob.keys.get(alg)
    return vcjwt.sign(clr_credential(transcript, ob), key, ob.kid(key))
