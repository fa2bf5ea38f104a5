"""Our own model of the Open Badges 3.0 credential rules that verification checks at run time.

It follows the 1EdTech JSON Schema for AchievementCredential (ob_v3p0_achievementcredential_schema.json)
and the VC 2.0 data model, reduced to what decides whether a credential is an Open Badge: the tests
check our credentials against the official schema itself; verification of credentials from anywhere
uses these rules, so the running bot never reads the standards folder.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXT_PATTERN = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
CREDENTIAL_TYPES = {"AchievementCredential", "OpenBadgeCredential"}
ACHIEVEMENT_TYPES = {
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award", "Badge",
    "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService",
    "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
    "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License", "Membership",
    "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential",
    "ResearchDoctorate", "SecondarySchoolDiploma",
}
EXTENSION = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")
# DateTimeZ: an RFC 3339 date-time with its zone ("Z" or an offset).
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_date_time(value: Any) -> dt.datetime | None:
    """An aware datetime from a DateTimeZ string, or None if it is not one."""
    if not isinstance(value, str) or not DATE_TIME.match(value):
        return None
    try:
        return dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None


def format_date_time(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _types(value: Any) -> set[str] | None:
    """An OB 3.0 `type`: an array of strings (a lone string is accepted where VC 2.0 allows it)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return set(value)
    return None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def typed(self, obj: Any, where: str, required_type: str, *, array: bool = True) -> bool:
        if not isinstance(obj, dict):
            self.fail(where, "must be an object")
            return False
        types = _types(obj.get("type"))
        if types is None or required_type not in types:
            self.fail(f"{where}.type", f"must include {required_type!r}")
        elif array and not isinstance(obj.get("type"), list):
            self.fail(f"{where}.type", "must be an array")
        return True

    def string(self, obj: dict[str, Any], key: str, where: str, *, required: bool = False) -> None:
        if key not in obj:
            if required:
                self.fail(f"{where}.{key}", "is required")
        elif not isinstance(obj[key], str):
            self.fail(f"{where}.{key}", "must be a string")

    def image(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            self.fail(where, "must be an Image object with id and type")
            return
        if value.get("type") != "Image" or not isinstance(value.get("id"), str):
            self.fail(where, "must be {id, type: 'Image'}")
        extra = set(value) - {"id", "type", "caption"}
        if extra:
            self.fail(where, f"has properties an Image may not have: {', '.join(sorted(extra))}")

    def date(self, obj: dict[str, Any], key: str, where: str, *, required: bool = False) -> None:
        if key not in obj:
            if required:
                self.fail(f"{where}.{key}", "is required")
        elif parse_date_time(obj[key]) is None:
            self.fail(f"{where}.{key}", "must be a date-time with a time zone, e.g. 2026-03-02T09:00:00Z")


def check_credential(doc: Any) -> list[str]:
    """Every way `doc` breaks the OB 3.0 AchievementCredential rules; empty when it conforms."""
    c = _Checker()
    if not isinstance(doc, dict):
        return ["credential: must be a JSON object"]
    context = doc.get("@context")
    if not isinstance(context, list) or len(context) < 2:
        c.fail("@context", f"must be an array starting with {VC_CONTEXT} and an Open Badges 3.0 context")
    else:
        if context[0] != VC_CONTEXT:
            c.fail("@context[0]", f"must be {VC_CONTEXT} (this looks like an older draft)")
        if not isinstance(context[1], str) or not OB_CONTEXT_PATTERN.match(context[1]):
            c.fail("@context[1]", f"must be the Open Badges 3.0 context, e.g. {OB_CONTEXT}")
    c.string(doc, "id", "credential", required=True)
    types = _types(doc.get("type"))
    if types is None or not isinstance(doc.get("type"), list):
        c.fail("type", "must be an array of types")
    else:
        if "VerifiableCredential" not in types:
            c.fail("type", "must include 'VerifiableCredential'")
        if not types & CREDENTIAL_TYPES:
            c.fail("type", "must include 'OpenBadgeCredential' or 'AchievementCredential'")
    for key in ("name", "description"):
        c.string(doc, key, "credential")
    c.date(doc, "validFrom", "credential", required=True)
    c.date(doc, "validUntil", "credential")
    c.date(doc, "awardedDate", "credential")
    if "image" in doc:
        c.image(doc["image"], "image")

    issuer = doc.get("issuer")
    if issuer is None:
        c.fail("issuer", "is required")
    elif isinstance(issuer, str):
        pass  # a URI naming the issuer is allowed
    elif c.typed(issuer, "issuer", "Profile"):
        c.string(issuer, "id", "issuer", required=True)
        for key in ("name", "url", "email"):
            c.string(issuer, key, "issuer")
        if "image" in issuer:
            c.image(issuer["image"], "issuer.image")

    subject = doc.get("credentialSubject")
    if subject is None:
        c.fail("credentialSubject", "is required")
    elif c.typed(subject, "credentialSubject", "AchievementSubject"):
        c.string(subject, "id", "credentialSubject")
        achievement = subject.get("achievement")
        if achievement is None:
            c.fail("credentialSubject.achievement", "is required")
        else:
            _achievement(c, achievement, "credentialSubject.achievement")
        for i, result in enumerate(subject.get("result", []) if isinstance(subject.get("result", []), list) else [None]):
            c.typed(result, f"credentialSubject.result[{i}]", "Result")
        for i, identity in enumerate(subject.get("identifier", []) if isinstance(subject.get("identifier", []), list) else [None]):
            if not isinstance(identity, dict) or identity.get("type") != "IdentityObject" \
                    or not isinstance(identity.get("hashed"), bool) or not isinstance(identity.get("identityHash"), str):
                c.fail(f"credentialSubject.identifier[{i}]", "must be an IdentityObject with hashed and identityHash")

    evidence = doc.get("evidence", [])
    if not isinstance(evidence, list):
        c.fail("evidence", "must be an array")
    else:
        for i, item in enumerate(evidence):
            if c.typed(item, f"evidence[{i}]", "Evidence"):
                c.string(item, "id", f"evidence[{i}]")
    status = doc.get("credentialStatus")
    if status is not None:
        if not isinstance(status, dict) or not isinstance(status.get("id"), str) or not isinstance(status.get("type"), str):
            c.fail("credentialStatus", "must have an id and a type")
    return c.problems


def _achievement(c: _Checker, achievement: Any, where: str) -> None:
    if not c.typed(achievement, where, "Achievement"):
        return
    for key in ("id", "name", "description"):
        c.string(achievement, key, where, required=True)
    if "criteria" not in achievement:
        c.fail(f"{where}.criteria", "is required")
    elif not isinstance(achievement["criteria"], dict):
        c.fail(f"{where}.criteria", "must be an object with a narrative or an id")
    kind = achievement.get("achievementType")
    if kind is not None and not (isinstance(kind, str) and (kind in ACHIEVEMENT_TYPES or EXTENSION.match(kind))):
        c.fail(f"{where}.achievementType", "must be an Open Badges achievement type or ext:Name")
    if "image" in achievement:
        c.image(achievement["image"], f"{where}.image")
