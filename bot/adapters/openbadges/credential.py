"""Open Badges 3.0: an award as an OpenBadgeCredential (W3C VC 2.0 data model), unsigned.

Pure functions of an `AwardRecord`, the catalog's issuer and the public URLs: no database, no clock.
What a credential says about evidence follows the program's privacy rule: a Level II award links its
assessed artifacts (they are public evidence); a Level I award only says that an artifact was assessed.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from bot.adapters.openbadges import status_list
from bot.adapters.openbadges.spec import OB_CONTEXT, VC_CONTEXT, format_date_time
from bot.domain.alignment import Framework
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from bot.usecases.credentials import AwardRecord, CredentialRecord
from config.catalog import Alignment, Issuer

# The per-award revocation document of OB 3.0's first credentials (since replaced by Bitstring lists).
STATUS_TYPE = "1EdTechRevocationList"
DISTINCTION = "With Distinction"

ACHIEVEMENT_TYPES = {
    # Participation in events and organizations is what Open Badges calls co-curricular.
    CredentialType.SOUVENIR: "CoCurricular",
    CredentialType.BADGE_LEVEL_1: "Badge",
    CredentialType.BADGE_LEVEL_2: "Badge",
    CredentialType.CERTIFICATE_PRACTICED: "Certificate",
    CredentialType.CERTIFICATE_EXPERT: "Certificate",
}


def _image(url: str, caption: str) -> dict[str, Any]:
    return {"id": url, "type": "Image", "caption": caption}


def profile_id(issuer: Issuer, urls: PublicUrls, parent: Issuer | None = None) -> str:
    """The issuer's id: the university's is `urls.issuer` (as it always was), each unit's its own."""
    return urls.issuer if parent is None else urls.issuer_of(issuer.id)


def issuer_profile(issuer: Issuer, urls: PublicUrls, parent: Issuer | None = None) -> dict[str, Any]:
    """The issuer's Profile, as embedded in credentials and served at its id; a college, office or
    department names the university as its `parentOrg`."""
    profile: dict[str, Any] = {"id": profile_id(issuer, urls, parent), "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        profile["url"] = issuer.url
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.image and issuer.image.startswith(("https://", "http://")):
        profile["image"] = _image(issuer.image, issuer.name)
    if parent is not None:
        profile["parentOrg"] = issuer_profile(parent, urls)
    return profile


def alignment(entry: Alignment) -> dict[str, Any]:
    """A skills-framework alignment as OB 3.0's Alignment."""
    aligned: dict[str, Any] = {"type": ["Alignment"], "targetName": entry.name, "targetUrl": entry.url,
                               "targetCode": entry.code}
    framework = Framework.parse(entry.framework)
    if framework is not Framework.OTHER:
        aligned["targetFramework"] = framework.title
    if framework.target_type:
        aligned["targetType"] = framework.target_type
    return aligned


def achievement(credential: CredentialRecord, issuer: Issuer, urls: PublicUrls,
                parent: Issuer | None = None) -> dict[str, Any]:
    """The catalog credential as an Achievement (the same for every learner who earns it); its
    `creator` is its issuer (`parent`: the university, when that issuer is one of its units)."""
    achieved: dict[str, Any] = {
        "id": urls.achievement(credential.slug),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[credential.type],
        "name": credential.name,
        "description": credential.description or credential.name,
        "criteria": {"narrative": credential.criteria or credential.description or credential.name},
        "image": _image(urls.achievement_image(credential.slug), credential.name),
        "creator": issuer_profile(issuer, urls, parent),
        "inLanguage": "en",
    }
    if credential.skills:
        achieved["tag"] = list(credential.skills)
    if credential.alignment:
        achieved["alignment"] = [alignment(a) for a in credential.alignment]
    achieved["fieldOfStudy"] = credential.type.label
    if credential.distinction_allowed:
        achieved["resultDescription"] = [{
            "id": f"{urls.achievement(credential.slug)}#distinction",
            "type": ["ResultDescription"],
            "name": "Distinction",
            "resultType": "Status",
            "allowedValue": [DISTINCTION],
        }]
    return achieved


def _evidence(record: AwardRecord, urls: PublicUrls) -> list[dict[str, Any]]:
    kind = record.credential.type
    when = f" on {record.assessed_at:%Y-%m-%d}" if record.assessed_at else ""
    grantors = f"{record.approvals} grantor{'s' if record.approvals != 1 else ''}" if record.approvals else "a grantor"
    if kind is CredentialType.BADGE_LEVEL_2:
        return [{
            "id": urls.evidence(record.public_id, f.id),
            "type": ["Evidence"],
            "name": f.filename,
            "genre": "Artifact",
            "narrative": f"Submitted artifact, assessed and approved by {grantors}{when}.",
        } for f in record.evidence]
    if kind is CredentialType.BADGE_LEVEL_1:
        # No link: Level I artifacts stay private to the learner and the grantors.
        return [{
            "type": ["Evidence"],
            "name": "Assessed artifact",
            "genre": "Artifact",
            "narrative": f"The learner submitted an artifact, assessed and approved by {grantors}{when}. "
                         "Level I artifacts are kept private.",
        }]
    if kind is CredentialType.SOUVENIR and record.event_name:
        date = f" on {record.event_date:%Y-%m-%d}" if record.event_date else ""
        return [{"type": ["Evidence"], "name": record.event_name, "genre": "Attendance",
                 "narrative": f"Took part in {record.event_name}{date}."}]
    if kind.is_certificate and record.credential.requires:
        names = ", ".join(name for _, name in record.credential.requires)
        return [{"type": ["Evidence"], "name": "Stacked badges", "genre": "Stack",
                 "narrative": f"Awarded on holding every badge in the stack: {names}."}]
    return []


def subject_id(secret: bytes, issuer_id: str, learner: str) -> str:
    """The learner's `credentialSubject.id` with this issuer: a URN that is stable and says nothing.

    `learner` is the learner's Slack user id. The URN is a version 8 (RFC 9562) UUID made of
    HMAC-SHA256(secret, issuer id, learner): the same learner gets the same id on every credential of
    this issuer, another issuer (or another secret) gives another id, and without the server's secret
    nobody can tell whose id it is, even knowing the Slack id.
    """
    if not secret:
        raise ValueError("a subject id needs the server's secret")
    digest = hmac.new(secret, b"badgebot credentialSubject.id\x00" + issuer_id.encode() + b"\x00"
                      + learner.encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:16], "big")
    value &= ~(0xF << 76)
    value |= 0x8 << 76  # version 8: custom
    value &= ~(0x3 << 62)
    value |= 0x2 << 62  # the RFC 9562 variant
    return uuid.UUID(int=value).urn


