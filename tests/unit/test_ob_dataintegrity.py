"""Embedded proofs, eddsa-rdfc-2022, both ways: the W3C test vectors byte for byte, and our own credentials.

The W3C vectors use the credentials examples context (https://www.w3.org/ns/credentials/examples/v2),
which Badgebot does not ship: the tests give the loader its published content, `@vocab` pointing at
https://www.w3.org/ns/credentials/examples#, and nothing else.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.images import BadgeRenderer
from bot.adapters.openbadges import baking, dataintegrity, jsonld
from bot.adapters.openbadges.keys import KeyStore
from bot.adapters.openbadges.multikey import (
    b58decode,
    b58encode,
    ed25519_from_multikey,
    ed25519_multikey,
    ed25519_secret_from_multikey,
)
from bot.adapters.openbadges.service import OpenBadges
from bot.adapters.openbadges.verify import Verifier
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls
from config.catalog import Catalog, Roles
from tests.conftest import T0, standards
from tests.unit.test_openbadges import (
    BASE,
    EVERY_AWARD,
    ISSUER,
    published,
    record,
    schema_errors,
)

EXAMPLES = {"https://www.w3.org/ns/credentials/examples/v2":
            {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}}


@pytest.fixture
def service(tmp_path: Path) -> OpenBadges:
    catalog = Catalog(issuer=ISSUER, roles=Roles(), credentials=())
    return OpenBadges(catalog, PublicUrls.of(BASE), KeyStore(tmp_path / "keys"), BadgeRenderer(tmp_path / "images"))


def vector(name: str) -> str:
    return standards("openbadges", "vc-di-eddsa-vectors", name).read_text(encoding="utf-8")


@pytest.fixture
def loader() -> jsonld.Loader:
    return jsonld.document_loader(EXAMPLES)


@pytest.fixture
def key_pair() -> tuple[Ed25519PrivateKey, str]:
    pair = json.loads(vector("keyPair.json"))
    secret = Ed25519PrivateKey.from_private_bytes(ed25519_secret_from_multikey(pair["privateKeyMultibase"]))
    return secret, pair["publicKeyMultibase"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):  # type: ignore[no-untyped-def]
    """Canonicalization must never reach for the network: any socket here fails the test."""
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


# ------------------------------------------------------------------------------------ the W3C vectors

def test_the_canonical_document_and_proof_configuration_are_the_vectors_byte_for_byte(loader):
    unsigned = json.loads(vector("unsigned.json"))
    assert jsonld.canonicalize(unsigned, loader) == vector("canonDocDataInt.txt")
    config = json.loads(vector("proofConfigDataInt.json"))
    assert jsonld.canonicalize(config, loader) == vector("proofCanonDataInt.txt")
    # ... and the configuration is the one the algorithm builds from the proof options and the document.
    options = {k: v for k, v in config.items() if k != "@context"}
    assert dataintegrity.proof_configuration(options, unsigned) == config


def test_the_hashes_are_the_vectors(loader):
    unsigned = json.loads(vector("unsigned.json"))
    config = json.loads(vector("proofConfigDataInt.json"))
    assert hashlib.sha256(vector("canonDocDataInt.txt").encode()).hexdigest() == vector("docHashDataInt.txt").strip()
    assert hashlib.sha256(vector("proofCanonDataInt.txt").encode()).hexdigest() == \
        vector("proofHashDataInt.txt").strip()
    assert dataintegrity.hash_data(unsigned, config, loader).hex() == vector("combinedHashDataInt.txt").strip()


def test_the_signature_and_the_signed_document_are_the_vectors(loader, key_pair):
    secret, public = key_pair
    assert dataintegrity.multikey_of(secret) == public
    unsigned = json.loads(vector("unsigned.json"))
    config = json.loads(vector("proofConfigDataInt.json"))
    signature = secret.sign(dataintegrity.hash_data(unsigned, config, loader))
    assert signature.hex() == vector("sigHexDataInt.txt").strip()
    assert "z" + b58encode(signature) == vector("sigBTC58DataInt.txt").strip()
    signed = dataintegrity.add_proof(unsigned, secret, config["verificationMethod"], loader=loader, as_array=False,
                                     created=dt.datetime(2023, 2, 24, 23, 36, 38, tzinfo=dt.UTC))
    assert signed == json.loads(vector("signedDataInt.json"))
    assert unsigned == json.loads(vector("unsigned.json"))  # the input is left alone


def test_the_signed_vector_verifies_and_a_change_does_not(loader, key_pair):
    signed = json.loads(vector("signedDataInt.json"))
    public = ed25519_from_multikey(key_pair[1])
    assert dataintegrity.check_proof(signed, signed["proof"], public, loader) is None
    signed["credentialSubject"]["alumniOf"] = "The School of Forgery"
    assert "does not match" in dataintegrity.check_proof(signed, signed["proof"], public, loader)


def test_without_the_examples_context_the_vector_is_refused_by_name():
    with pytest.raises(jsonld.ContextError, match="credentials/examples/v2 is not one this verifier ships"):
        jsonld.canonicalize(json.loads(vector("unsigned.json")))


# ------------------------------------------------------------------------------------ encodings, contexts

@given(st.binary(max_size=80))
def test_base58_round_trips(data):
    assert b58decode(b58encode(data)) == data


def test_base58_known_values():
    assert b58encode(b"") == "" and b58encode(b"\x00\x00\x01") == "112"
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"
    with pytest.raises(ValueError):
        b58decode("0OIl")
    assert ed25519_multikey(b"\x00" * 32).startswith("z6Mk")


def test_the_shipped_contexts_are_the_published_documents():
    folder = standards("openbadges")
    references = {
        "https://www.w3.org/ns/credentials/v2": "context-credentials-v2.jsonld",
        "https://w3id.org/security/data-integrity/v1": "context-data-integrity-v1.jsonld",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob_v3p0_context-3.0.3.json",
    }
    shipped = jsonld.shipped_contexts()
    assert set(references) <= set(shipped)
    for url, name in references.items():
        assert shipped[url] == json.loads((folder / name).read_text()), url
    # Every shipped context (those without a copy in the standards folder too) names its source and the
    # SHA-256 of the file as shipped, so a changed file is a failed test, not a silent change of meaning.
    readme = (jsonld.CONTEXTS / "README.md").read_text()
    index = json.loads((jsonld.CONTEXTS / "index.json").read_text())
    assert set(index) == set(shipped)
    for url, name in index.items():
        assert f"| {url} | {name} |" in readme, url
        assert f"{name} `{hashlib.sha256((jsonld.CONTEXTS / name).read_bytes()).hexdigest()}`" in readme, name


def test_the_1edtech_proof_canonical_form_is_reproduced():
    # 1EdTech's test vector: the canonical proof of an OB 3.0 credential (its issuer at example.edu).
    proof = {"type": "DataIntegrityProof", "created": "2010-01-01T19:23:24Z",
             "verificationMethod": "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
             "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod"}
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}
    canonical = jsonld.canonicalize(dataintegrity.proof_configuration(proof, doc))
    assert canonical == standards("openbadges", "obv3p0_proof-canon.txt").read_text()


# ------------------------------------------------------------------------------------ our credentials

@pytest.mark.parametrize("kind, distinction, expires_at", EVERY_AWARD)
def test_every_award_type_signs_and_verifies_as_the_issuers(service, kind, distinction, expires_at):
    doc = service.credential(record(kind, distinction=distinction, expires_at=expires_at), proof=True)
    assert isinstance(doc["proof"], list) and len(doc["proof"]) == 1  # the OB 3.0 schema wants an array
    proof = doc["proof"][0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"] == service.verification_method()
    assert proof["verificationMethod"].startswith(f"{BASE}/issuer#z6Mk")
    assert schema_errors(doc) == []
    result = Verifier(published(service), lambda: T0).verify_bytes(json.dumps(doc).encode())
    assert result.valid, result.reasons
    assert any(c.startswith("eddsa-rdfc-2022 proof: signature verified with the issuer's published key") for c in result.checks)


def test_the_signed_credential_is_the_same_each_time(service):
    rec = record(CredentialType.BADGE_LEVEL_2)
    assert service.credential(rec, proof=True) == service.credential(rec, proof=True)
    assert {k: v for k, v in service.credential(rec, proof=True).items() if k != "proof"} == service.credential(rec)


def test_the_issuer_profile_publishes_the_proof_key(service):
    profile = service.issuer_profile()
    method = service.verification_method()
    assert method in profile["assertionMethod"]
    assert {"id": method, "type": "Multikey", "controller": f"{BASE}/issuer",
            "publicKeyMultibase": method.split("#")[1]} in profile["verificationMethod"]


def test_a_changed_signed_credential_fails(service):
    doc = service.credential(record(CredentialType.BADGE_LEVEL_1), proof=True)
    verifier = Verifier(published(service), lambda: T0)
    for change in (lambda d: d.update(name="Something else"),
                   lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Mallory"),
                   lambda d: d["credentialSubject"].update(id="urn:uuid:00000000-0000-8000-8000-000000000000"),
                   lambda d: d["issuer"].update(name="Evil")):
        tampered = json.loads(json.dumps(doc))
        change(tampered)
        result = verifier.verify_bytes(json.dumps(tampered).encode())
        assert not result.valid and any("signature does not match" in r for r in result.reasons)


def test_a_strangers_proof_claiming_our_issuer_is_refused(service):
    stranger = Ed25519PrivateKey.generate()
    doc = service.credential(record(CredentialType.SOUVENIR))
    # The stranger names its own key in the fragment of our issuer's id...
    forged = dataintegrity.add_proof(doc, stranger, f"{BASE}/issuer#{dataintegrity.multikey_of(stranger)}")
    result = Verifier(published(service), lambda: T0).verify_bytes(json.dumps(forged).encode())
    assert not result.valid
    assert any(r.startswith("eddsa-rdfc-2022 proof: signature valid, key not the issuer's") for r in result.reasons)
    # ... or as a did:key of its own.
    multikey = dataintegrity.multikey_of(stranger)
    forged = dataintegrity.add_proof(doc, stranger, f"did:key:{multikey}#{multikey}")
    result = Verifier(published(service), lambda: T0).verify_bytes(json.dumps(forged).encode())
    assert not result.valid and any("key not the issuer's" in r for r in result.reasons)


def test_add_proof_signs_any_credential_and_keeps_earlier_proofs(service):
    other = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1",
             "type": ["VerifiableCredential"], "issuer": f"{BASE}/issuer", "validFrom": "2026-03-02T09:00:00Z",
             "credentialSubject": {"id": "urn:uuid:2"}}
    once = service.add_proof(other, created=T0)
    twice = service.add_proof(once, created=T0 + dt.timedelta(seconds=1))
    assert isinstance(twice["proof"], list) and twice["proof"][:1] == once["proof"] and len(twice["proof"]) == 2
    public = ed25519_from_multikey(service.verification_method().split("#")[1])
    for proof in twice["proof"]:
        assert dataintegrity.check_proof(twice, proof, public) is None


def test_signing_refuses_what_would_go_unsigned(service):
    doc = service.credential(record(CredentialType.SOUVENIR))
    doc["nickname"] = "not in any context"
    with pytest.raises(jsonld.ContextError, match="nickname"):
        service.add_proof(doc)
    with pytest.raises(dataintegrity.ProofError, match="Ed25519"):
        dataintegrity.add_proof(service.credential(record(CredentialType.SOUVENIR)), service.keys.get("RS256"),
                                service.verification_method())


def test_a_signed_json_credential_baked_in_a_png_verifies(service):
    rec = record(CredentialType.BADGE_LEVEL_2)
    png = baking.bake_png(service.image(rec.credential), json.dumps(service.credential(rec, proof=True)))
    result = Verifier(published(service), lambda: T0).verify_bytes(png)
    assert result.valid and result.format == "png", result.reasons
