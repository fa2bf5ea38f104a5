"""CLR 2.0 transcripts: one signed ClrCredential holding a learner's awards, as pure functions (no database)."""
from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from bot.adapters.images import BadgeRenderer
from bot.adapters.openbadges import clr, clr_check, dataintegrity, jsonld, vcjwt
from bot.adapters.openbadges.keys import EDDSA, KeyStore
from bot.adapters.openbadges.multikey import ed25519_from_multikey
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.verify import Verifier
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from bot.usecases.credentials import AwardRecord, CredentialRecord, Transcript
from config.catalog import Catalog, Issuer, Roles
from tests.conftest import T0
from tests.unit.test_ob_status_list import Published

BASE = "https://badges.test.example.edu"
ISSUER = Issuer(name="Office of Micro-Credentials", url="https://example.edu", email="badges@example.edu")


def credential(slug: str, kind: CredentialType, requires: tuple[tuple[str, str], ...] = ()) -> CredentialRecord:
    return CredentialRecord(slug=slug, type=kind, name=slug.replace("-", " ").title(), description="d",
                            criteria="c", skills=(), image=None, distinction_allowed=False, expires_after=None,
                            requires=requires)


def award(award_id: int, of: CredentialRecord, learner: str = "U0LEARNER1") -> AwardRecord:
    return AwardRecord(public_id=f"Pub{award_id:013d}", credential=of, learner_name="Zoë Ξανθή", distinction=False,
                       issued_at=T0, expires_at=None, revoked_at=None, shared=False, learner_slack_id=learner,
                       award_id=award_id)


SQL = credential("sql-basics", CredentialType.BADGE_LEVEL_1)
SHEETS = credential("spreadsheets", CredentialType.BADGE_LEVEL_1)
VIZ = credential("data-viz", CredentialType.BADGE_LEVEL_1)
CERT = credential("data-analytics", CredentialType.CERTIFICATE_PRACTICED,
                  requires=(("data-viz", "Data Viz"), ("spreadsheets", "Spreadsheets"), ("sql-basics", "Sql Basics")))
SOUVENIR = credential("welcome-week", CredentialType.SOUVENIR)


@pytest.fixture
def ob(tmp_path: Path) -> OpenBadges:
    catalog = Catalog(issuer=ISSUER, roles=Roles(), credentials=())
    return OpenBadges(catalog, PublicUrls.of(BASE), KeyStore(tmp_path / "keys"), BadgeRenderer(tmp_path / "images"))


def full_transcript(learner: str = "U0LEARNER1") -> Transcript:
    awards = tuple(award(i, c, learner) for i, c in enumerate((SOUVENIR, SQL, SHEETS, VIZ, CERT), start=1))
    return Transcript(learner_slack_id=learner, learner_name="Zoë Ξανθή", at=T0, awards=awards)


def public_key(ob: OpenBadges) -> bytes:
    return ed25519_from_multikey(ob.verification_method().rsplit("#", 1)[1])


