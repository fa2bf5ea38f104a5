"""Third-party Open Badges 3.0 fixtures (1EdTech's validator test files): what must verify, what must not.

The fixtures' issuers live at example.com / 1edtech.edu, which tests never reach: their keys cannot be
checked, and the verdict says so. Where a test plays the issuer, it serves the issuer's documents
through the fetch function.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import json

import pytest

from bot.adapters.openbadges import baking
from bot.adapters.openbadges.multikey import ed25519_multikey
from bot.adapters.openbadges.verify import Fetched, Verifier
from tests.conftest import standards

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NOT_CHECKED = "signature valid with the key the credential carries; the issuer's keys were not checked"
FIXTURE_ISSUER = "https://example.com/issuers/876543"
FIXTURE_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def offline(url: str, accept: str) -> Fetched:
    raise OSError(f"no network in tests ({url})")


@pytest.fixture
def verifier() -> Verifier:
    return Verifier(offline, lambda: NOW)


def fixture(name: str) -> bytes:
    return standards("openbadges", "fixtures-1edtech", name).read_bytes()


def simple() -> dict:
    return json.loads(fixture("simple.json"))


def serving(documents: dict[str, dict]):  # type: ignore[no-untyped-def]
    """A fetch that plays the issuers' web servers: these documents, 404 for anything else on their hosts."""
    def fetch(url: str, accept: str) -> Fetched:
        if url in documents:
            return Fetched(200, "application/json", json.dumps(documents[url]).encode())
        return Fetched(404, "text/plain", b"not found")
    return fetch


def profile_with_key(multikey: str) -> dict:
    method = f"{FIXTURE_ISSUER}#{multikey}"
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": FIXTURE_ISSUER, "type": ["Profile"],
            "name": "Example Corp",
            "verificationMethod": [{"id": method, "type": "Multikey", "controller": FIXTURE_ISSUER,
                                    "publicKeyMultibase": multikey}],
            "assertionMethod": [method]}


# ------------------------------------------------------------------------------------ VC-JWT fixtures

def test_the_baked_vc_jwt_signature_verifies_with_its_header_key_but_it_lacks_sub(verifier):
    png = fixture("simple-jwt.png")
    header = baking.unbake_png(png).split(".")[0]
    assert len(header) > 512  # the header that some JOSE libraries refuse by default
    result = verifier.verify_bytes(png)
    assert result.format == "png" and result.name == "Teamwork Badge"
    assert f"RS256 {NOT_CHECKED} (the public key in the JWT header)" in result.checks
    assert any("1edtech.edu" in w and "could not be fetched" in w for w in result.warnings)
    # The fixture names its subject in 'aud', not in the 'sub' that OB 3.0 section 8.2 requires.
    assert not result.valid
    assert result.reasons == ("the JWT has no 'sub' claim (Open Badges 3.0 requires iss, sub, jti and nbf)",)


def test_the_baked_vc_jwt_is_refused_when_its_issuer_publishes_other_keys():
    from joserfc.jwk import RSAKey

    other = RSAKey.generate_key(2048).as_dict(private=False)
    fetch = serving({"https://1edtech.edu/.well-known/jwks.json": {"keys": [other]}})
    result = Verifier(fetch, lambda: NOW).verify_bytes(fixture("simple-jwt.png"))
    assert not result.valid
    assert any(r.startswith("RS256 signature valid, key not the issuer's") and "https://1edtech.edu/issuers/565049" in r
               for r in result.reasons), result.reasons


def test_the_older_draft_jwt_is_not_called_valid(verifier):
    result = verifier.verify_bytes(fixture("simple.jwt"))
    assert not result.valid
    assert any("names no key" in r for r in result.reasons)
    assert any("older draft" in r for r in result.reasons)


