"""Issuers under the university (issue 13): a unit's credentials name it as their issuer with the university
as parentOrg, its profile publishes the program's keys, its pages say who awards what, its badge images
carry its name, and every verifier here (ours, `badgebot verify`, Digital Bazaar's) accepts its credentials.
On SQLite and PostgreSQL, through the real award path and the real web app."""
from __future__ import annotations

import dataclasses
import io
import json
import re

from PIL import Image, ImageChops

from bot.adapters.openbadges import vcjwt
from bot.usecases.awards import award_souvenir, revoke, set_shared
from bot.usecases.credentials import award_record, credential_record
from bot.usecases.progress import learner_progress
from tests.integration.test_independent_verifier import node_verify, published  # noqa: F401 - a fixture
from tests.integration.test_ob_serving import BROWSER, PUBLISHED, offline  # noqa: F401 - a fixture
from tests.integration.test_public_pages import LEARNER, _earn_shared
from tests.unit.test_openbadges import schema_errors

JSON = {"Accept": "application/ld+json"}


def test_a_units_credential_is_issued_by_the_unit_under_the_university(badgebot, web, verifier):
    urls = badgebot.open_badges.urls
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    doc = json.loads(web.get(f"/a/{public_id}/credential.json").get_data())

    computing = urls.issuer_of("computing")
    assert doc["issuer"]["id"] == computing and doc["issuer"]["name"] == "College of Computing and Data Science"
    assert doc["issuer"]["parentOrg"]["id"] == urls.issuer
    assert doc["issuer"]["parentOrg"]["name"] == "Lakeside University Micro-credentials"
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["creator"] == doc["issuer"]
    assert doc["proof"][0]["verificationMethod"].startswith(computing + "#")
    assert doc["credentialStatus"]["statusListCredential"].startswith(computing + "/status/lists/")
    assert schema_errors(doc) == []

    result = verifier.verify_bytes(json.dumps(doc).encode())
    assert result.valid, result.reasons
    assert f"eddsa-rdfc-2022 proof: {PUBLISHED}" in " ".join(result.checks)
    assert "not revoked" in " ".join(result.checks) or result.status == "valid"
    token = web.get(f"/a/{public_id}/credential.jwt").get_data(as_text=True)
    assert vcjwt.parse(token).claims["iss"] == computing
    jwt_result = verifier.verify_jwt(token)
    assert jwt_result.valid, jwt_result.reasons


def test_the_universitys_own_credentials_are_issued_as_before(badgebot, web):
    urls = badgebot.open_badges.urls
    award_souvenir(badgebot.ctx, "U0HOST0001", "welcome-week-2026", [(LEARNER, "Ana Souza")])
    set_shared(badgebot.ctx, LEARNER, "welcome-week-2026", True)
    [held] = learner_progress(badgebot.ctx, LEARNER).holdings
    doc = json.loads(web.get(f"/a/{held.public_id}/credential.json").get_data())
    assert doc["issuer"]["id"] == urls.issuer and "parentOrg" not in doc["issuer"]
    assert doc["proof"][0]["verificationMethod"].startswith(urls.issuer + "#")
    assert doc["credentialStatus"]["statusListCredential"].startswith(urls.status_list(0).rsplit("/", 1)[0])
    assert schema_errors(doc) == []


def test_alignment_becomes_ob3_alignment_valid_by_the_official_schema(badgebot, web):
    achievement = json.loads(web.get("/achievements/sql-analytics-professional", headers=JSON).get_data())
    assert achievement["alignment"] == [
        {"type": ["Alignment"], "targetName": "SQL",
         "targetUrl": "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742",
         "targetCode": "598de5b0-5b58-4ea7-8058-a4bc4d18c742",
         "targetFramework": "ESCO (European Skills, Competences, Qualifications and Occupations)",
         "targetType": "ext:ESCO"},
        {"type": ["Alignment"], "targetName": "Business Intelligence Analysts",
         "targetUrl": "https://www.onetonline.org/link/summary/15-2051.01", "targetCode": "15-2051.01",
         "targetFramework": "O*NET-SOC", "targetType": "ext:ONET"},
    ]
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    doc = json.loads(web.get(f"/a/{public_id}/credential.json").get_data())
    assert doc["credentialSubject"]["achievement"]["alignment"] == achievement["alignment"]
    assert schema_errors(doc) == []
    broken = json.loads(json.dumps(doc))
    del broken["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"]
    assert any("targetUrl" in e for e in schema_errors(broken))  # the schema does check alignments