def test_the_transcript_holds_every_award_as_its_own_signed_credential(ob: OpenBadges) -> None:
    doc = clr.signed(full_transcript(), ob)
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert doc["@context"] == ["https://www.w3.org/ns/credentials/v2", clr.CLR_CONTEXT,
                               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert doc["issuer"]["id"] == f"{BASE}/issuer" and doc["validFrom"] == "2026-03-02T09:00:00Z"
    assert doc["id"].startswith("urn:uuid:")
    subject = doc["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    embedded = subject["verifiableCredential"]
    assert [c["id"] for c in embedded] == [f"{BASE}/a/Pub{i:013d}" for i in range(1, 6)]
    for inner in embedded:
        assert inner["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert inner["credentialSubject"]["id"] == subject["id"]  # one learner, one subject id
        [proof] = inner["proof"]
        assert dataintegrity.check_proof(inner, proof, public_key(ob)) is None
    assert "5 credentials" in doc["description"]


def test_certificates_are_associated_with_the_badges_they_stack(ob: OpenBadges) -> None:
    links = clr.clr_credential(full_transcript(), ob)["credentialSubject"]["association"]
    assert sorted((a["sourceId"], a["targetId"]) for a in links) == [
        (f"{BASE}/achievements/data-analytics", f"{BASE}/achievements/{slug}")
        for slug in ("data-viz", "spreadsheets", "sql-basics")]
    assert {(a["type"], a["associationType"]) for a in links} == {("Association", "isParentOf")}

    # A badge of the stack that is no longer held (revoked) is not linked; no certificate, no links.
    without_viz = dataclasses.replace(full_transcript(), awards=tuple(
        a for a in full_transcript().awards if a.credential is not VIZ))
    targets = {a["targetId"] for a in clr.associations(without_viz, ob)}
    assert f"{BASE}/achievements/data-viz" not in targets and len(targets) == 2
    badges_only = dataclasses.replace(full_transcript(), awards=full_transcript().awards[:2])
    assert "association" not in clr.clr_credential(badges_only, ob)["credentialSubject"]


def test_the_transcript_s_proof_verifies_and_covers_what_it_embeds(ob: OpenBadges) -> None:
    doc = clr.signed(full_transcript(), ob)
    [proof] = doc["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["verificationMethod"] == ob.verification_method()
    assert dataintegrity.check_proof(doc, proof, public_key(ob)) is None

    tampered = copy.deepcopy(doc)
    tampered["credentialSubject"]["verifiableCredential"].pop(0)  # hide the souvenir
    assert "does not match" in dataintegrity.check_proof(tampered, proof, public_key(ob))
    tampered = copy.deepcopy(doc)
    tampered["credentialSubject"]["association"][0]["associationType"] = "isPeerOf"
    assert "does not match" in dataintegrity.check_proof(tampered, proof, public_key(ob))


def test_every_term_is_defined_by_the_shipped_contexts(ob: OpenBadges) -> None:
    """Canonicalization refuses a property its contexts do not define (it would go unsigned)."""
    canonical = jsonld.canonicalize(clr.clr_credential(full_transcript(), ob))
    assert "https://purl.imsglobal.org/spec/vc/clr/vocab.html#ClrCredential" in canonical
    assert "https://purl.imsglobal.org/spec/vc/clr/vocab.html#sourceId" in canonical
    assert clr.CLR_CONTEXT in jsonld.shipped_contexts()


def test_the_transcript_as_a_vc_jwt_has_the_section_8_2_claims(ob: OpenBadges) -> None:
    found = full_transcript()
    token = clr.jwt(found, ob, EDDSA)
    parsed = vcjwt.parse(token)
    key = ob.keys.get(EDDSA)
    assert vcjwt.check_signature(parsed, key.public_jwk(ob.kid(key))) is None
    doc = clr.clr_credential(found, ob)
    assert vcjwt.claim_problems(parsed.claims, doc) == []
    assert parsed.claims["sub"] == doc["credentialSubject"]["id"] and parsed.claims["jti"] == doc["id"]
    assert parsed.header["kid"] == ob.kid(key)


def test_a_transcript_id_is_stable_and_says_nothing_about_the_learner(ob: OpenBadges) -> None:
    first = clr.clr_credential(full_transcript(), ob)["id"]
    assert clr.clr_credential(full_transcript(), ob)["id"] == first
    assert clr.clr_credential(full_transcript("U0SOMEONE2"), ob)["id"] != first
    later = dataclasses.replace(full_transcript(), at=T0.replace(day=3))
    assert clr.clr_credential(later, ob)["id"] != first
    assert "U0LEARNER1" not in json.dumps(clr.signed(full_transcript(), ob))


def test_an_empty_transcript_is_refused(ob: OpenBadges) -> None:
    with pytest.raises(ValueError, match="at least one"):
        clr.clr_credential(dataclasses.replace(full_transcript(), awards=()), ob)


def test_a_public_name_leads_back_to_its_learner_and_a_made_up_one_to_nobody(ob: OpenBadges) -> None:
    secret = clr.secret_of(ob)
    name = clr.public_id(secret, 42)
    assert clr.learner_number(secret, name) == 42
    number, _, mac = name.partition("-")
    for forged in (f"43-{mac}", f"{number}-{mac[:-1]}A" if not mac.endswith("A") else f"{number}-{mac[:-1]}B",
                   "42", "-", "42-", "x-" + mac, "9" * 40 + "-" + mac):
        assert clr.learner_number(secret, forged) is None, forged
    assert clr.learner_number(b"another server's secret", name) is None


# ------------------------------------------------------------------------------------ Badgebot's own verifier


def test_badgebot_verify_accepts_the_transcript_and_refuses_one_holding_a_revoked_award(ob: OpenBadges) -> None:
    published = Published(ob)
    found = full_transcript()
    signed = json.dumps(clr.signed(found, ob)).encode()
    result = Verifier(published, lambda: T0).verify_bytes(signed)
    assert result.valid, result.reasons
    assert "CLR 2.0 structure; its 5 credential(s) each verify" in result.checks
    assert Verifier(published, lambda: T0).verify_jwt(clr.jwt(found, ob)).valid

    published.revoked.add(found.awards[1].award_id)
    result = Verifier(published, lambda: T0).verify_bytes(signed)
    assert not result.valid
    assert any(f"{found.awards[1].public_id} is revoked" in r for r in result.reasons), result.reasons


@pytest.mark.parametrize("change, says", [
    (lambda d: d["credentialSubject"].update(verifiableCredential=[]), "at least one credential"),
    (lambda d: d["credentialSubject"]["association"][0].update(associationType="stacks"), "not a CLR 2.0 association"),
    (lambda d: d["credentialSubject"].update(type=["AchievementSubject"]), "must be a ClrSubject"),
    (lambda d: d.update({"@context": [d["@context"][0], d["@context"][2]]}), "include the CLR 2.0 context"),
])
def test_a_malformed_transcript_is_named_as_such(ob: OpenBadges, change, says) -> None:  # type: ignore[no-untyped-def]
    doc = clr.clr_credential(full_transcript(), ob)
    change(doc)
    assert any(says in p for p in clr_check.structure_problems(doc))
