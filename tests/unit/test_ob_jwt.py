"""VC-JWT as OB 3.0 section 8.2 says, and a verifier that counts a signature only with the issuer's key.

A stranger's key never makes a credential that claims our issuer valid: not in the JWT header (`jwk`),
not behind a `kid` on a server of the stranger's (a real HTTP server on 127.0.0.1 here).
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from joserfc import jws

from bot.adapters.images import BadgeRenderer
from bot.adapters.openbadges import baking, vcjwt
from bot.adapters.openbadges.credential import subject_id
from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore, SigningKey
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.verify import Fetched, Verifier, http_fetch, no_network
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from config.catalog import Catalog, Roles
from tests.conftest import T0
from tests.unit.test_openbadges import BASE, ISSUER, published, record

NOT_CHECKED = "signature valid with the key the credential carries; the issuer's keys were not checked"


@pytest.fixture
def service(tmp_path: Path) -> OpenBadges:
    catalog = Catalog(issuer=ISSUER, roles=Roles(), credentials=())
    return OpenBadges(catalog, PublicUrls.of(BASE), KeyStore(tmp_path / "keys"), BadgeRenderer(tmp_path / "images"))


def signed(claims: dict, key: SigningKey, header: dict) -> str:
    payload = json.dumps(claims, separators=(",", ":")).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jws.serialize_compact({"alg": key.alg, "typ": "JWT", **header}, payload, key.key,
                                     registry=vcjwt._registry([RS256, EDDSA]))


@pytest.fixture
def stranger(tmp_path: Path) -> SigningKey:
    return KeyStore(tmp_path / "stranger").get(RS256)


# ------------------------------------------------------------------------------------ the claims

def test_the_registered_claims_say_what_the_credential_says(service):
    rec = record(CredentialType.BADGE_LEVEL_2, expires_at=T0 + dt.timedelta(days=365))
    claims = vcjwt.parse(service.jwt(rec)).claims
    assert claims["iss"] == claims["issuer"]["id"] == f"{BASE}/issuer"
    assert claims["jti"] == claims["id"] == f"{BASE}/a/Pub1icId_0123456"
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(T0.timestamp())
    assert claims["exp"] == int((T0 + dt.timedelta(days=365)).timestamp())
    assert "exp" not in vcjwt.parse(service.jwt(record(CredentialType.SOUVENIR))).claims


def test_the_subject_is_a_stable_urn_that_names_nobody(service, tmp_path):
    first = service.credential(record(CredentialType.SOUVENIR))["credentialSubject"]["id"]
    again = service.credential(record(CredentialType.CERTIFICATE_EXPERT))["credentialSubject"]["id"]
    assert first == again and first.startswith("urn:uuid:")
    assert "U0LEARNER1" not in json.dumps(service.credential(record(CredentialType.SOUVENIR)))
    import uuid

    assert uuid.UUID(first[len("urn:uuid:"):]).version == 8
    # Another learner, another issuer, another secret: another id.
    assert subject_id(b"s" * 32, f"{BASE}/issuer", "U0LEARNER2") != subject_id(b"s" * 32, f"{BASE}/issuer",
                                                                                "U0LEARNER1")
    assert subject_id(b"s" * 32, "https://other.example/issuer", "U0LEARNER1") != \
        subject_id(b"s" * 32, f"{BASE}/issuer", "U0LEARNER1")
    assert subject_id(b"t" * 32, f"{BASE}/issuer", "U0LEARNER1") != subject_id(b"s" * 32, f"{BASE}/issuer",
                                                                                "U0LEARNER1")
    # The default secret is kept with the keys (a private file): the same after a restart.
    import stat

    assert stat.S_IMODE((service.keys.folder / "subject-ids.secret").stat().st_mode) == 0o600
    restarted = OpenBadges(service.catalog, service.urls, KeyStore(service.keys.folder), service.renderer)
    assert restarted.credential(record(CredentialType.SOUVENIR))["credentialSubject"]["id"] == first
    given = OpenBadges(service.catalog, service.urls, service.keys, service.renderer, subject_secret=b"x" * 32)
    assert given.subject_id(record(CredentialType.SOUVENIR)) == subject_id(b"x" * 32, f"{BASE}/issuer", "U0LEARNER1")


@pytest.mark.parametrize("claim", ["iss", "sub", "jti", "nbf"])
def test_a_token_missing_a_required_claim_is_refused(service, claim):
    key = service.keys.get(RS256)
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    del claims[claim]
    result = Verifier(published(service), lambda: T0).verify_jwt(signed(claims, key, {"kid": service.kid(key)}))
    assert not result.valid
    assert f"the JWT has no '{claim}' claim (Open Badges 3.0 requires iss, sub, jti and nbf)" in result.reasons
    assert any(c.startswith("RS256 signature verified with the issuer's published key") for c in result.checks)


@pytest.mark.parametrize("claim, value, words", [
    ("iss", "https://elsewhere.example/issuer", "'iss'"),
    ("sub", "urn:uuid:00000000-0000-8000-8000-000000000000", "'sub' is not the credential subject's id"),
    ("jti", "https://elsewhere.example/a/1", "'jti'"),
    ("nbf", 0, "'nbf' does not match"),
    ("nbf", "2026-03-02", "'nbf' is not a NumericDate"),
    ("exp", 2000000000, "'exp' but the credential has no validUntil"),
])
def test_a_claim_that_disagrees_with_the_credential_is_refused(service, claim, value, words):
    key = service.keys.get(RS256)
    claims = {**vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR))), claim: value}
    result = Verifier(published(service), lambda: T0).verify_jwt(signed(claims, key, {"kid": service.kid(key)}))
    assert not result.valid and any(words in r for r in result.reasons), result.reasons


def test_an_expiring_credential_needs_its_exp(service):
    key = service.keys.get(RS256)
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR,
                                                        expires_at=T0 + dt.timedelta(days=9))))
    del claims["exp"]
    result = Verifier(published(service), lambda: T0).verify_jwt(signed(claims, key, {"kid": service.kid(key)}))
    assert not result.valid and any("no 'exp' claim" in r for r in result.reasons)


def test_signing_refuses_a_credential_without_a_subject_id(service):
    doc = service.credential(record(CredentialType.SOUVENIR))
    del doc["credentialSubject"]["id"]
    with pytest.raises(ValueError, match="sub"):
        vcjwt.sign(doc, service.keys.get(RS256), "kid")


# ------------------------------------------------------------------------------------ whose key

def test_our_tokens_verify_with_the_issuers_published_key(service):
    for alg in (RS256, EDDSA):
        result = Verifier(published(service), lambda: T0).verify_jwt(service.jwt(record(CredentialType.SOUVENIR), alg))
        assert result.valid, result.reasons
        assert any(c.startswith(f"{alg} signature verified with the issuer's published key") and "jwks.json" in c
                   for c in result.checks), result.checks


def test_a_strangers_key_in_the_header_claiming_our_issuer_is_refused(service, stranger):
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    forged = signed(claims, stranger, {"jwk": stranger.key.as_dict(private=False)})
    result = Verifier(published(service), lambda: T0).verify_jwt(forged)
    assert not result.valid
    assert any(r.startswith("RS256 signature valid, key not the issuer's: the public key in the JWT header")
               and f"{BASE}/issuer" in r for r in result.reasons), result.reasons


def test_our_own_key_in_the_header_is_the_issuers(service):
    key = service.keys.get(RS256)
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    result = Verifier(published(service), lambda: T0).verify_jwt(signed(claims, key, {"jwk": key.public_jwk("k")}))
    assert result.valid, result.reasons


class _Stranger(BaseHTTPRequestHandler):
    jwks: dict = {}

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = json.dumps(self.jwks).encode()
        self.send_response(200 if self.path.startswith("/jwks.json") else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def stranger_server(stranger, monkeypatch):  # type: ignore[no-untyped-def]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    handler = type("Handler", (_Stranger,), {"jwks": {"keys": [stranger.public_jwk("stranger-1")]}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_strangers_kid_on_its_own_server_claiming_our_issuer_is_refused(service, stranger, stranger_server):
    ours = published(service)

    def fetch(url: str, accept: str) -> Fetched:
        # Our documents as our public pages serve them; anything else over real HTTP (the stranger's server).
        return ours(url, accept) if url.startswith(BASE) else http_fetch(url, accept)

    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    kid = f"{stranger_server}/jwks.json#stranger-1"
    forged = signed(claims, stranger, {"kid": kid})
    assert http_fetch(kid.split("#")[0], "application/json").status == 200  # the stranger's key is reachable
    result = Verifier(fetch, lambda: T0).verify_jwt(forged)
    assert not result.valid
    assert any(r.startswith(f"RS256 signature valid, key not the issuer's: the key {kid}") for r in result.reasons), \
        result.reasons
    # Behind a kid that claims to be ours, it does not even match.
    behind_our_kid = signed(claims, stranger, {"kid": service.kid(service.keys.get(RS256))})
    result = Verifier(fetch, lambda: T0).verify_jwt(behind_our_kid)
    assert not result.valid and any("signature does not match" in r for r in result.reasons)


def test_a_strangers_token_for_its_own_issuer_offline_says_the_keys_were_not_checked(service, stranger):
    doc = service.credential(record(CredentialType.SOUVENIR))
    doc["issuer"] = {"id": "https://stranger.example/issuer", "type": ["Profile"], "name": "Stranger"}
    doc.pop("credentialStatus")
    token = signed(vcjwt.claims_for(doc), stranger, {"jwk": stranger.key.as_dict(private=False)})
    result = Verifier(no_network, lambda: T0).verify_jwt(token)
    assert result.valid, result.reasons
    assert f"RS256 {NOT_CHECKED} (the public key in the JWT header)" in result.checks
    assert any("could not be fetched" in w for w in result.warnings)


# ------------------------------------------------------------------------------------ SVG baking

def test_a_vc_jwt_is_baked_in_the_verify_attribute_of_the_first_element(service):
    svg = service.baked_svg(record(CredentialType.SOUVENIR))
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.encode())
    first = list(root)[0]
    assert first.tag == f"{{{baking.OB3_SVG_NAMESPACE}}}credential"
    assert not (first.text or "").strip()
    token = first.get("verify")
    assert vcjwt.parse(token).claims["jti"] == f"{BASE}/a/Pub1icId_0123456"
    assert "CDATA" not in svg
    assert baking.unbake_svg(svg) == token
    assert Verifier(published(service), lambda: T0).verify_bytes(svg.encode()).valid


def test_a_json_credential_is_baked_as_cdata_and_both_forms_are_read(service):
    doc = service.credential(record(CredentialType.SOUVENIR), proof=True)
    png = service.image(record(CredentialType.SOUVENIR).credential)
    svg = baking.bake_svg(png, json.dumps(doc))
    assert "<openbadges:credential><![CDATA[{" in svg and "verify=" not in svg
    assert json.loads(baking.unbake_svg(svg)) == doc
    assert Verifier(published(service), lambda: T0).verify_bytes(svg.encode()).valid
    both = svg.replace("<openbadges:credential>", '<openbadges:credential verify="a.b.c">')
    with pytest.raises(baking.BakingError, match="exactly one"):
        baking.unbake_svg(both)


# ------------------------------------------------------------------------------------ did:web issuers

def test_a_did_web_issuer_signs_with_the_keys_of_its_did_document(service, stranger):
    did = "did:web:issuer.example:badges"
    ours = service.keys.get(RS256)
    document = {"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
                "verificationMethod": [{"id": f"{did}#key-1", "type": "JsonWebKey", "controller": did,
                                        "publicKeyJwk": ours.key.as_dict(private=False)}],
                "assertionMethod": [f"{did}#key-1"]}

    def fetch(url: str, accept: str) -> Fetched:
        if url == "https://issuer.example/badges/did.json":
            return Fetched(200, "application/did+json", json.dumps(document).encode())
        return Fetched(404, "text/plain", b"")

    doc = service.credential(record(CredentialType.SOUVENIR))
    doc["issuer"] = {"id": did, "type": ["Profile"], "name": "A did:web issuer"}
    doc.pop("credentialStatus")
    claims = vcjwt.claims_for(doc)
    result = Verifier(fetch, lambda: T0).verify_jwt(signed(claims, ours, {"kid": f"{did}#key-1"}))
    assert result.valid, result.reasons
    assert any("verified with the issuer's published key" in c and "DID document" in c for c in result.checks)
    forged = signed(claims, stranger, {"jwk": stranger.key.as_dict(private=False)})
    result = Verifier(fetch, lambda: T0).verify_jwt(forged)
    assert not result.valid and any("key not the issuer's" in r for r in result.reasons)
    offline = Verifier(no_network, lambda: T0).verify_jwt(signed(claims, ours, {"kid": f"{did}#key-1"}))
    assert not offline.valid and any("could not be fetched" in r for r in offline.reasons)


def test_a_bare_kid_names_a_key_in_the_issuers_jwks(service):
    key = service.keys.get(EDDSA)
    claims = vcjwt.claims_for(service.credential(record(CredentialType.SOUVENIR)))
    ours = published(service)

    def fetch(url: str, accept: str) -> Fetched:
        if url == f"{BASE}/.well-known/jwks.json":
            return Fetched(200, "application/json", json.dumps({"keys": [key.public_jwk("ed-1")]}).encode())
        return ours(url, accept)

    result = Verifier(fetch, lambda: T0).verify_jwt(signed(claims, key, {"kid": "ed-1"}))
    assert result.valid, result.reasons
    result = Verifier(fetch, lambda: T0).verify_jwt(signed(claims, key, {"kid": "ed-2"}))
    assert not result.valid and "the issuer publishes no key 'ed-2'" in result.reasons
