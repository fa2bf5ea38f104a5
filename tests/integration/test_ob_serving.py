"""Credentials served as the Open Badges spec's Web Resource rules say, the issuer's keys published and bound
to it (profile, did:web DID document, JWKS), and issue 12's acceptance for every credential type: through the
real award path and the real web app, on SQLite and PostgreSQL. Verification fetches only this web app, in
process; a fetch that leaves it fails the test.
"""
from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from bot.adapters.openbadges import dataintegrity, vcjwt
from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore
from bot.adapters.openbadges.multikey import thumbprint
from bot.adapters.openbadges.spec import parse_date_time
from bot.adapters.openbadges.verify import Fetched
from bot.domain.vocabulary import Decision
from bot.usecases.awards import award_souvenir, set_shared
from bot.usecases.credentials import award_record
from bot.usecases.progress import learner_progress
from handlers.cli import openbadges as cli_openbadges
from tests.helpers import earn
from tests.integration.test_public_pages import (
    LEARNER,
    LEVEL_TWO_WORK,
    _earn_shared,
    earn_with_files,
)
from tests.unit.test_ob_jwt import signed
from tests.unit.test_openbadges import schema_errors

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PUBLISHED = "signature verified with the issuer's published key"


# ------------------------------------------------------------------------------------ the credential's own id

