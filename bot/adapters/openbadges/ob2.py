"""Open Badges 2.0 hosted verification, for the many tools that still read 2.0: Issuer, BadgeClass and
Assertion as JSON-LD at stable URLs, and a 2.0 baked PNG (iTXt `openbadges` holding the assertion JSON).

What backpacks need to accept an assertion: a recipient they can match to their user, i.e. the
learner's email, hashed with a salt (`sha256$` + hex SHA-256 of email + salt; the email never appears);
an issuer with an email; a criteria page people can read; and a revoked assertion that says so (410).
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

from bot.adapters.openbadges.spec import format_date_time
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from bot.usecases.credentials import AwardRecord, CredentialRecord
from config.catalog import Issuer

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def issuer(issuer: Issuer, urls: PublicUrls, issuer_id: str | None = None) -> dict[str, Any]:
    """The hosted Issuer at `issuer_id` (the university's, `urls.ob2_issuer`, without one)."""
    doc: dict[str, Any] = {"@context": OB2_CONTEXT, "type": "Issuer", "id": issuer_id or urls.ob2_issuer,
                           "name": issuer.name,
                           "url": issuer.url or urls.base}
    if issuer.email:
        doc["email"] = issuer.email
    if issuer.image and issuer.image.startswith(("https://", "http://")):
        doc["image"] = issuer.image
    return doc


def badge_class(credential: CredentialRecord, urls: PublicUrls, issuer_id: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": urls.ob2_badge(credential.slug),
        "name": credential.name,
        "description": credential.description or credential.name,
        "image": urls.achievement_image(credential.slug),
        "criteria": {"id": urls.achievement_criteria(credential.slug),
                     "narrative": credential.criteria or credential.description or credential.name},
        "issuer": issuer_id or urls.ob2_issuer,
    }
    if credential.skills:
        doc["tags"] = list(credential.skills)
    return doc


def salt_for(secret: bytes, public_id: str) -> str:
    """The assertion's own salt: random-looking, different for every assertion, and the same on every
    fetch (the baked copy and the hosted one must name the same recipient)."""
    if not secret:
        raise ValueError("an assertion's salt needs the server's secret")
    return hmac.new(secret, b"badgebot ob2 salt\x00" + public_id.encode(), hashlib.sha256).hexdigest()[:32]


def hashed_email(email: str, salt: str) -> str:
    """OB 2.0's hashed identity: `sha256$` + hex SHA-256 of the email and the salt.

    The email is lowercased first, as backpacks do with the addresses of their users: Slack keeps the
    case someone typed, and a backpack would otherwise fail to match "Zoe@Example.edu".
    """
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def recipient(record: AwardRecord, urls: PublicUrls, email: str | None, salt: str) -> dict[str, Any]:
    """The learner by hashed email; without a known email, the award's own page (verifiable, but no
    backpack can match it to a person)."""
    if email and "@" in email:
        return {"type": "email", "hashed": True, "salt": salt, "identity": hashed_email(email, salt)}
    return {"type": "url", "hashed": False, "identity": urls.award_page(record.public_id)}


def assertion(record: AwardRecord, urls: PublicUrls, *, email: str | None = None, salt: str = "") -> dict[str, Any]:
    """The hosted Assertion, its recipient the learner's `email` hashed with `salt` (see `recipient`)."""
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": urls.ob2_assertion(record.public_id),
        "recipient": recipient(record, urls, email, salt),
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


# Why a hosted assertion is gone. The administrator's own words stay between the learner and the
# program (student records): the world learns only that the issuer withdrew it.
REVOCATION_REASON = "Revoked by the issuer."


def revoked_assertion(record: AwardRecord, urls: PublicUrls) -> dict[str, Any]:
    """The body of a revoked hosted assertion's 410 Gone: what the 2.0 verification reads."""
    return {"@context": OB2_CONTEXT, "type": "Assertion", "id": urls.ob2_assertion(record.public_id),
            "revoked": True, "revocationReason": REVOCATION_REASON}