def learner_key(record: AwardRecord) -> str:
    """What identifies the learner to `subject_id`: the Slack id, or (a record without it) the award itself."""
    return record.learner_slack_id or f"award:{record.public_id}"


def open_badge_credential(record: AwardRecord, issuer: Issuer, urls: PublicUrls, *,
                          subject: str, parent: Issuer | None = None) -> dict[str, Any]:
    """The award as an OpenBadgeCredential, ready to be signed; `subject` is the `credentialSubject.id`;
    `issuer` is the credential's issuer, `parent` the university when that issuer is one of its units."""
    credential = record.credential
    name = credential.name + (f" ({DISTINCTION.lower()})" if record.distinction else "")
    subject_doc: dict[str, Any] = {
        "id": subject,
        "type": ["AchievementSubject"],
        "achievement": achievement(credential, issuer, urls, parent),
    }
    if record.learner_name:
        # The learner's name as the program knows it, in plain text (hashed: false): the learner holds
        # this credential and chooses whom to show it to.
        subject_doc["identifier"] = [{
            "type": "IdentityObject", "hashed": False, "identityHash": record.learner_name, "identityType": "name",
        }]
    if record.distinction:
        subject_doc["result"] = [{
            "type": ["Result"],
            "resultDescription": f"{urls.achievement(credential.slug)}#distinction",
            "value": DISTINCTION,
        }]
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": urls.award_page(record.public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "description": credential.description or credential.name,
        "image": _image(urls.achievement_image(credential.slug, record.distinction), name),
        "issuer": issuer_profile(issuer, urls, parent),
        "validFrom": format_date_time(record.issued_at),
        "awardedDate": format_date_time(record.issued_at),
        "credentialSubject": subject_doc,
        "credentialStatus": credential_status(record, urls, None if parent is None else issuer.id),
    }
    if record.expires_at is not None:
        doc["validUntil"] = format_date_time(record.expires_at)
    evidence = _evidence(record, urls)
    if evidence:
        doc["evidence"] = evidence
    return doc


def credential_status(record: AwardRecord, urls: PublicUrls, unit: str | None = None) -> dict[str, Any]:
    """The award's revocation bit in its issuer's W3C Bitstring status list (`unit`: the id of a
    college, office or department; None for the university's own lists).

    A record made outside the database (no award id, so no place in a list) keeps the per-award
    1EdTechRevocationList document, which still answers for credentials issued before the lists.
    """
    if record.award_id is None:
        return {"id": urls.status(record.public_id), "type": STATUS_TYPE}
    return status_list.entry(record.award_id, urls, unit)


def revocation_list(public_id: str, revoked: bool, urls: PublicUrls) -> dict[str, Any]:
    """The status document behind `credentialStatus.id` for one credential.

    It names no reason and no learner; an unknown id answers exactly like a valid credential.
    """
    return {
        "id": urls.status(public_id),
        "issuer": urls.issuer,
        "revokedCredentials": [{"id": urls.award_page(public_id), "revoked": True}] if revoked else [],
    }