def test_the_credential_id_answers_each_client_in_its_own_format(badgebot, web, verifier):
    public_id = _earn_shared(badgebot, "sql-basics")
    path = f"/a/{public_id}"

    page = web.get(path, headers={"Accept": BROWSER})
    assert page.mimetype == "text/html" and "SQL Basics" in page.get_data(as_text=True)
    assert web.get(path).mimetype == "text/html"  # no preference: people first
    for accept in ("application/json", "application/ld+json", "application/vc+ld+json"):
        response = web.get(path, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == accept
        assert response.headers["Vary"] == "Accept"
        doc = json.loads(response.get_data())
        assert doc["id"] == badgebot.open_badges.urls.award_page(public_id)
        assert [p["cryptosuite"] for p in doc["proof"]] == [dataintegrity.CRYPTOSUITE]
        result = verifier.verify_bytes(response.get_data())
        assert result.valid, result.reasons
        assert f"eddsa-rdfc-2022 proof: {PUBLISHED}" in " ".join(result.checks)

    token = web.get(path, headers={"Accept": "application/vc+jwt"})
    assert token.mimetype == "application/vc+jwt"
    assert token.get_data(as_text=True).count(".") == 2  # the compact JWS, nothing around it
    assert vcjwt.parse(token.get_data(as_text=True)).claims["jti"] == badgebot.open_badges.urls.award_page(public_id)
    assert verifier.verify_jwt(token.get_data(as_text=True)).valid
    assert web.get(f"{path}/credential.jwt").get_data() == token.get_data()


def test_credential_json_carries_its_proof_and_verifies_alone(badgebot, web, verifier):
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    response = web.get(f"/a/{public_id}/credential.json")
    doc = response.get_json(force=True)
    ob = badgebot.open_badges
    issuer = ob.issuer_of(award_record(badgebot.ctx, public_id).credential)
    assert doc["proof"][0]["verificationMethod"] == ob.verification_method(issuer)
    result = verifier.verify_bytes(response.get_data())
    assert result.valid and result.format == "json", result.reasons
    doc["name"] = "SQL for Anything"
    assert not verifier.verify_bytes(json.dumps(doc).encode()).valid


def test_the_shared_link_verifies_as_signed_not_merely_hosted(badgebot, verifier):
    public_id = _earn_shared(badgebot, "sql-basics")
    result = verifier.verify_url(badgebot.open_badges.urls.award_page(public_id))
    assert result.valid, result.reasons
    assert any(c.startswith(f"eddsa-rdfc-2022 proof: {PUBLISHED}") for c in result.checks), result.checks
    assert not any("served by its issuer" in c for c in result.checks)


# ------------------------------------------------------------------------------------ the issuer and its keys

def test_the_did_document_and_the_profile_publish_every_key_the_jwks_does(badgebot, web):
    ob = badgebot.open_badges
    did_doc = web.get("/.well-known/did.json")
    assert did_doc.mimetype == "application/did+json"
    did_doc = did_doc.get_json(force=True)
    assert did_doc["id"] == "did:web:badges.test.example.edu" == ob.did
    assert web.get("/did.json").get_json(force=True) == did_doc  # the same, where a path-prefixed did:web looks
    profile = web.get("/issuer", headers={"Accept": "application/ld+json"}).get_json(force=True)
    assert profile["alsoKnownAs"] == [did_doc["id"]] and did_doc["alsoKnownAs"] == [profile["id"]]
    jwks = {thumbprint(k) for k in web.get("/.well-known/jwks.json").get_json()["keys"]}
    assert len(jwks) == 2
    for doc in (did_doc, profile):
        jwk_methods = [m for m in doc["verificationMethod"] if m["type"] == "JsonWebKey"]
        assert {thumbprint(m["publicKeyJwk"]) for m in jwk_methods} == jwks
        assert [m["type"] for m in doc["verificationMethod"]].count("Multikey") == 1
        assert set(doc["assertionMethod"]) == {m["id"] for m in doc["verificationMethod"]}


def test_the_issuer_url_opens_a_page_for_people_and_the_profile_for_clients(badgebot, web):
    page = web.get("/issuer", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html" and page.headers["Vary"] == "Accept"
    html = page.get_data(as_text=True)
    issuer = badgebot.catalog.issuer
    assert f'<h1 id="issuer-name">{issuer.name}</h1>' in html
    assert "did:web:badges.test.example.edu" in html and "/.well-known/did.json" in html
    for key in badgebot.open_badges.keys.all():
        assert key.thumbprint in html
    assert "{" not in html.split("<main>")[1]  # no raw JSON for people
    for accept in ("application/json", "application/ld+json"):
        profile = web.get("/issuer", headers={"Accept": accept})
        assert profile.mimetype == accept and profile.get_json(force=True)["type"] == ["Profile"]


def test_after_rotation_new_credentials_use_the_new_keys_and_old_ones_keep_verifying(badgebot, web, verifier):
    public_id = _earn_shared(badgebot, "sql-basics")
    old_json = web.get(f"/a/{public_id}/credential.json").get_data()
    old_jwts = [web.get(f"/a/{public_id}/credential.jwt?alg={alg}").get_data(as_text=True) for alg in (RS256, EDDSA)]
    old_method = json.loads(old_json)["proof"][0]["verificationMethod"]
    keys = badgebot.open_badges.keys
    for alg in (RS256, EDDSA):
        keys.rotate(alg)

    new_doc = web.get(f"/a/{public_id}/credential.json").get_json(force=True)
    assert new_doc["proof"][0]["verificationMethod"] != old_method
    new_kid = vcjwt.parse(web.get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)).header["kid"]
    assert new_kid != vcjwt.parse(old_jwts[0]).header["kid"]
    for data in (old_json, json.dumps(new_doc).encode(), *(t.encode() for t in old_jwts)):
        result = verifier.verify_bytes(data)
        assert result.valid, result.reasons
    did_doc = web.get("/.well-known/did.json").get_json(force=True)
    assert [m["type"] for m in did_doc["verificationMethod"]].count("JsonWebKey") == 4
    assert old_method.split("#")[1] in {m.get("publicKeyMultibase") for m in did_doc["verificationMethod"]}


# ------------------------------------------------------------------------------------ issue 12's acceptance

def _every_type(badgebot) -> dict[str, str]:
    """One shared award of each credential type (Level II with its real files), by name."""
    ctx = badgebot.ctx
    award_souvenir(ctx, "U0HOST0001", "welcome-week-2026", [(LEARNER, "Ana Souza")])
    set_shared(ctx, LEARNER, "welcome-week-2026", True)
    ids = {"souvenir": None, "level I": _earn_shared(badgebot, "business-writing")}
    earn(ctx, LEARNER, "sql-basics", decision=Decision.APPROVE_WITH_DISTINCTION)
    ids["level I with distinction"] = set_shared(ctx, LEARNER, "sql-basics", True).public_id
    ids["level II with shared evidence"], _ = earn_with_files(badgebot, "dashboard-design-in-practice",
                                                              LEVEL_TWO_WORK)
    earn(ctx, LEARNER, "presentation-skills")
    for slug in ("sql-analytics-professional", "applied-statistical-modeling"):
        earn(ctx, LEARNER, slug)
    holdings = {h.credential: h.public_id for h in learner_progress(ctx, LEARNER).holdings}
    ids["souvenir"] = holdings["welcome-week-2026"]
    for name, slug in (("certificate (practiced)", "professional-communication-practiced"),
                       ("certificate (expert)", "data-analytics-expert")):
        ids[name] = set_shared(ctx, LEARNER, slug, True).public_id
    return ids


def test_every_credential_type_is_schema_valid_signed_both_ways_and_verifies(badgebot, web, verifier):
    for kind, public_id in _every_type(badgebot).items():
        response = web.get(f"/a/{public_id}/credential.json")
        assert response.status_code == 200, kind
        doc = response.get_json(force=True)
        assert schema_errors(doc) == [], kind

        claims = vcjwt.parse(web.get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)).claims
        assert claims["iss"] == doc["issuer"]["id"], kind
        assert claims["sub"] == doc["credentialSubject"]["id"] and claims["sub"].startswith("urn:uuid:"), kind
        assert claims["jti"] == doc["id"], kind
        assert claims["nbf"] == int(parse_date_time(doc["validFrom"]).timestamp()), kind
        until = parse_date_time(doc.get("validUntil"))
        assert claims.get("exp") == (int(until.timestamp()) if until else None), kind
        assert {k: v for k, v in claims.items() if k not in ("iss", "sub", "jti", "nbf", "exp")} == \
            {k: v for k, v in doc.items() if k != "proof"}, kind

        result = verifier.verify_bytes(response.get_data())
        assert result.valid, (kind, result.reasons)
        assert any(c.startswith(f"eddsa-rdfc-2022 proof: {PUBLISHED}") for c in result.checks), kind

        evidence = [e for e in doc.get("evidence", []) if "id" in e]
        if kind == "level II with shared evidence":
            assert [web.get(urlparse(e["id"]).path).get_data() for e in evidence] == list(LEVEL_TWO_WORK.values())
        else:
            assert evidence == [], kind


