"""Open Badges 3.0 credentials, VC-JWT signing, baking and LinkedIn links, as pure functions (no database).

Every award type's credential is checked against the official 1EdTech JSON Schema, resolved from
../shared/standards only (never the network).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import stat
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from bot.adapters.images import BadgeRenderer
from bot.adapters.openbadges import baking, vcjwt
from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore
from bot.adapters.openbadges.linkedin import add_to_profile_url
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.spec import check_credential
from bot.adapters.openbadges.verify import Fetched, Verifier
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from bot.usecases.credentials import AwardRecord, CredentialRecord, EvidenceFile
from config.catalog import Catalog, Issuer, Roles
from tests.conftest import T0, standards

BASE = "https://badges.test.example.edu"


# ------------------------------------------------------------------------------------ the official schema

def official_validator():  # type: ignore[no-untyped-def]
    """The 1EdTech AchievementCredential schema, with any $ref resolved from the standards folder only."""
    folder = standards("openbadges")
    schema = json.loads((folder / "ob_v3p0_achievementcredential_schema.json").read_text())
    local: dict[str, Resource] = {}
    for path in folder.glob("*.json"):
        try:
            doc = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("$id"), str):
            local[doc["$id"]] = Resource.from_contents(doc)

    def retrieve(uri: str) -> Resource:
        if uri in local:
            return local[uri]
        raise NoSuchResource(ref=uri)  # never the network

    registry = Registry(retrieve=retrieve).with_resources(local.items())
    cls = validator_for(schema)
    return cls(schema, registry=registry, format_checker=FormatChecker())


def schema_errors(doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in official_validator().iter_errors(doc)]


# ------------------------------------------------------------------------------------ records of each type

ISSUER = Issuer(name="Lakeside University Micro-credentials", url="https://lakeside.example.edu",
                email="microcredentials@lakeside.example.edu")


def credential(kind: CredentialType, *, distinction: bool = False, expires: str | None = None,
               slug: str | None = None) -> CredentialRecord:
    return CredentialRecord(
        slug=slug or kind.value.replace("_", "-"), type=kind, name=f"Ünïcode Ελληνικά Кириллица {kind.label}",
        description="Does the thing well.", criteria="Submit the thing.\nWith a reflection.",
        skills=("SQL", "analytics") if kind.is_badge else (), image=None, distinction_allowed=distinction,
        expires_after=expires,
        requires=(("a", "Badge A"), ("b", "Badge B")) if kind.is_certificate else (),
    )


def record(kind: CredentialType, *, distinction: bool = False, expires_at: dt.datetime | None = None,
           revoked: bool = False) -> AwardRecord:
    files = (EvidenceFile(7, "brief.pdf", "application/pdf", 10, "ab" * 32, "artifacts/ab/abab"),
             EvidenceFile(8, "queries.sql", "text/plain", 10, "cd" * 32, "artifacts/cd/cdcd"))
    return AwardRecord(
        public_id="Pub1icId_0123456", credential=credential(kind, distinction=distinction),
        learner_name="Zoë Ξανθή", distinction=distinction, issued_at=T0, expires_at=expires_at,
        revoked_at=T0 if revoked else None, shared=True,
        assessed_at=T0 if kind.is_badge else None, approvals=2 if kind.is_badge else 0,
        # The use case gives Level II its files and Level I none; the builder must not rely on it alone.
        evidence=files if kind is CredentialType.BADGE_LEVEL_2 else (),
        event_name="Welcome Week" if kind is CredentialType.SOUVENIR else None,
        event_date=T0 if kind is CredentialType.SOUVENIR else None,
        learner_slack_id="U0LEARNER1",
    )


EVERY_AWARD = [
    pytest.param(CredentialType.SOUVENIR, False, None, id="souvenir"),
    pytest.param(CredentialType.BADGE_LEVEL_1, False, None, id="level-1"),
    pytest.param(CredentialType.BADGE_LEVEL_1, True, None, id="level-1-distinction"),
    pytest.param(CredentialType.BADGE_LEVEL_2, False, T0 + dt.timedelta(days=3 * 365), id="level-2-expiring"),
    pytest.param(CredentialType.BADGE_LEVEL_2, True, None, id="level-2-distinction"),
    pytest.param(CredentialType.CERTIFICATE_PRACTICED, False, None, id="certificate-practiced"),
    pytest.param(CredentialType.CERTIFICATE_EXPERT, False, None, id="certificate-expert"),
]


@pytest.fixture
def service(tmp_path: Path) -> OpenBadges:
    catalog = Catalog(issuer=ISSUER, roles=Roles(), credentials=())
    return OpenBadges(catalog, PublicUrls.of(BASE), KeyStore(tmp_path / "keys"), BadgeRenderer(tmp_path / "images"))


def published(service: OpenBadges):  # type: ignore[no-untyped-def]
    """A fetch that answers with what the public pages publish: the profile, the DID document, the keys,
    and a status list."""
    revoked: set[str] = set()

    def fetch(url: str, accept: str) -> Fetched:
        if url == f"{BASE}/.well-known/jwks.json":
            return Fetched(200, "application/json", json.dumps(service.jwks()).encode())
        if url == f"{BASE}/issuer":
            return Fetched(200, "application/ld+json", json.dumps(service.issuer_profile()).encode())
        if url == f"{BASE}/.well-known/did.json":
            return Fetched(200, "application/did+json", json.dumps(service.did_document()).encode())
        if url.startswith(f"{BASE}/keys/"):
            jwk = service.public_jwk(url.rsplit("/", 1)[1])
            return Fetched(200 if jwk else 404, "application/jwk+json", json.dumps(jwk).encode())
        if url.startswith(f"{BASE}/status/"):
            public_id = url.rsplit("/", 1)[1]
            return Fetched(200, "application/json",
                           json.dumps(service.revocation_list(public_id, public_id in revoked)).encode())
        return Fetched(404, "text/plain", b"")

    fetch.revoked = revoked  # type: ignore[attr-defined]
    return fetch


# ------------------------------------------------------------------------------------ tests

def test_the_schema_is_the_official_one_and_rejects_a_broken_credential():
    minimal = json.loads(standards("openbadges", "minimal_valid_obv3.json").read_text())
    assert schema_errors(minimal) == []
    broken = {**minimal, "type": ["VerifiableCredential"]}
    del broken["validFrom"]
    assert len(schema_errors(broken)) >= 2


@pytest.mark.parametrize("kind, distinction, expires_at", EVERY_AWARD)
def test_every_award_type_passes_the_official_schema(service, kind, distinction, expires_at):
    doc = service.credential(record(kind, distinction=distinction, expires_at=expires_at))
    assert schema_errors(doc) == []
    assert check_credential(doc) == []  # our run-time model agrees
    assert doc["credentialStatus"]["id"] == f"{BASE}/status/Pub1icId_0123456"
    assert doc["id"] == f"{BASE}/a/Pub1icId_0123456"
    assert ("validUntil" in doc) is (expires_at is not None)
    assert ("result" in doc["credentialSubject"]) is distinction


def test_achievement_types_follow_our_taxonomy(service):
    kinds = {kind: service.credential(record(kind))["credentialSubject"]["achievement"]["achievementType"]
             for kind in CredentialType}
    assert kinds == {
        CredentialType.SOUVENIR: "CoCurricular",
        CredentialType.BADGE_LEVEL_1: "Badge", CredentialType.BADGE_LEVEL_2: "Badge",
        CredentialType.CERTIFICATE_PRACTICED: "Certificate", CredentialType.CERTIFICATE_EXPERT: "Certificate",
    }


def test_a_level_one_credential_contains_no_artifact_link(service):
    leaky = record(CredentialType.BADGE_LEVEL_1)
    # Even if a Level I record carried files, the credential must not link them.
    leaky = AwardRecord(**{**leaky.__dict__, "evidence": record(CredentialType.BADGE_LEVEL_2).evidence})
    doc = service.credential(leaky)
    text = json.dumps(doc)
    assert "/evidence/" not in text and "brief.pdf" not in text
    assert doc["evidence"] and all("id" not in e for e in doc["evidence"])
    assert "assessed" in doc["evidence"][0]["narrative"]


def test_a_level_two_credential_links_its_assessed_artifacts(service):
    doc = service.credential(record(CredentialType.BADGE_LEVEL_2))
    assert [e["id"] for e in doc["evidence"]] == [f"{BASE}/a/Pub1icId_0123456/evidence/7",
                                                  f"{BASE}/a/Pub1icId_0123456/evidence/8"]


def test_distinction_is_a_result_described_by_the_achievement(service):
    doc = service.credential(record(CredentialType.BADGE_LEVEL_2, distinction=True))
    result = doc["credentialSubject"]["result"][0]
    described = doc["credentialSubject"]["achievement"]["resultDescription"][0]
    assert result["resultDescription"] == described["id"] and result["value"] in described["allowedValue"]
    assert "distinction" in doc["name"]


@pytest.mark.parametrize("alg", [RS256, EDDSA])
def test_the_jwt_verifies_with_the_published_key(service, alg):
    token = service.jwt(record(CredentialType.BADGE_LEVEL_2), alg)
    parsed = vcjwt.parse(token)
    assert parsed.header["alg"] == alg and parsed.header["kid"].startswith(f"{BASE}/keys/")
    assert parsed.claims["iss"] == f"{BASE}/issuer" and parsed.claims["jti"] == f"{BASE}/a/Pub1icId_0123456"
    assert parsed.claims["nbf"] == int(T0.timestamp())
    result = Verifier(published(service), lambda: T0).verify_jwt(token)
    assert result.valid, result.reasons


def test_the_jwt_fails_after_any_byte_changes(service):
    token = service.jwt(record(CredentialType.BADGE_LEVEL_1), EDDSA)
    verifier = Verifier(published(service), lambda: T0)
    assert verifier.verify_jwt(token).valid
    for index in range(len(token)):
        for replacement in {"A" if token[index] != "A" else "B", "." if token[index] != "." else "x"}:
            tampered = token[:index] + replacement + token[index + 1:]
            assert not verifier.verify_jwt(tampered).valid, (index, replacement)


def test_the_rs256_jwt_fails_after_any_byte_changes(service):
    token = service.jwt(record(CredentialType.BADGE_LEVEL_2))
    verifier = Verifier(published(service), lambda: T0)
    for index in range(len(token)):
        changed = "A" if token[index] != "A" else "B"
        assert not verifier.verify_jwt(token[:index] + changed + token[index + 1:]).valid, index


def test_a_jwt_signed_by_another_key_fails(service, tmp_path):
    other = KeyStore(tmp_path / "other").get(RS256)
    forged = vcjwt.sign(service.credential(record(CredentialType.SOUVENIR)), other, service.kid(service.keys.get()))
    result = Verifier(published(service), lambda: T0).verify_jwt(forged)
    assert not result.valid and any("signature" in r for r in result.reasons)


def test_a_revoked_credential_verifies_as_revoked(service):
    fetch = published(service)
    png = service.baked_png(record(CredentialType.BADGE_LEVEL_1))
    assert Verifier(fetch, lambda: T0).verify_bytes(png).valid
    fetch.revoked.add("Pub1icId_0123456")  # type: ignore[attr-defined]
    result = Verifier(fetch, lambda: T0).verify_bytes(png)
    assert not result.valid and result.status == "revoked"


def test_dates_are_checked(service):
    token = service.jwt(record(CredentialType.BADGE_LEVEL_2, expires_at=T0 + dt.timedelta(days=30)))
    fetch = published(service)
    assert Verifier(fetch, lambda: T0 - dt.timedelta(days=1)).verify_jwt(token).status == "not-yet-valid"
    assert Verifier(fetch, lambda: T0 + dt.timedelta(days=31)).verify_jwt(token).status == "expired"


def test_an_unreachable_status_is_never_called_valid(service):
    token = service.jwt(record(CredentialType.SOUVENIR))

    def only_keys(url: str, accept: str) -> Fetched:
        if "/status/" in url:
            raise OSError("connection refused")
        return published(service)(url, accept)

    result = Verifier(only_keys, lambda: T0).verify_jwt(token)
    assert not result.valid and any("revocation status" in r for r in result.reasons)


# ------------------------------------------------------------------------------------ baking

def _itxt_chunks(png: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(png):
        length = int.from_bytes(png[at:at + 4], "big")
        if png[at + 4:at + 8] == b"iTXt":
            chunks.append(png[at + 8:at + 8 + length])
        at += 12 + length
    return chunks


def test_the_baked_png_round_trips_with_exactly_one_uncompressed_chunk(service):
    rec = record(CredentialType.BADGE_LEVEL_2, distinction=True)
    png = service.baked_png(rec)
    token = baking.unbake_png(png)
    assert vcjwt.parse(token).claims["id"] == f"{BASE}/a/Pub1icId_0123456"
    chunks = [c for c in _itxt_chunks(png) if c.startswith(b"openbadgecredential\x00")]
    assert len(chunks) == 1
    assert chunks[0][len(b"openbadgecredential\x00"):len(b"openbadgecredential\x00") + 2] == b"\x00\x00"
    # Baking again replaces, never adds.
    again = baking.bake_png(png, "other")
    assert baking.unbake_png(again) == "other" and len(_itxt_chunks(again)) == 1
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.size == (600, 600)
        assert image.text["openbadgecredential"] == token  # other readers (Pillow) agree


def test_a_png_with_any_altered_byte_fails(service):
    png = service.baked_png(record(CredentialType.SOUVENIR))
    verifier = Verifier(published(service), lambda: T0)
    assert verifier.verify_bytes(png).valid
    for index in list(range(0, len(png), max(1, len(png) // 400))) + [len(png) - 1]:
        tampered = bytearray(png)
        tampered[index] ^= 0x01
        assert not verifier.verify_bytes(bytes(tampered)).valid, index


def test_two_baked_credentials_are_refused(service):
    png = service.baked_png(record(CredentialType.SOUVENIR))
    sig = baking.PNG_SIGNATURE
    body = png[len(sig):]
    extra = b"openbadgecredential\x00\x00\x00\x00\x00second"
    chunk = len(extra).to_bytes(4, "big") + b"iTXt" + extra + zlib.crc32(b"iTXt" + extra).to_bytes(4, "big")
    doubled = sig + chunk + body
    with pytest.raises(baking.BakingError, match="exactly one"):
        baking.unbake_png(doubled)


def test_the_svg_round_trips(service):
    rec = record(CredentialType.CERTIFICATE_EXPERT)
    svg = service.baked_svg(rec)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg
    assert baking.unbake_svg(svg) == vcjwt.parse(baking.unbake_svg(svg)).token
    assert Verifier(published(service), lambda: T0).verify_bytes(svg.encode()).valid


def test_ob2_baked_png_holds_the_hosted_assertion(service):
    png = service.ob2_baked_png(record(CredentialType.BADGE_LEVEL_1))
    assertion = json.loads(baking.unbake_png(png, baking.OB2_KEYWORD))
    assert assertion["@context"] == "https://w3id.org/openbadges/v2" and assertion["type"] == "Assertion"
    assert assertion["id"] == f"{BASE}/ob2/assertions/Pub1icId_0123456"
    assert assertion["badge"].startswith(f"{BASE}/ob2/badges/")
    assert "evidence" not in assertion  # Level I


# ------------------------------------------------------------------------------------ keys and LinkedIn

def test_keys_are_made_once_with_private_files(tmp_path):
    store = KeyStore(tmp_path / "keys")
    first = store.get(RS256).thumbprint
    assert KeyStore(tmp_path / "keys").get(RS256).thumbprint == first
    assert stat.S_IMODE((tmp_path / "keys" / "rs256.pem").stat().st_mode) == 0o600
    jwk = store.get(EDDSA).public_jwk("kid")
    assert jwk["kty"] == "OKP" and "d" not in jwk


def test_linkedin_url_is_exactly_as_specified():
    url = add_to_profile_url(name="SQL & Analytics: Ünïcode", issued_at=T0, cert_url=f"{BASE}/a/abc",
                             cert_id="abc", organization_name="Lakeside U")
    assert url.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=")
    query = parse_qs(urlparse(url).query)
    assert query == {"startTask": ["CERTIFICATION_NAME"], "name": ["SQL & Analytics: Ünïcode"],
                     "organizationName": ["Lakeside U"], "issueYear": ["2026"], "issueMonth": ["3"],
                     "certUrl": [f"{BASE}/a/abc"], "certId": ["abc"]}
    assert "SQL%20%26%20Analytics%3A%20" in url and "certUrl=https%3A%2F%2F" in url

    with_id = add_to_profile_url(name="X", issued_at=T0, cert_url="u", cert_id="c", organization_id="1234567",
                                 organization_name="Lakeside U", expires_at=T0 + dt.timedelta(days=400))
    query = parse_qs(urlparse(with_id).query)
    assert query["organizationId"] == ["1234567"] and "organizationName" not in query
    assert query["expirationYear"] == ["2027"] and query["expirationMonth"] == ["4"]
    assert list(parse_qs(urlparse(with_id).query)) == [
        "startTask", "name", "organizationId", "issueYear", "issueMonth", "expirationYear", "expirationMonth",
        "certUrl", "certId"]


def test_our_spec_model_explains_what_is_wrong():
    minimal = json.loads(standards("openbadges", "minimal_valid_obv3.json").read_text())
    assert check_credential(minimal) == []
    broken = json.loads(json.dumps(minimal))
    broken["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    del broken["credentialSubject"]["achievement"]["criteria"]
    broken["validFrom"] = "2014-06-01"
    problems = check_credential(broken)
    assert any(p.startswith("@context[0]") for p in problems)
    assert any("criteria" in p for p in problems)
    assert any(p.startswith("credential.validFrom") for p in problems)
    assert schema_errors(broken)  # and the official schema agrees it is broken


def test_jwt_segments_must_be_canonical_base64url(service):
    token = service.jwt(record(CredentialType.SOUVENIR))
    header, payload, signature = token.split(".")
    padded = base64.urlsafe_b64decode(signature + "==")
    assert base64.urlsafe_b64encode(padded).rstrip(b"=").decode() == signature
    with pytest.raises(vcjwt.JwtError):
        vcjwt.parse(f"{header}.{payload}.{signature}=")