@pytest.mark.parametrize("step", [1, 7, 97])
def test_tampered_copies_of_the_baked_jwt_fail(verifier, step):
    png = fixture("simple-jwt.png")
    for index in range(0, len(png), step * 211):
        tampered = bytearray(png)
        tampered[index] = (tampered[index] + 1) % 256
        result = verifier.verify_bytes(bytes(tampered))
        assert not result.valid, index
        assert not any(NOT_CHECKED in c for c in result.checks) or any("'sub'" in r for r in result.reasons)


def test_a_tampered_credential_rebaked_with_a_good_checksum_fails(verifier):
    png = fixture("simple-jwt.png")
    token = baking.unbake_png(png)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Forged Badge"
    claims["sub"] = claims["credentialSubject"]["id"]  # even with the claim it lacked
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    rebaked = baking.bake_png(png, f"{header}.{forged_payload}.{signature}")
    result = verifier.verify_bytes(rebaked)
    assert not result.valid and any("signature does not match" in r for r in result.reasons)


def test_every_single_character_change_to_the_fixture_jwt_fails(verifier):
    token = baking.unbake_png(fixture("simple-jwt.png"))
    for index in range(len(token)):
        changed = "A" if token[index] != "A" else "B"
        result = verifier.verify_jwt(token[:index] + changed + token[index + 1:])
        assert not result.valid, index
        assert not any(NOT_CHECKED in c for c in result.checks), index  # no signature stays good


# ------------------------------------------------------------------------------------ embedded proofs

@pytest.mark.parametrize("name, container", [("simple.json", "json"), ("simple-json.png", "png"),
                                             ("simple-json.svg", "svg")])
def test_embedded_eddsa_proofs_verify_with_the_key_their_method_names(verifier, name, container):
    result = verifier.verify_bytes(fixture(name))
    assert result.valid, result.reasons
    assert result.format == container and result.name == "Teamwork Badge"
    assert f"eddsa-rdfc-2022 proof: {NOT_CHECKED} (the Multikey named in its verification method)" in result.checks
    assert any(FIXTURE_ISSUER in w and "could not be fetched" in w for w in result.warnings)
    assert "valid: Teamwork Badge" in result.summary() and "were not checked" in result.summary()