def test_a_strangers_key_claiming_our_issuer_is_refused(badgebot, verifier, tmp_path):
    public_id = _earn_shared(badgebot, "sql-basics")
    claims = vcjwt.claims_for(badgebot.open_badges.credential(award_record(badgebot.ctx, public_id)))
    stranger = KeyStore(tmp_path / "stranger").get(RS256)
    did = badgebot.open_badges.did
    for header, words in (({"jwk": stranger.key.as_dict(private=False)},
                           "key not the issuer's: the public key in the JWT header"),
                          ({"kid": f"{did}#{stranger.thumbprint}"}, "does not publish it"),
                          ({"kid": badgebot.open_badges.kid(badgebot.open_badges.keys.get(RS256))},
                           "signature does not match")):
        result = verifier.verify_jwt(signed(claims, stranger, header))
        assert not result.valid and any(words in r for r in result.reasons), (header, result.reasons)
    assert verifier.verify_jwt(signed(claims, badgebot.open_badges.keys.get(RS256),
                                      {"kid": f"{did}#{badgebot.open_badges.keys.get(RS256).thumbprint}"})).valid


# ------------------------------------------------------------------------------------ `badgebot verify`

@pytest.fixture
def offline(monkeypatch):
    """The network out of reach: a fetch of anything but the bot's own documents fails the test."""
    def no_network(url: str, accept: str) -> Fetched:
        raise AssertionError(f"tried to leave the machine: {url}")

    monkeypatch.setattr(cli_openbadges, "http_fetch", no_network)


def test_badgebot_verify_of_the_shared_link_answers_valid(badgebot, cli, offline, capsys):
    public_id = _earn_shared(badgebot, "sql-basics")
    link = badgebot.open_badges.share_links(award_record(badgebot.ctx, public_id)).page
    for options in ([], ["--offline"]):  # our own documents are answered in process either way
        assert cli(["verify", link, *options]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert out.startswith("valid: SQL Basics (")
        assert f"eddsa-rdfc-2022 proof: {PUBLISHED}" in out and "unsigned" not in out
        assert "note:" not in out  # nothing left unchecked


def test_badgebot_verify_names_a_file_that_is_not_what_its_name_says(cli, offline, tmp_path, capsys):
    (tmp_path / "fake.png").write_text("this is not an image at all\n")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "fake.svg").write_bytes(b"\x00\x01binary")
    assert cli(["verify", str(tmp_path / "fake.png")]) == 1
    assert capsys.readouterr().err.strip() == \
        f'badgebot: {tmp_path / "fake.png"}: invalid: not a PNG (starts with "this is not an i...")'
    assert cli(["verify", str(tmp_path / "empty.png")]) == 1
    assert "not a PNG: empty.png is empty" in capsys.readouterr().err
    assert cli(["verify", str(tmp_path / "fake.svg")]) == 1
    assert "not an SVG (starts with 00 01 62 69 6e 61 72 79)" in capsys.readouterr().err