def test_each_issuer_has_a_profile_for_clients_and_a_page_for_people(badgebot, web):
    urls = badgebot.open_badges.urls
    profile = json.loads(web.get("/issuers/computing", headers=JSON).get_data())
    assert profile["id"] == urls.issuer_of("computing") and profile["parentOrg"]["id"] == urls.issuer
    methods = profile["verificationMethod"]
    assert methods and all(m["controller"] == profile["id"] and m["id"].startswith(profile["id"] + "#")
                           for m in methods)
    university = json.loads(web.get("/issuer", headers=JSON).get_data())
    assert {m["publicKeyMultibase"] for m in methods if m["type"] == "Multikey"} \
        == {m["publicKeyMultibase"] for m in university["verificationMethod"] if m["type"] == "Multikey"}
    assert "alsoKnownAs" not in profile  # the did:web is the university's

    page = web.get("/issuers/career-services", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<h1 id="issuer-name">Career Services</h1>' in page
    assert 'href="/issuer" id="parent-link">Lakeside University Micro-credentials</a>' in page
    assert "Business Writing" in page and "SQL Basics" not in page
    home = web.get("/issuer", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'href="/issuers/computing"' in home and 'href="/issuers/career-services"' in home
    assert web.get("/issuers/nope").status_code == 404
    assert web.get("/issuers/university").headers["Location"].endswith("/issuer")
    ob2 = json.loads(web.get("/ob2/badges/business-writing").get_data())
    assert ob2["issuer"] == urls.ob2_issuer_of("career-services")
    assert json.loads(web.get("/ob2/issuers/career-services").get_data())["name"] == "Career Services"


def test_public_pages_say_which_issuer_awarded_it_and_what_it_aligns_to(badgebot, web):
    public_id = _earn_shared(badgebot, "sql-analytics-professional")
    page = web.get(f"/a/{public_id}", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<a href="/issuers/computing" id="issuer-link">College of Computing and Data Science</a>' in page
    assert "Lakeside University Micro-credentials" in page
    assert '<code>15-2051.01</code> <a href="https://www.onetonline.org/link/summary/15-2051.01" rel="noopener">' \
           "Business Intelligence Analysts</a>" in page

    achievement = web.get("/achievements/sql-analytics-professional", headers={"Accept": BROWSER})
    assert achievement.mimetype == "text/html"
    html = achievement.get_data(as_text=True)
    assert 'id="issuer-link">College of Computing and Data Science</a>' in html
    assert "<code>598de5b0-5b58-4ea7-8058-a4bc4d18c742</code>" in html
    # The criteria, wrapped by hand in the catalog file, read as one paragraph (issue 16).
    criteria = credential_record(badgebot.ctx, "sql-analytics-professional").criteria
    assert "\n" in criteria
    assert f'<p class="criteria">{" ".join(criteria.split())}</p>'.replace("'", "&#39;") in html
    # OB 2.0's criteria page, too, names the issuer.
    criteria_page = web.get("/achievements/business-writing/criteria").get_data(as_text=True)
    assert '<a href="/issuers/career-services" id="issuer-link">Career Services</a>' in criteria_page


def test_badge_images_carry_their_issuers_name(badgebot):
    ob = badgebot.open_badges
    sql = credential_record(badgebot.ctx, "sql-basics")
    writing = credential_record(badgebot.ctx, "business-writing")
    assert ob.design(sql).issuer == "College of Computing and Data Science"
    assert ob.design(writing).issuer == "Career Services"

    ours = Image.open(io.BytesIO(ob.image(sql))).convert("RGB")
    theirs = Image.open(io.BytesIO(ob.renderer.render(dataclasses.replace(ob.design(sql), issuer="Career Services"))))
    box = ImageChops.difference(ours, theirs.convert("RGB")).getbbox()
    assert box is not None  # the issuer's name is drawn...
    _, top, _, bottom = box
    assert top > 360 and bottom < 460  # ...on the ribbon, and nothing else differs


def test_digital_bazaar_s_verifier_accepts_a_units_credential_and_its_revocation(badgebot, web, published):  # noqa: F811
    public_id = _earn_shared(badgebot, "sql-basics")
    credential = json.loads(web.get(f"/a/{public_id}/credential.json").get_data())
    assert credential["issuer"]["id"] == badgebot.open_badges.urls.issuer_of("computing")
    result = node_verify(credential, published(credential))
    assert result["verified"], result["error"]
    assert result["status"] == {"checked": True, "revoked": False, "listVerified": True, "error": None}

    revoke(badgebot.ctx, "U0ADMIN001", public_id, "Recorded twice")
    after = node_verify(credential, published(credential))
    assert after["status"]["revoked"] is True and after["status"]["listVerified"] is True


def test_badgebot_verify_accepts_a_units_credential(badgebot, cli, offline, capsys):  # noqa: F811
    public_id = _earn_shared(badgebot, "business-writing")
    link = badgebot.open_badges.share_links(award_record(badgebot.ctx, public_id)).page
    assert cli(["verify", link]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("valid: Business Writing (") and f"eddsa-rdfc-2022 proof: {PUBLISHED}" in out
    assert re.search(r"issuers/career-services", out)
