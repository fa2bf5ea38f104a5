"""The issuer's keys bound to it: its did:web DID document and its profile publish every key (JsonWebKey and
Multikey verification methods), and the verifier takes a key from the DID document as the issuer's only
when the profile and the DID document name each other.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.adapters.images import BadgeRenderer
from bot.adapters.openbadges import vcjwt
from bot.adapters.openbadges.dataintegrity import multikey_of
from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore
from bot.adapters.openbadges.multikey import thumbprint
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.verify import Fetched, Verifier
from bot.adapters.openbadges.verify_keys import did_web_url
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls, did_web, own_path
from config.catalog import Catalog, Roles
from tests.conftest import T0
from tests.unit.test_ob_jwt import signed
from tests.unit.test_openbadges import BASE, ISSUER, published, record

DID = "did:web:badges.test.example.edu"
PRIVATE = {"d", "p", "q", "dp", "dq", "qi", "k"}


@pytest.fixture
def service(tmp_path: Path) -> OpenBadges:
    catalog = Catalog(issuer=ISSUER, roles=Roles(), credentials=())
    return OpenBadges(catalog, PublicUrls.of(BASE), KeyStore(tmp_path / "keys"), BadgeRenderer(tmp_path / "images"))


def methods_by_key(doc: dict) -> dict[tuple[str, str | None], str]:
    """(method type, key thumbprint) -> method id, for every assertion method of a controller document."""
    assert set(doc["assertionMethod"]) == {m["id"] for m in doc["verificationMethod"]}
    found = {}
    for method in doc["verificationMethod"]:
        assert method["controller"] == doc["id"] and method["id"].startswith(doc["id"] + "#")
        if method["type"] == "JsonWebKey":
            assert not PRIVATE & set(method["publicKeyJwk"])
            key = thumbprint(method["publicKeyJwk"])
        else:
            assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
            key = method["publicKeyMultibase"]
        found[(method["type"], key)] = method["id"]
    return found


# ------------------------------------------------------------------------------------ the DID and its document

@pytest.mark.parametrize("base, did, document", [
    ("https://badges.test.example.edu", DID, "https://badges.test.example.edu/.well-known/did.json"),
    ("http://localhost:3000", "did:web:localhost%3A3000", "https://localhost:3000/.well-known/did.json"),
    ("https://lakeside.example.edu/badges", "did:web:lakeside.example.edu:badges",
     "https://lakeside.example.edu/badges/did.json"),
])
def test_the_did_is_the_public_urls_host_and_resolves_to_the_bots_own_document(base, did, document):
    urls = PublicUrls.of(base)
    assert did_web(urls) == did
    assert did_web_url(did) == document
    # Where did:web resolution looks is a path this bot serves, even when the bot itself answers on http.
    assert own_path(urls, document) == own_path(urls, urls.did_document) in ("/.well-known/did.json", "/did.json")
    assert own_path(urls, "https://elsewhere.example/.well-known/did.json") is None


def test_the_did_document_publishes_every_key_as_json_web_key_and_the_ed25519_key_as_multikey(service):
    doc = service.did_document()
    assert doc["id"] == DID and doc["alsoKnownAs"] == [f"{BASE}/issuer"]
    assert doc["@context"][0] == "https://www.w3.org/ns/did/v1"
    rsa, ed = service.keys.get(RS256), service.keys.get(EDDSA)
    assert methods_by_key(doc) == {
        ("JsonWebKey", rsa.thumbprint): f"{DID}#{rsa.thumbprint}",
        ("JsonWebKey", ed.thumbprint): f"{DID}#{ed.thumbprint}",
        ("Multikey", multikey_of(ed)): f"{DID}#{multikey_of(ed)}",
    }


def test_the_profile_publishes_the_same_methods_and_names_the_did(service):
    profile, did_doc = service.issuer_profile(), service.did_document()
    assert profile["id"] == f"{BASE}/issuer" and profile["alsoKnownAs"] == [DID]
    ours, theirs = methods_by_key(profile), methods_by_key(did_doc)
    assert set(ours) == set(theirs)
    assert {i.split("#")[1] for i in ours.values()} == {i.split("#")[1] for i in theirs.values()}
    # The embedded proofs name the profile's Multikey method.
    assert service.verification_method() in profile["assertionMethod"]


def test_every_key_the_store_holds_is_published(service, tmp_path):
    older = KeyStore(tmp_path / "older")
    every = [older.get(RS256), older.get(EDDSA), service.keys.get(RS256), service.keys.get(EDDSA)]

    class Rotated:  # the KeyStore's public API, as it is after a rotation: two generations of each
        def get(self, alg: str = RS256):  # type: ignore[no-untyped-def]
            return service.keys.get(alg)

        def all(self):  # type: ignore[no-untyped-def]
            return every

        def secret(self) -> bytes:
            return service.keys.secret()

    rotated = OpenBadges(service.catalog, service.urls, Rotated(), service.renderer)  # type: ignore[arg-type]
    for doc in (rotated.did_document(), rotated.issuer_profile()):
        published_keys = {key for _, key in methods_by_key(doc)}
        assert {k.thumbprint for k in every} <= published_keys
    assert {k["kid"] for k in rotated.jwks()["keys"]} == {service.kid(k) for k in every}


# ------------------------------------------------------------------------------------ the verifier and the DID

def test_a_token_naming_its_key_in_our_did_document_verifies_with_the_issuers_key(service):
    key = service.keys.get(RS256)
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    result = Verifier(published(service), lambda: T0).verify_jwt(signed(claims, key, {"kid": f"{DID}#{key.thumbprint}"}))
    assert result.valid, result.reasons
    assert any(c.startswith(f"RS256 signature verified with the issuer's published key (the key {DID}#")
               for c in result.checks), result.checks


def only_the_did_document_has_keys(service: OpenBadges, *, names_back: bool = True):  # type: ignore[no-untyped-def]
    """Our documents, except that the profile and the JWKS publish no key: only the DID document does."""
    ours = published(service)

    def fetch(url: str, accept: str) -> Fetched:
        if url == f"{BASE}/issuer":
            profile = {k: v for k, v in service.issuer_profile().items()
                       if k not in ("verificationMethod", "assertionMethod")}
            return Fetched(200, "application/ld+json", json.dumps(profile).encode())
        if url == f"{BASE}/.well-known/jwks.json":
            return Fetched(404, "text/plain", b"")
        if url == f"{BASE}/.well-known/did.json" and not names_back:
            doc = {**service.did_document(), "alsoKnownAs": ["https://someone-else.example/issuer"]}
            return Fetched(200, "application/did+json", json.dumps(doc).encode())
        return ours(url, accept)

    return fetch


@pytest.mark.parametrize("alg", [RS256, EDDSA])
def test_a_key_found_only_in_the_did_the_profile_names_is_the_issuers(service, alg):
    token = service.jwt(record(CredentialType.BADGE_LEVEL_2), alg)
    result = Verifier(only_the_did_document_has_keys(service), lambda: T0).verify_jwt(token)
    assert result.valid, result.reasons
    assert any("verified with the issuer's published key" in c and f"its DID document {DID}" in c
               for c in result.checks), result.checks


def test_the_embedded_proof_verifies_through_the_did_document_alone(service):
    doc = service.credential(record(CredentialType.BADGE_LEVEL_1), proof=True)
    result = Verifier(only_the_did_document_has_keys(service), lambda: T0).verify_bytes(json.dumps(doc).encode())
    assert result.valid, result.reasons
    assert any(c.startswith("eddsa-rdfc-2022 proof: signature verified with the issuer's published key")
               and DID in c for c in result.checks), result.checks


def test_a_did_document_that_does_not_name_the_profile_back_lends_it_no_keys(service):
    token = service.jwt(record(CredentialType.SOUVENIR))
    result = Verifier(only_the_did_document_has_keys(service, names_back=False), lambda: T0).verify_jwt(token)
    assert not result.valid
    assert any(r.startswith("RS256 signature valid, key not the issuer's") and "it publishes none" in r
               for r in result.reasons), result.reasons


def test_a_strangers_key_behind_a_kid_in_our_did_is_refused(service, tmp_path):
    stranger = KeyStore(tmp_path / "stranger").get(RS256)
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    forged = signed(claims, stranger, {"kid": f"{DID}#{stranger.thumbprint}"})
    result = Verifier(published(service), lambda: T0).verify_jwt(forged)
    assert not result.valid
    assert (f"the signing key {DID}#{stranger.thumbprint} cannot be used: {BASE}/.well-known/did.json does not "
            "publish it") in result.reasons