CHANGES = {
    "name": lambda d: d.update(name="Teamwork Badge!"),
    "validFrom": lambda d: d.update(validFrom="2010-01-01T00:00:01Z"),
    "issuer name": lambda d: d["issuer"].update(name="Evil Corp"),
    "subject id": lambda d: d["credentialSubject"].update(id="did:example:someone-else"),
    "criteria": lambda d: d["credentialSubject"]["achievement"]["criteria"].update(narrative="Anyone."),
    "a new field": lambda d: d.update(description="Not signed."),
    "proof created": lambda d: d["proof"][0].update(created="2010-01-01T19:23:25Z"),
    "proof method host": lambda d: d["proof"][0].update(
        verificationMethod=f"https://example.org/issuers/876543#{FIXTURE_KEY}"),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_copy_of_the_signed_fixture_with_one_change_is_invalid(verifier, change):
    doc = simple()
    CHANGES[change](doc)
    result = verifier.verify_bytes(json.dumps(doc).encode())
    assert not result.valid
    assert any("signature does not match" in r for r in result.reasons), result.reasons


def test_a_property_the_contexts_do_not_define_is_refused_not_ignored(verifier):
    # RDF canonicalization would silently leave it out of what the signature covers.
    doc = simple()
    doc["credentialSubject"]["grade"] = "A+"
    result = verifier.verify_bytes(json.dumps(doc).encode())
    assert not result.valid
    assert any("contexts do not define (grade)" in r for r in result.reasons), result.reasons


def test_the_unchanged_copy_reserialized_still_verifies(verifier):
    result = verifier.verify_bytes(json.dumps(simple(), indent=None, ensure_ascii=True).encode())
    assert result.valid, result.reasons


def test_a_proof_by_another_key_named_in_the_method_fails(verifier):
    doc = simple()
    doc["proof"][0]["verificationMethod"] = f"{FIXTURE_ISSUER}#{ed25519_multikey(bytes(range(32)))}"
    result = verifier.verify_bytes(json.dumps(doc).encode())
    assert not result.valid and any("signature does not match" in r for r in result.reasons)


def test_when_the_issuer_publishes_the_key_the_proof_is_the_issuers():
    fetch = serving({FIXTURE_ISSUER: profile_with_key(FIXTURE_KEY)})
    result = Verifier(fetch, lambda: NOW).verify_bytes(fixture("simple.json"))
    assert result.valid, result.reasons
    assert any(c.startswith("eddsa-rdfc-2022 proof: signature verified with the issuer's published key") for c in result.checks)
    assert not result.warnings


def test_when_the_issuer_publishes_other_keys_the_proof_is_refused():
    fetch = serving({FIXTURE_ISSUER: profile_with_key(ed25519_multikey(bytes(range(32))))})
    result = Verifier(fetch, lambda: NOW).verify_bytes(fixture("simple.json"))
    assert not result.valid
    assert any(r.startswith("eddsa-rdfc-2022 proof: signature valid, key not the issuer's") for r in result.reasons)


def test_when_the_issuer_answers_but_publishes_no_key_the_proof_is_refused():
    result = Verifier(serving({}), lambda: NOW).verify_bytes(fixture("simple.json"))
    assert not result.valid
    assert any("key not the issuer's" in r and "publishes none" in r for r in result.reasons)


def test_an_unknown_context_is_named_and_never_fetched(verifier):
    doc = simple()
    doc["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    asked: list[str] = []

    def fetch(url: str, accept: str) -> Fetched:
        asked.append(url)
        raise OSError("offline")

    result = Verifier(fetch, lambda: NOW).verify_bytes(json.dumps(doc).encode())
    assert not result.valid
    assert any("context-3.0.2.json is not one this verifier ships" in r for r in result.reasons), result.reasons
    assert not any("context" in url for url in asked)


def test_unsupported_or_malformed_proofs_are_not_valid(verifier):
    for change, words in [
        (lambda p: p.update(cryptosuite="ecdsa-rdfc-2019"), "does not check"),
        (lambda p: p.update(proofPurpose="authentication"), "assertionMethod"),
        (lambda p: p.update(proofValue="u" + p["proofValue"][1:]), "base58btc"),
        (lambda p: p.update(proofValue=p["proofValue"][:-3]), "bytes"),
        (lambda p: p.pop("verificationMethod"), "no verification method"),
    ]:
        doc = simple()
        change(doc["proof"][0])
        result = verifier.verify_bytes(json.dumps(doc).encode())
        assert not result.valid and any(words in r for r in result.reasons), (words, result.reasons)


def test_two_proofs_need_both_to_hold(verifier):
    doc = simple()
    bad = copy.deepcopy(doc["proof"][0])
    bad["created"] = "2011-01-01T00:00:00Z"
    doc["proof"].append(bad)
    assert not verifier.verify_bytes(json.dumps(doc).encode()).valid


def test_an_unsigned_credential_is_not_valid(verifier):
    result = verifier.verify_bytes(fixture("simple-noproof.json"))
    assert not result.valid and any("unsigned" in r for r in result.reasons)


def test_a_file_that_is_not_what_its_name_says_is_named_for_what_it_is(verifier, tmp_path):
    fake = tmp_path / "badge.PNG"
    fake.write_text("hello, I am text")
    assert verifier.verify_source(str(fake)).reasons == ('not a PNG (starts with "hello, I am text")',)
    svg_named_png = tmp_path / "simple-json.png"
    svg_named_png.write_bytes(fixture("simple-json.svg"))
    assert verifier.verify_source(str(svg_named_png)).reasons[0].startswith('not a PNG (starts with "<')
    # A file whose content matches its name is read as usual, whatever the name.
    real = tmp_path / "renamed.png"
    real.write_bytes(fixture("simple-json.png"))
    assert verifier.verify_source(str(real)).valid
