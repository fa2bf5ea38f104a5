"""Open Badges 2.0 hosted verification, for the many tools that still read 2.0: Issuer, BadgeClass and
Assertion as JSON-LD at stable URLs, and a 2.0 baked PNG (iTXt `openbadges` holding the assertion JSON).
"""
from __future__ import annotations

from typing import Any

from bot.domain.vocabulary import CredentialType
from bot.adapters.openbadges.spec import format_date_time
from bot.urls import PublicUrls
from bot.usecases.credentials import AwardRecord, CredentialRecord
from config.catalog import Issuer

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def issuer(issuer: Issuer, urls: PublicUrls) -> dict[str, Any]:
    doc: dict[str, Any] = {"@context": OB2_CONTEXT, "type": "Issuer", "id": urls.ob2_issuer, "name": issuer.name,
                           "url": issuer.url or urls.base}
    if issuer.email:
        doc["email"] = issuer.email
    if issuer.image and issuer.image.startswith(("https://", "http://")):
        doc["image"] = issuer.image
    return doc


def badge_class(credential: CredentialRecord, urls: PublicUrls) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": urls.ob2_badge(credential.slug),
        "name": credential.name,
        "description": credential.description or credential.name,
        "image": urls.achievement_image(credential.slug),
        "criteria": {"id": urls.achievement(credential.slug),
                     "narrative": credential.criteria or credential.description or credential.name},
        "issuer": urls.ob2_issuer,
    }
    if credential.skills:
        doc["tags"] = list(credential.skills)
    return doc


def assertion(record: AwardRecord, urls: PublicUrls) -> dict[str, Any]:
    """The hosted Assertion. The recipient is the award's public page, so no learner's email is exposed."""
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": urls.ob2_assertion(record.public_id),
        "recipient": {"type": "url", "hashed": False, "identity": urls.award_page(record.public_id)},
        "badge": urls.ob2_badge(record.credential.slug),
        "issuedOn": format_date_time(record.issued_at),
        "image": urls.ob2_png(record.public_id),
        "verification": {"type": "hosted"},
    }
    if record.expires_at is not None:
        doc["expires"] = format_date_time(record.expires_at)
    if record.credential.type is CredentialType.BADGE_LEVEL_2 and record.evidence:
        doc["evidence"] = [{"id": urls.evidence(record.public_id, f.id), "name": f.filename} for f in record.evidence]
    if record.distinction:
        doc["narrative"] = "Awarded with distinction."
    if record.revoked_at is not None:
        doc["revoked"] = True
    return doc
